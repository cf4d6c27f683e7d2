import type { workbenchContract, DocumentSegmentsOut, ViewerSegmentRow } from '../contract/workbench';
import type { HandlersOf } from './types';
import type { Reader } from '../../core/db/project-db';
import { coderCondition } from '../../core/coders/scope';

interface StoredRow {
  stored_id: Buffer | string;
  code_key: number;
  coder_key: number;
  start: number;
  end: number;
  created_at: number | string;
  updated_at: number | string | null;
}

/**
 * A segment's id from its stored form (migration 15): the 16 bytes of a UUID in the app's form
 * as the `segments` view writes them (lowercase hex, dashed 8-4-4-4-12), any other id as it came.
 */
function idOf(stored: Buffer | string): string {
  if (typeof stored === 'string') return stored;
  const hex = stored.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A stored time as the view's ISO text: whole milliseconds since 1970 (migration 15 keeps only
 * those that SQLite's strftime gives back as the same text, years 0 to 9999, where
 * toISOString writes the same characters), or the text as it came.
 */
const isoOf = (stored: number | string): string => (typeof stored === 'number' ? new Date(stored).toISOString() : stored);

/** SQLite's BINARY order of two texts (their UTF-8 bytes), which the `<` of UTF-16 code units matches for ASCII. */
function binaryOrder(a: string, b: string): number {
  if (/[^\x00-\x7f]/.test(a + b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The viewer's segments of one document. The stored rows are read through their keys, not the
 * `segments` view: the view writes each id and both times as text in SQL, and joins the code
 * and coder for every row; here ids and times are written in JS, codes and coders read once,
 * and the memos in one read by id. For the document coded 1,000 times (10k corpus) the handler
 * took 13–20 ms over the view (a memo subquery a row among it) and takes 7. Blind coding's views shadow
 * `segment_rows` and `memos` as they do `segments`, so the rows hidden there stay hidden here.
 */
async function documentSegments(r: Reader, documentId: string, scope: { coderIds?: string[]; consensus?: boolean }): Promise<DocumentSegmentsOut> {
  const who = await coderCondition(r, scope, 'w');
  const document = `(SELECT key FROM document_keys WHERE id = ?)`;
  const rows = await r.all<StoredRow>(
    `SELECT s.stored_id, s.code_key, s.coder_key, s.start, s.end, s.created_at, s.updated_at
     FROM segment_rows s JOIN (SELECT key, id AS coder_id FROM coder_keys) w ON w.key = s.coder_key
     WHERE s.document_key = ${document} AND ${who.sql}`,
    [documentId, ...who.params],
  );
  const out: DocumentSegmentsOut = { document_id: documentId, codes: [], coders: [], segments: [] };
  if (rows.length === 0) return out;
  const keysOf = (pick: (s: StoredRow) => number) => [JSON.stringify([...new Set(rows.map(pick))])];
  const codes = await r.all<{ key: number; id: string; name: string; color: string; sort_order: number }>(
    `SELECT k.key, c.id, c.name, c.color, c.sort_order FROM code_keys k JOIN codes c ON c.id = k.id WHERE k.key IN (SELECT value FROM json_each(?)) ORDER BY k.key`,
    keysOf((s) => s.code_key),
  );
  const coders = await r.all<{ key: number; id: string; name: string }>(
    `SELECT k.key, c.id, c.name FROM coder_keys k JOIN coders c ON c.id = k.id WHERE k.key IN (SELECT value FROM json_each(?)) ORDER BY k.key`,
    keysOf((s) => s.coder_key),
  );
  const codeAt = new Map(codes.map((c, i) => [c.key, { at: i, order: c.sort_order }]));
  const coderAt = new Map(coders.map((c, i) => [c.key, i]));
  out.codes = codes.map(({ id, name, color }) => ({ id, name, color }));
  out.coders = coders.map(({ id, name }) => ({ id, name }));
  const listed: Array<{ row: ViewerSegmentRow; order: number }> = [];
  for (const s of rows) {
    const code = codeAt.get(s.code_key);
    const coder = coderAt.get(s.coder_key);
    // As the view's inner joins: a row whose code or coder is not there is not shown.
    if (!code || coder === undefined) continue;
    const created = isoOf(s.created_at);
    const updated = s.updated_at === null ? null : isoOf(s.updated_at);
    listed.push({ row: [idOf(s.stored_id), code.at, coder, s.start, s.end, '', created, updated === created ? null : updated], order: code.order });
  }
  listed.sort((a, b) => a.row[3] - b.row[3] || a.row[4] - b.row[4] || a.order - b.order || binaryOrder(a.row[0], b.row[0]));
  out.segments = listed.map((l) => l.row);
  // A segment's memo is the first written on it; most segments have none.
  const memos = await r.all<{ target_id: string; text: string }>(
    `SELECT target_id, text FROM memos WHERE target_kind = 'segment' AND target_id IN (SELECT value FROM json_each(?))
     ORDER BY created_at DESC, id DESC`,
    [JSON.stringify(out.segments.map((s) => s[0]))],
  );
  if (memos.length > 0) {
    const memo = new Map(memos.map((m) => [m.target_id, m.text]));
    for (const s of out.segments) s[5] = memo.get(s[0]) ?? '';
  }
  return out;
}

export const workbenchHandlers: HandlersOf<typeof workbenchContract> = {
  'workbench.documentSegments': ({ session }, { documentId, ...scope }) => session.project.db.read((r) => documentSegments(r, documentId, scope)),
};
