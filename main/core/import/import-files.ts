import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Project } from '../project/project';
import { addDocument } from '../documents/documents';
import { MarginaliaError } from '../errors';

/** What became of one file in an import. */
export type ImportOutcome =
  | { file: string; status: 'imported'; documentId: string; name: string }
  | { file: string; status: 'duplicate'; duplicateOf: { id: string; name: string } }
  | { file: string; status: 'failed'; reason: string };

export interface ImportReport {
  outcomes: ImportOutcome[];
  imported: number;
  duplicates: number;
  failed: number;
  cancelled: boolean;
}

/** One file's bytes, from disk or sent by the renderer. */
export interface ImportSource {
  /** The name shown in reports: a path relative to what the user chose. */
  name: string;
  bytes: Uint8Array;
  /** Set when the file could not even be read; it is then reported as failed. */
  error?: string;
}

export interface ImportOptions {
  importedBy: string | null;
  onProgress?: (done: number, total: number, current: string) => void;
  isCancelled?: () => boolean;
}

const TEXT_EXTENSIONS = new Set(['.txt', '.md', '.markdown']);
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

/** Expands files and folders (recursively) into the files an import will read, in a stable order. */
export function collectFiles(paths: string[]): { path: string; name: string }[] {
  const out: { path: string; name: string }[] = [];
  const walk = (path: string, name: string) => {
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (entry.startsWith('.')) continue;
        walk(join(path, entry), `${name}/${entry}`);
      }
    } else {
      out.push({ path, name });
    }
  };
  for (const p of paths) walk(p, basename(p));
  return out;
}

/** Decodes one file into a document's name and text, or says why it cannot. */
export function extractText(source: ImportSource): { name: string; text: string; format: string; encoding: string } {
  const ext = extname(source.name).toLowerCase();
  if (!TEXT_EXTENSIONS.has(ext)) {
    throw new MarginaliaError('unsupported', `${source.name}: ${ext || 'files without an extension'} cannot be imported yet; use .txt or .md.`);
  }
  if (source.bytes.length > MAX_FILE_BYTES) throw new MarginaliaError('too_large', `${source.name}: larger than ${MAX_FILE_BYTES / 1024 / 1024} MB.`);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(source.bytes);
  return { name: basename(source.name, extname(source.name)), text, format: ext.slice(1), encoding: 'utf-8' };
}

/**
 * Imports sources one by one. One bad file never stops the others; each document goes in
 * with its own transaction, so cancelling keeps what was imported.
 */
export async function importSources(project: Project, sources: Iterable<ImportSource>, total: number, options: ImportOptions): Promise<ImportReport> {
  const outcomes: ImportOutcome[] = [];
  let done = 0;
  let cancelled = false;
  for (const source of sources) {
    if (options.isCancelled?.()) {
      cancelled = true;
      break;
    }
    options.onProgress?.(done, total, source.name);
    try {
      if (source.error) throw new MarginaliaError('io', `${source.name}: could not be read (${source.error}).`);
      const doc = extractText(source);
      const result = await project.db.action({ kind: 'document.import', summary: `Import ${doc.name}`, coderId: options.importedBy }, (tx) =>
        addDocument(tx, { name: doc.name, text: doc.text, sourceName: source.name, sourceFormat: doc.format, sourceEncoding: doc.encoding, importedBy: options.importedBy }),
      );
      outcomes.push(result.status === 'imported' ? { file: source.name, status: 'imported', documentId: result.id, name: doc.name } : { file: source.name, status: 'duplicate', duplicateOf: result.duplicateOf });
    } catch (err) {
      const message = (err as Error).message;
      outcomes.push({ file: source.name, status: 'failed', reason: message.startsWith(source.name) ? message.slice(source.name.length + 2) : message });
    }
    done++;
  }
  options.onProgress?.(done, total, '');
  return {
    outcomes,
    imported: outcomes.filter((o) => o.status === 'imported').length,
    duplicates: outcomes.filter((o) => o.status === 'duplicate').length,
    failed: outcomes.filter((o) => o.status === 'failed').length,
    cancelled,
  };
}

/** Imports files and folders from disk. */
export async function importPaths(project: Project, paths: string[], options: ImportOptions): Promise<ImportReport> {
  const files = collectFiles(paths);
  function* read() {
    for (const f of files) {
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(f.path);
      } catch (err) {
        yield { name: f.name, bytes: new Uint8Array(), error: (err as Error).message };
        continue;
      }
      yield { name: f.name, bytes };
    }
  }
  return importSources(project, read(), files.length, options);
}
