/**
 * Compact storage for the agreement CSV's rows of every document. The CSV lists them code by
 * code, but they are computed document by document, so they are all held until the end: as
 * objects (one per code × document, 2.1 million at 100,000 documents) they took 820 MB; as
 * numbers in typed arrays, a few tens. The records are kept in chunks, so that growing never
 * copies what is already stored.
 */

const PER_CHUNK = 8192;

/** Records of `floats` doubles and `ints` 32-bit integers each, numbered from 0 as they are added. */
export class Records {
  private readonly floatChunks: Float64Array[] = [];
  private readonly intChunks: Int32Array[] = [];
  length = 0;

  constructor(
    private readonly floats: number,
    private readonly ints: number,
  ) {}

  /** A new record (all zeros); returns its number. */
  add(): number {
    if (this.length % PER_CHUNK === 0) {
      this.floatChunks.push(new Float64Array(PER_CHUNK * this.floats));
      this.intChunks.push(new Int32Array(PER_CHUNK * this.ints));
    }
    return this.length++;
  }

  float(i: number, f: number): number {
    return this.floatChunks[Math.floor(i / PER_CHUNK)]![(i % PER_CHUNK) * this.floats + f]!;
  }

  setFloat(i: number, f: number, v: number): void {
    this.floatChunks[Math.floor(i / PER_CHUNK)]![(i % PER_CHUNK) * this.floats + f] = v;
  }

  int(i: number, f: number): number {
    return this.intChunks[Math.floor(i / PER_CHUNK)]![(i % PER_CHUNK) * this.ints + f]!;
  }

  setInt(i: number, f: number, v: number): void {
    this.intChunks[Math.floor(i / PER_CHUNK)]![(i % PER_CHUNK) * this.ints + f] = v;
  }
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
}
