import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { tempDir } from '../helpers/project';
import { type Bridge } from '../../main/bridge/server';
import { parseJsonFile } from '../../main/bridge/read-body';
import { MAX_UPLOAD_BODY, bodyLimit } from '../../main/bridge/body-limits';
import { METHODS } from '../../main/api/contract';
import { openTestBridge, type TestBridge, type TestProject } from '../helpers/bridge';

interface Reply {
  status: number;
  body: string;
}

/**
 * Sends `size` bytes of body in 1 MB pieces without holding them (a client that keeps
 * writing after the answer), or a given body. Resolves with the answer, whenever it comes.
 */
function post(port: number, path: string, headers: Record<string, string>, body: string | { size: number }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    // The bridge closes the connection after a 413; the rest of the writes fail, as they should.
    req.on('error', (err) => (/EPIPE|ECONNRESET/.test(String(err)) ? undefined : reject(err)));
    if (typeof body === 'string') return req.end(body);
    const piece = Buffer.alloc(1024 * 1024, 'A');
    let sent = 0;
    const pump = () => {
      while (sent < body.size) {
        const n = Math.min(piece.length, body.size - sent);
        sent += n;
        if (!req.write(n === piece.length ? piece : piece.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('request bodies over the bridge', () => {
  let served: TestBridge;
  let t: TestProject;
  let bridge: Bridge;
  const headers = () => ({ Host: `127.0.0.1:${bridge.port}`, Authorization: `Bearer ${bridge.token}` });
  const docCount = async () => ((await t.call('documents.list', {})) as unknown[]).length;

  beforeAll(async () => {
    served = await openTestBridge({ sample: true });
    ({ t, bridge } = served);
  });
  afterAll(async () => {
    await served.close();
  });

  it('caps every method: small ones small, file uploads large and streamed', () => {
    for (const m of METHODS) {
      const limit = bodyLimit(m);
      expect(limit.bytes, m).toBeGreaterThanOrEqual(64 * 1024);
      expect(limit.bytes, m).toBeLessThanOrEqual(MAX_UPLOAD_BODY);
      if (!limit.upload) expect(limit.bytes, m).toBeLessThanOrEqual(64 * 1024 * 1024);
    }
    expect(bodyLimit('documents.list').bytes).toBeLessThan(1024 * 1024);
    expect(bodyLimit('coders.rename').bytes).toBe(64 * 1024);
    // A memo of 5 million characters still fits.
    expect(bodyLimit('memos.save').bytes).toBeGreaterThan(10_000_000);
    for (const m of ['import.files', 'import.start', 'import.add', 'import.preview', 'attributes.import', 'exchange.import', 'team.mergePreview'] as const) {
      expect(bodyLimit(m).upload, m).toBe(true);
      // One 150 MB file, as base64, fits.
      expect(bodyLimit(m).bytes, m).toBeGreaterThanOrEqual(200 * 1024 * 1024);
    }
  });

  it('answers 413 in words when a small method is sent a large body, reading no more of it, and changes nothing', async () => {
    const before = await docCount();
    const r = await post(bridge.port, '/api/documents.delete', headers(), { size: 5 * 1024 * 1024 });
    expect(r.status).toBe(413);
    const reply = JSON.parse(r.body) as { ok: boolean; error: { code: string; message: string } };
    expect(reply).toMatchObject({ ok: false, error: { code: 'too_large' } });
    expect(reply.error.message).toMatch(/larger than the 64 KB documents\.delete accepts/);
    expect(await docCount()).toBe(before);
    // The bridge still answers afterwards.
    expect((await post(bridge.port, '/api/documents.list', headers(), '{}')).status).toBe(200);
  });

  it('refuses a declared length over the cap before reading', async () => {
    const r = await new Promise<Reply>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: bridge.port, path: '/api/import.files', method: 'POST', headers: { ...headers(), 'Content-Length': String(MAX_UPLOAD_BODY + 1) } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error.message).toMatch(/Send fewer or smaller files at a time, or import them with the command line/);
  });

  it('streams an upload over its cap into nothing: 413, and no temporary file left behind', async () => {
    const mine = () => readdirSync(tmpdir()).filter((f) => f.startsWith(`marginalia-upload-${process.pid}-`));
    const r = await post(bridge.port, '/api/import.preview', headers(), { size: bodyLimit('import.preview').bytes + 1024 * 1024 });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error.code).toBe('too_large');
    await new Promise((ok) => setTimeout(ok, 100));
    expect(mine()).toEqual([]);
  });

  it('reads an upload through the temporary file, its base64 written with JSON escapes and across scan chunks', async () => {
    const rows = Array.from({ length: 60_000 }, (_, i) => `${i},"Article ${i}: shelling/attack reported, é ${'x'.repeat(i % 17)}"`);
    const csv = `id,text\n${rows.join('\n')}\n`;
    const base64 = Buffer.from(csv, 'utf8').toString('base64');
    expect(base64.length).toBeGreaterThan(4 * 1024 * 1024 + 1);
    // JSON allows "\u0041" for "A": the long string must be unescaped, not copied.
    const body = JSON.stringify({ file: { name: 'long \u00e9t\u00e9 articles.csv', dataBase64: base64 } }).replace(/A/g, '\\u0041');
    expect(body).toContain('\\u0041');
    const r = await post(bridge.port, '/api/import.preview', headers(), body);
    expect(r.status).toBe(200);
    const reply = JSON.parse(r.body) as { ok: boolean; value: { file: string; rowCount: number; rows: string[][] } };
    expect(reply.ok, r.body.slice(0, 300)).toBe(true);
    expect(reply.value.file).toBe('long été articles.csv');
    expect(reply.value.rowCount).toBe(60_000);
    expect(reply.value.rows[1]).toEqual(['1', 'Article 1: shelling/attack reported, é x']);
  });

  it('says so in words when the temporary folder cannot take an upload', async () => {
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = join(t.dir, 'no such folder');
    try {
      const r = await post(bridge.port, '/api/import.preview', headers(), JSON.stringify({ file: { name: 'a.csv', dataBase64: Buffer.from('text\nx\n').toString('base64') } }));
      const reply = JSON.parse(r.body) as { ok: boolean; error: { code: string; message: string } };
      expect(reply).toMatchObject({ ok: false, error: { code: 'io' } });
      expect(reply.error.message).toContain('could not be stored in the temporary folder');
      expect(reply.error.message).toContain('no such folder');
      expect(reply.error.message).not.toMatch(/ENOENT/);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });

  it('turns a broken upload body into a 400 in words', async () => {
    const r = await post(bridge.port, '/api/import.files', headers(), `{"files":[{"name":"a.txt","dataBase64":"${'QUJD'.repeat(400_000)}`);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'invalid_input', message: 'The request body is not JSON.' } });
  });

  it('answers malformed addresses with 400, pages and API alike', async () => {
    for (const path of ['/api/%E0%A4%A', '/%E0%A4%A', '/assets/%FF', '/api/%']) {
      const r = await post(bridge.port, path, headers(), '{}');
      expect(r.status, path).toBe(400);
      expect(JSON.parse(r.body).error.code, path).toBe('invalid_input');
    }
    const page = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: bridge.port, path: '/%E0%A4%A', headers: { Host: `127.0.0.1:${bridge.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(page).toBe(400);
  });
});

describe('parsing a body from its temporary file', () => {
  const json = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: fc.constantFrom('/', '\\', '"', 'a', 'é', '\n', '\u2028', '😀'), maxLength: 40 }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
    ),
  })).value;

  it('gives what JSON.parse gives, whatever falls on a chunk or long-string boundary', () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'body.json');
      fc.assert(
        fc.property(json, fc.integer({ min: 1, max: 9 }), fc.integer({ min: 2, max: 12 }), fc.boolean(), (value, chunk, longString, escapeSlashes) => {
          let text = JSON.stringify(value, null, escapeSlashes ? 1 : 0);
          if (escapeSlashes) text = text.replace(/\//g, '\\/');
          writeFileSync(path, text);
          const size = Buffer.byteLength(text);
          expect(parseJsonFile(path, size, { chunk, longString })).toEqual(JSON.parse(text));
        }),
        { numRuns: 400 },
      );
    } finally {
      cleanup();
    }
  });
});
