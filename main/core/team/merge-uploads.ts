import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tempFolder } from '../files/temp-files';
import { basename, extname, join } from 'node:path';
import { MarginaliaError } from '../errors';

/**
 * Files a colleague sent, uploaded by the renderer (which has no file paths) for a merge
 * preview and kept in a private temp folder until the merge is applied or cancelled.
 */
interface Upload {
  dir: string;
  path: string;
  fileName: string;
}

const uploads = new Map<string, Upload>();
/** A person previews one file at a time; older uploads left behind by a closed dialog go. */
const MAX_UPLOADS = 4;

export function saveUpload(fileName: string, dataBase64: string): { id: string; path: string; fileName: string } {
  const name = basename(fileName.replace(/\\/g, '/')) || 'colleague.marginalia';
  const bytes = Buffer.from(dataBase64, 'base64');
  if (bytes.length === 0) throw new MarginaliaError('invalid_input', `${name}: the file is empty. Choose the colleague's .marginalia file again.`);
  while (uploads.size >= MAX_UPLOADS) discardUpload(uploads.keys().next().value!);
  const dir = tempFolder('upload');
  // The name on disk is ours: the uploaded name is only shown, never used as a path.
  const ext = extname(name).toLowerCase();
  const path = join(dir, `upload${['.qdpx', '.qde', '.qdc'].includes(ext) ? ext : '.marginalia'}`);
  writeFileSync(path, bytes, { mode: 0o600 });
  const id = randomUUID();
  uploads.set(id, { dir, path, fileName: name });
  return { id, path, fileName: name };
}

export function getUpload(id: string): { path: string; fileName: string } {
  const u = uploads.get(id);
  if (!u) throw new MarginaliaError('not_found', 'The uploaded file is no longer here (the preview was closed or the app restarted). Choose the file again.');
  return u;
}

export function discardUpload(id: string): void {
  const u = uploads.get(id);
  if (!u) return;
  uploads.delete(id);
  rmSync(u.dir, { recursive: true, force: true });
}
