import { readFileSync, rmSync } from 'node:fs';
import { tempFolder } from '../files/temp-files';
import { basename, join } from 'node:path';
import { Project } from '../project/project';
import { createCoder } from '../coders/coders';
import { importExchangeBytes, isExchangeFile } from '../exchange/qdpx-import';
import { readOtherProject, type OtherProject } from './merge';

/**
 * Reads a REFI-QDA project into a throwaway project and reads that. The person merging is
 * put in it first under their own id, so what the file credits to nobody comes back as
 * theirs rather than as a stranger with the same name. GUIDs become ids, so merging the same
 * .qdpx twice matches everything the second time.
 */
async function readExchangeFile(path: string, displayName: string, coder: { id: string; name: string } | null): Promise<OtherProject> {
  const dir = tempFolder('qdpx');
  try {
    const tempPath = join(dir, 'from-qdpx.marginalia');
    const project = await Project.create(tempPath, { name: displayName });
    try {
      if (coder) await project.db.transaction((tx) => createCoder(tx, { id: coder.id, name: coder.name }));
      await importExchangeBytes(project.db, readFileSync(path), displayName, coder?.name ?? 'coder');
    } finally {
      await project.close();
    }
    return await readOtherProject(tempPath, displayName);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Reads what a colleague sent, by kind: a .marginalia project, or a REFI-QDA .qdpx / .qde. */
export async function readMergeSource(path: string, displayName: string = basename(path), coder: { id: string; name: string } | null = null): Promise<OtherProject> {
  if (isExchangeFile(displayName) || isExchangeFile(path)) return readExchangeFile(path, displayName, coder);
  return readOtherProject(path, displayName);
}
