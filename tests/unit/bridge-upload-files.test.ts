import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { strToU8, zipSync } from 'fflate';
import { send } from '../helpers/http';
import { tempDir } from '../helpers/project';
import { type Bridge } from '../../main/bridge/server';
import { decodeBase64ToFile } from '../../main/bridge/read-body';
import { closeSandbox, extractInSandbox } from '../../main/core/sandbox/sandbox';
import { openTestBridge, type TestBridge, type TestProject } from '../helpers/bridge';

/**
 * Files uploaded through the bridge are decoded from base64 as the body streams into a
 * temporary file of their own (mode 0600), which the sandbox worker reads; the app never
 * holds a file's base64 or its bytes. Content that is not base64 is refused naming the file,
 * and no temporary file outlives its use.
 */

const uploadFolders = () => readdirSync(tmpdir()).filter((f) => f.startsWith(`marginalia-upload-${process.pid}-`));

describe('decoding an uploaded file into its temporary file', () => {
  it('gives the bytes Buffer.from would, whatever falls on a piece boundary, in a file only its owner may read', () => {
    const { dir, cleanup } = tempDir();
    try {
      let n = 0;
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 12 }), fc.boolean(), (bytes, quarter, padded) => {
          let b64 = Buffer.from(bytes).toString('base64');
          if (!padded) b64 = b64.replace(/=+$/, '');
          const body = `{"dataBase64":"${b64}"}`;
          const bodyPath = join(dir, `body-${++n}.json`);
          writeFileSync(bodyPath, body);
          const fd = openSync(bodyPath, 'r');
          try {
            const out = join(dir, `file-${n}`);
            const start = body.indexOf('"', '{"dataBase64":'.length);
            const stored = decodeBase64ToFile(fd, start, body.length - 2, out, quarter * 4);
            expect(stored.error).toBeUndefined();
            expect(stored.size).toBe(bytes.length);
            expect(new Uint8Array(readFileSync(out))).toEqual(bytes);
            expect(statSync(out).mode & 0o777).toBe(0o600);
          } finally {
            closeSync(fd);
          }
        }),
        { numRuns: 300 },
      );
    } finally {
      cleanup();
    }
  });

  it('stops at the first character that is not base64 and says which and where, keeping nothing of the file', () => {
    const { dir, cleanup } = tempDir();
    try {
      const good = Buffer.alloc(3000, 7).toString('base64');
      const body = `"${good.slice(0, 2001)}!${good.slice(2002)}"`;
      writeFileSync(join(dir, 'body.json'), body);
      const fd = openSync(join(dir, 'body.json'), 'r');
      try {
        const stored = decodeBase64ToFile(fd, 0, body.length - 1, join(dir, 'file'), 400);
        expect(stored.error).toBe('its content is not valid base64 ("!" at character 2002)');
        expect(readFileSync(join(dir, 'file')).length).toBe(0);
      } finally {
        closeSync(fd);
      }
    } finally {
      cleanup();
    }
  });
});

describe('uploads through the bridge', () => {
  let served: TestBridge;
  let t: TestProject;
  let bridge: Bridge;

  beforeAll(async () => {
    served = await openTestBridge({ coder: 'ana' });
    ({ t, bridge } = served);
  });
  afterAll(async () => {
    await served.close();
    await closeSandbox();
  });

  async function post<T>(method: string, body: unknown): Promise<{ status: number; ok: boolean; value: T; error: { code: string; message: string } }> {
    const data = JSON.stringify(body);
    const r = await send(bridge.port, `/api/${method}`, { method: 'POST', body: data, headers: { Host: `127.0.0.1:${bridge.port}`, Authorization: `Bearer ${bridge.token}`, 'Content-Type': 'application/json' } });
    return { status: r.status, ...(JSON.parse(r.body) as { ok: boolean; value: T; error: { code: string; message: string } }) };
  }
  const b64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');
  /** Over a megabyte of base64, so the bridge stores it rather than keeping it in the input. */
  const longText = (title: string) => `${title}\n\n${'Shelling was reported near the station; witnesses described the damage. '.repeat(16_000)}`;
  type Outcome = { file: string; status: string; reason?: string };

  it('imports files stored on the way in, one of them not base64: that one fails alone, named, and no temporary file is left', async () => {
    const bad = `${b64(longText('Bad'))}`.replace(/^(.{1500000})./s, '$1*');
    const r = await post<{ outcomes: Outcome[]; imported: number }>('import.files', {
      files: [
        { name: 'first.txt', dataBase64: b64(longText('First')) },
        { name: 'not-base64.txt', dataBase64: bad },
        { name: 'short.txt', dataBase64: b64('A short text, sent inline.') },
        { name: 'short-bad.txt', dataBase64: 'abc$' },
      ],
    });
    expect(r.ok, r.error?.message).toBe(true);
    expect(r.value.outcomes.map((o) => [o.file, o.status])).toEqual([
      ['first.txt', 'imported'],
      ['not-base64.txt', 'failed'],
      ['short.txt', 'imported'],
      ['short-bad.txt', 'failed'],
    ]);
    expect(r.value.outcomes[1]!.reason).toMatch(/its content is not valid base64 \("\*" at character 1500001\), so it was not read\. Choose the file again and send it once more\./);
    expect(r.value.outcomes[3]!.reason).toMatch(/its content is not valid base64 \("\$" at character 4\)/);
    const docs = await t.call('documents.list', {});
    const first = docs.find((d) => d.name === 'first')!;
    const text = (await t.call('documents.get', { id: first.id })).text;
    // Compared whole, but reported by length (the text is a megabyte).
    expect(text.length).toBe(longText('First').length);
    expect(text === longText('First'), 'the stored text is the file sent').toBe(true);
    expect(uploadFolders()).toEqual([]);
  });

  it('a background import reads its stored files, and they are removed once it has finished', async () => {
    const started = await post<{ jobId: string }>('import.start', { files: [{ name: 'job-1.txt', dataBase64: b64(longText('Job one')) }], more: true });
    expect(started.ok, started.error?.message).toBe(true);
    // The job's file waits in its temporary folder, not in memory, until the job has finished.
    expect(uploadFolders()).toHaveLength(1);
    const added = await post<{ total: number }>('import.add', { jobId: started.value.jobId, files: [{ name: 'job-2.txt', dataBase64: b64(longText('Job two')) }], more: false });
    expect(added.value.total).toBe(2);
    let progress: { finished: boolean; report: { imported: number } | null } = { finished: false, report: null };
    for (let i = 0; i < 600 && !progress.finished; i++) {
      await new Promise((ok) => setTimeout(ok, 50));
      progress = (await post<typeof progress>('import.progress', { jobId: started.value.jobId })).value;
    }
    expect(progress.report?.imported).toBe(2);
    await new Promise((ok) => setTimeout(ok, 100));
    expect(uploadFolders()).toEqual([]);
  });

  it('previews a stored spreadsheet in the worker, and refuses one that is not base64 naming it', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `Article ${i},"${'Body text of the article, with a comma. '.repeat(2)}"`);
    const csv = `title,text\n${rows.join('\n')}\n`;
    const ok = await post<{ rowCount: number; suggested: { textColumn: string } }>('import.preview', { file: { name: 'many.csv', dataBase64: b64(csv) } });
    expect(ok.ok, ok.error?.message).toBe(true);
    expect(ok.value.rowCount).toBe(20_000);
    expect(ok.value.suggested.textColumn).toBe('text');
    const bad = await post('import.preview', { file: { name: 'broken.csv', dataBase64: `${b64(csv).slice(0, 1_200_000)}\u00e9${b64(csv).slice(1_200_001)}` } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(bad.error.message).toBe('broken.csv: its content is not valid base64 (U+00C3 at character 1200001), so it was not read. Choose the file again and send it once more.');
    expect(uploadFolders()).toEqual([]);
  });

  it('REFI-QDA projects and attribute tables sent through the bridge are read from their stored files', async () => {
    const qde = `<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="Stored" origin="Hand"><Sources><TextSource guid="CCCCCCCC-0000-4000-8000-0000000000aa" name="from qdpx" plainTextPath="internal://a.txt"/></Sources></Project>`;
    const qdpx = zipSync({ 'project.qde': strToU8(qde), 'sources/a.txt': strToU8(longText('From qdpx')) }, { level: 0 });
    const r = await post<{ imported: { documents: number } }>('exchange.import', { name: 'stored.qdpx', dataBase64: b64(qdpx) });
    expect(r.ok, r.error?.message).toBe(true);
    expect(r.value.imported.documents).toBe(1);
    const attrs = `document,region\nfirst,north\n${Array.from({ length: 12_000 }, (_, i) => `a document this project does not have, number ${i},south`).join('\n')}\n`;
    const a = await post<{ updated: number }>('attributes.import', { file: { name: 'regions.csv', dataBase64: b64(attrs) } });
    expect(a.ok, a.error?.message).toBe(true);
    expect(a.value.updated).toBe(1);
    const first = (await t.call('documents.list', {})).find((d) => d.name === 'first')!;
    expect(first.attributes).toMatchObject({ region: 'north' });
    const badQdpx = await post('exchange.import', { name: 'bad.qdpx', dataBase64: `#${b64(qdpx).slice(1)}` });
    expect(badQdpx.error.message).toMatch(/^bad\.qdpx: its content is not valid base64 \("#" at character 1\)/);
    expect(uploadFolders()).toEqual([]);
  });

  it('a stored file that something removed before the worker read it fails in words, naming it', async () => {
    const read = async (path: string) => {
      for await (const batch of extractInSandbox({ name: 'gone.txt', bytes: new Uint8Array(), path })) void batch;
    };
    // An upload, stored in the bridge's temporary folder for it.
    await expect(read(join(t.dir, 'marginalia-upload-1-x', 'file-1'))).rejects.toThrow(/^gone\.txt: the file sent is no longer in the temporary folder \(something removed it\); send it again\.$/);
    // A file on disk, chosen for import and moved before it was read.
    const moved = join(t.dir, 'chosen', 'gone.txt');
    await expect(read(moved)).rejects.toThrow(`gone.txt: is no longer at ${moved} (it was moved or removed after it was chosen); choose it again where it is now.`);
  });

  it('through the in-process API (Electron IPC) too, content that is not base64 is refused naming the file', async () => {
    const r = await t.call('import.files', { files: [{ name: 'ipc-bad.txt', dataBase64: 'SGVsbG8@' }] });
    expect(r.outcomes).toEqual([expect.objectContaining({ file: 'ipc-bad.txt', status: 'failed', reason: expect.stringMatching(/its content is not valid base64 \("@" at character 8\)/) })]);
    const p = await t.callRaw('import.preview', { file: { name: 'ipc-bad.csv', dataBase64: 'a,b\n' } });
    expect(!p.ok && p.error.message).toMatch(/^ipc-bad\.csv: its content is not valid base64 \(","/);
  });
});
