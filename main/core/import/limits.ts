import { unzipSync, type Unzipped } from 'fflate';
import { MarginaliaError } from '../errors';
import { damagedZip, inflateZip, storedZip } from '../security/zip';

/** The largest file an import reads; larger ones are refused before they are decoded. */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;
/** What a zipped document (.docx, .odt, .xlsx) may expand to, all entries together. */
export const MAX_EXPANDED_BYTES = 200 * 1024 * 1024;
/** More entries than any real office document has; a guard against archives of tiny files. */
export const MAX_ZIP_ENTRIES = 20_000;
/** The longest document an import stores, in characters (about 10,000 pages); longer ones are refused. */
export const MAX_DOCUMENT_CHARS = 20_000_000;

/** The refusal of a document past MAX_DOCUMENT_CHARS, in the words the user reads. */
export function documentTooLong(file: string, chars: number | null): MarginaliaError {
  const size = chars === null ? 'longer than' : `${(chars / 1_000_000).toFixed(1)} million characters, more than`;
  return new MarginaliaError(
    'too_large',
    `${file}: the text is ${size} the ${MAX_DOCUMENT_CHARS / 1_000_000} million characters a document may have; split it into smaller files and import those.`,
  );
}

/**
 * A lower bound on the characters a plain-text file decodes to, from its bytes alone: so a
 * text far past MAX_DOCUMENT_CHARS is refused before it is decoded into a string. UTF-16
 * (two bytes a character) by its BOM; otherwise the bytes that start a UTF-8 character, which
 * is exact for UTF-8 and fewer than the characters of a one-byte legacy encoding.
 */
export function textCharsAtLeast(bytes: Uint8Array): number {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return Math.floor(bytes.length / 2) - 1;
  let n = 0;
  for (let i = 0; i < bytes.length; i++) if ((bytes[i]! & 0xc0) !== 0x80) n++;
  // UTF-16 without a BOM has a zero in every other byte: half the bytes at least.
  return bytes.includes(0) ? Math.floor(bytes.length / 2) : n;
}

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
 * Inflates the wanted entries of a zip archive through a streaming inflater that counts the
 * real bytes it makes and stops at MAX_EXPANDED_BYTES: the sizes the zip declares are never
 * trusted, so a zip bomb that understates them is stopped, and an entry that understates its
 * size is read whole, not cut to it.
 */
export function safeUnzip(
  bytes: Uint8Array,
  file: string,
  what: string,
  wanted: (name: string) => boolean,
  maxBytes = MAX_EXPANDED_BYTES,
  inspect?: (name: string, chunk: Uint8Array) => void,
): Unzipped {
  // What the archive declares is checked first, as a cheap early refusal; what it really
  // holds is then counted as it is inflated.
  checkZipSizes(bytes, file, what, maxBytes);
  return inflateZip(bytes, { file, what, wanted, maxBytes, maxEntries: MAX_ZIP_ENTRIES, ...(inspect ? { inspect } : {}) });
}

/**
 * Counts, as an XML part is inflated, an upper bound on its text's characters (the UTF-8
 * characters outside its tags) and refuses the document once it is past MAX_DOCUMENT_CHARS: a
 * document of 190 million characters stops being inflated at about 21 million.
 */
export function xmlTextLimit(file: string, part: string): (name: string, chunk: Uint8Array) => void {
  let n = 0;
  let inTag = false;
  const max = MAX_DOCUMENT_CHARS * 1.05;
  return (name, chunk) => {
    if (name !== part) return;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === 0x3c) inTag = true;
      else if (b === 0x3e) inTag = false;
      else if (!inTag && (b & 0xc0) !== 0x80) n++;
    }
    if (n > max) throw documentTooLong(file, null);
  };
}

/**
 * The archive with its wanted entries verified (inflated, counted) and stored uncompressed,
 * for a library that reads the zip itself (mammoth, read-excel-file): it inflates nothing.
 */
export function verifiedZip(bytes: Uint8Array, file: string, what: string, wanted: (name: string) => boolean): Buffer {
  const zip = storedZip(safeUnzip(bytes, file, what, wanted));
  return Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
}


/** Embedded pictures and objects: no text in them, so they are not inflated for text extraction. */
export const isMediaEntry = (name: string): boolean => /^(word|xl|ppt)\/(media|embeddings)\//i.test(name) || /^Pictures\//.test(name);

/** Refuses an archive whose declared sizes add up past the limit, before inflating it (an early refusal only: declared sizes can lie low). */
export function checkZipSizes(bytes: Uint8Array, file: string, what: string, maxBytes = MAX_EXPANDED_BYTES): void {
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
  if (entries > MAX_ZIP_ENTRIES || total > maxBytes) {
    throw new MarginaliaError(
      'too_large',
      `${file}: expands to ${Math.round(total / 1024 / 1024)} MB in ${entries} parts, past the ${maxBytes / 1024 / 1024} MB an import allows; it is refused as a possible zip bomb.`,
    );
  }
}
