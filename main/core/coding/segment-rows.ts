import type { Reader } from '../db/project-db';

/**
 * The segments as stored (migration 13): `segment_rows` names its document, code and coder by
 * integer keys (`document_keys`, `code_keys`, `coder_keys`), and the `segments` view puts the
 * ids back. Most reads go through the view; the paths that read or move many segments at once
 * use the keys here.
 */

/**
 * The `segments` view's columns read through the (document, start, end, code, coder) index,
 * for a query that names the index (a view cannot be named with INDEXED BY). SQLite flattens
 * it into the query, so it costs what the view does.
 */
export const SEGMENTS_IN_DOCUMENT_ORDER = `(SELECT r.id AS id, d.id AS document_id, c.id AS code_id, k.id AS coder_id, r.start AS start, r.end AS end
  FROM main.segment_rows r INDEXED BY segments_coding JOIN main.document_keys d ON d.key = r.document_key
    JOIN main.code_keys c ON c.key = r.code_key JOIN main.coder_keys k ON k.key = r.coder_key)`;

/** The integer keys of the given codes' or coders' ids, in their order: -1 for one that has none. */
export async function keysOf(r: Reader, table: 'code_keys' | 'coder_keys', ids: readonly string[]): Promise<number[]> {
  const rows = await r.all<{ id: string; key: number }>(`SELECT id, key FROM main.${table} WHERE id IN (SELECT value FROM json_each(?))`, [JSON.stringify(ids)]);
  const byId = new Map(rows.map((x) => [x.id, x.key]));
  return ids.map((id) => byId.get(id) ?? -1);
}

/** A code's key in `segment_rows`; undefined when there is no such code. */
export async function codeKey(r: Reader, codeId: string): Promise<number | undefined> {
  const [key] = await keysOf(r, 'code_keys', [codeId]);
  return key === -1 ? undefined : key;
}
