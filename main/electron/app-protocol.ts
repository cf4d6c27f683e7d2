import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { SECURITY_HEADERS, mimeType, resolveInside } from '../core/security/web';
import { APP_HOST, APP_SCHEME } from './channels';

/** One reply of the app:// protocol, before it becomes a Response (kept plain so it is testable without Electron). */
export interface AppReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string | null;
}

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
 * Serves app://marginalia/… from the built renderer folder. Only GET and HEAD, only our host,
 * only files inside `rendererDir` (resolveInside refuses `..`, encoded separators, NUL).
 * A path without an extension that names no file is the single-page app's index.html.
 */
export async function serveAppRequest(rendererDir: string, rawUrl: string, method: string): Promise<AppReply> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return reply(400, 'Bad request.', TEXT);
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return reply(404, 'Not found.', TEXT);
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
