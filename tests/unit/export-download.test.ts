import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { openTestBridge, type TestBridge } from '../helpers/bridge';
import { send } from '../helpers/http';
import { exportJobsOf } from '../../main/api/downloads';
import { ExportJobs } from '../../main/core/exchange/export-jobs';
import { serveAppRequest } from '../../main/electron/app-protocol';

/** A paragraph of about 1 KB; 2,000 of them make a document whose coded spans fill megabytes of CSV. */
const PARAGRAPH = `${'The strike killed 17 people at the market, witnesses said; officials blamed the other side. '.repeat(11)}\n`;

describe('exports saved from the app go through a temporary file and a one-time download', () => {
  let b: TestBridge;
  const host = () => `127.0.0.1:${b.bridge.port}`;
  const start = (input: Parameters<TestBridge['t']['call']>[1] = { format: 'segments' }) => b.t.call('exchange.exportStart', input as never);

  beforeAll(async () => {
    b = await openTestBridge({ sample: true });
    const text = PARAGRAPH.repeat(2000);
    await b.t.call('import.files', { files: [{ name: 'long.txt', dataBase64: Buffer.from(text).toString('base64') }] });
    const doc = (await b.t.call('documents.list', {})).find((d) => d.name === 'long')!;
    const [code] = await b.t.call('codes.list', {});
    // 40 segments of 100,000 characters: a 4 MB segments table, written in several pieces.
    for (let i = 0; i < 40; i++) await b.t.call('segments.create', { documentId: doc.id, codeId: code!.id, start: i * 45_000, end: i * 45_000 + 100_000 });
  });
  afterAll(async () => {
    await b.close();
  });

  it('writes a large segments table to a file: no reply carries its bytes, and the download is the same CSV exchange.export gives', async () => {
    const started = await start();
    expect(started).not.toHaveProperty('dataBase64');
    const replies = [JSON.stringify(started)];
    let state = started;
    while (!state.finished) {
      // As the dialog polls: on a timer, so the job gets its turns.
      await new Promise((r) => setTimeout(r, 20));
      state = await b.t.call('exchange.exportProgress', { jobId: started.jobId });
      replies.push(JSON.stringify(state));
    }
    expect(state.error).toBeNull();
    expect(state.bytes).toBeGreaterThan(4_000_000);
    expect(state.rows).toBeGreaterThanOrEqual(40);
    expect(state.fileName).toMatch(/-segments\.csv$/);
    // Every reply is a few hundred bytes of state, never the file.
    for (const reply of replies) expect(reply.length).toBeLessThan(1000);
    const file = exportJobsOf(b.t.session).fileOf(started.jobId);
    expect(statSync(file).size).toBe(state.bytes);

    const download = await send(b.bridge.port, state.download!, { headers: { Host: host(), 'Sec-Fetch-Site': 'same-origin' } });
    expect(download.status).toBe(200);
    expect(download.headers['content-disposition']).toBe(`attachment; filename="${state.fileName}"; filename*=UTF-8''${state.fileName}`);
    expect(Number(download.headers['content-length'])).toBe(state.bytes);
    const inMemory = Buffer.from((await b.t.call('exchange.export', { format: 'segments' })).dataBase64, 'base64').toString('utf8');
    expect(download.body).toBe(inMemory);
    const rows = parse(download.body, { columns: true }) as Record<string, string>[];
    expect(rows.filter((r) => r.document_name === 'long')).toHaveLength(40);
    // Downloaded once, the temporary file is gone and the address answers no more.
    await expect.poll(() => existsSync(file)).toBe(false);
    const again = await send(b.bridge.port, state.download!, { headers: { Host: host() } });
    expect(again.status).toBe(404);
    expect(again.body).toMatch(/already used, cancelled or has expired/);
  });

  it('refuses a wrong token, a download asked for by another site, and a POST, without giving the file away', async () => {
    const state = await exportJobsOf(b.t.session).wait((await start({ format: 'codebook' })).jobId);
    const token = state.download!.slice('/download/'.length);
    const wrong = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    for (const path of [`/download/${wrong}`, '/download/', '/download/short', `/download/${token}x`]) {
      expect((await send(b.bridge.port, path, { headers: { Host: host() } })).status, path).toBe(404);
    }
    expect((await send(b.bridge.port, state.download!, { headers: { Host: host(), 'Sec-Fetch-Site': 'cross-site' } })).status).toBe(403);
    expect((await send(b.bridge.port, state.download!, { method: 'POST', headers: { Host: host() } })).status).toBe(405);
    expect((await send(b.bridge.port, state.download!, { headers: { Host: 'evil.example' } })).status).toBe(403);
    // None of those used it up: the right request still gets the file.
    const ok = await send(b.bridge.port, state.download!, { headers: { Host: host() } });
    expect(ok.status).toBe(200);
    expect(ok.body.split('\r\n')[0]).toMatch(/^code_id,/);
  });

  it('Cancel after the export finished removes its file and its download address', async () => {
    const jobs = exportJobsOf(b.t.session);
    const state = await jobs.wait((await start()).jobId);
    const file = jobs.fileOf(state.jobId);
    expect(existsSync(file)).toBe(true);
    const cancelled = await b.t.call('exchange.exportCancel', { jobId: state.jobId });
    expect(cancelled).toMatchObject({ cancelled: true, download: null });
    expect(existsSync(file)).toBe(false);
    expect((await send(b.bridge.port, state.download!, { headers: { Host: host() } })).status).toBe(404);
  });

  it('refuses a filter the project cannot meet before any job starts, in words', async () => {
    await expect(start({ format: 'matrix', filter: { coders: ['nobody'] } })).rejects.toThrow(/nobody/);
  });

  it('serves the same one-time download on app://marginalia/download/<token> in the desktop app', async () => {
    const state = await exportJobsOf(b.t.session).wait((await start({ format: 'codebook' })).jobId);
    const take = (token: string) => exportJobsOf(b.t.session).take(token);
    const url = `app://marginalia${state.download!}`;
    expect((await serveAppRequest('/nonexistent', 'app://marginalia/download/nope', 'GET', take)).status).toBe(404);
    const r = await serveAppRequest('/nonexistent', url, 'GET', take);
    expect(r.status).toBe(200);
    expect(r.headers['Content-Disposition']).toMatch(/^attachment; filename="[^"]+-codebook\.csv"/);
    const body = Buffer.from(await new Response(r.body as ReadableStream).arrayBuffer()).toString('utf8');
    expect(body.split('\r\n')[0]).toMatch(/^code_id,/);
    expect((await serveAppRequest('/nonexistent', url, 'GET', take)).status).toBe(404);
  });
});

describe('an export job that is cancelled or fails', () => {
  /** A job whose writing waits on the test between two pieces, with its state and file. */
  async function halfWritten(afterGate: (write: (text: string) => void) => void) {
    const jobs = new ExportJobs();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const started = jobs.start({ fileName: 'p-segments.csv', mime: 'text/csv' }, async (sink) => {
      sink.write('x'.repeat(2 << 20));
      await gate;
      afterGate((text) => sink.write(text));
    });
    await new Promise((r) => setTimeout(r, 50));
    return { jobs, jobId: started.jobId, file: jobs.fileOf(started.jobId), open };
  }

  it('Cancel while writing stops it at its next write and removes the temporary file', async () => {
    const { jobs, jobId, file, open } = await halfWritten((write) => write('more'));
    expect(statSync(file).size).toBeGreaterThan(1 << 20);
    expect(jobs.cancel(jobId).cancelled).toBe(true);
    open();
    const end = await jobs.wait(jobId);
    expect(end).toMatchObject({ cancelled: true, error: null, download: null });
    expect(existsSync(file)).toBe(false);
  });

  it('a failure removes the temporary file and names the export that failed', async () => {
    const { jobs, jobId, file, open } = await halfWritten(() => {
      throw new Error('disk full');
    });
    open();
    const end = await jobs.wait(jobId);
    expect(end.error?.message).toBe('The export of p-segments.csv failed, and nothing was saved: disk full');
    expect(end.download).toBeNull();
    expect(existsSync(file)).toBe(false);
    expect(() => readFileSync(file)).toThrow();
  });
});
