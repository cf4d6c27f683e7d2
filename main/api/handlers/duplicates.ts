import { duplicatesContract } from '../contract/duplicates';
import type { HandlersOf } from './types';
import type { Project } from '../../core/project/project';
import { alignedGroup, duplicateCounts, duplicateGroups, indexDuplicates } from '../../core/analysis/duplicates';

/**
 * Documents added without the import's hook (REFI-QDA, merge, redo of an undone import) are
 * indexed before duplicates are read. A read-only project is read as it is indexed.
 */
async function caughtUp(project: Project): Promise<void> {
  if (!project.db.readOnly) await indexDuplicates(project.db);
}

export const duplicatesHandlers: HandlersOf<typeof duplicatesContract> = {
  'duplicates.groups': async ({ session }, { threshold }) => {
    await caughtUp(session.project);
    return session.project.db.read((r) => duplicateGroups(r, threshold));
  },
  'duplicates.counts': async ({ session }, { threshold }) => {
    await caughtUp(session.project);
    return session.project.db.read((r) => duplicateCounts(r, threshold));
  },
  'duplicates.group': async ({ session }, { documentId, threshold }) => {
    await caughtUp(session.project);
    return session.project.db.read((r) => alignedGroup(r, documentId, threshold));
  },
};
