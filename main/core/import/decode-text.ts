import iconv from 'iconv-lite';
import jschardet from 'jschardet';
import { MarginaliaError } from '../errors';

export interface DecodedText {
  text: string;
  /** The encoding the bytes were read as, recorded in documents.source_encoding. */
  encoding: string;
}

/** Guesses UTF-16 without a BOM: text in Latin or Cyrillic script has a zero in every other byte. */
function utf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  if (bytes.length < 4 || bytes.length % 2 !== 0) return null;
  const n = Math.min(bytes.length, 4096);
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZero++;
    if (bytes[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero > pairs * 0.4 && evenZero < pairs * 0.05) return 'utf-16le';
  if (evenZero > pairs * 0.4 && oddZero < pairs * 0.05) return 'utf-16be';
  return null;
}

/**
 * jschardet reports most Windows-1251 text as x-mac-cyrillic: the two agree on lower case
 * (0xE0–0xFE) and differ on capitals (Mac 0x80–0x9F, Windows 0xC0–0xDF). Mac Cyrillic files
 * are rare now, so it is Mac only when its capitals outnumber the Windows ones.
 */
function macOrWindowsCyrillic(bytes: Uint8Array): string {
  let mac = 0;
  let win = 0;
  for (const b of bytes) {
    if (b >= 0x80 && b <= 0x9f) mac++;
    else if (b >= 0xc0 && b <= 0xdf) win++;
  }
  return mac > win ? 'maccyrillic' : 'windows-1251';
}

/** jschardet names a few encodings differently from iconv-lite, or too narrowly. */
function iconvName(detected: string, bytes: Uint8Array): string {
  const name = detected.toLowerCase();
  if (name === 'x-mac-cyrillic' || name === 'maccyrillic') return macOrWindowsCyrillic(bytes);
  if (name === 'ascii') return 'utf-8';
  // Western text without the C1 range is reported as ISO-8859-1, but Windows-1252 is a
  // superset that also reads curly quotes and dashes correctly.
  if (name === 'iso-8859-1') return 'windows-1252';
  return name;
}

/**
 * Reads the bytes of a text file: a BOM decides; otherwise valid UTF-8 is UTF-8; otherwise
 * the legacy encoding jschardet detects (Windows-1251, Windows-1252, KOI8-R, …).
 */
export function decodeText(bytes: Uint8Array, file: string): DecodedText {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  const utf16 = utf16WithoutBom(bytes);
  if (utf16) return { text: new TextDecoder(utf16).decode(bytes), encoding: utf16 };
  if (bytes.includes(0)) {
    throw new MarginaliaError('unsupported', `${file}: looks like a binary file, not text; convert it to .txt, .docx or .pdf first.`);
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    // Not UTF-8: a legacy single-byte encoding, detected below.
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const candidates = jschardet.detectAll(buffer, { minimumThreshold: 0.1 });
  for (const c of candidates) {
    const name = iconvName(c.encoding, bytes);
    if (name !== 'utf-8' && iconv.encodingExists(name)) return { text: iconv.decode(buffer, name), encoding: name };
  }
  // Every byte means something in Windows-1252, so it never fails; it is the most common
  // legacy encoding of Western news archives.
  return { text: iconv.decode(buffer, 'windows-1252'), encoding: 'windows-1252' };
}
