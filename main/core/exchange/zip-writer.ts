import { constants, crc32, deflateRawSync } from 'node:zlib';
import { strToU8 } from 'fflate';

/** Zip entries get this time, not the clock's, so exporting twice gives the same bytes. */
export const FIXED_ZIP_TIME = new Date('2000-01-01T00:00:00Z');

/** Text gathered before it is compressed: deflate works on pieces of this size, not on every line. */
const PIECE = 1 << 20;

/** What the central directory says of an entry once it has been written. */
interface Written {
  /** As a string, not its bytes: a small typed array costs more than the text it holds. */
  name: string;
  /** 8 deflated, 0 stored. */
  method: number;
  crc: number;
  compressed: number;
  size: number;
  /** Where its local header starts in the archive. */
  offset: number;
}

/** The MS-DOS date and time of the fixed entry time, in local time as zip readers show it. */
function dosTime(t: Date): number {
  const y = t.getFullYear() - 1980;
  return ((y << 25) | ((t.getMonth() + 1) << 21) | (t.getDate() << 16) | (t.getHours() << 11) | (t.getMinutes() << 5) | (t.getSeconds() >> 1)) >>> 0;
}
const DOS_TIME = dosTime(FIXED_ZIP_TIME);

/** Zip's largest size and offset without Zip64, which this writer does not write. */
const ZIP32_LIMIT = 0xffffffff;

/** The Zip64 end of central directory record and its locator, for an archive of more than 65,535 entries. */
function zip64End(count: number, dirSize: number, dirOffset: number, at: number): Buffer {
  const out = Buffer.alloc(56 + 20);
  out.writeUInt32LE(0x06064b50, 0);
  out.writeBigUInt64LE(44n, 4); // the record's size after this field
  out.writeUInt16LE(45, 12); // made by: zip 4.5 (Zip64)
  out.writeUInt16LE(45, 14); // needed to extract
  out.writeBigUInt64LE(BigInt(count), 24);
  out.writeBigUInt64LE(BigInt(count), 32);
  out.writeBigUInt64LE(BigInt(dirSize), 40);
  out.writeBigUInt64LE(BigInt(dirOffset), 48);
  out.writeUInt32LE(0x07064b50, 56);
  out.writeBigUInt64LE(BigInt(at), 64);
  out.writeUInt32LE(1, 72); // disks in all
  return out;
}

/** One file of the archive being written: its content in pieces, then `end`. */
export interface ZipEntry {
  write(text: string): void;
  end(): void;
}

/**
 * A zip archive written as it is made: each entry's local header, its deflated pieces and a
 * data descriptor (sizes and CRC after the data) go to `out` as they come, so neither the
 * archive nor any file in it is held whole; the central directory at the end is made from a
 * few numbers kept per entry. The layout is the one fflate's streaming Zip wrote (which kept
 * about a kilobyte of objects per entry: 100 MB for the 100,000 texts of a .qdpx), byte for
 * byte. Deflate is Node's zlib (level 6), which took half the CPU time of fflate's JavaScript
 * deflate: each piece of a megabyte is compressed on its own and ends with a sync flush (the
 * last with the final block), so the pieces join into one valid deflate stream. Entries are
 * written one after another; an entry is ended before the next is opened.
 */
export class ZipWriter {
  private readonly written: Written[] = [];
  private offset = 0;
  private open = false;

  constructor(private readonly out: (bytes: Uint8Array) => void) {}

  entry(name: string): ZipEntry {
    const entry = this.begin(name, 8);
    let crc = 0;
    let size = 0;
    let compressed = 0;
    let parts: string[] = [];
    let pending = 0;
    const push = (final: boolean) => {
      const raw = strToU8(parts.join(''));
      parts = [];
      pending = 0;
      crc = crc32(raw, crc);
      size += raw.length;
      const deflated = deflateRawSync(raw, { level: 6, finishFlush: final ? constants.Z_FINISH : constants.Z_SYNC_FLUSH });
      compressed += deflated.length;
      this.emit(deflated);
    };
    return {
      write: (text) => {
        parts.push(text);
        pending += text.length;
        if (pending >= PIECE) push(false);
      },
      end: () => {
        push(true);
        this.finish(entry, crc, compressed, size);
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
    this.finish(this.begin(name, 0), 0, 0, 0);
  }

  /** Writes the central directory: the archive is complete. */
  end(): void {
    if (this.open) throw new Error('ZipWriter: the archive was ended before its last entry');
    const names = this.written.map((w) => strToU8(w.name));
    const size = names.reduce((n, name) => n + 46 + name.length, 0);
    const dir = Buffer.alloc(size + 22);
    let at = 0;
    for (const [i, w] of this.written.entries()) {
      const name = names[i]!;
      dir.writeUInt32LE(0x02014b50, at);
      dir[at + 4] = 20; // made by: zip 2.0, MS-DOS
      dir[at + 6] = 20; // needed to extract: 2.0
      this.flags(dir, at + 8, name);
      dir.writeUInt16LE(w.method, at + 10);
      dir.writeUInt32LE(DOS_TIME, at + 12);
      dir.writeUInt32LE(w.crc, at + 16);
      dir.writeUInt32LE(w.compressed, at + 20);
      dir.writeUInt32LE(w.size, at + 24);
      dir.writeUInt16LE(name.length, at + 28);
      dir.writeUInt32LE(w.offset, at + 42);
      dir.set(name, at + 46);
      at += 46 + name.length;
    }
    this.limit(this.offset, 'the archive');
    const start = this.offset;
    const count = this.written.length;
    this.emit(dir.subarray(0, at));
    // More entries than the end record's 16 bits hold (a .qdpx of 100,000 texts): their number is
    // in a Zip64 end record before it, and the end record says 0xFFFF. fflate wrote the count
    // modulo 65,536 there, and its reader, ours, then saw a third of such an archive's texts.
    if (count > 0xffff) this.emit(zip64End(count, size, start, this.offset));
    const end = dir.subarray(at);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(Math.min(count, 0xffff), 8);
    end.writeUInt16LE(Math.min(count, 0xffff), 10);
    end.writeUInt32LE(size, 12);
    end.writeUInt32LE(start, 16);
    this.emit(end);
  }

  /** Opens an entry: its local header, the CRC and sizes left to the data descriptor after its data. */
  private begin(name: string, method: number): Written {
    if (this.open) throw new Error(`ZipWriter: ${name} opened before the entry before it was ended`);
    this.open = true;
    const bytes = strToU8(name);
    if (bytes.length > 0xffff) throw new Error(`ZipWriter: the entry name ${name.slice(0, 80)}… is longer than a zip can hold`);
    const entry: Written = { name, method, crc: 0, compressed: 0, size: 0, offset: this.offset };
    const header = Buffer.alloc(30 + bytes.length);
    header.writeUInt32LE(0x04034b50, 0);
    header[4] = 20;
    this.flags(header, 6, bytes);
    header.writeUInt16LE(method, 8);
    header.writeUInt32LE(DOS_TIME, 10);
    header.writeUInt16LE(bytes.length, 26);
    header.set(bytes, 30);
    this.emit(header);
    return entry;
  }

  private finish(entry: Written, crc: number, compressed: number, size: number): void {
    this.limit(compressed, entry.name);
    this.limit(size, entry.name);
    Object.assign(entry, { crc, compressed, size });
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeUInt32LE(compressed, 8);
    descriptor.writeUInt32LE(size, 12);
    this.emit(descriptor);
    this.written.push(entry);
    this.open = false;
  }

  /** General purpose flags: sizes in a data descriptor (bit 3); the name in UTF-8 (bit 11) when it is not ASCII. */
  private flags(into: Buffer, at: number, name: Uint8Array): void {
    into[at] = 8;
    into[at + 1] = name.some((b) => b > 0x7f) ? 8 : 0;
  }

  private limit(n: number, what: string): void {
    if (n > ZIP32_LIMIT) throw new Error(`ZipWriter: ${what} is over 4 GB, which a zip without Zip64 cannot hold`);
  }

  private emit(bytes: Uint8Array): void {
    this.out(bytes);
    this.offset += bytes.length;
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
