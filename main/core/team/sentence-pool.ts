import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { sentenceSplitter } from './agreement-sentences';

/**
 * Splitting sentences is most of what agreement by sentence costs over a large project
 * (Intl.Segmenter walks every character of every text). This pool does it on worker threads
 * while the main thread reads the next batch and counts agreement on the last one.
 *
 * The workers run `sentenceSplitter` itself (its source: it is self-contained), so their
 * sentences are the ones the main thread computes. The code is passed as a string rather than a
 * file, so it runs the same from the sources (tests), from dist and from an app archive.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const __name = (f) => f; // a name-keeping helper some compilers insert
const sentenceSplitter = ${sentenceSplitter.toString()};
const split = sentenceSplitter(new Intl.Segmenter('und', { granularity: 'sentence' }));
parentPort.on('message', ({ id, texts }) => {
  const all = texts.map(split);
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

  /** How many workers: the machine's cores, at most four (one core stays for the main thread's reads). */
  static size(): number {
    return Math.max(1, Math.min(4, availableParallelism()));
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

  /** The sentence bounds of each text, in code points, as `unitBounds('sentence', …)` gives them. */
  sentences(texts: string[]): Promise<Int32Array[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.workers[id % this.workers.length]!.postMessage({ id, texts });
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
