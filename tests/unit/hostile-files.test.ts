import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { send } from '../helpers/http';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { makeDocx } from '../fixtures/import/make-fixtures';
import { runCli } from '../helpers/cli';
import { openTestProject, tempDir } from '../helpers/project';
import { CSV_ROWS, QDPX_SOURCE_TEXT, hostileCases, understatedQdpxCase, type HostileCase } from '../hostile/make-hostile';
import { startBridge } from '../../main/bridge/server';
import { closeSandbox, sandboxMemoryMb, sandboxStats } from '../../main/core/sandbox/sandbox';

/**
 * Every file of the hostile corpus, imported in a fresh project through the command line and
 * through the loopback bridge: the message it gets, the memory the reading worker reached,
 * and that nothing but its own documents went into the project.
 */

/** Row counts of every table, and the project row, read straight from the file. */
async function snapshot(path: string): Promise<Record<string, number | string>> {
  const db = new sqlite3.Database(path, sqlite3.OPEN_READONLY);
  const all = (sql: string) => new Promise<Record<string, unknown>[]>((res, rej) => db.all(sql, (e, rows) => (e ? rej(e) : res(rows as Record<string, unknown>[]))));
  try {
    const out: Record<string, number | string> = {};
    for (const { name } of (await all("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'documents_fts%' ORDER BY name")) as { name: string }[]) {
      out[name] = Number((await all(`SELECT count(*) AS n FROM "${name}"`))[0]!.n);
    }
    out['project row'] = JSON.stringify(await all('SELECT * FROM project'));
    return out;
  } finally {
    await new Promise((r) => db.close(r));
  }
}

/** Tables an import adds to: its documents (and their maintained segment counts and keys), their attributes (and keys) and fingerprints, and the undo log. */
const IMPORT_WRITES = new Set(['documents', 'document_counts', 'document_keys', 'document_values', 'document_value_rows', 'variables', 'variable_keys', 'events', 'sqlite_sequence', 'document_fingerprints', 'near_duplicates', 'coders', 'coder_keys']);
/** A failed import still records the importing coder (and the coder's key, migration 13). */
const CODER_WRITES = new Set(['coders', 'coder_keys']);

function unchangedApartFrom(before: Record<string, number | string>, after: Record<string, number | string>, allowed: Set<string>) {
  const keep = (s: Record<string, number | string>) => Object.fromEntries(Object.entries(s).filter(([k]) => !allowed.has(k)));
  expect(keep(after)).toEqual(keep(before));
}

const MB = 1024 * 1024;
function lastStat(file: string) {
  return [...sandboxStats()].reverse().find((s) => s.file === file || s.file.endsWith(`/${file}`));
}

function post(port: number, token: string, method: string, body: unknown) {
  const data = JSON.stringify(body);
  return send(port, `/api/${method}`, { method: 'POST', body: data, headers: { Host: `127.0.0.1:${port}`, Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(data)) } });
}

type Outcome = { file: string; status: string; name?: string; reason?: string; documentId?: string };

function checkOutcomes(c: HostileCase, outcomes: Outcome[], docs: { name: string; length: number }[], via: string) {
  const e = c.expect;
  if (e.status === 'failed') {
    expect(outcomes, `${via}: ${c.what}`).toHaveLength(1);
    expect(outcomes[0]!.status, `${via}: ${c.what}`).toBe('failed');
    expect(outcomes[0]!.reason, `${via}: ${c.what}`).toMatch(e.reason);
    if (e.not) expect(outcomes[0]!.reason).not.toMatch(e.not);
    expect(docs).toEqual([]);
  } else {
    expect(outcomes.every((o) => o.status === 'imported'), `${via}: ${c.what}: ${JSON.stringify(outcomes.find((o) => o.status !== 'imported'))}`).toBe(true);
    expect(docs).toHaveLength(e.documents ?? 1);
    if (e.name !== undefined) expect(docs[0]!.name).toBe(e.name);
  }
}

describe('hostile files', () => {
  const cases = hostileCases();
  const corpus = tempDir('marginalia-hostile-');
  const files = join(corpus.dir, 'files');
  const memory: string[] = [];

  /** Each file's bytes, built once. */
  const bytes = new Map<string, Uint8Array>();
  beforeAll(() => {
    mkdirSync(files);
    for (const c of [...cases, understatedQdpxCase]) {
      bytes.set(c.file, c.bytes());
      writeFileSync(join(files, c.file), bytes.get(c.file)!);
    }
  });
  afterAll(async () => {
    console.log(`worker heap and external memory at the end of reading each file (its high-water mark for that file, sampled after each step), ceiling ${sandboxMemoryMb()} MB:\n${memory.join('\n')}`);
    await closeSandbox();
    corpus.cleanup();
  });

  it('through the command line: each file gets its message, the worker stays under its ceiling, and nothing else in the project changes', async () => {
    for (const [i, c] of cases.entries()) {
      const project = join(corpus.dir, `cli-${i}.marginalia`);
      expect((await runCli('new', project, '--name', 'Hostile')).code).toBe(0);
      const before = await snapshot(project);
      const r = await runCli('import', project, join(files, c.file), '--json');
      expect(r.code, `${c.what}: ${r.err}`).toBe(c.expect.status === 'failed' ? 1 : 0);
      const report = JSON.parse(r.out) as { outcomes: Outcome[] };
      const docs = JSON.parse((await runCli('docs', project, '--json')).out) as { name: string; length: number }[];
      checkOutcomes(c, report.outcomes, docs, 'CLI');
      if (c.expect.status === 'imported' && c.expect.documents === CSV_ROWS) expect(docs.map((d) => d.name)).toContain(`Article ${CSV_ROWS}`);
      // The importing coder is recorded on the project's first write, whatever the file.
      unchangedApartFrom(before, await snapshot(project), c.expect.status === 'failed' ? CODER_WRITES : IMPORT_WRITES);
      const stat = lastStat(c.file);
      expect(stat, `no worker record for ${c.file}`).toBeDefined();
      expect(stat!.heapPeak).toBeLessThan(sandboxMemoryMb() * MB);
      memory.push(`  ${JSON.stringify(c.file)}: ${Math.round(stat!.heapPeak / MB)} MB (${stat!.outcome})`);
    }
  });

  it('a REFI-QDA source whose declared size is understated is imported whole, not cut to what it declared', async () => {
    const project = join(corpus.dir, 'qdpx.marginalia');
    await runCli('new', project);
    const r = await runCli('import', project, join(files, understatedQdpxCase.file));
    expect(r.code, r.err).toBe(0);
    const docs = JSON.parse((await runCli('docs', project, '--json')).out) as { id: string; length: number }[];
    expect(docs).toHaveLength(1);
    expect(docs[0]!.length).toBe(QDPX_SOURCE_TEXT.length);
    expect((docs[0] as unknown as { sha256: string }).sha256).toBe(createHash('sha256').update(QDPX_SOURCE_TEXT).digest('hex'));
  });

  it('through the bridge: the same messages, and nothing else in the project changes', async () => {
    const web = tempDir();
    writeFileSync(join(web.dir, 'index.html'), '<!doctype html><title>Marginalia</title>');
    try {
      for (const c of cases.filter((x) => !x.cliOnly)) {
        const t = await openTestProject();
        const bridge = await startBridge({ ctx: { session: t.session }, rendererDir: web.dir });
        try {
          const before = await snapshot(t.path);
          const r = await post(bridge.port, bridge.token, 'import.files', { files: [{ name: c.file, dataBase64: Buffer.from(bytes.get(c.file)!).toString('base64') }] });
          expect(r.status, r.body).toBe(200);
          const body = JSON.parse(r.body) as { outcomes?: Outcome[]; value?: { outcomes: Outcome[] } };
          const outcomes = (body.value ?? body).outcomes!;
          const docs = (await t.call('documents.list', {})) as unknown as { name: string; length: number }[];
          checkOutcomes(c, outcomes, docs, 'bridge');
          // The session's coder is recorded on its first write, whatever the file.
          unchangedApartFrom(before, await snapshot(t.path), c.expect.status === 'failed' ? CODER_WRITES : IMPORT_WRITES);
        } finally {
          await bridge.close();
          await t.close();
        }
      }
    } finally {
      web.cleanup();
    }
  });

  it('a file past the memory ceiling or the time limit fails alone, naming the file and the limit; the files around it go in', async () => {
    const heavy = makeDocx(Array.from({ length: 50_000 }, (_, i) => `Paragraph ${i} of a long report.`));
    const dir = join(corpus.dir, 'batch');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.txt'), 'Before the heavy file.');
    writeFileSync(join(dir, 'heavy.docx'), heavy);
    writeFileSync(join(dir, 'z.txt'), 'After the heavy file.');
    const saved = { memory: process.env.MARGINALIA_SANDBOX_MEMORY_MB, seconds: process.env.MARGINALIA_SANDBOX_SECONDS };
    try {
      await closeSandbox();
      process.env.MARGINALIA_SANDBOX_MEMORY_MB = '96';
      let project = join(corpus.dir, 'memory.marginalia');
      await runCli('new', project);
      let r = await runCli('import', project, dir, '--json');
      let report = JSON.parse(r.out) as { outcomes: Outcome[] };
      expect(report.outcomes.map((o) => [o.file, o.status])).toEqual([['batch/a.txt', 'imported'], ['batch/heavy.docx', 'failed'], ['batch/z.txt', 'imported']]);
      expect(report.outcomes[1]!.reason).toMatch(/^is too large to read safely \(over 96 MB of memory\)/);
      expect(lastStat('heavy.docx')!.outcome).toBe('memory');

      await closeSandbox();
      delete process.env.MARGINALIA_SANDBOX_MEMORY_MB;
      process.env.MARGINALIA_SANDBOX_SECONDS = '1';
      project = join(corpus.dir, 'time.marginalia');
      await runCli('new', project);
      await runCli('import', project, join(dir, 'a.txt')); // the worker is started (and tsx loaded) before the clock matters
      r = await runCli('import', project, dir, '--json');
      report = JSON.parse(r.out) as { outcomes: Outcome[] };
      expect(report.outcomes.map((o) => [o.file, o.status])).toEqual([['batch/a.txt', 'duplicate'], ['batch/heavy.docx', 'failed'], ['batch/z.txt', 'imported']]);
      expect(report.outcomes[1]!.reason).toMatch(/^took longer than 1 s to read/);
      expect(lastStat('heavy.docx')!.outcome).toBe('time');
    } finally {
      for (const [k, v] of [['MARGINALIA_SANDBOX_MEMORY_MB', saved.memory], ['MARGINALIA_SANDBOX_SECONDS', saved.seconds]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await closeSandbox();
    }
  });
});
