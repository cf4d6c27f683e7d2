import { parentPort } from 'node:worker_threads';
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { MarginaliaError } from '../errors';
import { readArchiveForImport } from '../exchange/qdpx-read';
import { docxToText } from '../import/office-to-text';
import { extractBatches, type Extracted } from '../import/extract';
import { MAX_FILE_BYTES } from '../import/limits';
import { previewTable, readTable } from '../import/spreadsheet';
import type { SandboxReply, SandboxRequest } from './protocol';

/**
 * The worker that reads files from outside (see sandbox.ts): it runs with a memory ceiling,
 * and whatever a hostile file makes a parser do happens here, not in the app. One file at a
 * time; a batch of documents is sent and the next one made only when the app asks for it, so
 * neither side holds more than a batch.
 */

const port = parentPort;
if (!port) throw new Error('extract-worker.ts runs only as a worker thread');

/** The most heap this worker has held, sampled after every step (V8 keeps the heap it grew to for a while). */
let heapPeak = 0;
const sampleHeap = () => {
  const h = getHeapStatistics();
  heapPeak = Math.max(heapPeak, h.total_heap_size + h.external_memory);
  return heapPeak;
};

let current: { id: number; more: (() => void) | null; stopped: boolean } | null = null;

/**
 * The file a request names: its bytes, or the temporary file it was stored in, read here so
 * the app never holds it. `most` (a file to import) is checked before reading.
 */
function contentOf(req: { name: string; bytes: Uint8Array; path?: string }, most = Infinity): Uint8Array {
  if (req.path === undefined) return req.bytes;
  let size: number;
  try {
    size = statSync(req.path).size;
  } catch {
    // An upload stored for this request, or a file on the user's disk chosen for import.
    const upload = basename(dirname(req.path)).startsWith('marginalia-upload-');
    throw new MarginaliaError(
      'io',
      upload
        ? `${req.name}: the file sent is no longer in the temporary folder (something removed it); send it again.`
        : `${req.name}: is no longer at ${req.path} (it was moved or removed after it was chosen); choose it again where it is now.`,
    );
  }
  if (size > most) {
    throw new MarginaliaError('too_large', `${req.name}: is ${Math.round(size / 1024 / 1024)} MB, larger than the ${most / 1024 / 1024} MB a file may have; split it.`);
  }
  return readFileSync(req.path);
}

const send = (reply: SandboxReply) => port.postMessage(reply);

async function run(req: Extract<SandboxRequest, { type: 'extract' }>): Promise<void> {
  const job = { id: req.id, more: null as (() => void) | null, stopped: false };
  current = job;
  heapPeak = 0;
  try {
    const source = { name: req.name, bytes: req.error === undefined ? contentOf(req, MAX_FILE_BYTES) : req.bytes, ...(req.error !== undefined ? { error: req.error } : {}) };
    for await (const batch of extractBatches(source, req.mapping)) {
      if (job.stopped) return;
      send({ type: 'batch', id: job.id, docs: batch as Extracted[], heapPeak: sampleHeap() });
      await new Promise<void>((resolve) => (job.more = resolve));
      job.more = null;
      if (job.stopped) return;
    }
    send({ type: 'done', id: job.id, heapPeak: sampleHeap() });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    send({ type: 'error', id: job.id, code: err instanceof MarginaliaError ? err.code : 'invalid_input', message, heapPeak: sampleHeap() });
  } finally {
    if (current === job) current = null;
  }
}

send({ type: 'ready', id: 0, heapPeak: sampleHeap() });

/** A request answered in one reply: a REFI-QDA archive, a whole spreadsheet, a spreadsheet's preview, or a Word text. */
async function once(req: Extract<SandboxRequest, { type: 'archive' | 'table' | 'preview' | 'docx' }>): Promise<void> {
  heapPeak = 0;
  try {
    if (req.type === 'archive') {
      // The project XML is parsed and read here too: a hostile one meets the worker's limits, not the app's.
      const { root, files, read } = await readArchiveForImport(req.bytes, req.name);
      send({ type: 'archive', id: req.id, qde: null, root: root ?? null, files, read: read ?? null, heapPeak: sampleHeap() });
    } else if (req.type === 'docx') {
      send({ type: 'text', id: req.id, text: await docxToText(req.bytes, req.name), heapPeak: sampleHeap() });
    } else if (req.type === 'table') {
      send({ type: 'table', id: req.id, table: await readTable(req.bytes, req.name, req.format), heapPeak: sampleHeap() });
    } else {
      const preview = previewTable(await readTable(contentOf(req), req.name, req.format), req.name);
      send({ type: 'preview', id: req.id, preview, heapPeak: sampleHeap() });
    }
    send({ type: 'done', id: req.id, heapPeak: sampleHeap() });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    send({ type: 'error', id: req.id, code: err instanceof MarginaliaError ? err.code : 'invalid_input', message, heapPeak: sampleHeap() });
  }
}

port.on('message', (req: SandboxRequest) => {
  if (req.type === 'extract') void run(req);
  else if (req.type === 'archive' || req.type === 'table' || req.type === 'preview' || req.type === 'docx') void once(req);
  else if (current && current.id === req.id) {
    if (req.type === 'stop') current.stopped = true;
    current.more?.();
  }
});
