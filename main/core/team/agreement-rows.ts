/**
 * Compact storage for the agreement CSV's rows of every document. The CSV lists them code by
 * code, but they are computed document by document, so they are all held until the end: as
 * objects (one per code × document, 2.1 million at 100,000 documents) they took 820 MB; as
 * numbers in typed arrays, a few tens. The numbers are kept in chunks, so that growing never
 * copies what is already stored.
 */

import { MessageChannel } from 'node:worker_threads';

/** 256 KB of integers a chunk: large enough to be memory of its own, which the system takes back when it is freed. */
const PER_CHUNK = 1 << 16;

/**
 * Frees `buffers` now rather than at the engine's next full collection, which in a process
 * that has just made another report may be a while: a buffer moved into a message that is
 * then dropped is freed with it (their arrays read as empty from then on).
 */
function freeNow(buffers: ArrayBuffer[]): void {
  if (buffers.length === 0) return;
  const drop = new MessageChannel();
  drop.port1.postMessage(null, buffers);
  drop.port1.close();
  drop.port2.close();
}

/**
 * Whole numbers (32-bit) pushed one after another, each read or changed again by its place.
 * Records of different lengths are kept one after another, each found by the place of its first number.
 */
export class Ints {
  private readonly chunks: Int32Array[] = [];
  length = 0;

  /** Adds `v` at the end; returns its place. Throws rather than store a number that does not fit. */
  push(v: number): number {
    fits(v);
    if (this.length % PER_CHUNK === 0) this.chunks.push(new Int32Array(PER_CHUNK));
    this.chunks[Math.floor(this.length / PER_CHUNK)]![this.length % PER_CHUNK] = v;
    return this.length++;
  }

  get(i: number): number {
    return this.chunks[Math.floor(i / PER_CHUNK)]![i % PER_CHUNK]!;
  }

  set(i: number, v: number): void {
    fits(v);
    this.chunks[Math.floor(i / PER_CHUNK)]![i % PER_CHUNK] = v;
  }

  /** Gives the memory back; nothing is stored after. */
  release(): void {
    freeNow(this.chunks.map((c) => c.buffer as ArrayBuffer));
    this.chunks.length = 0;
    this.length = 0;
  }
}

/** Counts of one document's units are far below 2^31, but a wrong number must never pass silently. */
function fits(v: number): void {
  if (!Number.isInteger(v) || v > 0x7fffffff || v < -0x80000000) throw new Error(`Agreement rows: ${v} does not fit a stored count.`);
}

/** Numbers written one after another and read back in the same order, once. */
export class Tape {
  private readonly chunks: Float64Array[] = [];
  private size = 0;

  push(v: number): void {
    if (this.size % PER_CHUNK === 0) this.chunks.push(new Float64Array(PER_CHUNK));
    this.chunks[Math.floor(this.size / PER_CHUNK)]![this.size % PER_CHUNK] = v;
    this.size++;
  }

  /** Reads the numbers from the first: each call returns the next one. */
  reader(): () => number {
    let at = 0;
    return () => {
      if (at >= this.size) throw new Error('Tape: read past the last number written.');
      const v = this.chunks[Math.floor(at / PER_CHUNK)]![at % PER_CHUNK]!;
      at++;
      return v;
    };
  }

  /** Gives the memory back; nothing is stored after. */
  release(): void {
    freeNow(this.chunks.map((c) => c.buffer as ArrayBuffer));
    this.chunks.length = 0;
    this.size = 0;
  }
}
