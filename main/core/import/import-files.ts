import { closeSync, openSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Project } from '../project/project';
import type { Tx } from '../db/project-db';
import { addDocuments, type AddBatchResult } from '../documents/documents';
import { afterImport, sameTextAsEarlier } from '../analysis/duplicates';
import { extractInSandbox } from '../sandbox/sandbox';
import type { Extracted, ImportSource } from './extract';
import type { SpreadsheetMapping } from './spreadsheet';

export type { ImportSource } from './extract';
import { MAX_FILE_BYTES } from './limits';
export { MAX_FILE_BYTES };

/** What became of one file (or one row of a spreadsheet, then `row` is set) in an import. */
export type ImportOutcome =
  /** `note`: what normalisation changed that the researcher should know (control characters removed). */
  /** `sameTextAs`: an earlier document with exactly this text, imported again because keepDuplicates asked for it. */
  | { file: string; row?: number; status: 'imported'; documentId: string; name: string; note?: string; sameTextAs?: { id: string; name: string } }
  | { file: string; row?: number; status: 'duplicate'; duplicateOf: { id: string; name: string } }
  | { file: string; row?: number; status: 'failed'; reason: string };

export interface ImportReport {
  /**
   * What became of each file or row, in order: all of them for an import of up to
   * LISTED_OUTCOMES of each kind; beyond that the first LISTED_OUTCOMES imported, the first
   * LISTED_OUTCOMES duplicates and the first LISTED_OUTCOMES failures, and `unlisted` counts
   * the rest. The counts below are always exact.
   */
  outcomes: ImportOutcome[];
  /** Outcomes counted below but not in `outcomes`, by kind: all 0 unless the import had more than LISTED_OUTCOMES of a kind. */
  unlisted: { imported: number; duplicates: number; failed: number };
  imported: number;
  duplicates: number;
  failed: number;
  /** True when the user cancelled; what was imported before stays. */
  cancelled: boolean;
  /** Files not read because the import was cancelled. */
  notRead: number;
}

export interface ImportOptions {
  importedBy: string | null;
  /** How spreadsheets of articles map to documents; suggested from their headers when absent. */
  mapping?: SpreadsheetMapping;
  onProgress?: (done: number, total: number, current: string) => void;
  /** Rows of the spreadsheet being read so far, as each batch of them arrives (0 again at the next file). */
  onRows?: (rows: number) => void;
  isCancelled?: () => boolean;
  /** Import a text already in the project again as a document of its own (the same wire story from another source). */
  keepDuplicates?: boolean;
}

/**
 * Outcomes of each kind (imported, duplicate, failed) a report lists; beyond that it counts
 * them. A million-row spreadsheet's report names its first thousand failed rows (row and
 * column) and says how many more failed, in kilobytes rather than a few hundred megabytes.
 */
export const LISTED_OUTCOMES = 1_000;

type Kind = 'imported' | 'duplicates' | 'failed';
const kindOf = (o: ImportOutcome): Kind => (o.status === 'imported' ? 'imported' : o.status === 'duplicate' ? 'duplicates' : 'failed');

/**
 * An import's outcomes as they come: counted, and the first LISTED_OUTCOMES of each kind kept
 * by their place in the import (`seq`). Outcomes may arrive a little out of order (a row that
 * fails on reading is known before the batch before it is written), so a full list gives its
 * latest entry up for an earlier one.
 */
export class OutcomeTally {
  readonly counts: Record<Kind, number> = { imported: 0, duplicates: 0, failed: 0 };
  private readonly kept: Record<Kind, { seq: number; outcome: ImportOutcome }[]> = { imported: [], duplicates: [], failed: [] };
  /** The latest place among the kept outcomes of each kind. */
  private readonly latest: Record<Kind, number> = { imported: -1, duplicates: -1, failed: -1 };

  constructor(private readonly limit = LISTED_OUTCOMES) {}

  add(seq: number, outcome: ImportOutcome): void {
    const kind = kindOf(outcome);
    this.counts[kind]++;
    const list = this.kept[kind];
    if (list.length < this.limit) {
      list.push({ seq, outcome });
      this.latest[kind] = Math.max(this.latest[kind], seq);
      return;
    }
    // Full: the usual outcome comes after every kept one and is only counted.
    if (list.length === 0 || seq > this.latest[kind]) return;
    let at = 0;
    for (let i = 1; i < list.length; i++) if (list[i]!.seq > list[at]!.seq) at = i;
    list[at] = { seq, outcome };
    this.latest[kind] = list.reduce((m, k) => Math.max(m, k.seq), -1);
  }

  /** The kept outcomes in import order. */
  listed(): ImportOutcome[] {
    return [...this.kept.imported, ...this.kept.duplicates, ...this.kept.failed].sort((a, b) => a.seq - b.seq).map((k) => k.outcome);
  }

  unlisted(): ImportReport['unlisted'] {
    return {
      imported: this.counts.imported - this.kept.imported.length,
      duplicates: this.counts.duplicates - this.kept.duplicates.length,
      failed: this.counts.failed - this.kept.failed.length,
    };
  }
}

/** Documents written per transaction: large enough that commits do not dominate, small enough that the UI's other requests wait briefly. */
const BATCH_DOCUMENTS = 400;
const BATCH_BYTES = 8 * 1024 * 1024;
const BATCH_MS = 500;

/** Expands files and folders (recursively) into the files an import will read, in a stable order. Hidden files are skipped. */
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

type Pending = { seq: number; file: string; doc: Extract<Extracted, { ok: true }>; bytes: number };

/** Strips the file name a message starts with, since the outcome names the file already. */
function reasonOf(err: unknown, file: string): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Imports sources, in order. Documents are written in batches, one undoable action per batch;
 * a document that cannot go in (no text, a bad attribute value) is found before anything of it
 * is written, so it fails alone and the rest of its batch goes in. Reading a file never happens inside a transaction, so a corrupt
 * file costs nothing but its own line in the report. Cancelling writes what was already read
 * and stops; nothing imported is lost.
 */
export async function importSources(
  project: Project,
  sources: Iterable<ImportSource> | AsyncIterable<ImportSource>,
  total: number | (() => number),
  options: ImportOptions,
): Promise<ImportReport> {
  const totalNow = typeof total === 'number' ? () => total : total;
  // Counted as they come, never one object per row kept: memory does not grow with the file.
  const tally = new OutcomeTally();
  let seq = 0;
  let pending: Pending[] = [];
  let pendingBytes = 0;
  let batchStarted = Date.now();
  let lastYield = Date.now();
  let done = 0;
  let cancelled = false;

  // Writing a batch overlaps with reading and extracting the next: SQLite works on its own
  // thread while this one decodes files. Batches still commit one after another, in order.
  let writing: Promise<void> = Promise.resolve();
  const write = async (batch: Pending[]) => {
    const summary = batch.length === 1 ? `Import ${batch[0]!.doc.name}` : `Import ${batch.length} documents (${batch[0]!.doc.name} … ${batch[batch.length - 1]!.doc.name})`;
    let results: AddBatchResult[];
    try {
      results = await project.db.action({ kind: 'document.import', summary, coderId: options.importedBy }, (tx) => writeBatch(tx, batch, options.importedBy, options.keepDuplicates));
    } catch (err) {
      // The whole transaction failed (disk full, file locked): none of this batch is in.
      for (const p of batch) tally.add(p.seq, { file: p.file, ...(p.doc.row ? { row: p.doc.row } : {}), status: 'failed', reason: `not saved: ${reasonOf(err, p.file)}` });
      return;
    }
    // Kept as documents of their own although an earlier document has the same text (keep
    // duplicates): the report names that document. Asked once the batch is in, outside its transaction.
    const same = options.keepDuplicates ? await sameTextAsEarlier(project.db, results.flatMap((r) => (r.status === 'imported' ? [r.id] : []))).catch(() => new Map<string, { id: string; name: string }>()) : null;
    batch.forEach((p, i) => {
      const result = results[i]!;
      tally.add(p.seq, outcomeOf(p, result, same && result.status === 'imported' ? same.get(result.id) : undefined));
    });
  };
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    pendingBytes = 0;
    await writing;
    writing = write(batch);
    batchStarted = Date.now();
  };

  const take = (file: string, extracted: Extracted[]) => {
    for (const e of extracted) {
      const at = seq++;
      const row = e.row ? { row: e.row } : {};
      if (!e.ok) tally.add(at, { file, ...row, status: 'failed', reason: e.reason });
      else {
        pending.push({ seq: at, file, doc: e, bytes: e.text.length });
        pendingBytes += e.text.length;
      }
    }
  };

  for await (const source of sources) {
    if (options.isCancelled?.()) {
      cancelled = true;
      break;
    }
    options.onProgress?.(done, totalNow(), source.name);
    let rows = 0;
    // Read in the sandbox worker (memory ceiling, time limit); a spreadsheet's rows arrive a
    // batch at a time and are written as they come, so memory does not grow with the file.
    try {
      for await (const extracted of extractInSandbox(source, options.mapping)) {
        take(source.name, extracted);
        const rowsNow = extracted.filter((e) => e.row).length;
        if (rowsNow > 0) options.onRows?.((rows += rowsNow));
        if (pending.length >= BATCH_DOCUMENTS || pendingBytes >= BATCH_BYTES) await flush();
        if (options.isCancelled?.()) break;
      }
    } catch (err) {
      take(source.name, [{ ok: false, reason: reasonOf(err, source.name) }]);
    }
    done++;
    if (pending.length >= BATCH_DOCUMENTS || pendingBytes >= BATCH_BYTES || (pending.length > 0 && Date.now() - batchStarted > BATCH_MS)) await flush();
    // Extraction is synchronous work; between files the event loop gets a turn so the app's
    // other requests (and progress polls) are answered during a long import.
    if (Date.now() - lastYield > 30) {
      await yieldToEventLoop();
      lastYield = Date.now();
    }
  }
  await flush();
  await writing;
  options.onProgress?.(done, totalNow(), '');
  if (tally.counts.imported > 0) await afterImport(project.db);
  return {
    outcomes: tally.listed(),
    unlisted: tally.unlisted(),
    imported: tally.counts.imported,
    duplicates: tally.counts.duplicates,
    failed: tally.counts.failed,
    cancelled,
    notRead: cancelled ? Math.max(0, totalNow() - done) : 0,
  };
}

function writeBatch(tx: Tx, batch: Pending[], importedBy: string | null, keepDuplicates = false): Promise<AddBatchResult[]> {
  return addDocuments(
    tx,
    batch.map((p) => ({
      name: p.doc.name,
      text: p.doc.text,
      sourceName: p.file,
      sourceFormat: p.doc.format,
      sourceEncoding: p.doc.encoding,
      attributes: p.doc.attributes,
      attributeTypes: p.doc.attributeTypes,
      importedBy,
    })),
    { duplicates: keepDuplicates ? 'keep' : 'skip' },
  );
}

/** What became of one document of a written batch; `sameTextAs` is the earlier document with exactly its text, if any. */
function outcomeOf(p: Pending, result: AddBatchResult, sameTextAs?: { id: string; name: string }): ImportOutcome {
  const row = p.doc.row ? { row: p.doc.row } : {};
  if (result.status === 'duplicate') return { file: p.file, ...row, status: 'duplicate', duplicateOf: result.duplicateOf };
  if (result.status === 'failed') return { file: p.file, ...row, status: 'failed', reason: result.reason };
  const notes = [result.removedControls ? controlsNote(result.removedControls) : '', sameTextAs ? `same text as "${sameTextAs.name}", kept as a document of its own as asked` : ''].filter(Boolean);
  return {
    file: p.file,
    ...row,
    status: 'imported',
    documentId: result.id,
    name: p.doc.name.trim() || 'Untitled',
    ...(notes.length ? { note: notes.join('; ') } : {}),
    ...(sameTextAs ? { sameTextAs } : {}),
  };
}

/** The import report's words for control characters taken out of a text. */
export function controlsNote(n: number): string {
  return `${n} control character${n === 1 ? '' : 's'} (NUL, VT, FF and the like) removed or made a line break: no export format can carry ${n === 1 ? 'it' : 'them'}`;
}

/** Why a file chosen for import cannot be read, in words a researcher can act on (never a bare ENOENT). */
function unreadable(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'is no longer there (moved or deleted since it was chosen); choose it again.';
    case 'EACCES':
    case 'EPERM':
      return 'could not be read: you do not have permission to read it. Change its permissions, or copy it into a folder of yours and import the copy.';
    case 'EIO':
      return 'could not be read: the disk reported an error (a removed USB stick or a network folder that went away). Check the drive, then import it again.';
    default:
      return `could not be read (${(err as Error).message}); check that it is still there and readable, then import it again.`;
  }
}

/**
 * Names files for the sandbox worker to read, one at a time: the app never holds a file's
 * bytes (a 50 MB CSV is read once, in the worker). Size and readability are checked here, so a
 * huge or unreadable file is refused without being loaded.
 */
function* readFiles(files: { path: string; name: string }[]): Generator<ImportSource> {
  for (const f of files) {
    try {
      const size = statSync(f.path).size;
      if (size > MAX_FILE_BYTES) {
        yield { name: f.name, bytes: new Uint8Array(), error: `is ${Math.round(size / 1024 / 1024)} MB, larger than the ${MAX_FILE_BYTES / 1024 / 1024} MB a file may have; split it.` };
        continue;
      }
      closeSync(openSync(f.path, 'r'));
    } catch (err) {
      yield { name: f.name, bytes: new Uint8Array(), error: unreadable(err) };
      continue;
    }
    yield { name: f.name, bytes: new Uint8Array(), path: f.path };
  }
}

/** Imports files and folders from disk. */
export async function importPaths(project: Project, paths: string[], options: ImportOptions): Promise<ImportReport> {
  const files = collectFiles(paths);
  return importSources(project, readFiles(files), files.length, options);
}
