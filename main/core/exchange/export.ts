import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { tempBeside } from '../files/temp-files';
import type { ProjectDb, Reader } from '../db/project-db';
import { projectInfo } from '../project/info';
import { MarginaliaError } from '../errors';
import { CsvWriter, type CsvOptions, type Sink } from './csv';
import { exportBundle, slug, writeBundle } from './bundle';
import { exportQdc, exportQdpx, writeQdpx, type QdpxTarget } from './qdpx-export';
import { ZipWriter } from './zip-writer';
import { TABLE_KINDS, writeTable, type TableKind, type TableOptions } from './tables';

export type ExportFormat = TableKind | 'bundle' | 'qdpx' | 'qdc';
export const EXPORT_FORMATS: readonly ExportFormat[] = [...TABLE_KINDS, 'bundle', 'qdpx', 'qdc'];

export interface ExportOptions extends TableOptions, CsvOptions {
  format: ExportFormat;
  exportedAt?: Date;
  /** For a .qdpx: the program it is for ('nvivo': positions in UTF-16 units). */
  for?: QdpxTarget;
}

export interface ExportedFile {
  fileName: string;
  mime: string;
  bytes: Uint8Array;
}

const isTable = (f: ExportFormat): f is TableKind => (TABLE_KINDS as readonly string[]).includes(f);

export function extensionOf(format: ExportFormat): string {
  return isTable(format) ? 'csv' : format === 'bundle' ? 'zip' : format;
}

export function mimeOf(format: ExportFormat): string {
  if (isTable(format)) return 'text/csv';
  return format === 'qdc' ? 'application/xml' : 'application/zip';
}

/** The file name a download suggests: "<project>-segments.csv", "<project>.qdpx". */
export function suggestedName(projectName: string, format: ExportFormat): string {
  const base = slug(projectName);
  return format === 'qdpx' || format === 'qdc' ? `${base}.${format}` : `${base}-${format === 'bundle' ? 'dataset' : format}.${extensionOf(format)}`;
}

/** One table as CSV text, streamed into `sink`; returns the number of data rows. */
export async function writeCsv(r: Reader, kind: TableKind, options: TableOptions & CsvOptions, sink: Sink): Promise<number> {
  const writer = new CsvWriter(sink, options);
  await writeTable(r, kind, options, writer);
  writer.flush();
  return writer.rows;
}

/** An export held in memory: for downloads from the app. */
export async function exportToBytes(r: Reader, options: ExportOptions): Promise<ExportedFile> {
  const info = await projectInfo(r);
  const fileName = suggestedName(info.name, options.format);
  const mime = mimeOf(options.format);
  if (options.format === 'bundle') return { fileName, mime, bytes: await exportBundle(r, options) };
  if (options.format === 'qdpx') return { fileName, mime, bytes: await exportQdpx(r, { for: options.for }) };
  if (options.format === 'qdc') return { fileName, mime, bytes: await exportQdc(r) };
  const sink = new BytesSink();
  await writeCsv(r, options.format, options, sink);
  return { fileName, mime, bytes: sink.bytes() };
}

/** Collects text as UTF-8 as it comes, so a large table is never one string as well as its bytes. */
class BytesSink implements Sink {
  private readonly chunks: Buffer[] = [];
  write(chunk: string): void {
    this.chunks.push(Buffer.from(chunk, 'utf8'));
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Where an export is written: CSV text as it comes, or a built file's bytes. */
export interface ExportSink extends Sink {
  writeBytes(bytes: Uint8Array): void;
  /** Handed each table's writer, so progress can read its row count. */
  watch?(writer: { readonly rows: number }): void;
  /** Writes out what is buffered. */
  flush(): void;
}

/** Collects text and writes it to a file descriptor in large pieces. */
/** Text turned into UTF-8 and written to a file a megabyte at a time: an export is never held whole. */
export class FileSink implements ExportSink {
  private parts: string[] = [];
  private size = 0;
  /**
   * Where text is encoded before it is written, used again for every write: a new Buffer per
   * 64K chunk is memory outside the JavaScript heap that only a collection frees, and a CSV of
   * 300 MB left 30 MB of them waiting in a process that had just made another.
   */
  private scratch: Buffer | null = null;
  constructor(private readonly fd: number) {}
  write(chunk: string): void {
    this.beforeWrite();
    // A CSV writer's chunk of 64K characters is a string of thousands of pieces (one per cell):
    // held while a megabyte gathers, its pieces outlived the young generation and piled up as
    // old garbage (an agreement CSV of 2.2M rows left 1.6 GB of it). Copied out now, they die young.
    if (chunk.length >= 1 << 16) {
      this.flush();
      this.put(this.encode(chunk));
      return;
    }
    this.parts.push(chunk);
    this.size += chunk.length;
    if (this.size > 1 << 20) this.flush();
  }
  writeBytes(bytes: Uint8Array): void {
    this.beforeWrite();
    this.flush();
    this.put(bytes);
  }
  flush(): void {
    if (this.parts.length === 0) return;
    this.put(this.encode(this.parts.join('')));
    this.parts = [];
    this.size = 0;
  }
  /** `text` as UTF-8, in the scratch buffer (valid until the next write) unless it is very long. */
  private encode(text: string): Uint8Array {
    const most = text.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (most > 1 << 23) return Buffer.from(text, 'utf8');
    if (!this.scratch || this.scratch.length < most) this.scratch = Buffer.allocUnsafe(Math.max(most, 1 << 18));
    return this.scratch.subarray(0, this.scratch.write(text, 0, 'utf8'));
  }
  /** Before every write: where a job's sink stops for Cancel. */
  protected beforeWrite(): void {}
  /** Writes `buf` before it returns: a buffer the sink encoded into is used again by the next write. */
  protected put(buf: Uint8Array): void {
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
  }
}

/**
 * Writes one export into `sink`; returns the data rows of a table (null for the other formats).
 * An export is a long read (one snapshot, on the second connection): a million-row table takes
 * tens of seconds, and coding goes on meanwhile. Tables stream row by row; the bundle and the
 * .qdpx stream into their zip entry by entry, a piece at a time, so no export is held whole
 * (only the .qdc, a codebook, is built whole).
 */
export async function writeExport(db: ProjectDb, options: ExportOptions, sink: ExportSink): Promise<number | null> {
  const format = options.format;
  if (isTable(format)) {
    const rows = await db.readLong(async (r) => {
      const writer = new CsvWriter(sink, options);
      sink.watch?.(writer);
      await writeTable(r, format, options, writer);
      writer.flush();
      return writer.rows;
    });
    sink.flush();
    return rows;
  }
  if (format === 'qdc') {
    sink.writeBytes(await db.read((r) => exportQdc(r)));
    return null;
  }
  await db.readLong(async (r) => {
    const zip = new ZipWriter((bytes) => sink.writeBytes(bytes));
    if (format === 'bundle') await writeBundle(r, options, zip, (writer) => sink.watch?.(writer));
    else await writeQdpx(r, { for: options.for }, zip);
    zip.end();
  });
  sink.flush();
  return null;
}

/**
 * Writes to a temporary name beside `path`, then renames: a failed or interrupted export
 * never leaves a half-written file where the person expects their data.
 */
async function atomicWrite(path: string, fill: (fd: number) => Promise<void>): Promise<void> {
  const tmp = `${tempBeside(path, 'exporting')}.tmp`;
  let fd: number;
  try {
    fd = openSync(tmp, 'wx');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MarginaliaError('io', `${path}: cannot write there, the folder ${dirname(path)} does not exist. Create it or choose another folder.`);
    throw new MarginaliaError('io', `${path}: cannot write there (${code ?? (err as Error).message}). Choose a folder you can write to.`);
  }
  try {
    await fill(fd);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (err) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Writes a small text output (a report's CSV) the same all-or-nothing way as exports. */
export function writeTextFileAtomic(path: string, text: string): Promise<void> {
  return atomicWrite(path, async (fd) => {
    const buf = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off);
  });
}

/** Writes a text output as it is made (a report's CSV of millions of rows), through a FileSink, the same all-or-nothing way as exports. */
export function writeTextFileStreaming(path: string, fill: (sink: FileSink) => void): Promise<void> {
  return atomicWrite(path, async (fd) => {
    const sink = new FileSink(fd);
    fill(sink);
    sink.flush();
  });
}

/** Exports to a file (see writeExport); CSV tables stream row by row, so a large project is never held whole. */
export async function exportToFile(db: ProjectDb, options: ExportOptions, path: string): Promise<{ path: string; bytes: number; rows: number | null }> {
  let rows: number | null = null;
  await atomicWrite(path, async (fd) => {
    rows = await writeExport(db, options, new FileSink(fd));
  });
  return { path, bytes: statSync(path).size, rows };
}
