import { unzipSync, type Unzipped } from 'fflate';
import { MarginaliaError } from '../errors';

/** The largest file an import reads; larger ones are refused before they are decoded. */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;
/** What a zipped document (.docx, .odt, .xlsx) may expand to, all entries together. */
export const MAX_EXPANDED_BYTES = 200 * 1024 * 1024;
/** More entries than any real office document has; a guard against archives of tiny files. */
export const MAX_ZIP_ENTRIES = 20_000;

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

export function isZip(bytes: Uint8Array): boolean {
  return ZIP_MAGIC.every((b, i) => bytes[i] === b);
}

/** The entry names of a zip archive, read from its directory without inflating anything. */
export function zipEntryNames(bytes: Uint8Array, file: string, what: string): string[] {
  const names: string[] = [];
  try {
    unzipSync(bytes, {
      filter: (entry) => {
        names.push(entry.name);
        return false;
      },
    });
  } catch {
    throw damagedZip(file, what);
  }
  return names;
}

/**
 * Inflates the wanted entries of a zip archive, refusing it first when its declared sizes add
 * up past MAX_EXPANDED_BYTES: a zip bomb is stopped before a byte is inflated. fflate inflates
 * each entry into a buffer of its declared size, so an archive that lies about a size cannot
 * grow past it either.
 */
export function safeUnzip(bytes: Uint8Array, file: string, what: string, wanted: (name: string) => boolean): Unzipped {
  checkZipSizes(bytes, file, what);
  try {
    return unzipSync(bytes, { filter: (entry) => wanted(entry.name) });
  } catch {
    throw damagedZip(file, what);
  }
}

const damagedZip = (file: string, what: string) =>
  new MarginaliaError('invalid_input', `${file}: not a valid ${what} (the file is damaged or only partly saved); open and save it again, then import it.`);

/** Refuses an archive whose declared sizes add up past MAX_EXPANDED_BYTES, before inflating it. */
export function checkZipSizes(bytes: Uint8Array, file: string, what: string): void {
  let total = 0;
  let entries = 0;
  try {
    unzipSync(bytes, {
      filter: (entry) => {
        entries++;
        total += entry.originalSize;
        return false;
      },
    });
  } catch {
    throw damagedZip(file, what);
  }
  if (entries > MAX_ZIP_ENTRIES || total > MAX_EXPANDED_BYTES) {
    throw new MarginaliaError(
      'too_large',
      `${file}: expands to ${Math.round(total / 1024 / 1024)} MB in ${entries} parts, past the ${MAX_EXPANDED_BYTES / 1024 / 1024} MB an import allows; it is refused as a possible zip bomb.`,
    );
  }
}
