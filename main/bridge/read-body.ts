import type { IncomingMessage } from 'node:http';
import { closeSync, createWriteStream, existsSync, ftruncateSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { tempFolder } from '../core/files/temp-files';
import { MarginaliaError } from '../core/errors';
import { base64Fault, discardUploads, storeUpload, type StoredUpload } from '../core/files/uploads';

/** Why a body was not read: too large (413) or not JSON (400). */
export class BodyError extends Error {
  constructor(
    readonly status: 413 | 400,
    message: string,
  ) {
    super(message);
  }
}

/** Strings longer than this (file contents) stay in the temporary file until the parsed body needs them. */
const LONG_STRING = 1024 * 1024;
/** How much of the temporary file is read at once while scanning it. */
const SCAN_CHUNK = 4 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Reads the request into memory, counting bytes as they arrive: past `limit` it stops
 * reading (the rest never enters memory) and rejects with a 413.
 */
export function readSmallBody(req: IncomingMessage, limit: number, tooLarge: () => string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(new BodyError(413, tooLarge()));
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Streams the request to `path`, counting bytes; past `limit` it stops and rejects with a 413. */
function streamToFile(req: IncomingMessage, path: string, limit: number, tooLarge: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path, { flags: 'wx' });
    let size = 0;
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      req.unpipe(out);
      req.pause();
      out.destroy();
      reject(err);
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) fail(new BodyError(413, tooLarge()));
    });
    req.on('error', fail);
    out.on('error', fail);
    out.on('finish', () => {
      if (!failed) resolve(size);
    });
    req.pipe(out);
  });
}

/**
 * Parses the JSON in `path` holding only its short parts in memory at first: each long
 * string (a file's base64) is left in the file while the rest is parsed, then read straight
 * into its place. The body is never held as one buffer, one string and a parsed copy at once.
 * `tuning` is for tests, which cut strings and chunks small to reach every boundary.
 */
export function parseJsonFile(
  path: string,
  size: number,
  tuning = { longString: LONG_STRING, chunk: SCAN_CHUNK },
  /** Given, each long `dataBase64` string is handed to it (its quotes at start and end) and replaced by what it answers. */
  storeFile?: (fd: number, start: number, end: number) => string,
): unknown {
  const fd = openSync(path, 'r');
  try {
    const marker = `\u0000long-string-${randomBytes(8).toString('hex')}:`;
    const skeleton: Buffer[] = [];
    const longStrings: { start: number; end: number }[] = [];
    const chunk = Buffer.alloc(Math.min(tuning.chunk, Math.max(1, size)));
    let inString = false;
    let stringStart = 0;
    let skipNext = false;
    for (let base = 0; base < size; ) {
      const n = readSync(fd, chunk, 0, chunk.length, base);
      if (n === 0) break;
      let i = 0;
      if (skipNext) {
        i = 1;
        skipNext = false;
      }
      while (i < n) {
        if (!inString) {
          const q = chunk.indexOf(QUOTE, i);
          const stop = q === -1 || q >= n ? n : q;
          skeleton.push(Buffer.from(chunk.subarray(i, stop)));
          if (stop === n) break;
          inString = true;
          stringStart = base + q;
          i = q + 1;
          continue;
        }
        const q = chunk.indexOf(QUOTE, i);
        const b = chunk.indexOf(BACKSLASH, i);
        const quote = q === -1 || q >= n ? -1 : q;
        const escape = b === -1 || b >= n ? -1 : b;
        if (escape !== -1 && (quote === -1 || escape < quote)) {
          // Skip the escaped character, which may be the first of the next chunk.
          if (escape + 1 >= n) skipNext = true;
          i = escape + 2;
          continue;
        }
        if (quote === -1) break;
        const end = base + quote;
        inString = false;
        i = quote + 1;
        if (end + 1 - stringStart <= tuning.longString) {
          const copy = Buffer.alloc(end + 1 - stringStart);
          readSync(fd, copy, 0, copy.length, stringStart);
          skeleton.push(copy);
        } else {
          skeleton.push(Buffer.from(JSON.stringify(`${marker}${longStrings.length}`)));
          longStrings.push({ start: stringStart, end });
        }
      }
      base += n;
    }
    const text = Buffer.concat(skeleton).toString('utf8');
    const isLong = (v: unknown): v is string => typeof v === 'string' && v.startsWith(marker);
    const longString = (placeholder: string): string => {
      const { start, end } = longStrings[Number(placeholder.slice(marker.length))]!;
      const raw = Buffer.alloc(end + 1 - start);
      readSync(fd, raw, 0, raw.length, start);
      // Without escapes, a JSON string is its UTF-8 bytes between the quotes.
      return raw.includes(BACKSLASH) ? (JSON.parse(raw.toString('utf8')) as string) : raw.toString('utf8', 1, raw.length - 1);
    };
    return JSON.parse(text, (key, value: unknown) => {
      if (isLong(value) && key === 'dataBase64' && storeFile) {
        const { start, end } = longStrings[Number(value.slice(marker.length))]!;
        return storeFile(fd, start, end);
      }
      if (isLong(value)) return longString(value);
      // A long key too (fromEntries makes own properties, so even "__proto__" stays a key).
      if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).some(isLong)) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [isLong(k) ? longString(k) : k, v]));
      }
      return value;
    });
  } finally {
    closeSync(fd);
  }
}

/** An upload the temporary folder could not take (a full disk, no permission), in words. */
function notStored(err: unknown): MarginaliaError {
  const full = (err as { code?: string }).code === 'ENOSPC';
  return new MarginaliaError(
    'io',
    `The files sent could not be stored in the temporary folder ${tmpdir()}${full ? ': its disk is full' : ''}, so nothing was done with them. ${full ? 'Free some space there' : 'Check that the folder exists and can be written to'}, then try again.`,
  );
}

/** Base64 is decoded this many characters at a time: a multiple of 4, so each piece decodes on its own. */
const DECODE_CHUNK = 4 * 1024 * 1024;

/**
 * Decodes the JSON string between the quotes at `start` and `end` of the body file `fd`, a
 * file's base64, into a new file `out` (mode 0600), a piece at a time: neither the base64 nor
 * the file is ever held whole. A character outside base64 stops it and is recorded (for the
 * handler to name the file); a string written with JSON escapes (which no app sends) is
 * unescaped in memory first.
 */
export function decodeBase64ToFile(fd: number, start: number, end: number, out: string, chunk = DECODE_CHUNK): StoredUpload {
  const target = openSync(out, 'wx', 0o600);
  try {
    const first = start + 1;
    const buf = Buffer.alloc(Math.max(4, Math.min(chunk - (chunk % 4), end - first)));
    let size = 0;
    for (let pos = first; pos < end; ) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
      if (n === 0) break;
      if (buf.subarray(0, n).includes(BACKSLASH)) return decodeEscaped(fd, start, end, target, out);
      const text = buf.toString('latin1', 0, n);
      const fault = base64Fault(text, pos - first, pos + n >= end);
      if (fault) {
        ftruncateSync(target, 0);
        return { path: out, size: 0, error: fault };
      }
      size += writeSync(target, Buffer.from(text, 'base64'));
      pos += n;
    }
    return { path: out, size };
  } finally {
    closeSync(target);
  }
}

function decodeEscaped(fd: number, start: number, end: number, target: number, out: string): StoredUpload {
  const raw = Buffer.alloc(end + 1 - start);
  readSync(fd, raw, 0, raw.length, start);
  const text = JSON.parse(raw.toString('utf8')) as string;
  const fault = base64Fault(text, 0, true);
  if (fault) return { path: out, size: 0, error: fault };
  return { path: out, size: writeSync(target, Buffer.from(text, 'base64')) };
}

/** Upload folders of requests still being handled (or of import jobs still reading their files), removed at exit. */
const liveFolders = new Set<string>();
let exitHook = false;
function track(folder: string): void {
  liveFolders.add(folder);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const f of liveFolders) rmSync(f, { recursive: true, force: true });
  });
}

/** A parsed upload body, and the tokens of the files it stored (see core/files/uploads). */
export interface UploadBody {
  input: unknown;
  /** Stored files: once the request is answered, `discardUploads` removes those no handler took. */
  stored: string[];
}

/**
 * Reads an upload (a body that carries files) through a temporary file: counted as it
 * streams, stopped past `limit`, parsed with the files' base64 read straight from the file.
 * With `storeFiles`, each file's base64 is decoded as it is read into a temporary file of its
 * own that the handler reads (and removes), so the file is never in memory in the app; else
 * it is read into its place in the input. The body's temporary file is removed whatever
 * happens.
 */
export async function readUploadBody(req: IncomingMessage, limit: number, tooLarge: () => string, storeFiles = false): Promise<UploadBody> {
  let folder: string;
  try {
    folder = tempFolder('upload');
  } catch (err) {
    throw notStored(err);
  }
  const stored: string[] = [];
  track(folder);
  let kept = false;
  try {
    const path = join(folder, 'body.json');
    const size = await streamToFile(req, path, limit, tooLarge).catch((err: unknown) => {
      throw err instanceof BodyError ? err : notStored(err);
    });
    if (size === 0) return { input: {}, stored };
    const storeFile = (fd: number, start: number, end: number): string => {
      let upload: StoredUpload;
      try {
        upload = decodeBase64ToFile(fd, start, end, join(folder, `file-${stored.length + 1}`));
      } catch (err) {
        if (err instanceof SyntaxError) throw err;
        throw notStored(err);
      }
      const token = storeUpload(upload);
      stored.push(token);
      return token;
    };
    let input: unknown;
    try {
      input = parseJsonFile(path, size, undefined, storeFiles ? storeFile : undefined);
    } catch (err) {
      if (err instanceof SyntaxError) throw new BodyError(400, 'The request body is not JSON.');
      throw err;
    }
    rmSync(path, { force: true });
    kept = stored.length > 0;
    return { input, stored };
  } catch (err) {
    discardUploads(stored);
    throw err;
  } finally {
    if (!kept) {
      rmSync(folder, { recursive: true, force: true });
      liveFolders.delete(folder);
    }
  }
}

/** Once a request is answered: removes its stored files no handler took, and forgets its folder when it is gone. */
export function afterUpload(body: UploadBody): void {
  discardUploads(body.stored);
  for (const f of liveFolders) if (!existsSync(f)) liveFolders.delete(f);
}
