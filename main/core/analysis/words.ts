import type { ProjectDb, Reader, Tx } from '../db/project-db';
import { invalid, MarginaliaError } from '../errors';
import { CsvWriter, StringSink, type CsvOptions } from '../exchange/csv';
import { foldToken, scanTokens } from './tokenise';
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
  /** Set on a list shown while counting: the documents read so far of those in scope. Absent once every document is counted. */
  partial?: { done: number; total: number };
}

interface Tally {
  count: number;
  documents: number;
  /** The last document counted in, so each document adds to `documents` once. */
  last: number;
}

/**
 * Distinct phrases held at most: the table's slots (4 to 6 typed numbers each) fill to 70 %
 * before rare phrases are pruned, about 200 MB at the worst.
 */
const MAX_SLOTS = 1 << 23;
/** Documents read per round on the long-read connection: the app's other requests run between rounds. */
const PAGE = 200;

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

/** Throws, naming what is wrong, when the scope names an attribute or a set the project lacks. */
export async function checkWordScope(r: Reader, scope: WordScope): Promise<void> {
  await scopeCondition(r, scope);
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

/** Attributes and their values (the first 500 of each), through the (variable, value) index: what a scope is chosen from. */
export async function attributeValues(r: Reader): Promise<Array<{ name: string; values: string[] }>> {
  const out: Array<{ name: string; values: string[] }> = [];
  for (const v of await r.all<{ id: string; name: string }>(`SELECT id, name FROM variables ORDER BY sort_order, name`)) {
    const values = await r.all<{ value: string }>(`SELECT DISTINCT value FROM document_values WHERE variable_id = ? AND value <> '' ORDER BY value LIMIT 500`, [v.id]);
    out.push({ name: v.name, values: values.map((x) => String(x.value)) });
  }
  return out;
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

const grow = (a: Uint32Array<ArrayBuffer>, size: number): Uint32Array<ArrayBuffer> => {
  if (size <= a.length) return a;
  const b = new Uint32Array(Math.max(size, a.length * 2));
  b.set(a);
  return b;
};

/**
 * The words met so far, each with a number: a text's tokens become numbers once, and every
 * count after that is of numbers in typed arrays (no string is built per word or phrase).
 * A token's spelling in the text maps to its number directly, so a word is folded to lower
 * case once per spelling, not once per occurrence.
 */
class Vocabulary {
  /** Spellings met, found by a hash of their characters in an open-addressing table (no string is made to look one up). */
  private readonly spellings: string[] = [];
  private spellingHash = new Int32Array(1024);
  private spellingForm = new Int32Array(1024);
  private table = new Int32Array(4096).fill(-1);
  private readonly byForm = new Map<string, number>();
  readonly forms: string[] = [];
  /** 1 where the word is a stop word. */
  stop = new Uint8Array(1024);

  constructor(private readonly stopwords: ReadonlySet<string>) {}

  /** The number of the word written text[start, end), whose spelling hashes to h (the scanner's hash). */
  id(text: string, start: number, end: number, pictograph: boolean, h: number): number {
    const mask = this.table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const s = this.table[slot]!;
      if (s < 0) return this.add(text.slice(start, end), pictograph, h, slot);
      if (this.spellingHash[s] !== h) continue;
      const known = this.spellings[s]!;
      if (known.length === end - start && text.startsWith(known, start)) return this.spellingForm[s]!;
    }
  }

  private add(spelling: string, pictograph: boolean, h: number, slot: number): number {
    const form = pictograph ? spelling : foldToken(spelling);
    let id = this.byForm.get(form);
    if (id === undefined) {
      id = this.forms.length;
      this.forms.push(form);
      this.byForm.set(form, id);
      if (id >= this.stop.length) {
        const s = new Uint8Array(this.stop.length * 2);
        s.set(this.stop);
        this.stop = s;
      }
      this.stop[id] = this.stopwords.has(form) ? 1 : 0;
    }
    const s = this.spellings.length;
    this.spellings.push(spelling);
    if (s >= this.spellingHash.length) {
      const hs = new Int32Array(this.spellingHash.length * 2);
      hs.set(this.spellingHash);
      this.spellingHash = hs;
      const fs = new Int32Array(this.spellingForm.length * 2);
      fs.set(this.spellingForm);
      this.spellingForm = fs;
    }
    this.spellingHash[s] = h;
    this.spellingForm[s] = id;
    this.table[slot] = s;
    if (this.spellings.length * 2 > this.table.length) {
      const t = new Int32Array(this.table.length * 2).fill(-1);
      const mask = t.length - 1;
      for (let k = 0; k < this.spellings.length; k++) {
        let j = this.spellingHash[k]! & mask;
        while (t[j]! >= 0) j = (j + 1) & mask;
        t[j] = k;
      }
      this.table = t;
    }
    return id;
  }
}

/** A break between phrases in a document's list of word numbers. */
const BREAK = -1;

/** An ArrayBuffer of `bytes` that can grow in place up to `max` bytes (the address space is reserved, memory is taken as it is used). */
function growableBuffer(bytes: number, max: number): ArrayBuffer {
  // ES2024's resizable ArrayBuffer (Node 20, Electron's V8); the project's TypeScript lib is ES2023.
  const Growable = ArrayBuffer as unknown as new (bytes: number, options: { maxByteLength: number }) => ArrayBuffer;
  return new Growable(bytes, { maxByteLength: Math.max(bytes, max) });
}

function growBuffer(buffer: ArrayBufferLike, bytes: number): void {
  (buffer as unknown as { resize(bytes: number): void }).resize(bytes);
}

/**
 * Counts of phrases of n words (2 or 3), keyed by their word numbers, in one open-addressing
 * hash table of typed arrays: 20 or 24 bytes a slot, no object per phrase. The table grows and
 * drops rare phrases in place (its buffers grow where they are, and entries are moved within
 * them): copying into a second table held both at once, 400 MB for three-word phrases at
 * 100,000 articles where the table alone is 200.
 */
class GramTable {
  /** Length-tracking views of growable buffers: they follow the buffers as they grow. */
  readonly keys: Int32Array;
  readonly count: Uint32Array;
  readonly docs: Uint32Array;
  readonly last: Uint32Array;
  size = 0;
  private mask: number;

  constructor(
    readonly n: 2 | 3,
    slots = 1 << 16,
    /** Slots it may grow to. */
    maxSlots = slots,
  ) {
    this.mask = slots - 1;
    const max = Math.max(slots, maxSlots);
    this.keys = new Int32Array(growableBuffer(slots * n * 4, max * n * 4)).fill(BREAK);
    this.count = new Uint32Array(growableBuffer(slots * 4, max * 4));
    this.docs = new Uint32Array(growableBuffer(slots * 4, max * 4));
    this.last = new Uint32Array(growableBuffer(slots * 4, max * 4));
  }

  get slots(): number {
    return this.mask + 1;
  }

  /** Where a phrase's probe starts. */
  private home(a: number, b: number, c: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77) ^ Math.imul(c + 0x165667b1, 0xc2b2ae3d);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 13;
    return h & this.mask;
  }

  private slot(a: number, b: number, c: number): number {
    const n = this.n;
    const keys = this.keys;
    for (let i = this.home(a, b, c); ; i = (i + 1) & this.mask) {
      const k = i * n;
      if (keys[k] === BREAK) return i;
      if (keys[k] === a && keys[k + 1] === b && (n === 2 || keys[k + 2] === c)) return i;
    }
  }

  add(a: number, b: number, c: number, doc: number, times = 1, documents = 1): void {
    const i = this.slot(a, b, c);
    const k = i * this.n;
    if (this.keys[k] === BREAK) {
      this.keys[k] = a;
      this.keys[k + 1] = b;
      if (this.n === 3) this.keys[k + 2] = c;
      this.size++;
      this.count[i] = times;
      this.docs[i] = documents;
      this.last[i] = doc;
      return;
    }
    this.count[i]! += times;
    if (this.last[i] !== doc) {
      this.docs[i]! += documents;
      this.last[i] = doc;
    }
  }

  /** Counts one more occurrence of a phrase already in the table; others are passed over. */
  bump(a: number, b: number, c: number, doc: number): void {
    const i = this.slot(a, b, c);
    if (this.keys[i * this.n] === BREAK) return;
    this.count[i]!++;
    if (this.last[i] !== doc) {
      this.docs[i]!++;
      this.last[i] = doc;
    }
  }

  /**
   * Grows the table to `slots` (its buffers grow in place) and/or drops the entries that fail
   * `keep`, then moves every entry to where a lookup finds it, within the same arrays: an entry
   * is carried to the first slot from its home that is empty or holds an entry not yet placed,
   * swapping with that one, which is carried on in turn. Placed entries never move again, so
   * each one's probe from its home crosses only occupied slots. A byte per slot marks them.
   */
  rehash(slots: number, keep?: (count: number) => boolean): void {
    const n = this.n;
    const { keys, count, docs, last } = this;
    if (slots > this.slots) {
      const was = this.slots;
      growBuffer(keys.buffer, slots * n * 4);
      growBuffer(count.buffer, slots * 4);
      growBuffer(docs.buffer, slots * 4);
      growBuffer(last.buffer, slots * 4);
      // Grown bytes come zeroed; an empty slot's key is BREAK.
      keys.fill(BREAK, was * n);
      this.mask = slots - 1;
    }
    if (keep) {
      for (let i = 0; i < slots; i++) {
        if (keys[i * n] !== BREAK && !keep(count[i]!)) {
          keys[i * n] = BREAK;
          this.size--;
        }
      }
    }
    const mask = this.mask;
    const placed = new Uint8Array(slots);
    for (let i = 0; i < slots; i++) {
      if (placed[i] || keys[i * n] === BREAK) continue;
      let a = keys[i * n]!;
      let b = keys[i * n + 1]!;
      let c = n === 3 ? keys[i * n + 2]! : 0;
      let t = count[i]!;
      let d = docs[i]!;
      let l = last[i]!;
      keys[i * n] = BREAK;
      for (;;) {
        let j = this.home(a, b, c);
        while (placed[j]) j = (j + 1) & mask;
        const k = j * n;
        placed[j] = 1;
        if (keys[k] === BREAK) {
          keys[k] = a;
          keys[k + 1] = b;
          if (n === 3) keys[k + 2] = c;
          count[j] = t;
          docs[j] = d;
          last[j] = l;
          break;
        }
        // An entry not yet placed: it takes the carried one's place and is carried on.
        const a2 = keys[k]!;
        const b2 = keys[k + 1]!;
        const c2 = n === 3 ? keys[k + 2]! : 0;
        const t2 = count[j]!;
        const d2 = docs[j]!;
        const l2 = last[j]!;
        keys[k] = a;
        keys[k + 1] = b;
        if (n === 3) keys[k + 2] = c;
        count[j] = t;
        docs[j] = d;
        last[j] = l;
        a = a2;
        b = b2;
        c = c2;
        t = t2;
        d = d2;
        l = l2;
      }
    }
  }

  /** A new table of `slots` slots holding the entries that pass `keep` (for a small table: this one is left as it is). */
  copied(slots: number, keep: (count: number) => boolean): GramTable {
    const t = new GramTable(this.n, slots);
    const n = this.n;
    for (let i = 0; i < this.count.length; i++) {
      const k = i * n;
      if (this.keys[k] === BREAK || !keep(this.count[i]!)) continue;
      const j = t.slot(this.keys[k]!, this.keys[k + 1]!, n === 3 ? this.keys[k + 2]! : 0);
      t.keys.set(this.keys.subarray(k, k + n), j * n);
      t.count[j] = this.count[i]!;
      t.docs[j] = this.docs[i]!;
      t.last[j] = this.last[i]!;
      t.size++;
    }
    return t;
  }
}

/** Where a count stands while it runs: documents read of those in scope. */
export interface WordProgress {
  done: number;
  total: number;
}

export interface WordRunOptions {
  /** Called after each round of documents. */
  onProgress?: (p: WordProgress) => void;
  /** Called now and then with the list so far (`partial` set): what the screen shows while counting. */
  onPartial?: (r: WordFrequencies) => void;
  /** Checked between rounds: true stops the count, which then throws a `cancelled` error. */
  isCancelled?: () => boolean;
  /** Slots of the phrase table at the most before rare phrases are dropped (2^23; smaller in tests). */
  maxSlots?: number;
  /** Milliseconds between partial lists at the least (1,500; the first comes after 500). */
  partialEveryMs?: number;
}

/**
 * Counts words or phrases over the documents of a scope. Texts are read a round of documents
 * at a time on the long-read connection (coding and opening documents never wait behind it)
 * and tokenised as they come; only the counts are held.
 */
export async function wordFrequencies(db: ProjectDb, options: WordOptions, run: WordRunOptions = {}): Promise<WordFrequencies> {
  const { n, top } = options;
  const stop = options.stopwords ? await db.readLong(stopSet) : new Set<string>();
  const where = await db.readLong((r) => scopeCondition(r, options));
  const total = (await db.readLong((r) => r.get<{ n: number }>(`SELECT count(*) AS n FROM documents d WHERE ${where.sql}`, where.params)))?.n ?? 0;
  const vocab = new Vocabulary(stop);
  let unigrams = { count: new Uint32Array(1024), docs: new Uint32Array(1024), last: new Uint32Array(1024) };
  const maxSlots = run.maxSlots ?? MAX_SLOTS;
  let grams = n === 1 ? null : new GramTable(n, 1 << 16, maxSlots);
  let ids = new Int32Array(4096);
  let docIndex = 0;
  let tokens = 0;
  let floor = 0;
  let undercount = 0;
  const partialEvery = run.partialEveryMs ?? 1500;
  // The first list so far comes soon (half a second), then one every partialEvery.
  let nextPartial = performance.now() + Math.min(500, partialEvery);

  const result = (partial: boolean): WordFrequencies => {
    const words: WordCount[] = [];
    if (grams === null) {
      const size = vocab.forms.length;
      const entries = function* (): Generator<[string, Tally]> {
        for (let id = 0; id < size; id++) {
          if (unigrams.count[id]! > 0) yield [vocab.forms[id]!, { count: unigrams.count[id]!, documents: unigrams.docs[id]!, last: 0 }];
        }
      };
      for (const [term, t] of topOf(entries(), top)) words.push({ term, count: t.count, documents: t.documents });
    } else {
      for (const w of topGrams(grams, vocab.forms, top)) words.push(w);
    }
    let distinct = grams?.size ?? 0;
    if (grams === null) for (let id = 0; id < vocab.forms.length; id++) if (unigrams.count[id]! > 0) distinct++;
    return {
      n,
      words,
      documents: docIndex,
      tokens,
      distinct,
      undercountAtMost: undercount,
      lemmas: 'not available',
      stopwordsApplied: options.stopwords,
      ...(partial ? { partial: { done: docIndex, total } } : {}),
    };
  };

  const countDocument = (text: string) => {
    docIndex++;
    let len = 0;
    scanTokens(text, {
      token: (start, end, pictograph, hash) => {
        if (len + 1 >= ids.length) {
          const b = new Int32Array(ids.length * 2);
          b.set(ids);
          ids = b;
        }
        ids[len++] = vocab.id(text, start, end, pictograph, hash);
      },
      phraseBreak: () => {
        if (len > 0 && ids[len - 1] !== BREAK) ids[len++] = BREAK;
      },
    });
    const isStop = vocab.stop;
    if (grams === null) {
      const size = vocab.forms.length;
      if (size > unigrams.count.length) unigrams = { count: grow(unigrams.count, size), docs: grow(unigrams.docs, size), last: grow(unigrams.last, size) };
      const { count, docs, last } = unigrams;
      for (let i = 0; i < len; i++) {
        const a = ids[i]!;
        if (a === BREAK) continue;
        tokens++;
        if (isStop[a]) continue;
        count[a]!++;
        if (last[a] !== docIndex) {
          docs[a]!++;
          last[a] = docIndex;
        }
      }
      return;
    }
    for (let i = 0; i < len; i++) {
      const a = ids[i]!;
      if (a === BREAK) continue;
      tokens++;
      if (i + n - 1 >= len) continue;
      const b = ids[i + 1]!;
      const z = ids[i + n - 1]!;
      if (z === BREAK || b === BREAK || isStop[a] || isStop[z]) continue;
      grams!.add(a, b, n === 3 ? z : 0, docIndex);
    }
    if (grams!.size > grams!.slots * 0.7) {
      if (grams!.slots < maxSlots) grams!.rehash(grams!.slots * 2);
      else {
        // Lossy counting: drop what has been seen at most `floor` times so far. A phrase dropped
        // and seen again starts over, so its count is low by at most the sum of floors used.
        while (grams!.size > grams!.slots * 0.5) {
          floor++;
          undercount += floor;
          const f = floor;
          grams!.rehash(grams!.slots, (c) => c > f);
        }
      }
    }
  };

  /** Every document of the scope, a round at a time, to `each`; progress after each round. */
  const pass = async (each: (text: string) => void, afterRound: (done: number) => void) => {
    let after = -1;
    let done = 0;
    for (;;) {
      if (run.isCancelled?.()) throw new MarginaliaError('cancelled', 'The word count was cancelled.');
      const page = await db.readLong((r) =>
        r.all<{ rowid: number; text: string }>(`SELECT d.rowid, d.text FROM documents d WHERE d.rowid > ? AND ${where.sql} ORDER BY d.rowid LIMIT ${PAGE}`, [after, ...where.params]),
      );
      if (page.length === 0) break;
      after = page[page.length - 1]!.rowid;
      for (const { text } of page) each(text);
      done += page.length;
      run.onProgress?.({ done, total: Math.max(total, done) });
      afterRound(done);
    }
  };
  await pass(countDocument, (done) => {
    if (run.onPartial && performance.now() >= nextPartial && done < total) {
      const t0 = performance.now();
      run.onPartial(result(true));
      // A partial list of a large table costs time of its own: never more than a fifth of the work.
      nextPartial = performance.now() + Math.max(partialEvery, 5 * (performance.now() - t0));
    }
  });
  if (grams !== null && undercount > 0) {
    // Rare phrases were dropped on the way to stay in memory, so a count may be low by up to
    // `undercount`. Every phrase that can rank has a count of at least the top-th largest
    // minus that: those few are counted again, exactly, in a second pass. When the top-th
    // count is no larger than the undercount (a flat list), no phrase is sure to rank, and the
    // bound stays on the list instead.
    const least = topCount(grams, top);
    if (least > undercount) {
      const seen = grams.size;
      const exact = candidates(grams, least, undercount);
      // The big table goes before the second pass: only the candidates are held while it reads.
      grams = null;
      let doc = 0;
      await pass(
        (text) => {
          doc++;
          let prev2 = BREAK;
          let prev1 = BREAK;
          scanTokens(text, {
            token: (start, end, pictograph, hash) => {
              const id = vocab.id(text, start, end, pictograph, hash);
              const first = n === 2 ? prev1 : prev2;
              if (first !== BREAK && prev1 !== BREAK && !vocab.stop[first] && !vocab.stop[id]) exact.bump(first, n === 2 ? id : prev1, n === 3 ? id : 0, doc);
              prev2 = prev1;
              prev1 = id;
            },
            phraseBreak: () => {
              prev2 = BREAK;
              prev1 = BREAK;
            },
          });
        },
        () => undefined,
      );
      grams = exact;
      const checked = result(false);
      return { ...checked, distinct: seen, undercountAtMost: 0 };
    }
  }
  return result(false);
}

/** The phrases that can rank (a count at least `least` less the undercount), in a table of their own with their counts at 0. */
function candidates(g: GramTable, least: number, undercount: number): GramTable {
  let keep = 0;
  for (let i = 0; i < g.count.length; i++) if (g.keys[i * g.n] !== BREAK && g.count[i]! + undercount >= least) keep++;
  let slots = 16;
  while (slots * 0.5 < keep) slots *= 2;
  const exact = g.copied(slots, (c) => c + undercount >= least);
  exact.count.fill(0);
  exact.docs.fill(0);
  exact.last.fill(0);
  return exact;
}

/** The top-th largest count of a table (its smallest when it holds fewer). */
function topCount(t: GramTable, top: number): number {
  const counts = new Uint32Array(t.size);
  let j = 0;
  for (let i = 0; i < t.count.length; i++) if (t.keys[i * t.n] !== BREAK) counts[j++] = t.count[i]!;
  counts.sort();
  return counts.length ? counts[Math.max(0, counts.length - top)]! : 0;
}

/** The `top` phrases of a table: counts ranked by a histogram, and only the phrases that can rank spelled out. */
function topGrams(t: GramTable, forms: readonly string[], top: number): WordCount[] {
  if (t.size === 0 || top <= 0) return [];
  // The smallest count that can still rank: the top-th largest.
  const counts = new Uint32Array(t.size);
  let j = 0;
  for (let i = 0; i < t.count.length; i++) if (t.keys[i * t.n] !== BREAK) counts[j++] = t.count[i]!;
  counts.sort();
  const least = counts[Math.max(0, counts.length - top)]!;
  const term = (i: number) => {
    const k = i * t.n;
    return t.n === 2 ? `${forms[t.keys[k]!]} ${forms[t.keys[k + 1]!]}` : `${forms[t.keys[k]!]} ${forms[t.keys[k + 1]!]} ${forms[t.keys[k + 2]!]}`;
  };
  const entries = function* (): Generator<[string, Tally]> {
    for (let i = 0; i < t.count.length; i++) {
      if (t.keys[i * t.n] === BREAK || t.count[i]! < least) continue;
      yield [term(i), { count: t.count[i]!, documents: t.docs[i]!, last: 0 }];
    }
  };
  return topOf(entries(), top).map(([term, x]) => ({ term, count: x.count, documents: x.documents }));
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
