import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { SECURITY_HEADERS, mimeType, resolveInside } from '../core/security/web';
import { DOWNLOAD_PATH, type TakenDownload } from '../core/exchange/export-jobs';
import { contentDisposition } from '../api/downloads';
import { APP_HOST, APP_SCHEME } from './channels';

/** One reply of the app:// protocol, before it becomes a Response (kept plain so it is testable without Electron). */
export interface AppReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string | ReadableStream<Uint8Array> | null;
}

/** Hands over the finished export a download token names, once; null for any other token. */
export type TakeDownload = (token: string) => TakenDownload | null;

function reply(status: number, body: Buffer | string | null, type: string): AppReply {
  return {
    status,
    // Every response carries the CSP, errors included: nothing inline, nothing remote.
    headers: { 'Content-Type': type, ...SECURITY_HEADERS },
    body,
  };
}

const TEXT = 'text/plain; charset=utf-8';

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * app://marginalia/download/<token>: a finished export streamed from its temporary file to the
 * download the page started (Electron then asks where to save it, see security.ts), once; the
 * file is removed when the stream ends or is cancelled (the save dialog's Cancel).
 */
function serveDownload(take: TakeDownload | undefined, token: string, method: string): AppReply {
  if (method !== 'GET') return reply(405, 'Only GET.', TEXT);
  const file = take?.(token) ?? null;
  if (!file) return reply(404, 'This download was already used, cancelled or has expired. Save the export again from the Export dialog.', TEXT);
  const stream = createReadStream(file.path);
  stream.once('close', file.release);
  return {
    status: 200,
    headers: {
      ...SECURITY_HEADERS,
      'Content-Type': file.mime === 'text/csv' ? 'text/csv; charset=utf-8' : file.mime,
      'Content-Length': String(file.bytes),
      'Content-Disposition': contentDisposition(file.fileName),
    },
    body: Readable.toWeb(stream) as ReadableStream<Uint8Array>,
  };
}

/**
 * Serves app://marginalia/… from the built renderer folder. Only GET and HEAD, only our host,
 * only files inside `rendererDir` (resolveInside refuses `..`, encoded separators, NUL).
 * A path without an extension that names no file is the single-page app's index.html.
 * /download/<token> is an export to save (serveDownload).
 */
export async function serveAppRequest(rendererDir: string, rawUrl: string, method: string, take?: TakeDownload): Promise<AppReply> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return reply(400, 'Bad request.', TEXT);
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return reply(404, 'Not found.', TEXT);
  if (url.pathname.startsWith(DOWNLOAD_PATH)) return serveDownload(take, url.pathname.slice(DOWNLOAD_PATH.length), method);
  if (method !== 'GET' && method !== 'HEAD') return reply(405, 'Only GET.', TEXT);
  const file = resolveInside(rendererDir, url.pathname);
  if (!file) return reply(404, 'Not found.', TEXT);
  const index = resolveInside(rendererDir, '/index.html')!;
  let target = file;
  if (!(await isFile(file))) {
    if (extname(file) !== '' && file !== index) return reply(404, 'Not found.', TEXT);
    target = index;
    if (!(await isFile(target))) {
      return reply(500, 'The user interface is not built. Run "npm run build", then start Marginalia again.', TEXT);
    }
  }
  const type = mimeType(target);
  if (method === 'HEAD') return reply(200, null, type);
  return reply(200, await readFile(target), type);
}
