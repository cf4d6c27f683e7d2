import { randomBytes } from 'node:crypto';
import { readFileSync, rmdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { MarginaliaError } from '../errors';

/**
 * Files sent to the app as base64 (the contract's `dataBase64`). Over the bridge a large one
 * never becomes a string: the bridge decodes it from the request as it streams into a
 * temporary file, and puts a token in `dataBase64` that names that file here. The handler
 * that reads it takes the file (and with it the duty to remove it); what no handler took is
 * removed by the bridge when the request is answered.
 */

/** A file stored on disk for a handler to read. */
export interface StoredUpload {
  /** The temporary file (mode 0600, in a private folder of the system temp folder). */
  path: string;
  size: number;
  /** Why the sent content is not a file (bad base64): the file is then empty. */
  error?: string;
}

/** The content of one uploaded file: in memory (sent through IPC), or in a temporary file. */
export type UploadedContent = { bytes: Uint8Array; stored?: undefined } | { stored: StoredUpload; bytes?: undefined };

/** NUL is never base64, so no file's content can be taken for a token. */
const TOKEN = '\u0000stored-upload:';
const stored = new Map<string, StoredUpload>();

/** Keeps `upload` for a handler and answers the token that stands for it in `dataBase64`. */
export function storeUpload(upload: StoredUpload): string {
  const token = `${TOKEN}${randomBytes(16).toString('hex')}`;
  stored.set(token, upload);
  return token;
}

/** Removes a stored upload's file (and its folder once that is empty). */
export function removeUpload(upload: StoredUpload): void {
  rmSync(upload.path, { force: true });
  try {
    rmdirSync(dirname(upload.path));
  } catch {
    // Other files of the same request are still in it; the last one removes it.
  }
}

/** Removes uploads no handler took (the bridge, once a request is answered). */
export function discardUploads(tokens: Iterable<string>): void {
  for (const token of tokens) {
    const upload = stored.get(token);
    if (!upload) continue;
    stored.delete(token);
    removeUpload(upload);
  }
}

const BASE64 = /[^A-Za-z0-9+/]/;

/**
 * Where `text` (a piece of base64, `offset` characters into the file's) stops being base64:
 * null when every character is of the alphabet; `last` allows the "=" padding at its end.
 */
export function base64Fault(text: string, offset: number, last: boolean): string | null {
  let body = text;
  if (last) body = body.replace(/={1,2}$/, '');
  const at = body.search(BASE64);
  if (at >= 0) {
    const c = body[at]!;
    const shown = /^[\x21-\x7e]$/.test(c) ? `"${c}"` : `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    return `its content is not valid base64 (${shown} at character ${offset + at + 1})`;
  }
  if (last && (offset + body.length) % 4 === 1) return 'its content is not valid base64 (it is cut short: one character too many or too few)';
  return null;
}

/** The words for content that is not base64, naming the file and what to do. */
function notBase64(name: string, fault: string): MarginaliaError {
  return new MarginaliaError('invalid_input', `${name}: ${fault}, so it was not read. Choose the file again and send it once more.`);
}

/**
 * The content of an uploaded file: decoded from its base64, or the temporary file the bridge
 * stored it in (which the caller now owns: removeUpload it when done). Content that is not
 * base64 is refused in words naming the file, never decoded into something else.
 */
export function uploadedContent(name: string, dataBase64: string): UploadedContent {
  if (dataBase64.startsWith(TOKEN)) {
    const upload = stored.get(dataBase64);
    if (!upload) throw new MarginaliaError('invalid_input', `${name}: the file sent is no longer there; send it again.`);
    stored.delete(dataBase64);
    if (upload.error !== undefined) {
      removeUpload(upload);
      throw notBase64(name, upload.error);
    }
    return { stored: upload };
  }
  const fault = base64Fault(dataBase64, 0, true);
  if (fault) throw notBase64(name, fault);
  return { bytes: Buffer.from(dataBase64, 'base64') };
}

/** An uploaded file's bytes in memory, for readers that need them whole (a REFI-QDA project, an attributes table); a temporary file it was stored in is removed. */
export function uploadedBytes(name: string, dataBase64: string): Uint8Array {
  const content = uploadedContent(name, dataBase64);
  if (content.bytes) return content.bytes;
  try {
    return readFileSync(content.stored.path);
  } finally {
    removeUpload(content.stored);
  }
}
