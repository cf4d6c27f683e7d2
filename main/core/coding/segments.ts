import { randomUUID } from 'node:crypto';
import type { Reader, Row, Tx } from '../db/project-db';
import type { SqlValue } from '../db/sqlite';
import { MarginaliaError, invalid, notFound } from '../errors';
import { descendantIds } from '../codebook/codebook';
import { CHUNK, allInChunks, existingIds } from '../db/in-chunks';
import { createMemo } from '../memos/memos';

/** A row of the segments table as stored: what exports and merges read. */
export interface SegmentRecord {
  id: string;
  document_id: string;
  code_id: string;
  coder_id: string;
  start: number;
  end: number;
  created_at: string;
  updated_at: string;
}

/** One application of one code to a span of one document, in code points, half-open. */
export interface Segment {
  id: string;
  document_id: string;
  document_name: string;
  code_id: string;
  code_name: string;
  code_color: string;
  coder_id: string;
  coder_name: string;
  start: number;
  end: number;
  /** The coded text: the document text sliced by code points. */
  text: string;
  memo: string;
  created_at: string;
  updated_at: string;
}

export interface SegmentFilter {
  documentId?: string;
  codeId?: string;
  /** With codeId: include segments of its subcodes too. */
  includeSubcodes?: boolean;
  coderIds?: string[];
  /** Only these segment ids. */
  ids?: string[];
  /** Characters of context before and after the coded text (retrieval view). */
  context?: number;
  /** Only documents of this document set. */
  setId?: string;
  /** Conditions on the documents (`d`), for views that drill down into a table's cell; not part of the API. */
  documents?: { sql: string[]; params: SqlValue[] };
  /** At most this many segments (a drill-down shows the first ones). */
  limit?: number;
}

export interface SegmentWithContext extends Segment {
  before: string;
  after: string;
}

/**
 * The code (with its subcodes when asked) and coder conditions, on columns `code_id` and
 * `coder_id` after `prefix`: on the segments (`s.`), or on the maintained counts ('').
 */
async function codeCoderConditions(r: Reader, filter: Pick<SegmentFilter, 'codeId' | 'includeSubcodes' | 'coderIds'>, prefix: string, where: string[], params: SqlValue[]): Promise<void> {
  if (filter.codeId) {
    const ids = filter.includeSubcodes ? await descendantIds(r, filter.codeId) : [filter.codeId];
    where.push(`${prefix}code_id IN (${ids.map(() => '?').join(',')})`);
    params.push(...ids);
  }
  if (filter.coderIds && filter.coderIds.length > 0) {
    where.push(`${prefix}coder_id IN (${filter.coderIds.map(() => '?').join(',')})`);
    params.push(...filter.coderIds);
  }
}

/** The conditions retrieval and its pages share: the code (with its subcodes when asked), the coders, the document set. */
async function scopeConditions(r: Reader, filter: Pick<SegmentFilter, 'codeId' | 'includeSubcodes' | 'coderIds' | 'setId'>, where: string[], params: SqlValue[]): Promise<void> {
  await codeCoderConditions(r, filter, 's.', where, params);
  if (filter.setId) {
    where.push('s.document_id IN (SELECT document_id FROM document_set_members WHERE set_id = ?)');
    params.push(filter.setId);
  }
}

export async function listSegments(r: Reader, filter: SegmentFilter = {}): Promise<SegmentWithContext[]> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filter.documentId) {
    where.push('s.document_id = ?');
    params.push(filter.documentId);
  }
  await scopeConditions(r, filter, where, params);
  if (filter.documents) {
    where.push(...filter.documents.sql);
    params.push(...filter.documents.params);
  }
  if (filter.ids) {
    where.push(`s.id IN (${filter.ids.map(() => '?').join(',') || "''"})`);
    params.push(...filter.ids);
  }
  const ctx = Math.max(0, Math.min(filter.context ?? 0, 2000));
  // substr counts characters of UTF-8 text: code points, the unit of start and end.
  return r.all<SegmentWithContext>(
    `SELECT s.id, s.document_id, d.name AS document_name, s.code_id, c.name AS code_name, c.color AS code_color,
            s.coder_id, k.name AS coder_name, s.start, s.end,
            substr(d.text, s.start + 1, s.end - s.start) AS text,
            substr(d.text, max(1, s.start + 1 - ${ctx}), min(${ctx}, s.start)) AS before,
            substr(d.text, s.end + 1, ${ctx}) AS after,
            ifnull((SELECT m.text FROM memos m WHERE m.target_kind = 'segment' AND m.target_id = s.id ORDER BY m.created_at LIMIT 1), '') AS memo,
            s.created_at, s.updated_at
     FROM segments s
     JOIN documents d ON d.id = s.document_id
     JOIN codes c ON c.id = s.code_id
     JOIN coders k ON k.id = s.coder_id
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY d.sort_order, d.name, s.start, s.end, c.sort_order, s.id
     ${filter.limit !== undefined ? `LIMIT ${Math.max(0, Math.floor(filter.limit))}` : ''}`,
    params,
  );
}

/** Where a page of retrieval ends: its last segment's place in document order. */
export interface SegmentCursor {
  order: number;
  documentId: string;
  start: number;
  end: number;
  id: string;
}

export interface SegmentPageFilter extends Omit<SegmentFilter, 'ids' | 'documentId'> {
  /** Only segments in documents whose attribute `attribute` contains `value` (case-insensitive). */
  attribute?: string;
  value?: string;
  after?: SegmentCursor | null;
  limit?: number;
}

export interface SegmentPage {
  segments: SegmentWithContext[];
  /** Segments that match, on every page. */
  total: number;
  /** Pass as `after` for the next page; null after the last. */
  next: SegmentCursor | null;
}

/**
 * How many segments retrieval holds in all. By code and coder alone it is the sum of the
 * codebook's maintained counts (migration 9; shadowed like the segments in a blind round): a
 * theme of 600,000 segments is not counted one index entry at a time for its first page.
 * Filtered by documents (a set, an attribute) it is counted.
 */
async function pageTotal(r: Reader, filter: SegmentPageFilter, where: string[], params: SqlValue[]): Promise<number> {
  if (filter.setId || filter.documents || (filter.attribute && filter.value?.trim())) {
    return (await r.get<{ n: number }>(`SELECT count(*) AS n FROM segments s ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`, params))?.n ?? 0;
  }
  const on: string[] = [];
  const onParams: SqlValue[] = [];
  await codeCoderConditions(r, filter, '', on, onParams);
  return (await r.get<{ n: number }>(`SELECT ifnull(sum(segments), 0) AS n FROM code_coder_counts ${on.length ? `WHERE ${on.join(' AND ')}` : ''}`, onParams))?.n ?? 0;
}

/**
 * Retrieval one page at a time, in document order then position, with the total: the page's
 * segments are found along the (import order, id) index of documents and the segments of
 * each document, and only they have their text and context cut from their document.
 */
export async function pageSegments(r: Reader, filter: SegmentPageFilter = {}): Promise<SegmentPage> {
  const limit = Math.max(1, Math.min(filter.limit ?? 100, 1000));
  const where: string[] = [];
  const params: (string | number)[] = [];
  await scopeConditions(r, filter, where, params);
  const value = filter.value?.trim();
  if (filter.attribute && value) {
    where.push(
      `s.document_id IN (SELECT dv.document_id FROM document_values dv JOIN variables v ON v.id = dv.variable_id
                         WHERE v.name = ? COLLATE NOCASE AND dv.value LIKE ? ESCAPE '\\')`,
    );
    params.push(filter.attribute, `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  const total = await pageTotal(r, filter, where, params);
  const pageWhere = [...where];
  const pageParams = [...params];
  if (filter.after) {
    const a = filter.after;
    // The first term alone is a range on the documents index: the walk starts at the cursor's document.
    pageWhere.push('d.sort_order >= ?', '(d.sort_order, d.id, s.start, s.end, s.id) > (?, ?, ?, ?, ?)');
    pageParams.push(a.order, a.order, a.documentId, a.start, a.end, a.id);
  }
  // CROSS JOIN keeps documents the outer loop, walked along (sort_order, id), so the first page
  // stops after the documents it needs; with the code as a bound parameter the planner would
  // otherwise start from every segment of the code and sort them all.
  const keys = await r.all<{ id: string; order: number; document_id: string; start: number; end: number }>(
    `SELECT s.id, d.sort_order AS "order", d.id AS document_id, s.start, s.end
     FROM documents d CROSS JOIN segments s ON s.document_id = d.id
     ${pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : ''}
     ORDER BY d.sort_order, d.id, s.start, s.end, s.id LIMIT ?`,
    [...pageParams, limit],
  );
  const rows = keys.length ? await listSegments(r, { ids: keys.map((k) => k.id), context: filter.context }) : [];
  const byId = new Map(rows.map((s) => [s.id, s]));
  const segments = keys.flatMap((k) => byId.get(k.id) ?? []);
  const last = keys[keys.length - 1];
  return { segments, total, next: last && keys.length === limit ? { order: last.order, documentId: last.document_id, start: last.start, end: last.end, id: last.id } : null };
}

/**
 * Why `[start, end)` is not a passage of `doc`, or null when it is: whole code points,
 * 0-based, half-open, non-empty, inside the stored text. The one span rule, used for every
 * segment written and by plans (merge) that check spans before anything is written.
 */
export function spanProblem(doc: { name: string; length: number }, start: number, end: number): MarginaliaError | null {
  if (!Number.isInteger(start) || start < 0) return invalid('start', `must be a whole number from 0; got ${start}.`);
  if (!Number.isInteger(end) || end <= start) return invalid('end', `must be greater than start (${start}); got ${end}.`);
  if (end > doc.length) return invalid('end', `${end} is past the end of "${doc.name}", which has ${doc.length} characters.`);
  return null;
}

async function checkSpan(r: Reader, documentId: string, start: number, end: number): Promise<void> {
  const doc = await r.get<{ length: number; name: string }>(`SELECT length, name FROM documents WHERE id = ?`, [documentId]);
  if (!doc) throw notFound('document', documentId);
  const problem = spanProblem(doc, start, end);
  if (problem) throw problem;
}

export interface NewSegment {
  documentId: string;
  codeId: string;
  coderId: string;
  start: number;
  end: number;
  memo?: string;
  /** Kept when no segment has it yet, so merging or importing the same file again finds it. */
  id?: string;
  createdAt?: string;
  /** Defaults to `createdAt`. */
  updatedAt?: string;
}

export interface SegmentWriteOptions {
  /**
   * A segment with the same document, code, coder, start and end as one already in the
   * project is the same coding. 'keep' writes it anyway: a coder may apply a code to a span
   * twice from the coding screen, and an export carries both. 'skip' writes nothing and
   * answers with the segment already there: what merge, consensus and REFI-QDA import do,
   * so that bringing the same work in twice doubles nothing. Default 'keep'.
   */
  duplicates?: 'keep' | 'skip';
  /**
   * With 'skip': the segments an import has written itself. They are not a reason to skip
   * another segment (a file may hold the same coding twice, and its export carries both),
   * and every segment this call writes is added to the set, so an importer that calls once
   * per coding or once per batch passes the same set throughout.
   */
  ownSegments?: Set<string>;
}

export type SegmentWriteResult =
  | { status: 'created'; id: string }
  /** `id`: the segment already in the project that this one repeats. */
  | { status: 'duplicate'; id: string }
  | { status: 'refused'; error: MarginaliaError };

const codingKey = (s: { document_id: string; code_id: string; coder_id: string; start: number; end: number }): string =>
  `${s.document_id}\u0000${s.code_id}\u0000${s.coder_id}\u0000${s.start}\u0000${s.end}`;

/**
 * Writes segments inside the caller's transaction, one result per segment in order. Every
 * segment is held to the coding screen's rules (its document, code and coder exist; its span
 * passes `spanProblem`) and, with `duplicates: 'skip'`, to the duplicate rule. A segment that
 * breaks a rule is refused and written nowhere; the others go on. Documents, codes, coders
 * and earlier codings are looked up a chunk at a time (the last through the segments_coding
 * index), so a merge of 20,000 codings costs one insert per segment and a few dozen queries.
 */
export async function createSegments(tx: Tx, segments: readonly NewSegment[], options: SegmentWriteOptions = {}): Promise<SegmentWriteResult[]> {
  const docs = new Map(
    (await allInChunks<{ id: string; name: string; length: number }>(tx, segments.map((s) => s.documentId), (p) => `SELECT id, name, length FROM documents WHERE id IN (${p})`)).map((d) => [d.id, d]),
  );
  const codes = await existingIds(tx, 'codes', segments.map((s) => s.codeId));
  const coders = await existingIds(tx, 'coders', segments.map((s) => s.coderId));
  const usedIds = await existingIds(tx, 'segments', segments.flatMap((s) => (s.id ? [s.id] : [])));
  const earlier = options.duplicates === 'skip' ? await codingsAlreadyThere(tx, segments, options.ownSegments) : new Map<string, string>();
  const now = new Date().toISOString();
  const results: SegmentWriteResult[] = [];
  const rows: Row[] = [];
  const memos: Array<{ id: string; coderId: string; memo: string }> = [];
  for (const s of segments) {
    const doc = docs.get(s.documentId);
    const problem = !doc
      ? notFound('document', s.documentId)
      : !codes.has(s.codeId)
        ? notFound('code', s.codeId)
        : !coders.has(s.coderId)
          ? notFound('coder', s.coderId)
          : spanProblem(doc, s.start, s.end);
    if (problem) {
      results.push({ status: 'refused', error: problem });
      continue;
    }
    const row = { document_id: s.documentId, code_id: s.codeId, coder_id: s.coderId, start: s.start, end: s.end };
    const key = codingKey(row);
    const same = earlier.get(key);
    if (same !== undefined) {
      results.push({ status: 'duplicate', id: same });
      continue;
    }
    const id = s.id && !usedIds.has(s.id) ? s.id : randomUUID();
    usedIds.add(id);
    const created = s.createdAt ?? now;
    rows.push({ id, ...row, created_at: created, updated_at: s.updatedAt ?? created });
    // Written now, so a later segment of this batch that repeats it is a duplicate too,
    // unless the caller keeps an import's own segments apart.
    if (options.ownSegments) options.ownSegments.add(id);
    else if (options.duplicates === 'skip') earlier.set(key, id);
    if (s.memo && s.memo.trim()) memos.push({ id, coderId: s.coderId, memo: s.memo });
    results.push({ status: 'created', id });
  }
  await tx.insertMany('segments', rows);
  for (const m of memos) await setPlainMemo(tx, 'segment', m.id, m.coderId, m.memo);
  return results;
}

/** Codings of the project that the batch repeats, by coding key, with the first such segment's id. */
async function codingsAlreadyThere(r: Reader, segments: readonly NewSegment[], ignore: ReadonlySet<string> = new Set()): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const keys = new Map<string, NewSegment>();
  for (const s of segments) {
    const key = codingKey({ document_id: s.documentId, code_id: s.codeId, coder_id: s.coderId, start: s.start, end: s.end });
    if (!keys.has(key)) keys.set(key, s);
  }
  const wanted = [...keys.values()];
  // Five values per segment: 100 segments per statement keeps the parameters under 999.
  for (let i = 0; i < wanted.length; i += CHUNK / 5) {
    const chunk = wanted.slice(i, i + CHUNK / 5);
    const rows = await r.all<{ id: string; document_id: string; code_id: string; coder_id: string; start: number; end: number }>(
      `SELECT id, document_id, code_id, coder_id, start, end FROM segments
       WHERE (document_id, code_id, coder_id, start, end) IN (VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')})
       ORDER BY created_at, id`,
      chunk.flatMap((s) => [s.documentId, s.codeId, s.coderId, s.start, s.end]),
    );
    for (const row of rows) {
      const key = codingKey(row);
      if (!ignore.has(row.id) && !out.has(key)) out.set(key, row.id);
    }
  }
  return out;
}

/**
 * Writes one segment (see `createSegments`) and returns its id, or with `duplicates: 'skip'`
 * the id of the segment it repeats. A segment that breaks a rule throws its error.
 */
export async function createSegment(tx: Tx, s: NewSegment, options: SegmentWriteOptions = {}): Promise<string> {
  const [result] = await createSegments(tx, [s], options);
  if (result!.status === 'refused') throw result!.error;
  return result!.id;
}

export async function updateSegment(tx: Tx, id: string, patch: { start?: number; end?: number; codeId?: string }): Promise<void> {
  const seg = await tx.get<{ document_id: string; start: number; end: number }>(`SELECT document_id, start, end FROM segments WHERE id = ?`, [id]);
  if (!seg) throw notFound('segment', id);
  const start = patch.start ?? seg.start;
  const end = patch.end ?? seg.end;
  await checkSpan(tx, seg.document_id, start, end);
  if (patch.codeId && !(await tx.get(`SELECT 1 FROM codes WHERE id = ?`, [patch.codeId]))) throw notFound('code', patch.codeId);
  await tx.update('segments', { id }, { start, end, ...(patch.codeId ? { code_id: patch.codeId } : {}), updated_at: new Date().toISOString() });
}

export async function deleteSegment(tx: Tx, id: string): Promise<void> {
  if (!(await tx.get(`SELECT 1 FROM segments WHERE id = ?`, [id]))) throw notFound('segment', id);
  await tx.remove('memos', { target_kind: 'segment', target_id: id });
  await tx.remove('segments', { id });
}

/** Kept here too: importers and tests have long taken it from the coding module. */
export { lexicalFromPlain } from '../memos/memos';

/** Adds a memo of plain text to a target, as a new memo (a segment's memo at creation, for one). */
export async function setPlainMemo(tx: Tx, kind: 'project' | 'document' | 'code' | 'segment', targetId: string | null, authorId: string | null, text: string): Promise<void> {
  await createMemo(tx, { kind, targetId, authorId, text });
}
