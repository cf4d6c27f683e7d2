/**
 * Scale benchmark (issue 13): the figures of a news corpus of 10,000 articles / 100,000
 * segments, and with `--large` (or BENCH_LARGE=1) also 100,000 / 1,000,000, through the same
 * handler table the UI calls, beside sqlite3 floors measured in the same run; then what a user
 * sees in Chromium against the same project. Corpora are generated once from a seed and cached
 * (tests/bench/corpus.ts); every run works on a copy. Prints numbers; asserts nothing.
 *
 *   npx tsx tests/bench/scale.bench.ts [--large | --large-only] [--no-ui | --ui-only]   (the UI part runs
 *   `marginalia serve` from dist/ as its own process, so it needs `npm run build`, which npm run bench does)
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { Project } from '../../main/core/project/project';
import { Session } from '../../main/api/session';
import { dispatch } from '../../main/api/dispatch';
import type { Input, Method, Output } from '../../main/api/contract';
import { LARGE, SMALL, ensureCorpus, prng, type CorpusSpec } from './corpus';
import { keyToStripe } from './lib';
import { floorCsvArgs, runSqlite3, segmentsFloor, timeExport } from './segments-csv-floor';
import { storage, storageLines } from './storage';

const args = process.argv.slice(2);
const large = args.includes('--large') || args.includes('--large-only') || process.env.BENCH_LARGE === '1';
const withUi = !args.includes('--no-ui');
const uiOnly = args.includes('--ui-only');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)]!;
const ms = (x: number) => `${x < 10 ? x.toFixed(1) : x.toFixed(0)} ms`;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 0)} MB`;
let peakRss = 0;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));

interface Row {
  figure: string;
  value: string;
}

async function measureApi(spec: CorpusSpec, rows: Row[]): Promise<string> {
  const cached = await ensureCorpus(spec);
  const dir = mkdtempSync(join(tmpdir(), 'marginalia-bench-scale-'));
  const path = join(dir, 'bench.marginalia');
  copyFileSync(cached, path);
  const put = (figure: string, value: string) => {
    rows.push({ figure, value });
    console.log(`  ${figure}: ${value}`);
  };
  let t0 = performance.now();
  const project = await Project.open(path);
  put('open the project', ms(performance.now() - t0));
  const session = new Session(project, 'alice');
  const call = async <M extends Method>(method: M, input: Input<M>): Promise<Output<M>> => {
    const r = await dispatch({ session }, method, input);
    if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
    sampleRss();
    return r.value as Output<M>;
  };
  /** Median and p95 of n runs after one warm-up, and the reply's size. */
  const time = async <T>(n: number, f: (i: number) => Promise<T>): Promise<{ med: number; p95: number; bytes: number; last: T }> => {
    let last = await f(-1);
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      last = await f(i);
      xs.push(performance.now() - s);
    }
    return { med: median(xs), p95: p95(xs), bytes: Buffer.byteLength(JSON.stringify(last) ?? ''), last };
  };
  const fig = (x: { med: number; p95: number; bytes?: number }) => `p50 ${ms(x.med)}, p95 ${ms(x.p95)}${x.bytes !== undefined ? `, reply ${mb(x.bytes)}` : ''}`;
  try {
    await call('coders.setCurrent', { name: 'alice' });
    const first = await time(9, () => call('documents.page', { limit: 100 }));
    put('documents.page, first 100 rows + total (import order)', fig(first));
    put('documents.page by name', fig(await time(9, () => call('documents.page', { limit: 100, sort: 'name' }))));
    put('documents.page by date (attribute)', fig(await time(9, () => call('documents.page', { limit: 100, sort: 'attribute', attribute: 'date', descending: true }))));
    put('documents.page by segment count', fig(await time(5, () => call('documents.page', { limit: 100, sort: 'segments', descending: true }))));
    put('documents.page, next page by cursor', fig(await time(9, () => call('documents.page', { limit: 100, after: first.last.next }))));
    put('documents.page, a jump to the middle (offset)', fig(await time(9, () => call('documents.page', { limit: 100, offset: Math.floor(spec.documents / 2) }))));
    put('documents.page filtered by name ("bbc-2024-03")', fig(await time(9, () => call('documents.page', { limit: 100, filter: 'bbc-2024-03' }))));
    const whole = await time(1, () => call('documents.list', {}));
    put('documents.list, the whole list (no longer on the first screen)', fig(whole));

    const codes = await time(9, () => call('codes.list', {}));
    put('codes.list with counts', fig(codes));

    const rand = prng(99);
    const docIds = (await call('documents.page', { limit: 1000, offset: Math.floor(spec.documents / 3) })).documents.map((d) => d.id);
    const leafCodes = codes.last.filter((c) => c.parent_id !== null);
    const creates = await time(19, async () => {
      const id = docIds[Math.floor(rand() * docIds.length)]!;
      const start = Math.floor(rand() * 1500);
      return call('segments.create', { documentId: id, codeId: leafCodes[Math.floor(rand() * leafCodes.length)]!.id, start, end: start + 40 });
    });
    put('segments.create (the key press, stored)', fig(creates));
    put('undo of a coding', fig(await time(9, () => call('project.undo', {}))));
    // Changing and removing a code: on segments made for it, one per run.
    const made: string[] = [];
    for (let i = 0; i < 10; i++) {
      const start = 100 + i * 50; // the first (index -1 + 1) is the warm-up's
      made.push((await call('segments.create', { documentId: docIds[i]!, codeId: leafCodes[0]!.id, start, end: start + 30 })).id);
    }
    put('change the code of a segment (segments.update)', fig(await time(9, (i) => call('segments.update', { id: made[i + 1]!, codeId: leafCodes[1]!.id }))));
    put('remove a coding (segments.delete)', fig(await time(9, (i) => call('segments.delete', { id: made[i + 1]! }))));

    const open = await time(9, async (i) => {
      const id = docIds[(i + 5) * 37 % docIds.length]!;
      return Promise.all([call('documents.get', { id }), call('workbench.documentSegments', { documentId: id }), call('documents.summary', { id })]);
    });
    put('open a document (text, stripes, properties)', fig(open));

    const theme = codes.last.find((c) => c.name === 'casualties')!;
    const retrieval = await time(9, () => call('segments.page', { codeId: theme.id, includeSubcodes: true, limit: 50, context: 80 }));
    put(`retrieval first 50 + total (a theme with subcodes: ${retrieval.last.total.toLocaleString('en')} segments)`, fig(retrieval));
    put('retrieval first 50, all codes', fig(await time(9, () => call('segments.page', { limit: 50, context: 80 }))));

    // Search as the panel asks: the first hits at once (search.first), the counted page on the
    // long-read connection behind it, then further pages of that count.
    // Each counted run changes the case of one letter: the same hits, but not the count kept
    // from the run before (the long-read connection keeps the last count until a change).
    const recased = (q: string, i: number) => { const k = (i + 1) % q.length; return q.slice(0, k) + q[k]!.toUpperCase() + q.slice(k + 1); };
    for (const query of ['investigation', 'Zelensky drone']) {
      const firsts = await time(9, () => call('search.first', { query, pageSize: 50 }));
      put(`search first page, shown before the count ("${query}")`, fig(firsts));
      const counted = await time(3, (i) => call('search.hits', { query: recased(query, i), page: 1, pageSize: 50 }));
      put(`search counted: first page with totals ("${query}", ${counted.last.total_hits.toLocaleString('en')} hits)`, fig(counted));
      put(`search counted: next page ("${query}")`, fig(await time(9, (i) => call('search.hits', { query: recased(query, 2), page: 2 + (i % Math.max(1, counted.last.pages - 1)), pageSize: 50 }))));
    }

    put('export preview, segments table (20 rows)', fig(await time(5, () => call('exchange.preview', { format: 'segments', limit: 20 }))));
    put('export preview, document × code matrix (20 rows)', fig(await time(3, () => call('exchange.preview', { format: 'matrix', limit: 20 }))));

    // Merge: the leaf code whose segment count is nearest 20,000 into another.
    const now = await call('codes.list', {});
    const source = [...now].filter((c) => c.parent_id !== null).sort((a, b) => Math.abs(a.segment_count - 20_000) - Math.abs(b.segment_count - 20_000))[0]!;
    const target = now.find((c) => c.parent_id === source.parent_id && c.id !== source.id)!;
    t0 = performance.now();
    await call('codes.merge', { sourceId: source.id, targetId: target.id });
    put(`merge codes (${source.segment_count.toLocaleString('en')} segments moved)`, ms(performance.now() - t0));
    t0 = performance.now();
    await call('project.undo', {});
    put('undo of that merge', ms(performance.now() - t0));

    // The streamed export to a file (the command line's, and a save to disk) beside sqlite3 -csv
    // of the export's own join (segments-csv-floor.ts; export.bench.ts checks it byte for byte).
    const floorQuery = await project.db.read((r) => segmentsFloor(r));
    const ours = await timeExport(project.db, join(dir, 'segments.csv'));
    sampleRss();
    const cli = runSqlite3(floorCsvArgs(path, floorQuery), join(dir, 'sqlite3.csv'));
    for (const f of ['segments.csv', 'sqlite3.csv']) rmSync(join(dir, f), { force: true });
    const cpuRatio = ours.cpuMs !== null && cli.cpuMs ? `, cpu ${(ours.cpuMs / 1000).toFixed(1)} s vs ${(cli.cpuMs / 1000).toFixed(1)} s: ${(ours.cpuMs / cli.cpuMs).toFixed(2)}×` : '';
    put('segments CSV export vs sqlite3 -csv of the same join', `${ms(ours.wallMs)} (${mb(ours.bytes)}) vs ${ms(cli.wallMs)} (${mb(cli.bytes)}): ${(ours.wallMs / cli.wallMs).toFixed(2)}× wall${cpuRatio}`);

    sampleRss();
    put('memory (this process: the main-process side)', `RSS now ${mb(process.memoryUsage().rss)}, peak ${mb(peakRss)}`);
  } finally {
    await session.setProject(null);
    await project.close().catch(() => undefined);
  }
  // Measured closed, the WAL checkpointed into the file: the size a colleague receives.
  const stored = storage(path);
  if (stored) for (const line of storageLines(stored)) put(line.figure, line.value);
  else put('project file vs text it holds', `${mb(statSync(path).size)} (no breakdown: this sqlite3 has no dbstat)`);
  return path;
}

/** The resident and peak memory of a process, from /proc (Linux), in bytes. */
function processMemory(pid: number): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return null;
  }
}

/**
 * `marginalia serve` on the project, as its own process (the desktop app's main process runs
 * the same handler table): how long until it serves, and its memory measured apart from the
 * bench and the browser.
 */
async function startServe(path: string): Promise<{ url: string; pid: number; startMs: number; stop: () => Promise<void> }> {
  const bin = resolve(__dirname, '../../bin/marginalia.js');
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, 'serve', path, '--port', '0', '--coder', 'alice'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((done, fail) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Open (http\S+)/.exec(out);
      if (m) done(m[1]!);
    });
    child.on('exit', (code) => fail(new Error(`marginalia serve exited with ${code}: ${err.trim() || out.trim()} (is the app built? npm run build)`)));
  });
  const exited = new Promise<void>((done) =>
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGINT' && code !== 0) console.log(`  marginalia serve ended early (${code ?? signal}): ${err.trim().slice(-2000)}`);
      done();
    }),
  );
  return { url, pid: child.pid!, startMs: performance.now() - t0, stop: () => (child.kill('SIGINT'), exited) };
}

/** What a user sees in Chromium: first screen, opening a document, key to stripe, retrieval's first page. */
async function measureUi(path: string, rows: Row[]): Promise<void> {
  const put = (figure: string, value: string) => {
    rows.push({ figure: `UI: ${figure}`, value });
    console.log(`  UI: ${figure}: ${value}`);
  };
  const serve = await startServe(path);
  const bridge = { url: serve.url };
  put('marginalia serve: started, project open, serving', ms(serve.startMs));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const firsts: number[] = [];
    let page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    for (let run = 0; run < 3; run++) {
      if (run > 0) {
        await page.close();
        page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      }
      await page.addInitScript({ content: "window.__name = (f) => f; localStorage.setItem('marginalia.coder', 'alice');" });
      const t0 = Date.now();
      await page.goto(bridge.url);
      try {
        await page.getByRole('listbox', { name: 'Documents', exact: true }).getByRole('option').first().waitFor();
        await page.waitForSelector('.doc-text p');
      } catch (e) {
        await page.screenshot({ path: join(tmpdir(), 'marginalia-bench-first-screen.png') });
        throw new Error(`the first screen did not come (screenshot: ${join(tmpdir(), 'marginalia-bench-first-screen.png')}): ${(e as Error).message}`);
      }
      await page.getByRole('tree', { name: 'Codes', exact: true }).getByRole('treeitem').first().waitFor();
      firsts.push(Date.now() - t0);
    }
    put('first usable screen (list, codebook, first document)', `${firsts.map(String).join(' / ')} ms`);
    const domRows = await page.evaluate(() => document.querySelectorAll('[role="option"]').length);
    put('document list rows in the DOM', String(domRows));

    // Open the 6th..10th documents of the list, as a click: until its text and stripes are painted.
    const opens: number[] = [];
    for (let k = 5; k < 10; k++) {
      opens.push(
        await page.evaluate(async (k) => {
          const option = document.querySelectorAll<HTMLElement>('[role="listbox"][aria-label="Documents"] [role="option"]')[k]!;
          const name = option.querySelector('.doc-name')!.textContent;
          const t0 = performance.now();
          option.click();
          await new Promise<void>((done) => {
            const check = () => {
              const heading = document.querySelector('[aria-label="Document"] h2, [aria-label="Document"] h1, [aria-label="Document"] [role="heading"]')?.textContent;
              if (heading === name && document.querySelectorAll('.stripe').length > 0 && document.querySelector('.doc-text p')) return done();
              requestAnimationFrame(check);
            };
            check();
          });
          await new Promise((r) => requestAnimationFrame(() => r(null)));
          return performance.now() - t0;
        }, k),
      );
    }
    put('open a document (text and stripes painted)', `p50 ${ms(median(opens))}, max ${ms(Math.max(...opens))}`);

    if (process.env.BENCH_VERBOSE) {
      page.on('crash', () => console.log('  page crashed'));
      page.on('close', () => console.log('  page closed'));
      page.on('console', (m) => console.log(`  console: ${m.text()}`));
      page.on('pageerror', (e) => console.log(`  page error: ${e.message}`));
      browser.on('disconnected', () => console.log('  browser disconnected'));
    }
    const presses: number[] = [];
    for (let i = 0; i < 8; i++) {
      await page.evaluate((n) => {
        const p = document.querySelectorAll('.doc-text p')[n % 2]!;
        const t = p.firstChild!.firstChild!;
        const words = [...(t.textContent ?? '').matchAll(/\S+/g)];
        const w = words[(n * 3) % words.length]!;
        const r = document.createRange();
        r.setStart(t, w.index!);
        r.setEnd(t, w.index! + w[0].length);
        const sel = document.getSelection()!;
        sel.removeAllRanges();
        sel.addRange(r);
        (document.querySelector('.doc-text') as HTMLElement).focus({ preventScroll: true });
      }, i);
      await page.waitForTimeout(100);
      if (process.env.BENCH_VERBOSE && i === 0) await page.screenshot({ path: join(tmpdir(), 'marginalia-bench-before-key.png') });
      const done = keyToStripe(page);
      await page.waitForTimeout(50);
      const settled = page.waitForResponse((r) => r.url().includes('/api/segments.create')).catch(() => null);
      await page.keyboard.press(String((i % 9) + 1));
      presses.push(
        await Promise.race([
          done,
          new Promise<number>((_, fail) => setTimeout(() => fail(new Error(`key ${(i % 9) + 1} painted no stripe within 30 s`)), 30_000)),
        ]),
      );
      await settled;
    }
    put('shortcut key to new stripe painted', `p50 ${ms(median(presses))}, max ${ms(Math.max(...presses))}`);

    // Retrieval: a theme's coded segments, from the click to the first item painted.
    await page.getByRole('tree', { name: 'Codes', exact: true }).getByRole('treeitem', { name: 'casualties', exact: true }).click();
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Show coded segments' }).click();
    await page.getByRole('list', { name: 'Coded segments', exact: true }).getByRole('listitem').first().waitFor();
    const shown = await page.getByRole('region', { name: 'Coded segments view' }).getByRole('status').textContent();
    put('retrieval first page (a theme with subcodes)', `${Date.now() - t0} ms (${shown})`);
    const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
    if (heap) put('renderer JS heap', mb(heap));
    const memory = processMemory(serve.pid);
    if (memory) put('main process (marginalia serve) memory after all of the above', `RSS ${mb(memory.rss)}, peak ${mb(memory.peak)}`);
  } finally {
    await browser.close();
    await serve.stop();
  }
}

async function main(): Promise<void> {
  const specs = args.includes('--large-only') ? [LARGE] : large ? [SMALL, LARGE] : [SMALL];
  const table: Array<{ spec: CorpusSpec; rows: Row[] }> = [];
  for (const spec of specs) {
    console.log(`\n${spec.documents.toLocaleString('en')} documents / about ${(spec.documents * spec.segmentsPerDocument).toLocaleString('en')} segments (seed ${spec.seed})`);
    const rows: Row[] = [];
    let path: string;
    if (uiOnly) {
      path = join(mkdtempSync(join(tmpdir(), 'marginalia-bench-scale-')), 'bench.marginalia');
      copyFileSync(await ensureCorpus(spec), path);
    } else path = await measureApi(spec, rows);
    if (withUi || uiOnly) await measureUi(path, rows).catch((e) => console.log(`  UI not measured: ${process.env.BENCH_VERBOSE ? (e as Error).stack : (e as Error).message.split("\n")[0]}`));
    rmSync(resolve(path, '..'), { recursive: true, force: true });
    table.push({ spec, rows });
  }
  // One table, a column per size, to paste into the README.
  const figures = [...new Set(table.flatMap((t) => t.rows.map((r) => r.figure.replace(/\(.*?segments.*?\)/, '').trim())))];
  console.log(`\n| action | ${table.map((t) => `${t.spec.documents / 1000}k docs / ${(t.spec.documents * t.spec.segmentsPerDocument) / 1000}k segments`).join(' | ')} |`);
  console.log(`|---|${table.map(() => '---').join('|')}|`);
  for (const f of figures) console.log(`| ${f} | ${table.map((t) => t.rows.find((r) => r.figure.replace(/\(.*?segments.*?\)/, '').trim() === f)?.value ?? '').join(' | ')} |`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
