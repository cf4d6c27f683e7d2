/**
 * Scale benchmark (issue 13): the figures of a news corpus of 10,000 articles / 100,000
 * segments, and with `--large` (or BENCH_LARGE=1) also 100,000 / 1,000,000, through the same
 * handler table the UI calls, beside sqlite3 floors measured in the same run; then what a user
 * sees in Chromium against the same project. Corpora are generated once from a seed and cached
 * (tests/bench/corpus.ts); every run works on a copy. Prints numbers; asserts nothing.
 *
 *   npx tsx tests/bench/scale.bench.ts [--large | --large-only] [--no-ui | --ui-only | --search-only]   (the UI part runs
 *   `marginalia serve` from dist/ as its own process, so it needs `npm run build`, which npm run bench does;
 *   MARGINALIA_RENDERER_DIR=<a vite build --outDir> measures that renderer instead of dist/renderer;
 *   BENCH_RSS=1 prints this process's RSS after each API figure, to see which one grows it)
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
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
const withUi = !args.includes('--no-ui') && !args.includes('--search-only');
const uiOnly = args.includes('--ui-only');
/** Only the API's search figures (first page, counted page, next page): for working on search. */
const searchOnly = args.includes('--search-only');

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
    console.log(`  ${figure}: ${value}${process.env.BENCH_RSS ? ` [rss ${mb(process.memoryUsage().rss)}]` : ''}`);
  };
  // Each size's memory row is its own run's (the 10k run's peak is not carried into the 100k one's).
  peakRss = 0;
  sampleRss();
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
    const measureSearch = async () => {
      // Search as the panel asks: the first hits at once (search.first), the counted page on the
      // long-read connection behind it, then further pages of that count.
      // Each counted run changes the case of one letter: the same hits, but not the count kept
      // from the run before (the long-read connection keeps the last count until a change).
      // (A lower-case letter each time: consecutive runs never ask the same query, so none reuses the count before it.)
      const recased = (q: string, i: number) => {
        const lower = [...q].flatMap((c, k) => (/[a-z]/.test(c) ? [k] : []));
        const k = lower[(i + 1) % lower.length]!;
        return q.slice(0, k) + q[k]!.toUpperCase() + q.slice(k + 1);
      };
      // A rare word (a few hundred articles at 100,000), two words, a stopword (in nearly every
      // article), alone and in a phrase, and NEAR with it: the most instances to count; each also
      // within one outlet (a filter: no totals from the index at once).
      const outlet = { name: 'outlet', value: 'Reuters' };
      const searches: Array<{ query: string; attribute?: { name: string; value: string } }> = ['ashashbri', 'Zelensky drone', 'the', '"of the"', 'strike NEAR/5 the'].flatMap((query) => [
        { query },
        { query, attribute: outlet },
      ]);
      for (const { query, attribute } of searches) {
        const label = `${query.startsWith('"') ? query : `"${query}"`}${attribute ? `, ${attribute.name} ${attribute.value}` : ''}`;
        const firstCpu: number[] = [];
        const firsts = await time(9, async (i) => {
          const before = process.cpuUsage();
          const first = await call('search.first', { query, attribute, pageSize: 50 });
          const used = process.cpuUsage(before);
          if (i >= 0) firstCpu.push((used.user + used.system) / 1000);
          return first;
        });
        const known = firsts.last.total_hits !== null ? `${firsts.last.total_hits.toLocaleString('en')} hits in ` : '';
        put(
          `search first page with the totals the index gives at once (${label})`,
          `${fig(firsts)}, CPU p50 ${ms(median(firstCpu))} (${firsts.last.hits.length} lines; ${known}${firsts.last.total_documents?.toLocaleString('en') ?? '?'} documents)`,
        );
        // CPU time too (the process's, SQLite's threads included): on a loaded machine the wall time mostly measures the others.
        const cpu: number[] = [];
        const counted = await time(9, async (i) => {
          const before = process.cpuUsage();
          const page = await call('search.hits', { query: recased(query, i), attribute, page: 1, pageSize: 50 });
          const used = process.cpuUsage(before);
          if (i >= 0) cpu.push((used.user + used.system) / 1000);
          return page;
        });
        put(`search counted: first page with totals (${label})`, `${fig(counted)}, CPU p50 ${ms(median(cpu))} (${counted.last.total_hits.toLocaleString('en')} hits)`);
        put(`search counted: next page (${label})`, fig(await time(9, (i) => call('search.hits', { query: recased(query, 2), attribute, page: 2 + (i % Math.max(1, counted.last.pages - 1)), pageSize: 50 }))));
      }
    };
    if (searchOnly) {
      await measureSearch();
      return path;
    }
    const first = await time(9, () => call('documents.page', { limit: 100 }));
    put('documents.page, first 100 rows + total (import order)', fig(first));
    put('documents.page by name', fig(await time(9, () => call('documents.page', { limit: 100, sort: 'name' }))));
    put('documents.page by date (attribute)', fig(await time(9, () => call('documents.page', { limit: 100, sort: 'attribute', attribute: 'date', descending: true }))));
    put('documents.page by segment count', fig(await time(5, () => call('documents.page', { limit: 100, sort: 'segments', descending: true }))));
    put('documents.page, next page by cursor', fig(await time(9, () => call('documents.page', { limit: 100, after: first.last.next }))));
    put('documents.page, a jump to the middle (offset)', fig(await time(9, () => call('documents.page', { limit: 100, offset: Math.floor(spec.documents / 2) }))));
    put('documents.page filtered by name ("bbc-2024-03")', fig(await time(9, () => call('documents.page', { limit: 100, filter: 'bbc-2024-03' }))));

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

    await measureSearch();

    put('export preview, segments table (20 rows)', fig(await time(5, () => call('exchange.preview', { format: 'segments', limit: 20 }))));
    put('export preview, document × code matrix (20 rows)', fig(await time(3, () => call('exchange.preview', { format: 'matrix', limit: 20 }))));

    // Merge: the leaf code whose segment count is nearest 20,000 into another.
    const now = await call('codes.list', {});
    const { source, target } = mergePair(now);
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
    put('memory (this process: the main-process side, every call above)', `RSS now ${mb(process.memoryUsage().rss)}, peak ${mb(peakRss)}`);
    // Last, after the memory row: no screen asks for the whole list (the command line and
    // scripts do), and its reply, materialised and measured here, is most of this process's peak.
    const whole = await time(1, () => call('documents.list', {}));
    put('documents.list, the whole list (no screen asks for it; measured after the memory row)', `${fig(whole)}; this process's RSS after it ${mb(process.memoryUsage().rss)}`);
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

/**
 * A page for the UI run. With MARGINALIA_RENDERER_DIR, the renderer's files come from that
 * build (`vite build --outDir …`) instead of dist/renderer, so a renderer change is measured
 * without rebuilding the dist/ that others run; the API still goes to `marginalia serve`.
 */
async function newPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const dir = process.env.MARGINALIA_RENDERER_DIR;
  if (dir) {
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.woff2': 'font/woff2' };
    // A pattern, not a function: the API's requests are then never stopped on their way.
    await page.route(/^http:\/\/127\.0\.0\.1:\d+\/(?!api\/|download\/)/, async (route) => {
      const url = new URL(route.request().url());
      const file = join(resolve(dir), url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname));
      const response = await route.fetch();
      const ext = /\.[a-z0-9]+$/.exec(file)?.[0] ?? '';
      // The served page keeps its headers (the CSP among them); only the body is the other build's.
      if (existsSync(file) && statSync(file).isFile()) await route.fulfill({ response, body: readFileSync(file), headers: { ...response.headers(), 'content-type': types[ext] ?? 'application/octet-stream' } });
      else await route.fulfill({ response });
    });
  }
  return page;
}

/** p50 and p95 of a list of timings, as the table prints them. */
const spread = (xs: number[]) => `p50 ${ms(median(xs))}, p95 ${ms(p95(xs))} (n=${xs.length})`;

/** Calls the bridge the way the renderer does (the token from the address `serve` printed). */
async function bridgeCall<M extends Method>(url: string, method: M, input: Input<M>): Promise<Output<M>> {
  const token = /token=([^&]+)/.exec(url)?.[1] ?? '';
  const res = await fetch(new URL(`/api/${method}`, url), { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(input) });
  const r = (await res.json()) as { ok: boolean; value?: unknown; error?: { message: string } };
  if (!r.ok) throw new Error(`${method}: ${r.error?.message}`);
  return r.value as Output<M>;
}

/**
 * One document coded densely, as the heaviest a researcher opens: `count` segments over its
 * words, the codes taken in turn. Returns its name.
 */
async function codeDensely(url: string, count: number): Promise<string> {
  const page = await bridgeCall(url, 'documents.page', { limit: 4 });
  const doc = page.documents[3]!;
  const text = (await bridgeCall(url, 'documents.get', { id: doc.id })).text;
  const codes = await bridgeCall(url, 'codes.list', {});
  const words = [...text.matchAll(/\S+/g)].map((m) => ({ start: [...text.slice(0, m.index)].length, length: [...m[0]].length }));
  const rand = prng(7);
  for (let i = 0; i < count; i++) {
    const a = words[Math.floor(rand() * words.length)]!;
    const b = words[Math.min(words.length - 1, words.indexOf(a) + Math.floor(rand() * 12))]!;
    await bridgeCall(url, 'segments.create', { documentId: doc.id, codeId: codes[i % codes.length]!.id, start: a.start, end: b.start + b.length });
  }
  return doc.name;
}

/** The subcode nearest 20,000 segments (the issue's merge) and a sibling to merge it into. */
function mergePair<C extends { id: string; parent_id: string | null; segment_count: number }>(codes: readonly C[]): { source: C; target: C } {
  const source = codes.filter((c) => c.parent_id !== null).sort((a, b) => Math.abs(a.segment_count - 20_000) - Math.abs(b.segment_count - 20_000))[0]!;
  const target = codes.find((c) => c.parent_id === source.parent_id && c.id !== source.id)!;
  return { source, target };
}

/**
 * The app's own process after the heaviest things a researcher asks of it, through the API the
 * UI calls: the exact totals of a common phrase and of a NEAR search (their positions decoded),
 * a merge of the code with about 20,000 segments and its undo (the page cache grown for the
 * move), and the segments CSV saved through the export dialog's job and its download. The
 * issue's budget (the main process under 400 MB) is for this process, not the bench's own.
 */
async function heaviestThroughServe(url: string, pid: number, put: (figure: string, value: string) => void): Promise<void> {
  for (const query of ['of the', 'strike NEAR/5 the']) await bridgeCall(url, 'search.hits', { query, page: 1, pageSize: 50 });
  const codes = await bridgeCall(url, 'codes.list', {});
  const { source, target } = mergePair(codes);
  await bridgeCall(url, 'codes.merge', { sourceId: source.id, targetId: target.id });
  await bridgeCall(url, 'project.undo', {});
  let job = await bridgeCall(url, 'exchange.exportStart', { format: 'segments' });
  while (!job.finished) {
    await new Promise((r) => setTimeout(r, 250));
    job = await bridgeCall(url, 'exchange.exportProgress', { jobId: job.jobId });
  }
  if (!job.download) throw new Error(`the segments CSV was not written: ${job.error?.message}`);
  // Read to its end, as the browser saving it would.
  const res = await fetch(new URL(job.download, url));
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  const memory = processMemory(pid);
  // The figure names no count (the table joins the two sizes' rows by it); the value does.
  if (memory) put('main process (marginalia serve) after counted searches ("of the", NEAR), merging the code of about 20,000 segments and its undo, the segments CSV saved', `RSS ${mb(memory.rss)}, peak ${mb(memory.peak)} (${source.segment_count.toLocaleString('en')} segments merged, ${mb(bytes)} of CSV)`);
}

/**
 * What a user sees in Chromium, every action timed in the page from the input to the frame
 * after the answer is painted: the first screen, scrolling and filtering the document list,
 * opening documents (one of them coded 1,000 times), key to stripe, the codebook's counts,
 * changing and removing a code, undo, retrieval's first page. p50 and p95 over the runs.
 */
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
    let page = await newPage(browser);
    for (let run = 0; run < 3; run++) {
      if (run > 0) {
        await page.close();
        page = await newPage(browser);
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
    put('first usable screen (list, codebook, first document; the first run right after the project opened)', `${firsts.map(String).join(' / ')} ms`);
    const domRows = await page.evaluate(() => document.querySelectorAll('[role="option"]').length);
    put('document list rows in the DOM', String(domRows));
    if (process.env.BENCH_VERBOSE) {
      page.on('console', (m) => console.log(`  console: ${m.text()}`));
      page.on('pageerror', (e) => console.log(`  page error: ${e.message}`));
    }

    // Scrolling the document list by a page: until the rows now in view are drawn (not placeholders).
    const scrolls: number[] = [];
    for (let i = 0; i < 16; i++) {
      scrolls.push(
        await page.evaluate(async (back) => {
          const list = document.querySelector<HTMLElement>('[role="listbox"][aria-label="Documents"]')!;
          const scroller = list.scrollHeight > list.clientHeight ? list : list.parentElement!;
          const t0 = performance.now();
          scroller.scrollTop = back ? 0 : scroller.scrollTop + scroller.clientHeight;
          const top = scroller.scrollTop;
          await new Promise<void>((done) => {
            const check = () => {
              const box = scroller.getBoundingClientRect();
              const first = document.elementFromPoint(box.left + 40, box.top + 10)?.closest('[role="option"]');
              if (first && Math.abs(scroller.scrollTop - top) < 2) return done();
              requestAnimationFrame(check);
            };
            check();
          });
          await new Promise((r) => requestAnimationFrame(() => r(null)));
          return performance.now() - t0;
        }, i === 15),
      );
    }
    put('scroll the document list by a page (rows in view drawn)', spread(scrolls));

    // Filtering the list by typing a word of a name: from the last key to the list showing only matches.
    const names = await page.evaluate(() => Array.from(document.querySelectorAll('[role="listbox"][aria-label="Documents"] .doc-name'), (n) => n.textContent ?? ''));
    const words = [...new Set(names.flatMap((n) => n.toLowerCase().match(/\p{L}{5,}/gu) ?? []))].slice(0, 8);
    const filters: number[] = [];
    const box = page.getByRole('textbox', { name: 'Filter documents by name' }).or(page.getByRole('searchbox', { name: 'Filter documents by name' }));
    for (const word of words) {
      await box.click();
      const shown = page.evaluate(
        (word) =>
          new Promise<number>((done) => {
            let last = 0;
            const input = document.activeElement as HTMLInputElement;
            input.addEventListener('keydown', () => (last = performance.now()), { capture: true });
            const check = () => {
              const opts = Array.from(document.querySelectorAll('[role="listbox"][aria-label="Documents"] [role="option"] .doc-name'), (n) => (n.textContent ?? '').toLowerCase());
              if (last && input.value.toLowerCase() === word && opts.length > 0 && opts.every((o) => o.includes(word))) return requestAnimationFrame(() => done(performance.now() - last));
              requestAnimationFrame(check);
            };
            check();
          }),
        word,
      );
      await page.keyboard.type(word, { delay: 60 });
      filters.push(await shown);
      await box.fill('');
      await page.waitForTimeout(300);
    }
    put('filter the document list by typing (last key to matches shown)', spread(filters));

    // Opening documents, as a click: until the text and its stripes are painted. One of them holds 1,000 segments.
    const heavyName = await codeDensely(bridge.url, 1000);
    await page.reload();
    await page.getByRole('listbox', { name: 'Documents', exact: true }).getByRole('option').first().waitFor();
    await page.waitForSelector('.doc-text p');
    const openAt = (k: number) =>
      page.evaluate(async (k) => {
        const option = document.querySelectorAll<HTMLElement>('[role="listbox"][aria-label="Documents"] [role="option"]')[k]!;
        const name = option.querySelector('.doc-name')!.textContent;
        const t0 = performance.now();
        option.click();
        await new Promise<void>((done) => {
          const check = () => {
            const heading = document.querySelector('[aria-label="Document"] h2')?.textContent;
            if (heading === name && document.querySelectorAll('.stripe').length > 0 && document.querySelector('.doc-text p')) return done();
            requestAnimationFrame(check);
          };
          check();
        });
        await new Promise((r) => requestAnimationFrame(() => r(null)));
        return performance.now() - t0;
      }, k);
    const opens: number[] = [];
    const heavy: number[] = [];
    const afterHeavy: number[] = [];
    // The rows in view (about 20): the 6th to the 21st, the dense one after every third.
    for (let k = 5; k < Math.min(21, domRows); k++) {
      const t = await openAt(k);
      opens.push(t);
      if (k > 5 && k % 3 === 1) afterHeavy.push(t);
      if (k % 3 === 0) heavy.push(await openAt(3));
    }
    put('open a document (text and stripes painted)', spread(opens));
    // A third of the opens above: the dense document's 1,000 stripes and tints are taken down first.
    put('open a document right after the one coded 1,000 times', spread(afterHeavy));
    put(`open the document coded 1,000 times (${heavyName.slice(0, 30)})`, spread(heavy));

    // Key → stripe, and the codebook's counts after it.
    await openAt(6);
    const presses: number[] = [];
    const counted: number[] = [];
    for (let i = 0; i < 12; i++) {
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
      const done = keyToStripe(page);
      const counts = page.evaluate(
        () =>
          new Promise<number>((resolveTime) => {
            const text = () => Array.from(document.querySelectorAll('[role="tree"][aria-label="Codes"] .counts'), (c) => c.textContent).join('|');
            const before = text();
            let t0 = 0;
            window.addEventListener('keydown', () => (t0 = performance.now()), { capture: true, once: true });
            const check = () => {
              if (t0 && text() !== before) return requestAnimationFrame(() => resolveTime(performance.now() - t0));
              requestAnimationFrame(check);
            };
            check();
          }),
      );
      // The one not awaited when the other fails must not end the run unheard when the browser closes.
      done.catch(() => undefined);
      counts.catch(() => undefined);
      await page.waitForTimeout(50);
      const settled = page.waitForResponse((r) => r.url().includes('/api/segments.create')).catch(() => null);
      await page.keyboard.press(String((i % 9) + 1));
      const timeout = (what: string) => new Promise<number>((_, fail) => setTimeout(() => fail(new Error(`key ${(i % 9) + 1}: ${what} within 30 s`)), 30_000));
      presses.push(await Promise.race([done, timeout('no stripe painted')]));
      counted.push(await Promise.race([counts, timeout('the codebook counts did not move')]));
      await settled;
    }
    put('shortcut key to new stripe painted', spread(presses));
    put("shortcut key to the codebook's counts updated", spread(counted));

    // Change a segment's code in the inspector, remove a segment (Delete), undo the removal (Ctrl+Z).
    const changes: number[] = [];
    const removals: number[] = [];
    const undos: number[] = [];
    for (let i = 0; i < 8; i++) {
      const picked = await page.evaluate((i) => {
        const stripes = Array.from(document.querySelectorAll<HTMLElement>('.stripe'));
        const s = stripes[i % stripes.length]!;
        s.click();
        return s.getAttribute('data-segment-id')!;
      }, i);
      await page.locator('section[aria-label="Segment"] select').waitFor();
      changes.push(
        await page.evaluate(async (id) => {
          const select = document.querySelector<HTMLSelectElement>('section[aria-label="Segment"] select')!;
          const other = Array.from(select.options).find((o) => o.value && o.value !== select.value && !o.disabled)!;
          const name = other.textContent!.trim().split('/').pop()!.trim();
          const t0 = performance.now();
          const setter = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value')!.set!;
          setter.call(select, other.value);
          select.dispatchEvent(new Event('change', { bubbles: true }));
          await new Promise<void>((done) => {
            const check = () => {
              const label = document.querySelector(`.stripe[data-segment-id="${id}"]`)?.getAttribute('aria-label') ?? '';
              if (label.startsWith(`${name} stripe`)) return done();
              requestAnimationFrame(check);
            };
            check();
          });
          await new Promise((r) => requestAnimationFrame(() => r(null)));
          return performance.now() - t0;
        }, picked),
      );
      await page.locator(`.stripe[data-segment-id="${picked}"]`).click();
      await page.waitForTimeout(100);
      const count = () =>
        page.evaluate(
          (id) =>
            new Promise<number>((resolveTime, fail) => {
              let t0 = 0;
              const since = performance.now();
              const had = !!document.querySelector(`.stripe[data-segment-id="${id}"]`);
              window.addEventListener('keydown', () => (t0 = performance.now()), { capture: true, once: true });
              const check = () => {
                if (t0 && !!document.querySelector(`.stripe[data-segment-id="${id}"]`) !== had) return requestAnimationFrame(() => resolveTime(performance.now() - t0));
                // A stripe that never comes or goes is a finding, not a bench that never ends.
                if (performance.now() - since > 15_000) return fail(new Error(`segment ${id}: its stripe did not ${had ? 'go' : 'come back'} within 15 s of the key`));
                requestAnimationFrame(check);
              };
              check();
            }),
          picked,
        );
      const gone = count();
      await page.waitForTimeout(50);
      await page.keyboard.press('Delete');
      removals.push(await gone);
      await page.waitForResponse((r) => r.url().includes('/api/segments.delete')).catch(() => null);
      await page.waitForTimeout(200);
      const back = count();
      await page.waitForTimeout(50);
      await page.keyboard.press('Control+z');
      undos.push(await back);
      await page.waitForTimeout(300);
    }
    put("change a segment's code in the inspector (stripe relabelled)", spread(changes));
    put('remove a segment with Delete (stripe gone)', spread(removals));
    put('undo the removal with Ctrl+Z (stripe back)', spread(undos));

    // Retrieval: a theme's coded segments, from the click to the first item painted.
    await page.getByRole('tree', { name: 'Codes', exact: true }).getByRole('treeitem', { name: 'casualties', exact: true }).click();
    const retrievals: number[] = [];
    let shown = '';
    for (let i = 0; i < 8; i++) {
      retrievals.push(
        await page.evaluate(async () => {
          const button = Array.from(document.querySelectorAll('button')).find((b) => b.textContent === 'Show coded segments')!;
          const t0 = performance.now();
          button.click();
          await new Promise<void>((done) => {
            const check = () => {
              if (document.querySelector('[aria-label="Coded segments"] .retrieval-item')) return done();
              requestAnimationFrame(check);
            };
            check();
          });
          await new Promise((r) => requestAnimationFrame(() => r(null)));
          return performance.now() - t0;
        }),
      );
      shown = (await page.getByRole('region', { name: 'Coded segments view' }).getByRole('status').textContent()) ?? '';
      await page.getByRole('button', { name: 'Close coded segments' }).click();
      await page.waitForTimeout(200);
    }
    put('retrieval first page (a theme with subcodes)', `${spread(retrievals)} (${shown})`);
    const heap = await page.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
    if (heap) put('renderer JS heap', mb(heap));
    const memory = processMemory(serve.pid);
    if (memory) put('main process (marginalia serve) memory after all of the above', `RSS ${mb(memory.rss)}, peak ${mb(memory.peak)}`);
    await heaviestThroughServe(bridge.url, serve.pid, put);
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
