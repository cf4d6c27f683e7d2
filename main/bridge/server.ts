import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dispatch } from '../api/dispatch';
import type { Ctx } from '../api/session';
import { SECURITY_HEADERS, mimeType, resolveInside } from '../core/security/web';

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

const MAX_BODY = 256 * 1024 * 1024;

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'application/json; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': type, ...SECURITY_HEADERS });
  res.end(body);
}

function refuse(res: ServerResponse, status: number, message: string): void {
  send(res, status, JSON.stringify({ ok: false, error: { code: 'forbidden', message } }));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
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
      const url = new URL(req.url ?? '/', `http://${host}`);
      if (url.pathname.startsWith('/api/')) {
        if (req.method !== 'POST') return refuse(res, 405, 'API calls are POST requests.');
        const auth = req.headers.authorization?.replace(/^Bearer\s+/i, '');
        if (!sameToken(auth, token)) return refuse(res, 401, 'Missing or wrong token. Open the address that "marginalia serve" printed.');
        let method: string;
        try {
          method = decodeURIComponent(url.pathname.slice('/api/'.length));
        } catch {
          return send(res, 400, JSON.stringify({ ok: false, error: { code: 'invalid_input', message: 'The method name in the address is not valid percent-encoding.' } }));
        }
        let input: unknown = {};
        const body = await readBody(req);
        if (body.length > 0) {
          try {
            input = JSON.parse(body.toString('utf8'));
          } catch {
            return send(res, 400, JSON.stringify({ ok: false, error: { code: 'invalid_input', message: 'The request body is not JSON.' } }));
          }
        }
        const result = await dispatch(options.ctx, method, input);
        return send(res, 200, JSON.stringify(result));
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Only GET for pages.');
      const file = resolveInside(options.rendererDir, url.pathname);
      if (!file) return refuse(res, 404, 'Not found.');
      const target = existsSync(file) && statSync(file).isFile() ? file : resolveInside(options.rendererDir, '/index.html')!;
      if (!existsSync(target)) return send(res, 500, 'The renderer is not built. Run "npm run build".', 'text/plain; charset=utf-8');
      return send(res, 200, readFileSync(target), mimeType(target));
    } catch (err) {
      if (!res.headersSent) send(res, 500, JSON.stringify({ ok: false, error: { code: 'internal', message: (err as Error).message } }));
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
