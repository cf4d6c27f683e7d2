import type { Reader } from '../db/project-db';
import type { SqlValue } from '../db/sqlite';

/** The coder whose segments are settled copies of others' (core/team/consensus.ts). */
const CONSENSUS = 'consensus';

/**
 * Whose segments a count or a view covers. No choice: every coder, the consensus layer left
 * out (its segments are copies of coders' work and would count the same passage twice).
 * `coderIds`: those coders (the consensus layer among them only if named). `consensus`: the
 * consensus layer alone.
 */
export interface CoderChoice {
  coderIds?: readonly string[];
  consensus?: boolean;
}

/** The condition on `${alias}.coder_id` for a choice, to AND into a WHERE clause. */
export async function coderCondition(r: Reader, choice: CoderChoice = {}, alias = 's'): Promise<{ sql: string; params: SqlValue[] }> {
  if (choice.coderIds?.length && !choice.consensus) {
    return { sql: `${alias}.coder_id IN (${choice.coderIds.map(() => '?').join(', ')})`, params: [...choice.coderIds] };
  }
  const ids = (await r.all<{ id: string }>(`SELECT id FROM coders WHERE name = ?`, [CONSENSUS])).map((c) => c.id);
  if (choice.consensus) return ids.length ? { sql: `${alias}.coder_id IN (${ids.map(() => '?').join(', ')})`, params: ids } : { sql: '0', params: [] };
  return ids.length ? { sql: `${alias}.coder_id NOT IN (${ids.map(() => '?').join(', ')})`, params: ids } : { sql: '1', params: [] };
}
