/**
 * Bridge body benchmark: peak memory (maxRSS) of a bridge process sent large authenticated
 * bodies. Each case runs a fresh bridge in a child process, so its peak is its own; the
 * client streams the body from one reused 1 MB buffer and holds none of it. Prints numbers;
 * asserts nothing. (Before bodies were capped per method and uploads streamed to a temporary
 * file, a 250 MB body peaked at about 1.08 GB. Before each file's base64 was decoded as it
 * streamed into a temporary file of its own that the sandbox worker reads, an accepted 100 MB
 * upload peaked at 501 MB and a 199 MB one at 829 MB; now both stay near 250 MB, the idle
 * bridge plus the worker, whatever the upload's size.)
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MB = 1024 * 1024;

interface Case {
  label: string;
  method: string;
  /** Bytes of body: a JSON upload whose one file's base64 fills it. */
  bytes: number;
  /** A file name the contract refuses, so what is measured is reading the body, not importing it. */
  name: string;
}

const CASES: Case[] = [
  // Accepted uploads that reach the handler and the worker: the file's bytes (all zero) are
  // refused there as larger than the 50 MB a file may have, after everything the upload costs.
  { label: '100 MB upload to import.files (75 MB file, accepted)', method: 'import.files', bytes: 100 * MB, name: 'upload.txt' },
  { label: '199 MB upload to import.files (149 MB file, accepted)', method: 'import.files', bytes: 199 * MB, name: 'upload.txt' },
  { label: '250 MB upload to import.files (over its 232 MB cap)', method: 'import.files', bytes: 250 * MB, name: 'upload.txt' },
  { label: '250 MB to import.files (over its 232 MB cap)', method: 'import.files', bytes: 250_000_000, name: '' },
  { label: '250 MB to documents.list (64 KB cap)', method: 'documents.list', bytes: 250_000_000, name: '' },
  { label: '230 MB to import.files (accepted, read and parsed)', method: 'import.files', bytes: 230 * MB, name: '' },
  { label: '16 MB to import.files (an app-sized part, read and parsed)', method: 'import.files', bytes: 16 * MB, name: '' },
];

/** The child: a bridge over a new sample project; prints its address, then its peak RSS when asked. */
async function serve(): Promise<void> {
  const { Project } = await import('../../main/core/project/project');
  const { Session } = await import('../../main/api/session');
  const { startBridge } = await import('../../main/bridge/server');
  const dir = mkdtempSync(join(tmpdir(), 'marginalia-bench-bridge-'));
  const project = await Project.create(join(dir, 'b.marginalia'), { name: 'Bench' });
  const bridge = await startBridge({ ctx: { session: new Session(project, 'bench') }, rendererDir: dir });
  const before = process.resourceUsage().maxRSS;
  console.log(JSON.stringify({ port: bridge.port, token: bridge.token, before }));
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'rss') {
      console.log(JSON.stringify({ maxRSS: process.resourceUsage().maxRSS }));
      await bridge.close();
      await project.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    }
  }
}

function send(port: number, token: string, c: Case): Promise<{ status: number; body: string; seconds: number }> {
  const started = Date.now();
  const head = Buffer.from(`{"files":[{"name":${JSON.stringify(c.name)},"dataBase64":"`);
  const tail = Buffer.from('"}]}');
  const fill = c.bytes - head.length - tail.length;
  const piece = Buffer.alloc(MB, 'A');
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: `/api/${c.method}`, method: 'POST', headers: { Host: `127.0.0.1:${port}`, Authorization: `Bearer ${token}`, 'Transfer-Encoding': 'chunked' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, seconds: (Date.now() - started) / 1000 }));
      },
    );
    req.on('error', (err) => (/EPIPE|ECONNRESET/.test(String(err)) ? undefined : reject(err)));
    let sent = 0;
    let stopped = false;
    req.on('close', () => (stopped = true));
    req.write(head);
    const pump = () => {
      while (sent < fill && !stopped) {
        const n = Math.min(piece.length, fill - sent);
        sent += n;
        if (!req.write(n === piece.length ? piece : piece.subarray(0, n))) return void req.once('drain', pump);
      }
      if (!stopped) req.end(tail);
    };
    pump();
  });
}

async function measure(c: Case): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, __filename, 'serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = JSON.parse((await lines.next()).value as string) as { port: number; token: string; before: number };
  const r = await send(first.port, first.token, c);
  child.stdin.write('rss\n');
  const { maxRSS } = JSON.parse((await lines.next()).value as string) as { maxRSS: number };
  const error = (JSON.parse(r.body) as { error?: { code: string } }).error?.code ?? 'ok';
  console.log(
    `${c.label.padEnd(60)} HTTP ${r.status} ${error.padEnd(13)} peak RSS ${(maxRSS / 1024).toFixed(0).padStart(5)} MB (idle bridge ${(first.before / 1024).toFixed(0)} MB)  ${r.seconds.toFixed(1)} s`,
  );
}

async function main(): Promise<void> {
  if (process.argv[2] === 'serve') return serve();
  for (const c of CASES) await measure(c);
}

void main();
