import { projectContract } from '../contract/project';
import type { HandlersOf } from './types';
import { projectInfo } from '../../core/project/info';
import { historyState, listHistory, redo, undo } from '../../core/events/undo';
import { listCoders, renameCoder, resolveCoder } from '../../core/coders/coders';
import { SCHEMA_VERSION } from '../../core/db/migrations';
import { shareCopyBytes } from '../../core/project/share';
import { visibleCoders } from '../../core/team/rounds';
import { MarginaliaError } from '../../core/errors';
import type { Session } from '../session';
import { countsIfAsked } from './coding';
import { workbenchHandlers } from './workbench';
import type { CountsAfter } from '../../core/coding/counts-after';
import type { DocumentSegmentsOut } from '../contract/workbench';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Project } from '../../core/project/project';

const EXTENSION = '.marginalia';

/** A file beside the open project, from a bare file name (the contract has refused folders). */
function besideOpen(session: Session, name: string): string {
  const file = name.toLowerCase().endsWith(EXTENSION) ? name : `${name}${EXTENSION}`;
  return join(session.folder, basename(file));
}

async function infoOf(session: Session) {
  return { ...(await session.project.db.read(projectInfo)), file: session.projectFile, schema_version: SCHEMA_VERSION };
}

/** Coders hidden from the current one by an open round (empty when none). */
async function hiddenFrom(session: Session): Promise<string[]> {
  const coder = await session.coder();
  return (await session.project.db.read((r) => visibleCoders(r, coder.id))).hidden_coder_ids;
}

/** What an undo or redo answers with beyond its summary: the counts, and the open document's segments when it touched them. */
async function steppedAnswer(
  ctx: { session: Session },
  { counts, openDocumentId }: { counts?: { coderIds?: string[]; consensus?: boolean }; openDocumentId?: string },
  documentIds: string[],
): Promise<{ counts?: CountsAfter; segments?: { documentId: string; segments: DocumentSegmentsOut } }> {
  const answer = await countsIfAsked(ctx.session, counts, documentIds);
  if (!counts || !openDocumentId || !documentIds.includes(openDocumentId)) return answer;
  const segments = await workbenchHandlers['workbench.documentSegments'](ctx, { documentId: openDocumentId, ...counts });
  return { ...answer, segments: { documentId: openDocumentId, segments } };
}

export const projectHandlers: HandlersOf<typeof projectContract> = {
  'project.info': async ({ session }) => ({
    ...(await session.project.db.read(projectInfo)),
    file: session.projectFile,
    schema_version: SCHEMA_VERSION,
  }),
  'project.historyState': ({ session }) => session.project.db.read(historyState),
  'project.history': ({ session }, input) => session.project.db.read((r) => listHistory(r, input.limit)),
  'project.undo': async (ctx, step) => {
    const { summary, kind, documentIds } = await undo(ctx.session.project.db, await hiddenFrom(ctx.session));
    return { undone: summary, kind, ...(await steppedAnswer(ctx, step, documentIds)) };
  },
  'project.redo': async (ctx, step) => {
    const { summary, kind, documentIds } = await redo(ctx.session.project.db, await hiddenFrom(ctx.session));
    return { redone: summary, kind, ...(await steppedAnswer(ctx, step, documentIds)) };
  },
  'project.saveState': ({ session }) => Promise.resolve({ problem: session.project.db.saveProblem?.message ?? null, readOnly: session.project.db.readOnly }),
  'project.save': async ({ session }) => {
    await session.project.db.checkpoint();
    return { problem: null, readOnly: session.project.db.readOnly };
  },
  'project.shareCopy': async ({ session }) => {
    // A copy of the file is the whole project, the hidden coders' work included: no read
    // scope can filter it, so a coder in an open blind round cannot take one.
    const coder = await session.coder();
    const v = await session.project.db.read((r) => visibleCoders(r, coder.id));
    if (v.restricted) {
      throw new MarginaliaError(
        'unsupported',
        `A copy of the project would show the work of coders hidden from you while round "${v.rounds.map((x) => x.name).join('", "')}" is open. Ask whoever runs the round to close it, or to share the file.`,
      );
    }
    return shareCopyBytes(session.project);
  },
  'project.files': async ({ session }) => {
    const current = session.hasProject ? basename(session.project.path) : null;
    return readdirSync(session.folder)
      .filter((f) => f.toLowerCase().endsWith(EXTENSION) && !f.startsWith('.'))
      .sort((a, b) => a.localeCompare(b))
      .map((file) => ({ file, current: file === current }));
  },
  'project.create': async ({ session }, { name }) => {
    const path = besideOpen(session, name);
    const stem = basename(path, EXTENSION);
    await session.setProject(await Project.create(path, { name: stem }));
    return infoOf(session);
  },
  'project.open': async ({ session }, { file }) => {
    const path = besideOpen(session, file);
    if (!existsSync(path)) throw new MarginaliaError('not_found', `${basename(path)} is not in the folder of the open project. Choose one of the files listed.`);
    if (session.hasProject && path === session.project.path) return infoOf(session);
    // Opened before the current one is closed: a file that is not a project leaves the current one open.
    // Watched, so project.opening tells an upgrade's progress meanwhile.
    await session.setProject(await session.watchOpen(path, (onProgress) => Project.open(path, { onProgress })));
    return infoOf(session);
  },
  'coders.list': ({ session }) => session.project.db.read(listCoders),
  'coders.rename': async ({ session }, { id, name }) => {
    const coder = await session.coder();
    const old = await session.project.db.read((r) => resolveCoder(r, id));
    await session.project.db.action({ kind: 'coder.rename', summary: `Rename coder ${old.name} to ${name}`, coderId: coder.id }, (tx) => renameCoder(tx, id, name));
  },
  'coders.current': ({ session }) => session.coder(),
  'coders.setCurrent': ({ session }, input) => session.setCoder(input.name),
};
