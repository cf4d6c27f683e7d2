import { randomUUID } from 'node:crypto';
import type { Reader, Tx } from '../db/project-db';
import { invalid, notFound } from '../errors';

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

export async function deleteMemo(tx: Tx, id: string): Promise<void> {
  if ((await tx.remove('memos', { id })) === 0) throw notFound('memo', id);
}
