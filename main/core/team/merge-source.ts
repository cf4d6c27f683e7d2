import { basename, extname } from 'node:path';
import { MarginaliaError } from '../errors';
import { readOtherProject, type OtherProject } from './merge';

/**
 * Reads what a colleague sent, by kind. A .marginalia file is read directly. A REFI-QDA
 * .qdpx needs the exchange importer; until it offers a reader into a project, the person
 * is told how to get there another way.
 */
export async function readMergeSource(path: string, displayName: string = basename(path)): Promise<OtherProject> {
  if (extname(displayName).toLowerCase() === '.qdpx' || extname(path).toLowerCase() === '.qdpx') {
    throw new MarginaliaError(
      'unsupported',
      `${displayName}: merging a .qdpx directly is not available yet. Import it into a new project ("marginalia new" then import the .qdpx), then merge that .marginalia file.`,
    );
  }
  return readOtherProject(path, displayName);
}
