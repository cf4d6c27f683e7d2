import { randomUUID } from 'node:crypto';
import type { Reader, Tx } from '../db/project-db';
import { existingIds, type IdTable } from '../db/in-chunks';
import { MarginaliaError, invalid, notFound } from '../errors';

export type MemoTargetKind = 'project' | 'document' | 'code' | 'segment';

export interface Memo {
  id: string;
  target_kind: MemoTargetKind;
  target_id: string | null;
  /** What the memo is about, in words: the document name, code path or coded text. */
  target_label: string;
  author_id: string | null;
  author_name: string | null;
  title: string;
  /** Lexical editor state as JSON. */
  content: string;
  /** The same memo as plain text, for search and export. */
  text: string;
  created_at: string;
  updated_at: string;
}

const MEMO_SELECT = `
  SELECT m.id, m.target_kind, m.target_id, m.author_id, k.name AS author_name, m.title, m.content, m.text, m.created_at, m.updated_at,
    CASE m.target_kind
      WHEN 'project' THEN 'Project'
      WHEN 'document' THEN (SELECT name FROM documents WHERE id = m.target_id)
      WHEN 'code' THEN (SELECT name FROM codes WHERE id = m.target_id)
      WHEN 'segment' THEN (SELECT c.name || ': ' || substr(d.text, s.start + 1, min(s.end - s.start, 80))
                           FROM segments s JOIN documents d ON d.id = s.document_id JOIN codes c ON c.id = s.code_id WHERE s.id = m.target_id)
    END AS target_label
  FROM memos m LEFT JOIN coders k ON k.id = m.author_id`;

export function listMemos(r: Reader, filter: { kind?: MemoTargetKind; targetId?: string | null } = {}): Promise<Memo[]> {
  const where: string[] = [];
  const params: (string | null)[] = [];
  if (filter.kind) {
    where.push('m.target_kind = ?');
    params.push(filter.kind);
  }
  if (filter.targetId !== undefined) {
    where.push('ifnull(m.target_id, \'\') = ifnull(?, \'\')');
    params.push(filter.targetId);
  }
  return r.all<Memo>(`${MEMO_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY m.target_kind, m.created_at, m.id`, params);
}

async function checkTarget(r: Reader, kind: MemoTargetKind, targetId: string | null): Promise<void> {
  if (kind === 'project') {
    if (targetId !== null) throw invalid('targetId', 'a project memo has no target id.');
    return;
  }
  if (!targetId) throw invalid('targetId', `a ${kind} memo needs the id of its ${kind}.`);
  const table = kind === 'document' ? 'documents' : kind === 'code' ? 'codes' : 'segments';
  if (!(await r.get(`SELECT 1 FROM ${table} WHERE id = ?`, [targetId]))) throw notFound(kind, targetId);
}

/**
 * Saves the memo of a target: the first memo on it is updated in place (as the editor
 * saves while typing), or a new one is created. An empty memo is deleted.
 */
export async function saveMemo(
  tx: Tx,
  input: { kind: MemoTargetKind; targetId: string | null; content: string; text: string; title?: string; authorId: string | null; memoId?: string },
): Promise<string | null> {
  await checkTarget(tx, input.kind, input.targetId);
  const existing = input.memoId
    ? await tx.get<{ id: string }>(`SELECT id FROM memos WHERE id = ?`, [input.memoId])
    : await tx.get<{ id: string }>(`SELECT id FROM memos WHERE target_kind = ? AND ifnull(target_id, '') = ifnull(?, '') ORDER BY created_at LIMIT 1`, [
        input.kind,
        input.targetId,
      ]);
  if (input.memoId && !existing) throw notFound('memo', input.memoId);
  const now = new Date().toISOString();
  if (!input.text.trim() && !(input.title ?? '').trim()) {
    if (existing) await tx.remove('memos', { id: existing.id });
    return null;
  }
  if (existing) {
    await tx.update('memos', { id: existing.id }, { content: input.content, text: input.text, ...(input.title !== undefined ? { title: input.title } : {}), updated_at: now });
    return existing.id;
  }
  const id = randomUUID();
  await tx.insert('memos', {
    id,
    target_kind: input.kind,
    target_id: input.targetId,
    author_id: input.authorId,
    title: input.title ?? '',
    content: input.content,
    text: input.text,
    created_at: now,
    updated_at: now,
  });
  return id;
}

/** A memo of plain text, stored as a Lexical document of one paragraph per line so the editor opens it. */
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

/** Whether `content` is a Lexical editor state the memo editor can open. */
export function isLexicalState(content: string): boolean {
  try {
    const v = JSON.parse(content) as { root?: unknown } | null;
    return typeof v === 'object' && v !== null && typeof v.root === 'object' && v.root !== null;
  } catch {
    return false;
  }
}

/** A new memo, as imports, merges and other modules write one (the editor saves through `saveMemo`). */
export interface NewMemo {
  kind: MemoTargetKind;
  targetId: string | null;
  /** A coder of the project, or null for a memo nobody is credited with. */
  authorId: string | null;
  /** The memo as plain text, kept as written: it is the researcher's own writing. */
  text: string;
  /** Lexical editor state; made from `text` when absent or not an editor state. */
  content?: string;
  title?: string;
  /** Kept when no memo has it yet, so merging or importing the same file again finds it. */
  id?: string;
  createdAt?: string;
  /** Defaults to `createdAt`. */
  updatedAt?: string;
}

export type MemoWriteResult = { status: 'created'; id: string } | { status: 'refused'; error: MarginaliaError };

const TARGET_TABLE: Record<Exclude<MemoTargetKind, 'project'>, IdTable> = { document: 'documents', code: 'codes', segment: 'segments' };

/**
 * Writes memos inside the caller's transaction, one result per memo in order. Each is held
 * to the editor's rules (its target exists, a project memo has no target, it has text or a
 * title, its author is a coder here); a memo that breaks one is refused, not written, and
 * does not stop the others. Targets, authors and ids are looked up a chunk at a time, so a
 * merge of thousands of segment memos costs a few statements beyond the inserts.
 */
export async function createMemos(tx: Tx, memos: readonly NewMemo[]): Promise<MemoWriteResult[]> {
  const targets = new Map<IdTable, Set<string>>();
  for (const kind of ['document', 'code', 'segment'] as const) {
    const ids = memos.filter((m) => m.kind === kind && m.targetId).map((m) => m.targetId!);
    if (ids.length) targets.set(TARGET_TABLE[kind], await existingIds(tx, TARGET_TABLE[kind], ids));
  }
  const authors = await existingIds(tx, 'coders', memos.flatMap((m) => (m.authorId ? [m.authorId] : [])));
  const usedIds = await existingIds(tx, 'memos', memos.flatMap((m) => (m.id ? [m.id] : [])));
  const now = new Date().toISOString();
  const results: MemoWriteResult[] = [];
  for (const m of memos) {
    const problem = memoProblem(m, targets, authors);
    if (problem) {
      results.push({ status: 'refused', error: problem });
      continue;
    }
    // A taken id means another memo, not this one again: callers that treat a known id as
    // "already merged" decide that before writing.
    const id = m.id && !usedIds.has(m.id) ? m.id : randomUUID();
    usedIds.add(id);
    const created = m.createdAt ?? now;
    await tx.insert('memos', {
      id,
      target_kind: m.kind,
      target_id: m.targetId,
      author_id: m.authorId,
      title: m.title ?? '',
      content: m.content !== undefined && isLexicalState(m.content) ? m.content : lexicalFromPlain(m.text),
      text: m.text,
      created_at: created,
      updated_at: m.updatedAt ?? created,
    });
    results.push({ status: 'created', id });
  }
  return results;
}

/** A memo with neither text nor a title says nothing: the editor deletes one, and no import writes one. */
export function emptyMemoProblem(m: { text: string; title?: string }): MarginaliaError | null {
  return !m.text.trim() && !(m.title ?? '').trim() ? invalid('text', 'a memo needs text or a title.') : null;
}

function memoProblem(m: NewMemo, targets: ReadonlyMap<IdTable, ReadonlySet<string>>, authors: ReadonlySet<string>): MarginaliaError | null {
  if (m.kind === 'project') {
    if (m.targetId !== null) return invalid('targetId', 'a project memo has no target id.');
  } else {
    if (!m.targetId) return invalid('targetId', `a ${m.kind} memo needs the id of its ${m.kind}.`);
    if (!targets.get(TARGET_TABLE[m.kind])?.has(m.targetId)) return notFound(m.kind, m.targetId);
  }
  const empty = emptyMemoProblem(m);
  if (empty) return empty;
  if (m.authorId !== null && !authors.has(m.authorId)) return notFound('coder', m.authorId);
  return null;
}

/** Writes one memo (see `createMemos`); a memo that breaks a rule throws its error. */
export async function createMemo(tx: Tx, memo: NewMemo): Promise<string> {
  const [result] = await createMemos(tx, [memo]);
  if (result!.status === 'refused') throw result!.error;
  return result!.id;
}

export async function deleteMemo(tx: Tx, id: string): Promise<void> {
  if ((await tx.remove('memos', { id })) === 0) throw notFound('memo', id);
}
