import type { Sqlite } from '../db/sqlite';
import { Reader, type ReadScope } from '../db/project-db';
import { visibleCoders } from './rounds';
import { HIDDEN_CODERS_VIEW } from './blind-scope';

/**
 * Blind coding, enforced in one place. While a reliability round a coder takes part in is
 * open, every read that coder's session makes runs against TEMP views that shadow the
 * tables holding coders' work: unqualified names resolve to the temp schema first, so every
 * query of every read method (lists, counts, exports, previews, agreement, history) sees the
 * same filtered project without knowing it. Writes never run under the views (they are
 * installed for reads only), so a coder's own work is stored as usual.
 *
 * Hidden: the round's other coders, and the consensus layer (its codings are copies of
 * someone's work, its decisions name whose). Coders outside the round stay visible.
 */
export async function hiddenCoderIdsFor(sqlite: Sqlite, viewerId: string): Promise<string[]> {
  // Read before any view is installed, through the same rule the app shows (team.visibleCoders).
  return (await visibleCoders(new Reader(sqlite), viewerId)).hidden_coder_ids.sort();
}

const quote = (id: string) => `'${id.replace(/'/g, "''")}'`;

/** The views that hide the given coders' segments, memos, history and consensus decisions. */
export function blindViews(hidden: readonly string[]): ReadScope {
  const list = hidden.map(quote).join(', ');
  const views: Record<string, string> = {
    segments: `SELECT * FROM main.segments WHERE coder_id NOT IN (${list})`,
    // The stored rows behind that view (migration 13), for the reads that count them directly.
    segment_rows: `SELECT * FROM main.segment_rows WHERE coder_key NOT IN (SELECT key FROM main.coder_keys WHERE id IN (${list}))`,
    // The codebook's maintained counts (migration 9): per coder, shadowed like the segments;
    // over every coder, recounted from the visible segments (codes.list does not read it then).
    code_coder_counts: `SELECT * FROM main.code_coder_counts WHERE coder_id NOT IN (${list})`,
    code_counts: `SELECT code_id, sum(n) AS segments, count(*) AS documents FROM (
              SELECT code_id, document_id, count(*) AS n FROM main.segments
              WHERE coder_id NOT IN (${list}) AND coder_id NOT IN (SELECT id FROM main.coders WHERE name = 'consensus')
              GROUP BY code_id, document_id) GROUP BY code_id`,
    // Each document's count (migration 11), recounted from the visible segments.
    document_counts: `SELECT d.id AS document_id, (SELECT count(*) FROM main.segments s WHERE s.document_id = d.id
              AND s.coder_id NOT IN (${list}) AND s.coder_id NOT IN (SELECT id FROM main.coders WHERE name = 'consensus')) AS segments
              FROM main.documents d`,
    // A memo is hidden when a hidden coder wrote it or when it is on a hidden coder's segment.
    memos: `SELECT * FROM main.memos WHERE ifnull(author_id, '') NOT IN (${list})
              AND NOT (target_kind = 'segment' AND EXISTS (SELECT 1 FROM main.segments s WHERE s.id = memos.target_id AND s.coder_id IN (${list})))`,
    events: `SELECT * FROM main.events WHERE ifnull(coder_id, '') NOT IN (${list})`,
    consensus_decisions: `SELECT * FROM main.consensus_decisions
              WHERE ifnull(chosen_coder_id, '') NOT IN (${list}) AND ifnull(decided_by, '') NOT IN (${list})`,
    // Not a shadow: the list itself, for reads that take coders as input (blind-scope.ts).
    [HIDDEN_CODERS_VIEW]: `SELECT id FROM main.coders WHERE id IN (${list})`,
  };
  const names = Object.keys(views);
  return {
    enter: names.map((n) => `CREATE TEMP VIEW ${n} AS ${views[n]};`).join('\n'),
    exit: names.map((n) => `DROP VIEW IF EXISTS temp.${n};`).join('\n'),
  };
}

/** The read scope for a viewer: null when nothing is hidden from them. */
export async function blindScopeFor(sqlite: Sqlite, viewerId: string): Promise<ReadScope | null> {
  const hidden = await hiddenCoderIdsFor(sqlite, viewerId);
  return hidden.length ? blindViews(hidden) : null;
}
