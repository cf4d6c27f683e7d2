import type { IncomingMessage } from 'node:http';
import { closeSync, createWriteStream, openSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { tempFolder } from '../core/files/temp-files';
import { MarginaliaError } from '../core/errors';

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
export function parseJsonFile(path: string, size: number, tuning = { longString: LONG_STRING, chunk: SCAN_CHUNK }): unknown {
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
    return JSON.parse(text, (_key, value: unknown) => {
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

/**
 * Reads an upload (a body that carries files) through a temporary file: counted as it
 * streams, stopped past `limit`, parsed with the files' base64 read straight from the file.
 * The temporary file is removed whatever happens.
 */
export async function readUploadBody(req: IncomingMessage, limit: number, tooLarge: () => string): Promise<unknown> {
  let folder: string;
  try {
    folder = tempFolder('upload');
  } catch (err) {
    throw notStored(err);
  }
  try {
    const path = join(folder, 'body.json');
    const size = await streamToFile(req, path, limit, tooLarge).catch((err: unknown) => {
      throw err instanceof BodyError ? err : notStored(err);
    });
    if (size === 0) return {};
    try {
      return parseJsonFile(path, size);
    } catch (err) {
      if (err instanceof SyntaxError) throw new BodyError(400, 'The request body is not JSON.');
      throw err;
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
