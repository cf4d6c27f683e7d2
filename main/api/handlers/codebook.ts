import { codebookContract } from '../contract/codebook';
import type { HandlersOf } from './types';
import type { Ctx } from '../session';
import type { Tx } from '../../core/db/project-db';
import {
  createCode,
  deleteCode,
  deleteImpact,
  describeCode,
  listCodes,
  mergeCode,
  moveCode,
  recolorCode,
  renameCode,
  resolveCode,
  setShortcut,
} from '../../core/codebook/codebook';

/** Runs one codebook change as an undoable action named after the code. */
async function codeAction<T>(ctx: Ctx, id: string, verb: string, kind: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const { session } = ctx;
  const coder = await session.coder();
  const code = await session.project.db.read((r) => resolveCode(r, id));
  return session.project.db.action({ kind, summary: `${verb} code ${code.path}`, coderId: coder.id }, fn);
}

export const codebookHandlers: HandlersOf<typeof codebookContract> = {
  'codes.list': ({ session }, scope) => session.project.db.read((r) => listCodes(r, scope)),
  'codes.create': async ({ session }, input) => {
    const coder = await session.coder();
    const id = await session.project.db.action({ kind: 'code.create', summary: `Create code ${input.name}`, coderId: coder.id }, (tx) => createCode(tx, input));
    return { id };
  },
  'codes.rename': (ctx, { id, name }) => codeAction(ctx, id, 'Rename', 'code.rename', (tx) => renameCode(tx, id, name)),
  'codes.recolor': (ctx, { id, color }) => codeAction(ctx, id, 'Recolour', 'code.recolor', (tx) => recolorCode(tx, id, color)),
  'codes.describe': (ctx, { id, description }) => codeAction(ctx, id, 'Describe', 'code.describe', (tx) => describeCode(tx, id, description)),
  'codes.setShortcut': (ctx, { id, shortcut }) => codeAction(ctx, id, 'Set shortcut of', 'code.shortcut', (tx) => setShortcut(tx, id, shortcut)),
  'codes.move': (ctx, { id, parentId, index }) => codeAction(ctx, id, 'Move', 'code.move', (tx) => moveCode(tx, id, parentId, index)),
  'codes.deleteImpact': ({ session }, { id }) => session.project.db.read((r) => deleteImpact(r, id)),
  'codes.delete': (ctx, { id }) => codeAction(ctx, id, 'Delete', 'code.delete', (tx) => deleteCode(tx, id)),
  'codes.merge': async ({ session }, { sourceId, targetId }) => {
    const coder = await session.coder();
    const [source, target] = await session.project.db.read(async (r) => [await resolveCode(r, sourceId), await resolveCode(r, targetId)] as const);
    return session.project.db.action({ kind: 'code.merge', summary: `Merge code ${source.path} into ${target.path}`, coderId: coder.id }, (tx) =>
      mergeCode(tx, sourceId, targetId),
    );
  },
};
