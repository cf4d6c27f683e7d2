import type { ProjectDb, Reader, Tx } from '../db/project-db';
import { invalid } from '../errors';
import { CsvWriter, StringSink, type CsvOptions } from '../exchange/csv';
import { tokenise } from './tokenise';
import { inSetSql, resolveSet } from '../documents/sets';
import { DEFAULT_STOPWORDS, STOP_LANGUAGES, type StopLanguage } from './stopwords';

/** Which documents a frequency list covers: all, those of a document set, those with one attribute value, or both. */
export interface WordScope {
  /** An attribute and the value documents must have (outlet = RT). */
  where?: { attribute: string; value: string };
  /** A document set, by id or name. */
  set?: string;
}

export interface WordOptions extends WordScope {
  /** Words (1), two-word (2) or three-word (3) phrases. */
  n: 1 | 2 | 3;
  /** How many of the most frequent to return. */
  top: number;
  /** Leave out the project's stop words (a phrase is left out when it starts or ends with one). */
  stopwords: boolean;
}

export interface WordCount {
  /** The word or phrase, lower case, words joined by one space. */
  term: string;
  /** Occurrences in the documents covered. */
  count: number;
  /** Documents it occurs in. */
  documents: number;
}

export interface WordFrequencies {
  n: 1 | 2 | 3;
  words: WordCount[];
  /** Documents covered by the scope. */
  documents: number;
  /** Word tokens counted (stop words included), the denominator of a relative frequency. */
  tokens: number;
  /** Distinct words or phrases seen (after stop words). */
  distinct: number;
  /**
   * 0 when every count is exact. Otherwise distinct phrases outgrew memory and rare ones were
   * dropped along the way: a count shown may be low by at most this much.
   */
  undercountAtMost: number;
  /** Lemmatisation: no library in the app serves English, Russian and Ukrainian, so counts are of word forms. */
  lemmas: 'not available';
  stopwordsApplied: boolean;
}

interface Tally {
  count: number;
  documents: number;
  /** The last document counted in, so each document adds to `documents` once. */
  last: number;
}

/** Distinct phrases held before rare ones are pruned: about 200 MB at the worst. */
const MAX_DISTINCT = 1_500_000;
/** Documents read per database round: the queue is freed between pages for the app's other requests. */
const PAGE = 500;

const STOP_KEY = (lang: StopLanguage) => `stopwords.${lang}`;

/** The project's stop list for a language: its edited copy, else the shipped one. */
export async function getStopwords(r: Reader, language: StopLanguage): Promise<{ language: StopLanguage; words: string[]; edited: boolean }> {
  const row = await r.get<{ value: string }>(`SELECT value FROM project WHERE key = ?`, [STOP_KEY(language)]);
  if (!row) return { language, words: [...DEFAULT_STOPWORDS[language]], edited: false };
  return { language, words: JSON.parse(row.value) as string[], edited: true };
}

/**
 * Keeps an edited stop list in the project file (it travels with the project); `null` puts
 * the shipped list back. A project setting, not part of the undo history.
 */
export async function setStopwords(tx: Tx, language: StopLanguage, words: readonly string[] | null): Promise<void> {
  if (words === null) {
    await tx.run(`DELETE FROM project WHERE key = ?`, [STOP_KEY(language)]);
    return;
  }
  const clean = [...new Set(words.map((w) => w.trim().toLowerCase().replace(/[\u2019\u02BC]/g, "'")).filter(Boolean))].sort();
  await tx.run(`INSERT INTO project (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [STOP_KEY(language), JSON.stringify(clean)]);
}

async function stopSet(r: Reader): Promise<Set<string>> {
  const all = new Set<string>();
  for (const lang of STOP_LANGUAGES) for (const w of (await getStopwords(r, lang)).words) all.add(w);
  return all;
}

/** The SQL condition choosing the scope's documents (alias d), checked against the project. */
async function scopeCondition(r: Reader, scope: WordScope): Promise<{ sql: string; params: string[] }> {
  const inSet = scope.set ? inSetSql((await resolveSet(r, scope.set)).id) : { sql: '1', params: [] };
  if (!scope.where) return inSet;
  const { attribute, value } = scope.where;
  const v = await r.get<{ id: string }>(`SELECT id FROM variables WHERE name = ? COLLATE NOCASE`, [attribute.trim()]);
  if (!v) {
    const names = (await r.all<{ name: string }>(`SELECT name FROM variables ORDER BY sort_order`)).map((x) => x.name);
    throw invalid('where', `the project has no attribute "${attribute}"${names.length ? `; it has ${names.join(', ')}` : ''}.`);
  }
  return { sql: `${inSet.sql} AND d.id IN (SELECT document_id FROM document_values WHERE variable_id = ? AND value = ?)`, params: [...inSet.params, v.id, value] };
}

/** Orders tallies: most frequent first, then in more documents, then alphabetically. */
function before(a: [string, Tally], b: [string, Tally]): boolean {
  return a[1].count !== b[1].count ? a[1].count > b[1].count : a[1].documents !== b[1].documents ? a[1].documents > b[1].documents : a[0] < b[0];
}

/** The `top` best tallies, by a bounded min-heap: O(distinct · log top), never a sort of everything. */
export function topOf(tallies: Iterable<[string, Tally]>, top: number): [string, Tally][] {
  const heap: [string, Tally][] = [];
  const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j]!, heap[i]!]);
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[m]!, heap[l]!)) m = l;
      if (r < heap.length && before(heap[m]!, heap[r]!)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (const e of tallies) {
    if (top <= 0) break;
    if (heap.length < top) {
      heap.push(e);
      for (let i = heap.length - 1; i > 0; ) {
        const p = (i - 1) >> 1;
        if (!before(heap[p]!, heap[i]!)) break;
        swap(i, p);
        i = p;
      }
    } else if (before(e, heap[0]!)) {
      heap[0] = e;
      down(0);
    }
  }
  return heap.sort((a, b) => (before(a, b) ? -1 : 1));
}

/**
 * Counts words or phrases over the documents of a scope. Texts are streamed a page at a
 * time and tokenised as they come; only the tallies are held.
 */
export async function wordFrequencies(db: ProjectDb, options: WordOptions): Promise<WordFrequencies> {
  const { n, top } = options;
  const stop = options.stopwords ? await db.read(stopSet) : new Set<string>();
  const where = await db.read((r) => scopeCondition(r, options));
  const tallies = new Map<string, Tally>();
  let docIndex = 0;
  let tokens = 0;
  let floor = 0;
  let undercount = 0;

  const add = (term: string) => {
    const t = tallies.get(term);
    if (t) {
      t.count++;
      if (t.last !== docIndex) {
        t.documents++;
        t.last = docIndex;
      }
    } else tallies.set(term, { count: 1, documents: 1, last: docIndex });
  };
  const prune = () => {
    // Lossy counting: drop what has been seen at most `floor` times so far. A phrase dropped
    // and seen again starts over, so its count is low by at most the sum of floors used.
    while (tallies.size > MAX_DISTINCT * 0.7) {
      floor++;
      undercount += floor;
      for (const [k, t] of tallies) if (t.count <= floor) tallies.delete(k);
    }
  };

  let after = -1;
  for (;;) {
    const page = await db.read((r) =>
      r.all<{ rowid: number; text: string }>(`SELECT d.rowid, d.text FROM documents d WHERE d.rowid > ? AND ${where.sql} ORDER BY d.rowid LIMIT ${PAGE}`, [after, ...where.params]),
    );
    if (page.length === 0) break;
    after = page[page.length - 1]!.rowid;
    for (const { text } of page) {
      docIndex++;
      const toks = tokenise(text);
      for (let i = 0; i < toks.length; i++) {
        const first = toks[i];
        if (first === null || first === undefined) continue;
        tokens++;
        if (n === 1) {
          if (!stop.has(first)) add(first);
          continue;
        }
        const last = toks[i + n - 1];
        if (last === null || last === undefined || stop.has(first) || stop.has(last)) continue;
        if (n === 3 && toks[i + 1] === null) continue;
        add(n === 2 ? `${first} ${last}` : `${first} ${toks[i + 1]} ${last}`);
      }
      if (tallies.size > MAX_DISTINCT) prune();
    }
  }
  const best = topOf(tallies, top);
  return {
    n,
    words: best.map(([term, t]) => ({ term, count: t.count, documents: t.documents })),
    documents: docIndex,
    tokens,
    distinct: tallies.size,
    undercountAtMost: undercount,
    lemmas: 'not available',
    stopwordsApplied: options.stopwords,
  };
}

/** The list as CSV, through the app's one CSV writer (formula-safe cells, CRLF, optional BOM). */
export function wordFrequenciesCsv(result: WordFrequencies, options: CsvOptions = {}): string {
  const sink = new StringSink();
  const w = new CsvWriter(sink, options);
  w.header([result.n === 1 ? 'word' : 'phrase', 'count', 'documents', 'per_10000_words']);
  for (const x of result.words) w.row([x.term, x.count, x.documents, result.tokens ? Math.round((x.count / result.tokens) * 1e6) / 100 : 0]);
  w.flush();
  return sink.toString();
}
