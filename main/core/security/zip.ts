import { Unzip, UnzipInflate, zipSync, type Unzipped, type UnzipFile } from 'fflate';
import { MarginaliaError } from '../errors';

/**
 * Reading zip archives from outside (.docx, .odt, .xlsx, .qdpx) without trusting them. Every
 * entry is inflated through fflate's streaming inflater, fed a little compressed data at a
 * time, and its real output bytes are counted: the sizes a zip's headers declare are never
 * used, so an archive that understates them is read whole (or refused at the limit), never
 * cut to what it declared nor inflated past the limit.
 */

/** Compressed bytes handed to the inflater per step: at deflate's most (about 1:1032) one step makes under 17 MB. */
const STEP = 16 * 1024;

export interface InflateOptions {
  /** The file as the user knows it, for messages. */
  file: string;
  /** What kind of file it is, for messages ("Word document (.docx)"). */
  what: string;
  /** Which entries to inflate (by their name in the archive); the others are skipped unread. */
  wanted: (name: string) => boolean;
  /** The real bytes all wanted entries may inflate to, together. */
  maxBytes: number;
  /** More entries than this (wanted or not) and the archive is refused. */
  maxEntries?: number;
  /** Sees each inflated chunk of a wanted entry as it comes; may throw to stop reading (a text already past its limit). */
  inspect?: (name: string, chunk: Uint8Array) => void;
}

class TooLarge extends Error {}

export const damagedZip = (file: string, what: string) =>
  new MarginaliaError('invalid_input', `${file}: not a valid ${what} (the file is damaged or only partly saved); open and save it again, then import it.`);

const mb = (n: number) => Math.round(n / 1024 / 1024);

/** Inflates the wanted entries of an archive, counting real output bytes; throws naming the file and the limit when they pass it. */
export function inflateZip(bytes: Uint8Array, options: InflateOptions): Unzipped {
  const { file, what, wanted, maxBytes } = options;
  const maxEntries = options.maxEntries ?? 20_000;
  const out: Unzipped = Object.create(null) as Unzipped;
  let total = 0;
  let entries = 0;
  let failure: Error | null = null;
  const unzip = new Unzip((entry: UnzipFile) => {
    entries++;
    if (failure) return;
    if (entries > maxEntries) {
      failure = new MarginaliaError('too_large', `${file}: has more than ${maxEntries} parts, more than any real ${what} has; it is refused as a possible zip bomb.`);
      return;
    }
    if (!wanted(entry.name)) return;
    const chunks: Uint8Array[] = [];
    let size = 0;
    entry.ondata = (err, data, final) => {
      if (failure) return;
      if (err) {
        failure = err;
        return;
      }
      size += data.length;
      total += data.length;
      if (total > maxBytes) {
        failure = new TooLarge();
        chunks.length = 0;
        entry.terminate();
        return;
      }
      if (data.length) {
        try {
          options.inspect?.(entry.name, data);
        } catch (e) {
          failure = e as Error;
          chunks.length = 0;
          entry.terminate();
          return;
        }
        chunks.push(data);
      }
      if (final) out[entry.name] = join(chunks, size);
    };
    entry.start();
  });
  unzip.register(UnzipInflate);
  try {
    for (let i = 0; i < bytes.length && !failure; i += STEP) unzip.push(bytes.subarray(i, Math.min(bytes.length, i + STEP)), i + STEP >= bytes.length);
  } catch (err) {
    failure ??= err as Error;
  }
  if (failure instanceof TooLarge) {
    throw new MarginaliaError(
      'too_large',
      `${file}: expands to more than the ${mb(maxBytes)} MB an import allows (whatever its zip headers say); it is refused as a possible zip bomb. If it is a real ${what}, save it without large embedded files and import it again.`,
    );
  }
  if (failure instanceof MarginaliaError) throw failure;
  if (failure || entries === 0) throw damagedZip(file, what);
  return out;
}

function join(chunks: Uint8Array[], size: number): Unzipped[string] {
  if (chunks.length === 1) return chunks[0] as Unzipped[string];
  const all = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

/**
 * Re-packs verified entries as a zip that stores them uncompressed, for libraries that read
 * a zip themselves (mammoth, read-excel-file): they find nothing left to inflate, so what
 * they hold is what was counted here.
 */
export function storedZip(entries: Unzipped): Uint8Array {
  return zipSync(entries, { level: 0 });
}
