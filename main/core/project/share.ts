import { readFileSync, rmSync } from 'node:fs';
import { tempFolder } from '../files/temp-files';
import { basename, join } from 'node:path';
import type { Project } from './project';

/** "study.marginalia" → "study-shared-2026-12-02.marginalia": says what it is and when it was taken. */
export function sharedCopyName(projectPath: string, now = new Date()): string {
  const stem = basename(projectPath).replace(/\.marginalia$/i, '');
  return `${stem}-shared-${now.toISOString().slice(0, 10)}.marginalia`;
}

/**
 * The bytes of a consistent single-file copy, for the app's "Save a copy to share…", which
 * hands them to the host's save dialog as a download (the renderer never sees a path).
 */
export async function shareCopyBytes(project: Project): Promise<{ fileName: string; mime: string; dataBase64: string; bytes: number }> {
  const dir = tempFolder('share');
  try {
    const { path } = await project.shareCopy(join(dir, 'copy.marginalia'));
    const bytes = readFileSync(path);
    return { fileName: sharedCopyName(project.path), mime: 'application/x-sqlite3', dataBase64: bytes.toString('base64'), bytes: bytes.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
