import { codingContract } from '../contract/coding';
import type { HandlersOf } from './types';
import { createSegment, deleteSegment, listSegments, pageSegments, updateSegment } from '../../core/coding/segments';
import { deleteMemo, listMemos, saveMemo } from '../../core/memos/memos';
import { resolveCode } from '../../core/codebook/codebook';
import { resolveDocument } from '../../core/documents/documents';
import type { Reader } from '../../core/db/project-db';
import { countsAfter, type CountsAfter } from '../../core/coding/counts-after';
import type { CoderChoice } from '../../core/coders/scope';
import type { Session } from '../session';

/** A segment, said as the history says it ("casualties in Article 12"), and its document. */
async function describeSegment(r: Reader, id: string): Promise<{ what: string; documentId: string | null }> {
  const s = await r.get<{ code: string; doc: string; document_id: string }>(
    `SELECT c.name AS code, d.name AS doc, s.document_id FROM segments s JOIN codes c ON c.id = s.code_id JOIN documents d ON d.id = s.document_id WHERE s.id = ?`,
    [id],
  );
  return s ? { what: `${s.code} in ${s.doc}`, documentId: s.document_id } : { what: id, documentId: null };
}

/** The counts a write moved, when its caller asked for them (`counts`): read after it, over the caller's coders. */
export async function countsIfAsked(session: Session, choice: CoderChoice | undefined, documentIds: ReadonlyArray<string | null>): Promise<{ counts?: CountsAfter }> {
  if (!choice) return {};
  const ids = documentIds.filter((d): d is string => !!d);
  return { counts: await session.project.db.read((r) => countsAfter(r, choice, ids)) };
}

export const codingHandlers: HandlersOf<typeof codingContract> = {
  'segments.list': ({ session }, input) => session.project.db.read((r) => listSegments(r, input)),
  'segments.page': ({ session }, input) => session.project.db.read((r) => pageSegments(r, input)),
  'segments.create': async ({ session }, { counts, ...input }) => {
    const coder = await session.coder();
    const [code, doc] = await session.project.db.read(async (r) => [await resolveCode(r, input.codeId), await resolveDocument(r, input.documentId)] as const);
    const id = await session.project.db.action({ kind: 'segment.create', summary: `Code ${code.path} in ${doc.name}`, coderId: coder.id }, (tx) =>
      createSegment(tx, { ...input, coderId: coder.id }),
    );
    return { id, ...(await countsIfAsked(session, counts, [input.documentId])) };
  },
  'segments.update': async ({ session }, { id, counts, ...patch }) => {
    const coder = await session.coder();
    const { what, documentId } = await session.project.db.read((r) => describeSegment(r, id));
    await session.project.db.action({ kind: 'segment.update', summary: `Change segment ${what}`, coderId: coder.id }, (tx) => updateSegment(tx, id, patch));
    return countsIfAsked(session, counts, [documentId]);
  },
  'segments.delete': async ({ session }, { id, counts }) => {
    const coder = await session.coder();
    const { what, documentId } = await session.project.db.read((r) => describeSegment(r, id));
    await session.project.db.action({ kind: 'segment.delete', summary: `Remove segment ${what}`, coderId: coder.id }, (tx) => deleteSegment(tx, id));
    return countsIfAsked(session, counts, [documentId]);
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
