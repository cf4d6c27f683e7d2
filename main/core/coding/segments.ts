import { randomUUID } from 'node:crypto';
import type { Reader, Tx } from '../db/project-db';
import { invalid, notFound } from '../errors';
import { descendantIds } from '../codebook/codebook';

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
}

export interface SegmentWithContext extends Segment {
  before: string;
  after: string;
}

export async function listSegments(r: Reader, filter: SegmentFilter = {}): Promise<SegmentWithContext[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.documentId) {
    where.push('s.document_id = ?');
    params.push(filter.documentId);
  }
  if (filter.codeId) {
    const ids = filter.includeSubcodes ? await descendantIds(r, filter.codeId) : [filter.codeId];
    where.push(`s.code_id IN (${ids.map(() => '?').join(',')})`);
    params.push(...ids);
  }
  if (filter.coderIds && filter.coderIds.length > 0) {
    where.push(`s.coder_id IN (${filter.coderIds.map(() => '?').join(',')})`);
    params.push(...filter.coderIds);
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
     ORDER BY d.sort_order, d.name, s.start, s.end, c.sort_order, s.id`,
    params,
  );
}

async function checkSpan(r: Reader, documentId: string, start: number, end: number): Promise<void> {
  const doc = await r.get<{ length: number; name: string }>(`SELECT length, name FROM documents WHERE id = ?`, [documentId]);
  if (!doc) throw notFound('document', documentId);
  if (!Number.isInteger(start) || start < 0) throw invalid('start', `must be a whole number from 0; got ${start}.`);
  if (!Number.isInteger(end) || end <= start) throw invalid('end', `must be greater than start (${start}); got ${end}.`);
  if (end > doc.length) throw invalid('end', `${end} is past the end of "${doc.name}", which has ${doc.length} characters.`);
}

export interface NewSegment {
  documentId: string;
  codeId: string;
  coderId: string;
  start: number;
  end: number;
  memo?: string;
  id?: string;
  createdAt?: string;
}

export async function createSegment(tx: Tx, s: NewSegment): Promise<string> {
  await checkSpan(tx, s.documentId, s.start, s.end);
  if (!(await tx.get(`SELECT 1 FROM codes WHERE id = ?`, [s.codeId]))) throw notFound('code', s.codeId);
  const id = s.id ?? randomUUID();
  const now = s.createdAt ?? new Date().toISOString();
  await tx.insert('segments', {
    id,
    document_id: s.documentId,
    code_id: s.codeId,
    coder_id: s.coderId,
    start: s.start,
    end: s.end,
    created_at: now,
    updated_at: now,
  });
  if (s.memo && s.memo.trim()) await setPlainMemo(tx, 'segment', id, s.coderId, s.memo);
  return id;
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

/** A memo of plain text, stored as a one-paragraph Lexical document so the editor opens it. */
export function lexicalFromPlain(text: string): string {
  const paragraphs = text.split('\n').map((line) => ({
    type: 'paragraph',
    version: 1,
    direction: null,
    format: '',
    indent: 0,
    textFormat: 0,
    textStyle: '',
    children: line ? [{ type: 'text', version: 1, text: line, format: 0, style: '', mode: 'normal', detail: 0 }] : [],
  }));
  return JSON.stringify({ root: { type: 'root', version: 1, direction: null, format: '', indent: 0, children: paragraphs } });
}

export async function setPlainMemo(tx: Tx, kind: 'project' | 'document' | 'code' | 'segment', targetId: string | null, authorId: string | null, text: string): Promise<void> {
  const now = new Date().toISOString();
  await tx.insert('memos', {
    id: randomUUID(),
    target_kind: kind,
    target_id: targetId,
    author_id: authorId,
    title: '',
    content: lexicalFromPlain(text),
    text,
    created_at: now,
    updated_at: now,
  });
}
