import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { MarginaliaError, type ErrorCode } from '../errors';
import type { Archive } from '../exchange/qdpx-read';
import type { Extracted, ImportSource } from '../import/extract';
import type { SpreadsheetFormat, SpreadsheetMapping, SpreadsheetPreview, Table } from '../import/spreadsheet';
import type { SandboxReply, SandboxRequest } from './protocol';

/**
 * Files from outside are read in a worker thread with a memory ceiling and a time limit: a
 * file that makes a parser grow without end or stall fails alone, with a message naming the
 * file and the limit, and the app and the other files of the batch go on. One worker reads
 * one file at a time and is kept between files; one that hit a limit is ended and the next
 * file gets a new one.
 */

/** The heap the worker may use, in MB (MARGINALIA_SANDBOX_MEMORY_MB overrides it, for tests). */
export function sandboxMemoryMb(): number {
  return Number(process.env.MARGINALIA_SANDBOX_MEMORY_MB) || 1536;
}

/** How long the worker may work on one step (a file, or one batch of a spreadsheet's rows), in seconds (MARGINALIA_SANDBOX_SECONDS overrides it). */
export function sandboxSeconds(): number {
  return Number(process.env.MARGINALIA_SANDBOX_SECONDS) || 120;
}

/** What reading a file cost the worker: for tests and the benchmark, which check the ceiling holds. */
export interface SandboxStat {
  file: string;
  /** The worker's heap high-water mark (V8 heap plus external memory), in bytes. */
  heapPeak: number;
  outcome: 'read' | 'failed' | 'memory' | 'time';
}

const stats: SandboxStat[] = [];
/** The last files read (at most 200), newest last. */
export function sandboxStats(): readonly SandboxStat[] {
  return stats;
}
function record(stat: SandboxStat): void {
  stats.push(stat);
  if (stats.length > 200) stats.shift();
}

/**
 * The worker's script: the compiled extract-worker.js beside this file (dist/, and in the
 * packaged app inside app.asar, which Electron lets worker threads load from since 18: it
 * stays packed so that its own requires resolve in the same archive), or, when the
 * TypeScript sources run (Vitest, tsx), extract-worker.ts loaded through tsx, which only a
 * development checkout has. Exported for the packaging test.
 */
export function sandboxWorkerScript(): { script: string; eval: boolean } {
  if (!__filename.endsWith('.ts')) {
    const js = join(__dirname, 'extract-worker.js');
    if (!existsSync(js)) throw new MarginaliaError('io', `The file reader of this installation is missing (${js}); install Marginalia again.`);
    return { script: js, eval: false };
  }
  const ts = join(__dirname, 'extract-worker.ts');
  return { script: `require('tsx/cjs');\nrequire(${JSON.stringify(ts)});`, eval: true };
}

type Event = SandboxReply | { type: 'crash'; err: Error | null; exitCode: number | null };

/** A worker whose heap grew past this for an archive is ended after it (see converse). */
const END_AFTER_HEAP_BYTES = 64 * 1024 * 1024;

/** How long a new worker may take to load its readers before it counts as failed. */
const STARTUP_SECONDS = 60;

class Reader {
  private worker: Worker | null = null;
  /** Resolves when the current worker has loaded (its 'ready'); the time limit starts after it. */
  private ready: Promise<void> = Promise.resolve();
  private listener: ((e: Event) => void) | null = null;
  private nextId = 1;
  private lock: Promise<void> = Promise.resolve();

  private start(): Worker {
    if (this.worker) return this.worker;
    const { script, eval: isEval } = sandboxWorkerScript();
    const worker = new Worker(script, {
      eval: isEval,
      // A young generation of 8 MB rather than V8's default: a file is read into many small
      // objects, most of them garbage at once, and a larger nursery held that garbage in the
      // app's memory (a .qdpx of 40,000 codings peaked at 331 MB, now 314; CPU no worse).
      resourceLimits: { maxOldGenerationSizeMb: sandboxMemoryMb(), maxYoungGenerationSizeMb: 8, stackSizeMb: 4 },
      stdout: false,
      stderr: false,
    });
    let onReady!: () => void;
    const loaded = new Promise<void>((r) => (onReady = r));
    let startupTimer: NodeJS.Timeout | undefined;
    this.ready = Promise.race([
      loaded,
      new Promise<void>((r) => {
        startupTimer = setTimeout(r, STARTUP_SECONDS * 1000);
        startupTimer.unref();
      }),
    ]).finally(() => clearTimeout(startupTimer));
    worker.on('message', (m: SandboxReply) => (m.type === 'ready' ? onReady() : this.worker === worker && this.listener?.(m)));
    // Only the current worker's end is news: one ended for its time limit (or closed) is no
    // longer this.worker, and its exit must not fail the file read after it.
    worker.on('error', (err) => {
      onReady();
      if (this.worker !== worker) return;
      this.worker = null;
      this.listener?.({ type: 'crash', err, exitCode: null });
    });
    worker.on('exit', (exitCode) => {
      onReady();
      if (this.worker !== worker) return;
      this.worker = null;
      this.listener?.({ type: 'crash', err: null, exitCode });
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** The documents of one file, in batches, read in the worker. */
  async *extract(source: ImportSource, mapping?: SpreadsheetMapping): AsyncGenerator<Extracted[]> {
    const request = (id: number): SandboxRequest => ({
      type: 'extract',
      id,
      name: source.name,
      bytes: source.bytes,
      ...(source.path !== undefined ? { path: source.path } : {}),
      ...(source.error !== undefined ? { error: source.error } : {}),
      ...(mapping ? { mapping } : {}),
    });
    for await (const reply of this.converse(source.name, request)) if (reply.type === 'batch') yield reply.docs;
  }

  /** A REFI-QDA archive's project XML and files, inflated (with the real byte limit) in the worker. */
  async readArchive(bytes: Uint8Array, file: string): Promise<Archive> {
    let archive: Archive | null = null;
    for await (const reply of this.converse(file, (id) => ({ type: 'archive', id, name: file, bytes }), { endAfter: true })) {
      if (reply.type === 'archive') archive = { qde: reply.qde, files: reply.files, ...(reply.root ? { root: reply.root } : {}), ...(reply.read ? { read: reply.read } : {}) };
    }
    if (!archive) throw new MarginaliaError('invalid_input', `${file}: could not be read; export it again from the other program.`);
    return archive;
  }

  /** A spreadsheet read whole in the worker. */
  async readTable(bytes: Uint8Array, file: string, format: SpreadsheetFormat): Promise<Table> {
    let table: Table | null = null;
    for await (const reply of this.converse(file, (id) => ({ type: 'table', id, name: file, bytes, format }))) {
      if (reply.type === 'table') table = reply.table;
    }
    if (!table) throw new MarginaliaError('invalid_input', `${file}: could not be read; save it again as .csv or .xlsx and import that.`);
    return table;
  }

  /** A spreadsheet's preview, made in the worker: only the first rows cross back. */
  async preview(content: Uint8Array | { path: string }, file: string, format: SpreadsheetFormat): Promise<SpreadsheetPreview> {
    let preview: SpreadsheetPreview | null = null;
    const given = content instanceof Uint8Array ? { bytes: content } : { bytes: new Uint8Array(), path: content.path };
    for await (const reply of this.converse(file, (id) => ({ type: 'preview', id, name: file, ...given, format }))) {
      if (reply.type === 'preview') preview = reply.preview;
    }
    if (!preview) throw new MarginaliaError('invalid_input', `${file}: could not be read; save it again as .csv or .xlsx and import that.`);
    return preview;
  }

  /** The text of a Word document (one inside a REFI-QDA archive), read in the worker. */
  async docxText(bytes: Uint8Array, file: string): Promise<string> {
    let text: string | null = null;
    for await (const reply of this.converse(file, (id) => ({ type: 'docx', id, name: file, bytes }))) {
      if (reply.type === 'text') text = reply.text;
    }
    if (text === null) throw new MarginaliaError('invalid_input', `${file}: could not be read; open it in Word and save it as .docx again.`);
    return text;
  }

  /** One request to the worker and its answers, one at a time, under the memory ceiling and the time limit. */
  private async *converse(file: string, makeRequest: (id: number) => SandboxRequest, options: { endAfter?: boolean } = {}): AsyncGenerator<Extract<SandboxReply, { type: 'batch' | 'archive' | 'table' | 'preview' | 'text' }>> {
    let release!: () => void;
    const previous = this.lock;
    this.lock = new Promise<void>((r) => (release = r));
    await previous;
    const id = this.nextId++;
    const events: Event[] = [];
    let wake: (() => void) | null = null;
    let finished = false;
    let heapPeak = 0;
    let worker: Worker | null = null;
    try {
      worker = this.start();
      worker.ref();
      this.listener = (e) => {
        if ('id' in e && e.id !== id) return;
        events.push(e);
        wake?.();
      };
      await this.ready;
      worker.postMessage(makeRequest(id));
      for (;;) {
        const event = await this.next(events, (w) => (wake = w), worker, file);
        if (event.type === 'crash') {
          finished = true;
          const outOfMemory = (event.err as NodeJS.ErrnoException | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
          record({ file, heapPeak: Math.max(heapPeak, outOfMemory ? sandboxMemoryMb() * 1024 * 1024 : 0), outcome: outOfMemory ? 'memory' : 'failed' });
          if (outOfMemory) {
            throw new MarginaliaError(
              'too_large',
              `${file}: is too large to read safely (over ${sandboxMemoryMb()} MB of memory); split it into smaller files, or save it again without embedded pictures, then import those.`,
            );
          }
          throw new MarginaliaError('invalid_input', `${file}: could not be read (the reader stopped: ${event.err?.message ?? `exit code ${event.exitCode}`}); open it and save it again, then import it.`);
        }
        heapPeak = Math.max(heapPeak, event.heapPeak);
        if (event.type === 'error') {
          finished = true;
          record({ file, heapPeak, outcome: 'failed' });
          throw new MarginaliaError(event.code as ErrorCode, event.message);
        }
        if (event.type === 'done') {
          finished = true;
          record({ file, heapPeak, outcome: 'read' });
          return;
        }
        if (event.type === 'ready') continue;
        yield event;
        worker.postMessage({ type: 'more', id } satisfies SandboxRequest);
      }
    } finally {
      this.listener = null;
      // Left before the end (the import was cancelled): the worker drops the file.
      if (!finished && worker && this.worker === worker) worker.postMessage({ type: 'stop', id } satisfies SandboxRequest);
      // V8 keeps the heap a worker grew to: one that read a large project is ended, so that its
      // memory (126 MB for 40,000 codings) is given back before the import writes; the next
      // file starts a new worker.
      if (options.endAfter && finished && worker && this.worker === worker && heapPeak > END_AFTER_HEAP_BYTES) {
        this.worker = null;
        void worker.terminate();
      }
      this.worker?.unref();
      release();
    }
  }

  /** The worker's next answer, or its end; past the time limit the worker is ended and the file fails. */
  private async next(events: Event[], setWake: (w: (() => void) | null) => void, worker: Worker, file: string): Promise<Event> {
    if (events.length) return events.shift()!;
    const seconds = sandboxSeconds();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await new Promise<boolean>((resolve) => {
      setWake(() => resolve(false));
      timer = setTimeout(() => resolve(true), seconds * 1000);
    });
    clearTimeout(timer);
    setWake(null);
    if (timedOut && events.length === 0) {
      if (this.worker === worker) this.worker = null;
      this.listener = null;
      void worker.terminate();
      record({ file, heapPeak: 0, outcome: 'time' });
      throw new MarginaliaError('too_large', `${file}: took longer than ${seconds} s to read, so reading it was stopped; it may be damaged or far larger than it looks. Open it and save it again, or split it, then import it.`);
    }
    return events.shift()!;
  }

  /** Ends the worker (tests, shutdown); the next file starts a new one. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

const reader = new Reader();

/** Reads one file from outside in the sandbox worker, yielding its documents in batches. */
export function extractInSandbox(source: ImportSource, mapping?: SpreadsheetMapping): AsyncGenerator<Extracted[]> {
  return reader.extract(source, mapping);
}

/** Reads a REFI-QDA archive (.qdpx, or a bare .qde/.qdc) in the sandbox worker. */
export function readArchiveInSandbox(bytes: Uint8Array, file: string): Promise<Archive> {
  return reader.readArchive(bytes, file);
}

/** Reads a spreadsheet (CSV, TSV, XLSX, JSONL) whole in the sandbox worker: for attributes by document and previews. */
export function readTableInSandbox(bytes: Uint8Array, file: string, format: SpreadsheetFormat): Promise<Table> {
  return reader.readTable(bytes, file, format);
}

/** The preview of a spreadsheet (columns, first rows, suggested mapping), read in the sandbox worker from its bytes or the file they were stored in. */
export function previewInSandbox(content: Uint8Array | { path: string }, file: string, format: SpreadsheetFormat): Promise<SpreadsheetPreview> {
  return reader.preview(content, file, format);
}

/** The text of a Word document inside a REFI-QDA archive, read in the sandbox worker; `file` names it in messages. */
export function docxTextInSandbox(bytes: Uint8Array, file: string): Promise<string> {
  return reader.docxText(bytes, file);
}

/** Ends the sandbox worker, if one is running. */
export function closeSandbox(): Promise<void> {
  return reader.close();
}
