import type { Reader } from './project-db';
import type { SqlValue } from './sqlite';

/**
 * Values bound per statement. Older SQLite builds allow 999 parameters; batches of this size
 * stay under that with room for a few more, and still turn 20,000 look-ups into 40 statements.
 */
export const CHUNK = 500;

/**
 * Runs `sql(placeholders)` once per chunk of `values` and concatenates the rows: the way a
 * batch asks "which of these exist?" with a handful of statements instead of one per row
 * (node-sqlite3 pays a thread hop for each).
 */
export async function allInChunks<T>(r: Reader, values: readonly SqlValue[], sql: (placeholders: string) => string, size = CHUNK): Promise<T[]> {
  const unique = [...new Set(values)];
  const out: T[] = [];
  for (let i = 0; i < unique.length; i += size) {
    const chunk = unique.slice(i, i + size);
    out.push(...(await r.all<T>(sql(chunk.map(() => '?').join(',')), chunk)));
  }
  return out;
}

export type IdTable = 'documents' | 'codes' | 'coders' | 'segments' | 'memos';

/** Which of `ids` are rows of `table`. */
export async function existingIds(r: Reader, table: IdTable, ids: readonly string[]): Promise<Set<string>> {
  const rows = await allInChunks<{ id: string }>(r, ids, (p) => `SELECT id FROM ${table} WHERE id IN (${p})`);
  return new Set(rows.map((row) => row.id));
}
