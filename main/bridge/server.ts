import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dispatch, toApiError } from '../api/dispatch';
import { isMethod } from '../api/contract';
import type { Ctx } from '../api/session';
import { bodyLimit, formatBytes } from './body-limits';
import { BodyError, afterUpload, readSmallBody, readUploadBody, type UploadBody } from './read-body';
import { SECURITY_HEADERS, mimeType, resolveInside } from '../core/security/web';
import { DOWNLOAD_PATH } from '../core/exchange/export-jobs';
import { contentDisposition, takeDownload } from '../api/downloads';

export interface BridgeOptions {
  ctx: Ctx;
  /** The built renderer (dist/renderer). */
  rendererDir: string;
  port?: number;
  /** Fixed token for tests; a random one otherwise. */
  token?: string;
}

export interface Bridge {
  /** The address to open, with the token in the fragment so it never reaches a log or a Referer. */
  url: string;
  origin: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/** A body for a method that does not exist is not read beyond this. */
const UNKNOWN_METHOD_BODY = 64 * 1024;

/**
 * Methods whose handlers read an uploaded file from the temporary file the bridge decoded it
 * into (core/files/uploads), so its bytes never sit in the app's memory as base64. Other
 * uploads (a project to merge) get their base64 in the input.
 */
const STORES_FILES = new Set<string>(['import.files', 'import.start', 'import.add', 'import.preview', 'attributes.import', 'exchange.import']);

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': type, ...SECURITY_HEADERS });
  res.end(body);
}

function refuse(res: ServerResponse, status: number, message: string): void {
  send(res, status, JSON.stringify({ ok: false, error: { code: 'forbidden', message } }));
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, JSON.stringify({ ok: false, error: { code, message } }));
}

/** The 413 message, in the words of what the person was doing. */
function tooLargeMessage(method: string, limit: number, upload: boolean): string {
  return upload
    ? `The files sent at once are larger than the ${formatBytes(limit)} the app may send in one go (${method}). Send fewer or smaller files at a time, or import them with the command line: marginalia import PROJECT FILE...`
    : `The request is larger than the ${formatBytes(limit)} ${method} accepts, so it was not read. Shorten what you entered (a very long memo or list) and try again.`;
}

/** Whether a path decodes as UTF-8 percent-encoding; "/%E0%A4%A" does not. */
function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * GET /download/<token>: streams a finished export once, from its temporary file, and removes
 * the file when the response ends (read whole or broken off). A link cannot carry the API
 * token, so the one-time token in the address is the key: 32 random bytes, handed out only in
 * an API reply (which needed the API token), refused once used, cancelled or expired. Only
 * the page itself may ask (Sec-Fetch-Site), on top of the Host and Origin checks every request has.
 */
function serveDownload(req: IncomingMessage, res: ServerResponse, ctx: Ctx, token: string): void {
  if (req.method !== 'GET') return refuse(res, 405, 'Downloads are GET requests.');
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return refuse(res, 403, 'Downloads are only for the page this bridge serves.');
  const file = takeDownload(ctx.session, token);
  if (!file) return refuse(res, 404, 'This download address was already used, cancelled or has expired. Save the export again from the Export dialog.');
  res.on('close', file.release);
  const stream = createReadStream(file.path);
  stream.once('error', () => res.destroy());
  stream.once('open', () => {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': file.mime === 'text/csv' ? 'text/csv; charset=utf-8' : file.mime,
      'Content-Length': String(file.bytes),
      'Content-Disposition': contentDisposition(file.fileName),
    });
    stream.pipe(res);
  });
}

/**
 * Serves the renderer and the handler table on 127.0.0.1 only. API calls need the per-run
 * token; a foreign Host (DNS rebinding) or Origin (another site in the browser) is refused.
 */
export function startBridge(options: BridgeOptions): Promise<Bridge> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const server: Server = createServer(async (req, res) => {
    try {
      const host = req.headers.host ?? '';
      if (!allowedHosts().has(host)) return refuse(res, 403, `Host "${host}" is not this bridge.`);
      const origin = req.headers.origin;
      if (origin !== undefined && !allowedHosts().has(origin.replace(/^http:\/\//, ''))) {
        return refuse(res, 403, `Requests from ${origin} are not allowed.`);
      }
      const requested = req.url ?? '/';
      // Only origin-form paths ("/api/…"); "*" or "http://elsewhere/…" are not addresses of this bridge.
      if (!requested.startsWith('/') || requested.startsWith('//')) return fail(res, 400, 'invalid_input', 'The address is not a path on this bridge.');
      const url = new URL(requested, `http://${host}`);
      if (!decodable(url.pathname)) return fail(res, 400, 'invalid_input', 'The address is not valid percent-encoding.');
      if (url.pathname.startsWith('/api/')) {
        if (req.method !== 'POST') return refuse(res, 405, 'API calls are POST requests.');
        const auth = req.headers.authorization?.replace(/^Bearer\s+/i, '');
        if (!sameToken(auth, token)) return refuse(res, 401, 'Missing or wrong token. Open the address that "marginalia serve" printed.');
        const method = decodeURIComponent(url.pathname.slice('/api/'.length));
        const limit = isMethod(method) ? bodyLimit(method) : { bytes: UNKNOWN_METHOD_BODY, upload: false };
        const tooLarge = () => tooLargeMessage(method, limit.bytes, limit.upload);
        // A declared length over the cap is refused before a byte is read.
        if (Number(req.headers['content-length'] ?? 0) > limit.bytes) throw new BodyError(413, tooLarge());
        let input: unknown = {};
        let upload: UploadBody | null = null;
        if (limit.upload) input = (upload = await readUploadBody(req, limit.bytes, tooLarge, STORES_FILES.has(method))).input;
        else {
          const body = await readSmallBody(req, limit.bytes, tooLarge);
          if (body.length > 0) {
            try {
              input = JSON.parse(body.toString('utf8'));
            } catch {
              throw new BodyError(400, 'The request body is not JSON.');
            }
          }
        }
        let result;
        try {
          result = await dispatch(options.ctx, method, input);
        } finally {
          if (upload) afterUpload(upload);
        }
        return send(res, 200, JSON.stringify(result));
      }
      if (url.pathname.startsWith(DOWNLOAD_PATH)) return serveDownload(req, res, options.ctx, url.pathname.slice(DOWNLOAD_PATH.length));
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Only GET for pages.');
      const file = resolveInside(options.rendererDir, url.pathname);
      if (!file) return refuse(res, 404, 'Not found.');
      const target = existsSync(file) && statSync(file).isFile() ? file : resolveInside(options.rendererDir, '/index.html')!;
      if (!existsSync(target)) return send(res, 500, 'The renderer is not built. Run "npm run build".', 'text/plain; charset=utf-8');
      return send(res, 200, readFileSync(target), mimeType(target));
    } catch (err) {
      if (res.headersSent) return;
      if (err instanceof BodyError) {
        // The rest of a refused body is not read: the connection closes once the answer is out.
        res.setHeader('Connection', 'close');
        res.on('finish', () => req.destroy());
        return fail(res, err.status, err.status === 413 ? 'too_large' : 'invalid_input', err.message);
      }
      const error = toApiError(err);
      send(res, 500, JSON.stringify({ ok: false, error }));
    }
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      const origin = `http://127.0.0.1:${port}`;
      resolve({
        url: `${origin}/#token=${token}`,
        origin,
        token,
        port,
        // closeAllConnections: a browser keeps idle keep-alive sockets open, and close()
        // alone would wait for them.
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}
