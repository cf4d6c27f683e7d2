import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { sentenceSplitter } from './agreement-sentences';
import { unitRanges } from './units';

/**
 * Splitting sentences (and paragraphs) is much of what agreement by those units costs over a
 * large project. This pool does it on worker threads while the main thread reads the next
 * batch and counts agreement on the last one. The texts come as the bytes SQLite stores
 * (UTF-8), moved to a worker rather than copied, and are decoded there: making a JavaScript
 * string of 350 MB of text, and copying it again to a worker, cost the main thread more
 * than it gained. A batch's texts are one buffer (SQLite joins them), handed over as it came,
 * and the worker gives its memory back as soon as it has decoded it: buffers left to the
 * garbage collector (a buffer per text on the main thread, the batch's in the worker) were
 * up to 200 MB at once over 100,000 documents.
 *
 * The workers run `sentenceSplitter` and `unitRanges` themselves (their source: they are
 * self-contained), so their units are the ones the main thread computes. The code is passed as a string rather than a
 * file, so it runs the same from the sources (tests), from dist and from an app archive.
 */
const WORKER_SOURCE = `
const { parentPort, MessageChannel } = require('node:worker_threads');
const __name = (f) => f; // a name-keeping helper some compilers insert
const sentenceSplitter = ${sentenceSplitter.toString()};
const unitRanges = ${unitRanges.toString()};
const split = sentenceSplitter(new Intl.Segmenter('und', { granularity: 'sentence' }));
// As SQLite makes a string of its UTF-8, a byte order mark included.
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
parentPort.on('message', ({ id, unit, bytes, starts }) => {
  const all = [];
  for (let i = 0; i + 1 < starts.length; i++) {
    const text = decoder.decode(bytes.subarray(starts[i], starts[i + 1]));
    all.push(unit === 'paragraph' ? unitRanges(text, null) : split(text));
  }
  // The texts' memory is given back now, not at this thread's next full collection (a batch
  // handed on to a channel that is then closed is dropped with it).
  const drop = new MessageChannel();
  drop.port1.postMessage(null, [bytes.buffer]);
  drop.port1.close();
  drop.port2.close();
  const offsets = new Int32Array(all.length + 1);
  all.forEach((b, i) => (offsets[i + 1] = offsets[i] + b.length));
  const bounds = new Int32Array(offsets[all.length]);
  all.forEach((b, i) => bounds.set(b, offsets[i]));
  parentPort.postMessage({ id, bounds, offsets }, [bounds.buffer, offsets.buffer]);
});
`;

interface Reply {
  id: number;
  bounds: Int32Array;
  offsets: Int32Array;
}

export class SentencePool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (b: Int32Array[]) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure: Error | null = null;

  /**
   * How many workers: one core stays for the main thread's reads and counting, and at most two,
   * because each worker is a JavaScript engine of its own that keeps its memory until the
   * computation ends: about 45 MB each, of the agreement's own process (agreement-child.ts).
   * On two cores one worker splits the sentences of 100,000 documents as fast as two did (three
   * threads on two cores only take turns), in a peak of 287 MB rather than 331.
   */
  static size(): number {
    return Math.max(1, Math.min(2, availableParallelism() - 1));
  }

  constructor(size = SentencePool.size()) {
    this.workers = Array.from({ length: size }, () => {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.on('message', (r: Reply) => {
        const job = this.waiting.get(r.id);
        if (!job) return;
        this.waiting.delete(r.id);
        const out: Int32Array[] = [];
        for (let i = 0; i + 1 < r.offsets.length; i++) out.push(r.bounds.subarray(r.offsets[i]!, r.offsets[i + 1]!));
        job.resolve(out);
      });
      w.on('error', (e) => this.fail(e));
      return w;
    });
  }

  get count(): number {
    return this.workers.length;
  }

  /**
   * The sentence or paragraph bounds of each text, in code points, as `unitBounds(unit, …)`
   * gives them. The texts are UTF-8 bytes one after another in `bytes`, text i from starts[i]
   * to starts[i + 1]. Both are moved to the worker (`bytes` copied first when it shares its
   * memory with something else): the caller must not use them after.
   */
  units(unit: 'sentence' | 'paragraph', bytes: Uint8Array, starts: Int32Array): Promise<Int32Array[]> {
    if (this.failure) return Promise.reject(this.failure);
    const own = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : new Uint8Array(bytes).buffer;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.workers[id % this.workers.length]!.postMessage({ id, unit, bytes: new Uint8Array(own), starts }, [own, starts.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.fail(new Error('The sentence workers were stopped.'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const job of this.waiting.values()) job.reject(e);
    this.waiting.clear();
  }
}
