import { codingContract } from '../contract/coding';
import type { HandlersOf } from './types';
import { createSegment, deleteSegment, listSegments, pageSegments, updateSegment } from '../../core/coding/segments';
import { deleteMemo, listMemos, saveMemo } from '../../core/memos/memos';
import { resolveCode } from '../../core/codebook/codebook';
import { resolveDocument } from '../../core/documents/documents';
import type { Reader } from '../../core/db/project-db';

async function describeSegment(r: Reader, id: string): Promise<string> {
  const s = await r.get<{ code: string; doc: string }>(
    `SELECT c.name AS code, d.name AS doc FROM segments s JOIN codes c ON c.id = s.code_id JOIN documents d ON d.id = s.document_id WHERE s.id = ?`,
    [id],
  );
  return s ? `${s.code} in ${s.doc}` : id;
}

export const codingHandlers: HandlersOf<typeof codingContract> = {
  'segments.list': ({ session }, input) => session.project.db.read((r) => listSegments(r, input)),
  'segments.page': ({ session }, input) => session.project.db.read((r) => pageSegments(r, input)),
  'segments.create': async ({ session }, input) => {
    const coder = await session.coder();
    const [code, doc] = await session.project.db.read(async (r) => [await resolveCode(r, input.codeId), await resolveDocument(r, input.documentId)] as const);
    const id = await session.project.db.action({ kind: 'segment.create', summary: `Code ${code.path} in ${doc.name}`, coderId: coder.id }, (tx) =>
      createSegment(tx, { ...input, coderId: coder.id }),
    );
    return { id };
  },
  'segments.update': async ({ session }, { id, ...patch }) => {
    const coder = await session.coder();
    const what = await session.project.db.read((r) => describeSegment(r, id));
    await session.project.db.action({ kind: 'segment.update', summary: `Change segment ${what}`, coderId: coder.id }, (tx) => updateSegment(tx, id, patch));
  },
  'segments.delete': async ({ session }, { id }) => {
    const coder = await session.coder();
    const what = await session.project.db.read((r) => describeSegment(r, id));
    await session.project.db.action({ kind: 'segment.delete', summary: `Remove segment ${what}`, coderId: coder.id }, (tx) => deleteSegment(tx, id));
  },
  'memos.list': ({ session }, input) => session.project.db.read((r) => listMemos(r, input)),
  'memos.save': async ({ session }, input) => {
    const coder = await session.coder();
    const id = await session.project.db.action({ kind: 'memo.save', summary: `Edit ${input.kind} memo`, coderId: coder.id }, (tx) =>
      saveMemo(tx, { ...input, authorId: coder.id }),
    );
    return { id };
  },
  'memos.delete': async ({ session }, { id }) => {
    const coder = await session.coder();
    await session.project.db.action({ kind: 'memo.delete', summary: 'Delete memo', coderId: coder.id }, (tx) => deleteMemo(tx, id));
  },
};
