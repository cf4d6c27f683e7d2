/**
 * The bench corpora: news-like projects of 10,000 documents / 100,000 segments and
 * 100,000 / 1,000,000, generated from a seed and cached under tests/.out/bench-corpora/.
 *
 * Articles are 2–5 KB of sentences drawn from a Zipf-distributed vocabulary (a few words are
 * very common, most are rare, as in real text, so FTS5 and search behave as they do on
 * news), with an outlet (Zipf too: a few outlets publish most), a date in 2024 and an author.
 * Three coders: two code every document, the third a third of them; their segments overlap
 * (the second coder often codes the same passage with other boundaries). 21 codes: three
 * themes with six subcodes each.
 *
 * The project is created through the app (so the schema is the app's, every migration
 * included) and then filled by writing SQLite directly in large multi-row statements: the
 * FTS5 triggers fire as they do on import. It is opened through the app again at the end to
 * check it is a valid project.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Project } from '../../main/core/project/project';
import { Sqlite } from '../../main/core/db/sqlite';
import { up as listIndexes } from '../../main/core/db/migrations/006-list-indexes';
import { seededRandom } from '../../main/core/team/rounds';
import { indexDuplicates } from '../../main/core/analysis/duplicates';

export interface CorpusSpec {
  documents: number;
  /** Average segments per document over all coders. */
  segmentsPerDocument: number;
  seed: number;
}

export const SMALL: CorpusSpec = { documents: 10_000, segmentsPerDocument: 10, seed: 13 };
export const LARGE: CorpusSpec = { documents: 100_000, segmentsPerDocument: 10, seed: 13 };

/** Bump when the generator changes, so old cached corpora are not reused. */
const GENERATOR_VERSION = 1;

export const CORPUS_DIR = resolve(__dirname, '../.out/bench-corpora');

export function corpusPath(spec: CorpusSpec): string {
  return join(CORPUS_DIR, `news-${spec.documents}-${spec.segmentsPerDocument}-seed${spec.seed}-v${GENERATOR_VERSION}.marginalia`);
}

/** mulberry32: small, fast and good enough for generated text. (the one in main/core/team/rounds.ts, which draws reliability samples). */
export const prng = seededRandom;

/** Draws ranks 0..n-1 with probability proportional to 1/(rank+1)^s. */
function zipf(n: number, s: number, rand: () => number): () => number {
  const cum = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) cum[i] = total += 1 / Math.pow(i + 1, s);
  return () => {
    const x = rand() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const FUNCTION_WORDS = ['the', 'of', 'and', 'to', 'in', 'a', 'said', 'that', 'on', 'for', 'was', 'with', 'by', 'is', 'at', 'from', 'as', 'it', 'were', 'after'];
const TOPICAL = ['shelling', 'market', 'officials', 'attack', 'killed', 'civilians', 'missile', 'Russian', 'Ukrainian', 'forces', 'according', 'report', 'investigation', 'evidence', 'video', 'witnesses', 'Kostiantynivka', 'drone', 'ministry', 'strike', 'wounded', 'claimed', 'denied', 'Kyiv', 'Moscow', 'café', 'Zelensky', 'brigade', 'artillery', 'spokesperson'];
const SYLLABLES = ['ka', 'lo', 'mi', 'ren', 'dro', 'va', 'sti', 'pel', 'nor', 'ga', 'tu', 'bri', 'xen', 'ol', 'ash', 'vi', 'mon', 'tre', 'qua', 'del', 'ré', 'zy', 'hal', 'cor'];
export const OUTLETS = ['Kyiv Independent', 'Reuters', 'BBC', 'Meduza', 'RIA Novosti', 'The Guardian', 'Ukrainska Pravda', 'TASS', 'Le Monde', 'Der Spiegel'];
const FIRST = ['Anna', 'Olena', 'Ivan', 'Maria', 'John', 'Sofia', 'Pavel', 'Claire', 'Dmytro', 'Lena', 'Marc', 'Yulia', 'Tom', 'Iryna', 'Oleksandr'];
const LAST = ['Kovalenko', 'Smith', 'Ivanova', 'Müller', 'Dubois', 'Shevchenko', 'Petrov', 'Brown', 'Bondarenko', 'Rossi', 'Melnyk', 'García'];
export const THEMES: Record<string, string[]> = {
  casualties: ['civilian deaths', 'military deaths', 'injuries', 'numbers disputed', 'children', 'infrastructure'],
  attribution: ['blames Russia', 'blames Ukraine', 'false-flag claim', 'unattributed', 'investigation cited', 'denial'],
  rhetoric: ['emotional language', 'dehumanising', 'official quote', 'eyewitness quote', 'hedging', 'historical analogy'],
};
const COLORS = ['#d1495b', '#2e86ab', '#f4a259', '#5b8e7d', '#8d6a9f', '#c4a000', '#3d5a80', '#e56b6f', '#6a994e', '#9c6644'];

function vocabulary(rand: () => number, size: number): string[] {
  const words = [...FUNCTION_WORDS, ...TOPICAL];
  const seen = new Set(words);
  while (words.length < size) {
    const n = 2 + Math.floor(rand() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(rand() * SYLLABLES.length)]!;
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  return words;
}

interface Article {
  name: string;
  text: string;
  outlet: string;
  date: string;
  author: string;
  /** Code-point offsets of sentence starts and ends: where segments go. */
  sentences: Array<[number, number]>;
}

function articleMaker(seed: number) {
  const rand = prng(seed);
  const vocab = vocabulary(rand, 20_000);
  const word = zipf(vocab.length, 1.07, rand);
  const outlet = zipf(OUTLETS.length, 1.0, rand);
  return (i: number): Article => {
    const target = 2000 + Math.floor(rand() * 3000);
    const paragraphs: string[] = [];
    const sentences: Array<[number, number]> = [];
    let at = 0;
    while (at < target) {
      const para: string[] = [];
      const nSentences = 2 + Math.floor(rand() * 4);
      for (let s = 0; s < nSentences; s++) {
        const n = 8 + Math.floor(rand() * 22);
        const ws: string[] = [];
        for (let k = 0; k < n; k++) ws.push(vocab[word()]!);
        const first = ws[0]!;
        ws[0] = first[0]!.toUpperCase() + first.slice(1);
        const sentence = `${ws.join(' ')}.`;
        const start = at + para.reduce((a, p) => a + [...p].length + 1, 0);
        sentences.push([start, start + [...sentence].length]);
        para.push(sentence);
      }
      const p = para.join(' ');
      paragraphs.push(p);
      at += [...p].length + 1;
    }
    const day = new Date(Date.UTC(2024, 0, 1) + Math.floor(rand() * 366) * 86_400_000).toISOString().slice(0, 10);
    return {
      name: `${OUTLETS[outlet()]!.toLowerCase().replace(/\s+/g, '-')}-${day}-${String(i).padStart(6, '0')}`,
      text: paragraphs.join('\n'),
      outlet: OUTLETS[outlet()]!,
      date: day,
      author: `${FIRST[Math.floor(rand() * FIRST.length)]} ${LAST[Math.floor(rand() * LAST.length)]}`,
      sentences,
    };
  };
}

/** Yields the articles of a spec one at a time (the same ones the project holds). */
export function* articles(spec: CorpusSpec): Generator<Article> {
  const make = articleMaker(spec.seed);
  for (let i = 0; i < spec.documents; i++) yield make(i);
}

const uuid = (rand: () => number): string => {
  const h = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16));
  h[12] = '4';
  h[16] = ((parseInt(h[16]!, 16) & 3) | 8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
};

async function insertRows(db: Sqlite, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  // 999 parameters at most per statement.
  const per = Math.max(1, Math.floor(999 / columns.length));
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    await db.run(
      `INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')}) VALUES ${chunk.map(() => `(${columns.map(() => '?').join(', ')})`).join(', ')}`,
      chunk.flat() as never,
    );
  }
}

/** The project of `spec`, generated when not cached; returns its path. */
export async function ensureCorpus(spec: CorpusSpec, log: (s: string) => void = console.log): Promise<string> {
  const path = corpusPath(spec);
  if (existsSync(path)) {
    // Opened once through the app, so a cached corpus takes the schema's newer migrations
    // here rather than in every run's copy (where they would be counted as opening time).
    const current = await Project.open(path);
    // Imported articles are indexed for near-duplicates as they come in; a corpus cached before
    // that index existed is indexed once here, not in the middle of a timed run.
    const { indexed } = await indexDuplicates(current.db);
    if (indexed) log(`  indexed ${indexed.toLocaleString('en')} cached documents for near-duplicates`);
    await current.close();
    // A corpus cached while migration 6 was being written may have been stamped past it
    // (user_version 7) without its indexes; they are idempotent, so make sure of them.
    // (Only while `segments` is a table: since migration 13 it is a view over `segment_rows`.)
    const db = await Sqlite.open(path);
    if (await db.get(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'segments'`)) await listIndexes(db);
    await db.close();
    return path;
  }
  mkdirSync(CORPUS_DIR, { recursive: true });
  const tmp = `${path}.building`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(tmp + suffix, { force: true });
  const t0 = Date.now();
  const created = await Project.create(tmp, { name: `Bench ${spec.documents.toLocaleString('en')} articles` });
  await created.close();
  const db = await Sqlite.open(tmp);
  const rand = prng(spec.seed * 7919 + 1);
  const now = '2025-01-15T10:00:00.000Z';
  const coders = ['alice', 'bob', 'carol'].map((name) => ({ id: uuid(rand), name }));
  await db.run('PRAGMA journal_mode = WAL');
  await db.run('BEGIN');
  await insertRows(db, 'coders', ['id', 'name', 'created_at'], coders.map((c) => [c.id, c.name, now]));
  const codes: Array<{ id: string; theme: boolean }> = [];
  const codeRows: unknown[][] = [];
  let order = 0;
  let shortcut = 1;
  for (const [theme, subs] of Object.entries(THEMES)) {
    const themeId = uuid(rand);
    codes.push({ id: themeId, theme: true });
    codeRows.push([themeId, null, theme, `Passages about ${theme}.`, COLORS[order % COLORS.length], null, ++order, now]);
    for (const sub of subs) {
      const id = uuid(rand);
      codes.push({ id, theme: false });
      codeRows.push([id, themeId, sub, '', COLORS[order % COLORS.length], shortcut <= 9 ? shortcut++ : null, ++order, now]);
    }
  }
  await insertRows(db, 'codes', ['id', 'parent_id', 'name', 'description', 'color', 'shortcut', 'sort_order', 'created_at'], codeRows);
  const variables = [
    { id: uuid(rand), name: 'outlet', type: 'text' },
    { id: uuid(rand), name: 'date', type: 'date' },
    { id: uuid(rand), name: 'author', type: 'text' },
  ];
  await insertRows(db, 'variables', ['id', 'name', 'type', 'sort_order'], variables.map((v, i) => [v.id, v.name, v.type, i + 1]));
  const pickCode = zipf(codes.length, 0.8, rand);

  let docs: unknown[][] = [];
  let values: unknown[][] = [];
  let segments: unknown[][] = [];
  let nDocs = 0;
  let nSegments = 0;
  let textBytes = 0;
  const flush = async () => {
    await insertRows(db, 'documents', ['id', 'name', 'text', 'text_sha256', 'length', 'source_name', 'source_format', 'source_encoding', 'imported_at', 'imported_by', 'sort_order'], docs);
    await insertRows(db, 'document_values', ['document_id', 'variable_id', 'value'], values);
    await insertRows(db, 'segments', ['id', 'document_id', 'code_id', 'coder_id', 'start', 'end', 'created_at', 'updated_at'], segments);
    docs = [];
    values = [];
    segments = [];
  };
  for (const a of articles(spec)) {
    const id = uuid(rand);
    const length = [...a.text].length;
    textBytes += Buffer.byteLength(a.text);
    docs.push([id, a.name, a.text, createHash('sha256').update(a.text).digest('hex'), length, `${a.name}.csv`, 'csv', 'utf-8', now, coders[0]!.id, ++nDocs]);
    values.push([id, variables[0]!.id, a.outlet], [id, variables[1]!.id, a.date], [id, variables[2]!.id, a.author]);
    // Two coders on every document, the third on a third; segments per document vary around the mean.
    const who = nDocs % 3 === 0 ? coders : coders.slice(0, 2);
    const n = Math.max(1, Math.round(spec.segmentsPerDocument * (0.5 + rand())));
    for (let k = 0; k < n; k++) {
      const coder = who[k % who.length]!;
      const [s0, e0] = a.sentences[Math.floor(rand() * a.sentences.length)]!;
      // Often a passage of two sentences, sometimes a part of one: segments overlap.
      const span = rand() < 0.3 ? a.sentences.find(([s]) => s > e0) : undefined;
      const start = rand() < 0.2 ? s0 + Math.floor(rand() * Math.max(1, (e0 - s0) / 2)) : s0;
      const end = span ? span[1] : e0;
      const at = `2025-01-${String(1 + (k % 28)).padStart(2, '0')}T12:00:00.000Z`;
      segments.push([uuid(rand), id, codes[pickCode()]!.id, coder.id, start, Math.min(end, length), at, at]);
      nSegments++;
    }
    if (docs.length >= 500) {
      await flush();
      if (nDocs % 10_000 === 0) log(`  generated ${nDocs.toLocaleString('en')} documents, ${nSegments.toLocaleString('en')} segments (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
  }
  await flush();
  await db.run('COMMIT');
  await db.run('PRAGMA wal_checkpoint(TRUNCATE)');
  await db.close();
  // It must open as a project (migrations, integrity) before it is cached, indexed for
  // near-duplicates as an import would leave it.
  const check = await Project.open(tmp);
  await indexDuplicates(check.db);
  await check.close();
  renameSync(tmp, path);
  for (const suffix of ['-wal', '-shm']) rmSync(tmp + suffix, { force: true });
  log(`generated ${path}: ${nDocs.toLocaleString('en')} documents (${(textBytes / 1e6).toFixed(0)} MB of text), ${nSegments.toLocaleString('en')} segments in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return path;
}

if (require.main === module) {
  const spec = process.argv.includes('--large') ? LARGE : SMALL;
  ensureCorpus(spec).then(
    (p) => console.log(p),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
