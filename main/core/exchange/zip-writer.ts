import { constants, deflateRawSync } from 'node:zlib';
import { Zip, ZipPassThrough, strToU8 } from 'fflate';

/** Zip entries get this time, not the clock's, so exporting twice gives the same bytes. */
export const FIXED_ZIP_TIME = new Date('2000-01-01T00:00:00Z');

/** Text gathered before it is compressed: deflate works on pieces of this size, not on every line. */
const PIECE = 1 << 20;

/**
 * A zip entry deflated by Node's zlib (level 6) rather than fflate's JavaScript deflate, which
 * took half the CPU time of a .qdpx. Each piece is compressed on its own and ends with a sync
 * flush (the last with the final block): the pieces join into one valid deflate stream, and a
 * piece of a megabyte loses nothing worth having to the history it does not share.
 */
class NodeDeflate extends ZipPassThrough {
  constructor(name: string) {
    super(name);
    this.compression = 8;
  }

  protected override process(chunk: Uint8Array, final: boolean): void {
    this.ondata(null, deflateRawSync(chunk, { level: 6, finishFlush: final ? constants.Z_FINISH : constants.Z_SYNC_FLUSH }), final);
  }
}

/** One file of the archive being written: its content in pieces, then `end`. */
export interface ZipEntry {
  write(text: string): void;
  end(): void;
}

/**
 * A zip archive written as it is made (fflate's streaming Zip, deflated by zlib): each entry's
 * compressed bytes go to `out` as they come, so neither the archive nor any file in it is held
 * whole. Entries are written one after another; an entry is ended before the next is opened.
 */
export class ZipWriter {
  private readonly zip: Zip;
  private failure: Error | null = null;
  private open = false;

  constructor(out: (bytes: Uint8Array) => void) {
    this.zip = new Zip((err, chunk) => {
      if (err) this.failure ??= err;
      else out(chunk);
    });
  }

  entry(name: string): ZipEntry {
    if (this.open) throw new Error(`ZipWriter: ${name} opened before the entry before it was ended`);
    this.open = true;
    const file = new NodeDeflate(name);
    file.mtime = FIXED_ZIP_TIME;
    this.zip.add(file);
    let parts: string[] = [];
    let size = 0;
    const push = (final: boolean) => {
      file.push(strToU8(parts.join('')), final);
      parts = [];
      size = 0;
      this.check();
    };
    return {
      write: (text) => {
        parts.push(text);
        size += text.length;
        if (size >= PIECE) push(false);
      },
      end: () => {
        push(true);
        this.open = false;
      },
    };
  }

  /** A whole (small) file at once. */
  file(name: string, text: string): void {
    const entry = this.entry(name);
    entry.write(text);
    entry.end();
  }

  /** An empty folder entry ("sources/"), stored. */
  folder(name: string): void {
    const dir = new ZipPassThrough(name);
    dir.mtime = FIXED_ZIP_TIME;
    this.zip.add(dir);
    dir.push(new Uint8Array(0), true);
    this.check();
  }

  /** Writes the central directory: the archive is complete. */
  end(): void {
    this.zip.end();
    this.check();
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}

/** What a writer into a ZipWriter builds, as bytes in memory: for small archives and tests. */
export async function zipToBytes(fill: (zip: ZipWriter) => Promise<void>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const zip = new ZipWriter((bytes) => chunks.push(bytes));
  await fill(zip);
  zip.end();
  return Buffer.concat(chunks);
}
