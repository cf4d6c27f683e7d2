/**
 * Crash safety, proven by killing: each operation a researcher runs is started in a real
 * child process (the built `marginalia` command line, or `marginalia serve` driven over the
 * loopback bridge) and killed with SIGKILL at a random moment, KILLS times. After every kill
 * the project must open through Marginalia's own checks, pass `PRAGMA integrity_check` and
 * `foreign_key_check`, hold every action that was acknowledged, and undo must still work.
 * Leftover temporary files of killed runs must be gone after the next run.
 *
 * The moments are drawn from a seeded generator; a failure prints the seed and the delay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sqlite3 from 'sqlite3';
import { Project } from '../../main/core/project/project';
import { Session } from '../../main/api/session';
import { dispatch } from '../../main/api/dispatch';
import type { Input, Method, Output } from '../../main/api/contract';
import { createSampleProject } from '../../main/core/sample/sample';
import { exportToBytes } from '../../main/core/exchange/export';
import { undo } from '../../main/core/events/undo';
import { seededRandom } from '../../main/core/team/rounds';
import { normaliseText } from '../../main/core/text/normalise';
import { tempDir } from '../helpers/project';

const KILLS = Number(process.env.MARGINALIA_KILLS ?? 20);
const SEED = Number(process.env.MARGINALIA_KILL_SEED ?? Date.now() % 100_000);
const root = resolve(__dirname, '../..');
const cli = join(root, 'bin', 'marginalia.js');

// The project's own seeded generator (reliability rounds draw samples with it), so a failing kill moment can be replayed.
const rnd = seededRandom(SEED);

let work: { dir: string; cleanup: () => void };
/** The children's own temp folder, so leftovers of killed merges can be looked for. */
let childTmp: string;

async function withSession<T>(path: string, fn: (call: <M extends Method>(m: M, i: Input<M>) => Promise<Output<M>>, project: Project) => Promise<T>): Promise<T> {
  const project = await Project.open(path);
  const session = new Session(project, 'checker');
  const call = async <M extends Method>(method: M, input: Input<M>): Promise<Output<M>> => {
    const r = await dispatch({ session }, method, input);
    if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
    return r.value as Output<M>;
  };
  try {
    return await fn(call, project);
  } finally {
    await project.close();
  }
}

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Started {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, TMPDIR: childTmp, MARGINALIA_CODER: 'killer' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs a command to its end, for fixtures and for the timing that sets the kill window. */
async function runToEnd(args: string[]): Promise<{ code: number | null; ms: number; out: string }> {
  const t = Date.now();
  const s = start(args);
  const code = await s.exited;
  // The output, with what went wrong last, for an assertion's message.
  return { code, ms: Date.now() - t, out: `${s.stdout().slice(-2000)}\n${s.stderr().slice(-2000)}` };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Kills `s` after `ms`, unless it ended first; returns whether it finished on its own (exit 0). */
async function killAfter(s: Started, ms: number): Promise<boolean> {
  const finished = await Promise.race([s.exited.then((c) => c === 0), sleep(ms).then(() => null)]);
  if (finished !== null) return finished;
  s.child.kill('SIGKILL');
  await s.exited;
  return false;
}

/** Opens through Marginalia (quick check included) and runs SQLite's full checks. */
async function assertIntact(path: string, context: string): Promise<void> {
  await withSession(path, async (_call, project) => {
    const integrity = await project.db.read((r) => r.all<{ integrity_check: string }>('PRAGMA integrity_check'));
    expect(integrity.map((x) => x.integrity_check), context).toEqual(['ok']);
    const fk = await project.db.read((r) => r.all('PRAGMA foreign_key_check'));
    expect(fk, context).toEqual([]);
  });
}

const count = (project: Project, table: string) => project.db.read(async (r) => (await r.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!.n);

/** Undo of the latest action works after the kill, and takes away exactly what that action added. */
async function assertUndoWorks(path: string, context: string, table: string): Promise<void> {
  await withSession(path, async (_call, project) => {
    const events = await count(project, 'events');
    if (events === 0) return;
    const before = await count(project, table);
    const last = await project.db.read((r) => r.get<{ changes: string }>(`SELECT changes FROM events WHERE undone = 0 ORDER BY seq DESC LIMIT 1`));
    const changes = JSON.parse(last!.changes) as { table: string; before: unknown; after: unknown }[];
    const net = changes.filter((c) => c.table === table).reduce((n, c) => n + (c.after && !c.before ? 1 : !c.after && c.before ? -1 : 0), 0);
    await undo(project.db);
    expect(await count(project, table), `${context}: undo reverts the last action`).toBe(before - net);
  });
}

/**
 * Watches a table's row count from a connection of its own while another process writes
 * (WAL lets it read what is committed): what was seen, and when it first and last changed.
 */
async function watchCount(path: string, table: string): Promise<{ stop: () => Promise<{ latest: number; first: number | null; last: number | null }> }> {
  const db = new sqlite3.Database(path, sqlite3.OPEN_READONLY);
  const read = () => new Promise<number | null>((done) => db.get(`SELECT count(*) AS n FROM ${table}`, (err: Error | null, row?: { n: number }) => done(err || !row ? null : row.n)));
  const t0 = Date.now();
  const initial = (await read()) ?? 0;
  const seen = { latest: initial, first: null as number | null, last: null as number | null };
  let running = true;
  const loop = (async () => {
    while (running) {
      const n = await read();
      if (n !== null && n !== seen.latest) {
        seen.latest = n;
        seen.first ??= Date.now() - t0;
        seen.last = Date.now() - t0;
      }
      await sleep(15);
    }
  })();
  return {
    // Closed before the project is opened to be checked, so no reader of ours is left behind.
    stop: async () => {
      running = false;
      await loop;
      await new Promise<void>((done) => db.close(() => done()));
      return { ...seen };
    },
  };
}

let sample: string;
/** A colleague's project: 120 documents, 1,200 codings, for merge and .qdpx import. */
let colleague: string;
let qdpx: string;
let folder: string;
/** Enough for several import batches (400 documents each), so kills land between commits. */
const FOLDER_FILES = 1300;
/** How long a command takes to start (Node, the CLI, opening the project): kills are drawn after it, where the work is. */
let startupMs = 0;

beforeAll(async () => {
  if (!existsSync(join(root, 'dist', 'main', 'cli', 'index.js'))) throw new Error('The command line is not built: run "npm run build" first (npm test does).');
  work = tempDir('marginalia-crash-');
  childTmp = join(work.dir, 'tmp');
  mkdirSync(childTmp);
  sample = join(work.dir, 'sample.marginalia');
  await (await createSampleProject(sample, 'ana')).close();

  colleague = join(work.dir, 'colleague.marginalia');
  const project = await Project.create(colleague, { name: 'Colleague' });
  const session = new Session(project, 'ben');
  const call = async <M extends Method>(method: M, input: Input<M>): Promise<Output<M>> => {
    const r = await dispatch({ session }, method, input);
    if (!r.ok) throw new Error(r.error.message);
    return r.value as Output<M>;
  };
  const codeIds: string[] = [];
  for (let c = 0; c < 10; c++) codeIds.push((await call('codes.create', { name: `theme ${c}` })).id);
  const docs = Array.from({ length: 120 }, (_, i) => ({ name: `wire ${i}.txt`, text: `Report ${i}. ${'Shelling near the market was reported by several outlets. '.repeat(8)}\n\nEnd ${i} 🚀.` }));
  await call('import.files', { files: docs.map((d) => ({ name: d.name, dataBase64: Buffer.from(d.text).toString('base64') })) });
  const list = await call('documents.list', {});
  for (const d of list) for (let k = 0; k < 10; k++) await call('segments.create', { documentId: d.id, codeId: codeIds[k]!, start: k * 7, end: k * 7 + 30 });
  const bytes = await project.db.read((r) => exportToBytes(r, { format: 'qdpx' }));
  await project.close();
  qdpx = join(work.dir, 'colleague.qdpx');
  writeFileSync(qdpx, bytes.bytes);

  folder = join(work.dir, 'articles');
  mkdirSync(folder);
  for (let i = 0; i < FOLDER_FILES; i++) writeFileSync(join(folder, `article-${String(i).padStart(4, '0')}.txt`), `Article ${i}\r\n\r\n${'Casualty figures differ between sources. '.repeat(6)}${i}`);
  startupMs = Math.round((await runToEnd(['docs', sample])).ms * 0.8);
  console.log(`crash-safety: seed ${SEED} (set MARGINALIA_KILL_SEED to replay), ${KILLS} kills per operation, start-up ${startupMs} ms`);
}, 300_000);

afterAll(() => work?.cleanup());

/**
 * A kill moment for `op`: after start-up most of the time, anywhere up to a little past the end.
 * The end is the timing run's, shortened by 15% for each of `op`'s runs that finished before
 * its kill: a timing run slower than the runs after it (a cold start on a busy machine) would
 * otherwise draw most moments after the end, and the test would fail for want of kills.
 */
function killMoment(op: string, timedMs: number): number {
  const durationMs = timedMs * 0.85 ** (kills[op]?.finished ?? 0);
  // Never later than two thirds of the run: an operation little longer than the start-up (a
  // merge of 1,200 codings) would otherwise be drawn only kill moments after its end.
  const from = rnd() < 0.15 ? 0 : Math.min(startupMs, durationMs * 0.67);
  return Math.floor(from + rnd() * (durationMs * 1.1 - from));
}

/** A fresh copy of a checkpointed project file for one kill. */
function copyOf(source: string, name: string): string {
  const target = join(work.dir, name);
  for (const suffix of ['', '-wal', '-shm']) rmSync(target + suffix, { force: true });
  copyFileSync(source, target);
  return target;
}

/** Per operation: kills, runs that finished before their kill, and kills that left part of the work committed. */
const kills: Record<string, { killed: number; finished: number; midway: number }> = {};
function tally(op: string, finished: boolean, midway = false) {
  const t = (kills[op] ??= { killed: 0, finished: 0, midway: 0 });
  if (finished) t.finished++;
  else t.killed++;
  if (midway) t.midway++;
}

/** Runs started for `op` so far. */
const runsOf = (op: string) => (kills[op] ? kills[op].killed + kills[op].finished : 0);

/**
 * Whether to start run i of `op`: until KILLS runs were killed (not finished first), so every
 * operation is killed KILLS times; a kill window drawn too late fails instead of looping on.
 */
function moreKills(op: string, i: number): boolean {
  const killed = kills[op]?.killed ?? 0;
  if (killed >= KILLS) return false;
  if (i >= KILLS * 3) throw new Error(`${op}: only ${killed} of ${i} runs were killed before they finished; the kill moments are drawn too late (seed ${SEED})`);
  return true;
}

describe('killed with SIGKILL at random moments, the project survives', () => {
  afterAll(() =>
    console.log(`crash-safety: ${Object.entries(kills).map(([op, t]) => `${op}: ${t.killed} killed (${t.midway} with part of the work acknowledged or committed), ${t.finished} finished first`).join('; ')}`),
  );

  it('new --sample: the project is whole or absent, never half-made', async () => {
    const dir = join(work.dir, 'new');
    mkdirSync(dir);
    const timing = await runToEnd(['new', join(dir, 'timing.marginalia'), '--sample']);
    expect(timing.code, timing.out).toBe(0);
    for (let i = 0; moreKills('new --sample', i); i++) {
      const path = join(dir, `p${i}.marginalia`);
      const delay = killMoment('new --sample', timing.ms);
      const finished = await killAfter(start(['new', path, '--sample']), delay);
      tally('new --sample', finished);
      const context = `new --sample killed after ${delay} ms (seed ${SEED})`;
      if (finished) expect(existsSync(path), context).toBe(true);
      if (!existsSync(path)) continue;
      await assertIntact(path, context);
      await withSession(path, async (call) => {
        expect((await call('documents.list', {})).length, context).toBe(5);
        expect((await call('codes.list', {})).length, context).toBeGreaterThan(3);
      });
    }
    // The next run in the same folder removes what killed runs left under temporary names.
    expect((await runToEnd(['new', join(dir, 'after.marginalia')])).code).toBe(0);
    for (let i = 0; i < runsOf('new --sample'); i++) expect((await runToEnd(['new', join(dir, `p${i}.marginalia`)])).code).not.toBeNull();
    expect(readdirSync(dir).filter((f) => f.includes('.creating-'))).toEqual([]);
  }, 600_000);

  it('folder import: committed batches stay, each document whole, undo removes the last batch', async () => {
    // The timing run is watched too: when its batches commit is where kills matter most.
    const timingPath = copyOf(sample, 'import-timing.marginalia');
    const timingWatch = await watchCount(timingPath, 'documents');
    const timing = await runToEnd(['import', timingPath, folder]);
    const commits = await timingWatch.stop();
    expect(timing.code, timing.out).toBe(0);
    const window = { from: commits.first ?? 0, to: commits.last ?? timing.ms };
    const expected = new Map(readdirSync(folder).map((f) => [normaliseText(readFileSync(join(folder, f), 'utf8')), f]));
    for (let i = 0; moreKills('folder import', i); i++) {
      const path = copyOf(sample, `import-${i}.marginalia`);
      // Every other kill lands while batches are being committed, the rest anywhere.
      const delay = i % 2 ? Math.floor(window.from + rnd() * (window.to - window.from + 100)) : killMoment('folder import', timing.ms);
      const watch = await watchCount(path, 'documents');
      const finished = await killAfter(start(['import', path, folder]), delay);
      // What another connection had seen committed before the kill: it must all still be there.
      const seen = (await watch.stop()).latest;
      const context = `folder import killed after ${delay} ms, ${seen} documents seen committed (seed ${SEED})`;
      await assertIntact(path, context);
      await withSession(path, async (_call, project) => {
        const texts = await project.db.read((r) => r.all<{ text: string; source_name: string | null }>(`SELECT text, source_name FROM documents WHERE source_name LIKE 'articles/%'`));
        tally('folder import', finished, texts.length > 0 && texts.length < FOLDER_FILES);
        if (finished) expect(texts.length, context).toBe(FOLDER_FILES);
        expect(await count(project, 'documents'), `${context}: committed batches stay`).toBeGreaterThanOrEqual(seen);
        for (const t of texts) expect(expected.has(t.text), `${context}: ${t.source_name} is whole`).toBe(true);
      });
      await assertUndoWorks(path, context, 'documents');
    }
  }, 600_000);

  it('.qdpx import: all of the file or none of it', async () => {
    const timing = await runToEnd(['import', copyOf(sample, 'qdpx-timing.marginalia'), qdpx]);
    expect(timing.code, timing.out).toBe(0);
    for (let i = 0; moreKills('.qdpx import', i); i++) {
      const path = copyOf(sample, `qdpx-${i}.marginalia`);
      const delay = killMoment('.qdpx import', timing.ms);
      const finished = await killAfter(start(['import', path, qdpx]), delay);
      tally('.qdpx import', finished);
      const context = `.qdpx import killed after ${delay} ms (seed ${SEED})`;
      await assertIntact(path, context);
      await withSession(path, async (_call, project) => {
        const docs = await count(project, 'documents');
        const segs = await count(project, 'segments');
        expect([5, 125], context).toContain(docs);
        expect(segs, context).toBe(docs === 125 ? 1200 : 0);
        if (finished) expect(docs, context).toBe(125);
      });
      await assertUndoWorks(path, context, 'segments');
    }
  }, 600_000);

  it('merge: all of the colleague’s work or none, a backup only when complete, no leftovers', async () => {
    const timing = await runToEnd(['merge', copyOf(sample, 'merge-timing.marginalia'), colleague]);
    expect(timing.code, timing.out).toBe(0);
    for (let i = 0; moreKills('merge', i); i++) {
      const dir = join(work.dir, `merge-${i}`);
      mkdirSync(dir);
      const path = join(dir, 'study.marginalia');
      copyFileSync(sample, path);
      const delay = killMoment('merge', timing.ms);
      const finished = await killAfter(start(['merge', path, colleague]), delay);
      tally('merge', finished);
      const context = `merge killed after ${delay} ms (seed ${SEED})`;
      await assertIntact(path, context);
      await withSession(path, async (_call, project) => {
        const segs = await count(project, 'segments');
        expect([0, 1200], context).toContain(segs);
        if (finished) expect(segs, context).toBe(1200);
      });
      // A backup that exists is a whole project; a partial one never carries the backup name.
      for (const f of readdirSync(dir).filter((x) => x.includes('.backup-') && x.endsWith('.marginalia'))) await assertIntact(join(dir, f), `${context}: backup ${f}`);
      await assertUndoWorks(path, context, 'segments');
    }
    // Killed merges leave their copy of the colleague's file in the temp folder; the next merge clears them.
    expect((await runToEnd(['merge', copyOf(sample, 'merge-last.marginalia'), colleague])).code).toBe(0);
    expect(readdirSync(childTmp).filter((f) => f.startsWith('marginalia-'))).toEqual([]);
  }, 600_000);

  /** Starts `marginalia serve` on a copy and returns a caller for the bridge. */
  async function serve(path: string) {
    const s = start(['serve', path, '--coder', 'killer']);
    for (let t = 0; t < 200 && !/#token=/.test(s.stdout()); t++) await sleep(25);
    const match = /Open (http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/.exec(s.stdout());
    if (!match) throw new Error(`serve did not print its address: ${s.stdout()}`);
    const [, origin, token] = match;
    const call = async (method: string, input: unknown): Promise<{ ok: boolean; value?: unknown }> => {
      const res = await fetch(`${origin}/api/${method}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(input) });
      return (await res.json()) as { ok: boolean; value?: unknown };
    };
    return { s, call };
  }

  it('a burst of codings through the API: every acknowledged coding is there', async () => {
    const ids = await withSession(sample, async (call) => ({ doc: (await call('documents.list', {}))[0]!.id, code: (await call('codes.list', {}))[0]!.id }));
    for (let i = 0; i < KILLS; i++) {
      const path = copyOf(sample, `burst-${i}.marginalia`);
      const { s, call } = await serve(path);
      const acknowledged: string[] = [];
      const delay = 50 + Math.floor(rnd() * 1500);
      const deadline = Date.now() + delay;
      let n = 0;
      // Sequential, as fast as the bridge answers; the kill lands wherever the loop is.
      const loop = (async () => {
        while (Date.now() < deadline + 5000) {
          const r = await call('segments.create', { documentId: ids.doc, codeId: ids.code, start: n % 200, end: (n % 200) + 15 }).catch(() => null);
          n++;
          if (!r) return;
          if (r.ok) acknowledged.push((r.value as { id: string }).id);
        }
      })();
      await sleep(delay);
      s.child.kill('SIGKILL');
      await s.exited;
      await loop;
      tally('codings burst', false, acknowledged.length > 0);
      const context = `codings burst killed after ${delay} ms, ${acknowledged.length} acknowledged (seed ${SEED})`;
      await assertIntact(path, context);
      await withSession(path, async (_call, project) => {
        const present = new Set((await project.db.read((r) => r.all<{ id: string }>(`SELECT id FROM segments`))).map((x) => x.id));
        expect(acknowledged.filter((id) => !present.has(id)), context).toEqual([]);
      });
      await assertUndoWorks(path, context, 'segments');
    }
  }, 600_000);

  it('codebook merges and deletes through the API: every acknowledged one holds, no coding points nowhere', async () => {
    // A codebook of 40 codes with codings, built once.
    const base = copyOf(sample, 'codebook-base.marginalia');
    await withSession(base, async (call) => {
      const doc = (await call('documents.list', {}))[0]!.id;
      for (let c = 0; c < 40; c++) {
        const id = (await call('codes.create', { name: `code ${c}` })).id;
        for (let k = 0; k < 15; k++) await call('segments.create', { documentId: doc, codeId: id, start: k * 10, end: k * 10 + 8 + c });
      }
    });
    for (let i = 0; i < KILLS; i++) {
      const path = copyOf(base, `codebook-${i}.marginalia`);
      const codes = await withSession(path, async (call) => (await call('codes.list', {})).filter((c) => c.name.startsWith('code ')).map((c) => c.id));
      const { s, call } = await serve(path);
      const gone: string[] = [];
      const kept: string[] = [];
      const delay = 50 + Math.floor(rnd() * 1200);
      const loop = (async () => {
        for (let k = 0; k + 1 < codes.length; k += 2) {
          const r =
            k % 4 === 0
              ? await call('codes.merge', { sourceId: codes[k]!, targetId: codes[k + 1]! }).catch(() => null)
              : await call('codes.delete', { id: codes[k]! }).catch(() => null);
          if (!r) return;
          if (r.ok) {
            gone.push(codes[k]!);
            kept.push(codes[k + 1]!);
          }
        }
      })();
      await sleep(delay);
      s.child.kill('SIGKILL');
      await s.exited;
      await loop;
      tally('codebook merge/delete', false, gone.length > 0);
      const context = `codebook merge/delete killed after ${delay} ms, ${gone.length} acknowledged (seed ${SEED})`;
      await assertIntact(path, context);
      await withSession(path, async (_call, project) => {
        const present = new Set((await project.db.read((r) => r.all<{ id: string }>(`SELECT id FROM codes`))).map((x) => x.id));
        expect(gone.filter((id) => present.has(id)), `${context}: merged or deleted codes are gone`).toEqual([]);
        expect(kept.filter((id) => !present.has(id)), `${context}: merge targets stay`).toEqual([]);
      });
      await assertUndoWorks(path, context, 'codes');
    }
  }, 600_000);

  it('export: the output is the whole export or absent, the project untouched, and the next export leaves no temporary file', async () => {
    // 1,425 documents and 1,200 codings: a .qdpx of every text, a segments table of every coding.
    const base = copyOf(colleague, 'export-base.marginalia');
    expect((await runToEnd(['import', base, folder])).code).toBe(0);
    const dir = join(work.dir, 'exports');
    mkdirSync(dir);
    // Exporting an unchanged project gives the same bytes, so a complete output is exactly these.
    const formats = ['qdpx', 'segments'] as const;
    const reference = new Map<string, { bytes: Buffer; ms: number }>();
    for (const format of formats) {
      const out = join(dir, `reference.${format}`);
      const timing = await runToEnd(['export', base, '--format', format, '--out', out]);
      expect(timing.code, timing.out).toBe(0);
      reference.set(format, { bytes: readFileSync(out), ms: timing.ms });
    }
    const projectBytes = readFileSync(base);
    for (let i = 0; moreKills('export', i); i++) {
      const format = formats[i % formats.length]!;
      const ref = reference.get(format)!;
      const out = join(dir, `study.${format}`);
      rmSync(out, { force: true });
      // Every other kill lands after start-up, while the export reads and writes; the rest anywhere.
      const delay = i % 4 < 2 ? Math.floor(Math.min(startupMs, ref.ms) + rnd() * Math.max(1, ref.ms - startupMs)) : killMoment('export', ref.ms);
      const finished = await killAfter(start(['export', base, '--format', format, '--out', out]), delay);
      const context = `${format} export killed after ${delay} ms (seed ${SEED})`;
      tally('export', finished, !finished && readdirSync(dir).some((f) => f.startsWith(`.study.${format}.exporting-`)));
      if (finished || existsSync(out)) expect(readFileSync(out).equals(ref.bytes), `${context}: the output is the whole export`).toBe(true);
      // Reading never writes: the project file is as it was, with nothing left in a -wal.
      expect(readFileSync(base).equals(projectBytes), `${context}: the project file is untouched`).toBe(true);
    }
    await assertIntact(base, 'after the killed exports');
    // The next export to the same place removes what killed ones left under temporary names.
    for (const format of formats) expect((await runToEnd(['export', base, '--format', format, '--out', join(dir, `study.${format}`)])).code).toBe(0);
    expect(readdirSync(dir).filter((f) => f.startsWith('.')), 'temporary files left beside the output').toEqual([]);
  }, 600_000);
});
