import type { Reader } from '../db/project-db';
import { MarginaliaError, invalid } from '../errors';
import { CodePointIndex } from '../text/normalise';
import { FTS_TOKENIZE_SQL } from './tokenizer';
import { doclistPages, readPostings, readsIndex, type Postings } from './fts-doclist';
import { containsNot, countMatches, foldWord, wordCounter, indexTerms, matchDocument, parseQuery, queryWords, parseRegex, regexSpans, termKey, toFts, wordsOf, type IndexTerm, type PhraseNode, type QueryNode, type Span } from './query';

/** What to search for and where. */
export interface SearchRequest {
  /** The query in the search syntax (see `SYNTAX_HELP`), or a regular expression with `regex`. */
  query: string;
  regex?: boolean;
  /** Regular expressions only: match case exactly (words always ignore case and accents). */
  caseSensitive?: boolean;
  /** Only documents whose attribute has this value (compared as stored text). */
  attribute?: { name: string; value: string };
  /** Only this document (the viewer's next/previous hit). */
  documentId?: string;
  /** Only documents of this document set. */
  setId?: string;
}

/** One hit as a keyword-in-context line; offsets are code points of the document text, half-open. */
export interface KwicLine {
  /** Position of the hit among all hits of the search, from 0. */
  index: number;
  document_id: string;
  document_name: string;
  start: number;
  end: number;
  before: string;
  hit: string;
  after: string;
}

/** A document with hits, with how many and where its first hit is among all hits. */
export interface SearchDocumentCount {
  document_id: string;
  document_name: string;
  hits: number;
  first_index: number;
}

/** One page of every hit, with the totals over the whole search. */
export interface SearchPage {
  total_hits: number;
  total_documents: number;
  /** From 1. */
  page: number;
  page_size: number;
  pages: number;
  hits: KwicLine[];
  /** The documents whose hits are on this page, with their whole counts. */
  documents: SearchDocumentCount[];
  /** Every matching document's count (`total_documents` of them), one window at a time. */
  by_document: DocumentCounts;
}

/** How the per-document counts are ordered: document order, or most hits first (then document order). */
export type DocumentCountOrder = 'order' | 'hits';

/** A window of the per-document counts of a search. */
export interface DocumentCounts {
  order: DocumentCountOrder;
  /** Position of the first item among all matching documents in this order, from 0. */
  offset: number;
  items: SearchDocumentCount[];
}

/** What `searchHits` takes besides the search: the page of hits and the window of per-document counts. */
export interface SearchPageRequest {
  page?: number;
  pageSize?: number;
  context?: number;
  /** The window of per-document counts: from this position (0), this many (100), in this order ('order'). */
  documentsOffset?: number;
  documentsLimit?: number;
  documentsOrder?: DocumentCountOrder;
}

export const DEFAULT_DOCUMENTS_LIMIT = 100;

/** A matching document's count: by id and name (read from its text) or by rowid (counted from the index). */
type Counts = { id?: string; rowid?: number; name?: string; hits: number; first: number };

/** The window of per-document counts asked for, every count being at hand (names only for the window). */
async function countWindow(r: Reader, all: Counts[], req: SearchPageRequest): Promise<DocumentCounts> {
  const order = req.documentsOrder ?? 'order';
  const offset = Math.max(0, req.documentsOffset ?? 0);
  const limit = req.documentsLimit ?? DEFAULT_DOCUMENTS_LIMIT;
  // Most hits first; ties in document order (`all` is in document order, and the sort is stable).
  const sorted = order === 'hits' ? [...all].sort((a, b) => b.hits - a.hits) : all;
  const window = sorted.slice(offset, offset + limit);
  const missing = window.filter((d) => d.name === undefined).map((d) => d.rowid!);
  const names = new Map<number, { id: string; name: string }>();
  if (missing.length) {
    for (const row of await r.all<{ rowid: number; id: string; name: string }>(`SELECT rowid, id, name FROM documents WHERE rowid IN (${missing.map(() => '?').join(', ')})`, missing)) {
      names.set(row.rowid, row);
    }
  }
  return {
    order,
    offset,
    items: window.map((d) => {
      const known = d.name === undefined ? names.get(d.rowid!) : undefined;
      return { document_id: d.id ?? known?.id ?? '', document_name: d.name ?? known?.name ?? '', hits: d.hits, first_index: d.first };
    }),
  };
}

export const DEFAULT_PAGE_SIZE = 50;
export const KWIC_CONTEXT = 60;

/** The document's hits in UTF-16 units, or null when it does not match. */
type Matcher = (text: string) => Span[] | null;

interface Compiled {
  /** FTS5 expression selecting candidate documents; null scans every document (regex). */
  fts: string | null;
  match: Matcher;
}

/** The FTS5 expression of a query (over the text column); throws a worded error for a bad query. */
export function toFtsQuery(query: string): string {
  return toFts(parseQuery(query.trim()));
}

/** Every document the search matches (not a page of them), in document order. */
export async function matchingDocumentIds(r: Reader, req: SearchRequest): Promise<string[]> {
  const ids: string[] = [];
  await eachMatch(r, req, (doc) => ids.push(doc.id));
  return ids;
}

export function compileSearch(req: Pick<SearchRequest, 'query' | 'regex' | 'caseSensitive'>): Compiled {
  if (req.regex) {
    const re = parseRegex(req.query, req.caseSensitive);
    return {
      fts: null,
      match: (text) => {
        const spans = regexSpans(re, text);
        return spans.length ? spans : null;
      },
    };
  }
  const node = parseQuery(req.query.trim());
  const folds = new Map<string, string | null>();
  const keep = queryWords(node);
  return { fts: toFts(node), match: (text) => matchDocument(node, wordsOf(text, folds, keep)) };
}

interface DocumentRow {
  id: string;
  name: string;
  text: string;
}

/**
 * Streams the documents that match, in document order, with their hits. FTS5 picks the
 * candidates; the matcher (the same tree) finds the hits and has the last word, so the
 * count of a document is exactly the hits it lists.
 */
/** The SQL conditions on documents `d` of a request's filters (attribute, set, one document). */
/**
 * `perDocument`: each condition tests one document (EXISTS through the keys), for a few documents
 * at a time; else `IN` a list, which SQLite makes once per statement (17,000 documents of one
 * outlet at 100,000 articles: 50 ms).
 */
async function filterSql(r: Reader, req: SearchRequest, perDocument = false): Promise<{ where: string[]; params: string[] }> {
  const where: string[] = [];
  const params: string[] = [];
  if (req.attribute) {
    const variable = await r.get<{ id: string }>(`SELECT id FROM variables WHERE name = ?`, [req.attribute.name]);
    if (!variable) throw invalid('attribute', `no document attribute is called "${req.attribute.name}". Choose one the documents have (outlet, date, …).`);
    where.push(
      perDocument
        ? 'EXISTS (SELECT 1 FROM document_values WHERE document_id = d.id AND variable_id = ? AND value = ?)'
        : 'd.id IN (SELECT document_id FROM document_values WHERE variable_id = ? AND value = ?)',
    );
    params.push(variable.id, req.attribute.value);
  }
  if (req.setId) {
    if (!(await r.get(`SELECT 1 FROM document_sets WHERE id = ?`, [req.setId]))) throw invalid('set', `no document set has the id "${req.setId}". Choose one of the project's sets.`);
    where.push(perDocument ? 'EXISTS (SELECT 1 FROM document_set_members WHERE set_id = ? AND document_id = d.id)' : 'd.id IN (SELECT document_id FROM document_set_members WHERE set_id = ?)');
    params.push(req.setId);
  }
  if (req.documentId) {
    where.push('d.id = ?');
    params.push(req.documentId);
  }
  return { where, params };
}

function sqliteFailure(req: SearchRequest, e: unknown): MarginaliaError {
  if (e instanceof MarginaliaError) return e;
  // The parser only lets quoted words through, so this is a bug, not the user's query: say so plainly.
  return new MarginaliaError('internal', `The search "${req.query}" could not run (${(e as Error).message}). Please report this query.`);
}

/**
 * Streams the documents that match, in document order, with their hits. FTS5 picks the
 * candidates; the matcher (the same tree) finds the hits and has the last word, so the
 * count of a document is exactly the hits it lists. Reads every candidate's text: what
 * autocode and a regular expression need; a page of hits uses `searchHits`.
 */
export async function eachMatch(r: Reader, req: SearchRequest, onDocument: (doc: DocumentRow, spans: Span[]) => void): Promise<void> {
  const compiled = compileSearch(req);
  const { where, params } = await filterSql(r, req);
  if (compiled.fts) {
    where.unshift('d.rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)');
    params.unshift(compiled.fts);
  }
  try {
    await r.each<DocumentRow>(
      `SELECT d.id, d.name, d.text FROM documents d ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY d.sort_order, d.id`,
      params,
      (row) => {
        const spans = compiled.match(row.text);
        if (spans) onDocument(row, spans);
      },
    );
  } catch (e) {
    throw sqliteFailure(req, e);
  }
}

/**
 * The words as the index holds them: folded by FTS5's own tokenizer (its case and accent
 * folding is not JavaScript's for every script), through a scratch table of this connection.
 */
export async function foldByFts(r: Reader, words: readonly string[]): Promise<Map<string, string>> {
  await r.all(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_fold USING fts5(word, ${FTS_TOKENIZE_SQL})`);
  await r.all(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_fold_terms USING fts5vocab(temp, 'search_fold', 'instance')`);
  await r.all(`DELETE FROM temp.search_fold`);
  if (words.length) await r.all(`INSERT INTO temp.search_fold (rowid, word) VALUES ${words.map(() => '(?, ?)').join(', ')}`, words.flatMap((w, i) => [i + 1, w]));
  const rows = await r.all<{ doc: number; term: string }>(`SELECT doc, term FROM temp.search_fold_terms`);
  await r.all(`DELETE FROM temp.search_fold`);
  return new Map(rows.map((row) => [words[row.doc - 1]!, row.term]));
}

/**
 * `INDEXED BY` the index that begins (sort_order, id), for walking documents in their order: a document's
 * row holds its text before sort_order, so reading sort_order from the table would read every
 * candidate's text. A file whose schema predates the index (or lost it) still searches, slower.
 */
async function inDocumentOrder(r: Reader): Promise<string> {
  const indexed = await r.get(`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'documents_order_summary'`);
  return indexed ? 'INDEXED BY documents_order_summary' : '';
}

/**
 * Integers SQLite's group_concat joined with commas, asked for as a blob (`joined(...)`): one
 * buffer crosses, not a row per number, and its bytes parse twice as fast as a string's characters.
 */
function integers(joined: Uint8Array | null | undefined): Int32Array {
  if (!joined || joined.length === 0) return new Int32Array(0);
  // At most one number per two bytes (a digit and a comma): one pass, no count first.
  const out = new Int32Array((joined.length + 1) >> 1);
  let n = 0;
  let k = 0;
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i]!;
    if (c === 44) {
      out[k++] = n;
      n = 0;
    } else n = n * 10 + c - 48;
  }
  out[k++] = n;
  return out.subarray(0, k);
}

/** SQL joining a column's integers for `integers`. */
const joined = (column: string) => `CAST(group_concat(${column}) AS BLOB)`;

/**
 * The rowids of the documents a words-and-phrases search may match (FTS5's candidates, within
 * the filters), as SQL selecting a column `doc`. Without a filter the index answers alone: its
 * triggers keep it in step with the documents within every write's transaction.
 */
async function candidateSql(r: Reader, req: SearchRequest, fts: string, perDocument = false): Promise<{ sql: string; params: string[] }> {
  const { where, params } = await filterSql(r, req, perDocument);
  if (where.length === 0) return { sql: `SELECT rowid AS doc FROM documents_fts WHERE documents_fts MATCH ?`, params: [fts] };
  return {
    sql: `SELECT d.rowid AS doc FROM documents d WHERE d.rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?) AND ${where.join(' AND ')}`,
    params: [fts, ...params],
  };
}

/** The index's views of this connection (temp tables: no write to the project, allowed read-only too). */
async function vocabularies(r: Reader): Promise<void> {
  await r.all(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.documents_fts_instances USING fts5vocab(main, 'documents_fts', 'instance')`);
  await r.all(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.documents_fts_columns USING fts5vocab(main, 'documents_fts', 'col')`);
}

/**
 * A search counted from the index: the documents counted (rowids ascending) with each one's hits
 * (0: it does not match), in typed arrays (a Map of 80,000 entries cost more than the count).
 */
interface Counted {
  rowids: Int32Array;
  hits: Int32Array;
  /** How many documents match, and their hits in all. */
  documents: number;
  total: number;
  /** The matching documents' rowids in document order, as far as read (`ordered` reads them). */
  order: number[];
  /** How many entries of the document order `ordered` has walked. */
  walked: number;
  orderComplete: boolean;
}

function countedOf(rowids: Int32Array, hits: Int32Array): Counted {
  let documents = 0;
  let total = 0;
  for (let i = 0; i < hits.length; i++) {
    if (hits[i]) documents++;
    total += hits[i]!;
  }
  return { rowids, hits, documents, total, order: [], walked: 0, orderComplete: false };
}

/** The place of a rowid in an ascending list, or -1. */
function placeOf(rowids: Int32Array, doc: number): number {
  let lo = 0;
  let hi = rowids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = rowids[mid]!;
    if (v === doc) return mid;
    if (v < doc) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** A document's hits in a count (0 when it does not match). */
function hitsOf(counted: Counted, doc: number): number {
  const at = placeOf(counted.rowids, doc);
  return at < 0 ? 0 : counted.hits[at]!;
}

/** The distinct rowids of several lists (each ascending, a rowid once per instance), ascending: merged, not sorted. */
function sortedUnion(lists: readonly Int32Array[]): Int32Array {
  let out = new Int32Array(0);
  for (const list of lists) {
    const merged = new Int32Array(out.length + list.length);
    let n = 0;
    let i = 0;
    let j = 0;
    while (i < out.length || j < list.length) {
      const v = j >= list.length || (i < out.length && out[i]! <= list[j]!) ? out[i++]! : list[j++]!;
      if (n === 0 || merged[n - 1] !== v) merged[n++] = v;
    }
    out = merged.subarray(0, n);
  }
  return out;
}

/**
 * Each document's count of a word, by the document's place in `rowids` (ascending): its number
 * of positions in the word's postings (0 for a document without it). Both lists are walked once,
 * side by side.
 */
function countsByPlace(rowids: Int32Array, word: Postings): Int32Array {
  const byPlace = new Int32Array(rowids.length);
  const { docs, ends } = word;
  let at = 0;
  for (let i = 0; i < docs.length && at < rowids.length; i++) {
    const doc = docs[i]!;
    while (at < rowids.length && rowids[at]! < doc) at++;
    if (rowids[at] === doc) byPlace[at] = ends[i]! - (i === 0 ? 0 : ends[i - 1]!);
  }
  return byPlace;
}

/**
 * The postings of the fts5vocab "instance" rows of one term (or several, for a word*): `docs`
 * one per instance, ascending by document, as the view lists them; `offsets` beside them.
 */
function postingsOfInstances(docs: Int32Array, offsets: Int32Array | null, prefix: boolean): Postings {
  let order: Int32Array | null = null;
  if (prefix) {
    // A word*'s terms each list their documents ascending: as one list, by document then position.
    order = new Int32Array(docs.length);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort((a, b) => docs[a]! - docs[b]! || (offsets ? offsets[a]! - offsets[b]! : 0));
  }
  const at = (i: number) => (order ? order[i]! : i);
  const distinct: number[] = [];
  const ends: number[] = [];
  const sortedOffsets = new Int32Array(offsets ? docs.length : 0);
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[at(i)]!;
    if (distinct.length === 0 || distinct[distinct.length - 1] !== doc) {
      distinct.push(doc);
      ends.push(i);
    }
    ends[ends.length - 1] = i + 1;
    if (offsets) sortedOffsets[i] = offsets[at(i)]!;
  }
  // Without positions asked for, `offsets` is empty and `ends` still counts each document's instances.
  return { docs: Int32Array.from(distinct), ends: Int32Array.from(ends), offsets: sortedOffsets };
}

/**
 * What reading a candidate's text and finding its hits costs against reading one instance of a
 * word (with its offset) from the index, roughly (measured at 100,000 articles of 2–5 KB): a
 * phrase whose candidates are few beside its words' instances ("missile strike": 456 documents,
 * 344,000 instances) is counted faster from the texts.
 */
const TEXT_COST = 300;

/**
 * Above this many instances, a word is read from the index only inside the candidates (an IN
 * that costs a lookup per instance, about as much as reading it): "the" has 7 million at
 * 100,000 articles, too many to join into one string.
 */
const INSTANCES_JOINED = 1_000_000;

/**
 * Hits per matching document, counted from the FTS5 index's word positions: read from its pages
 * (fts-doclist.ts) where the index is one read there and every query word is one term of it;
 * otherwise FTS5 lists the candidates and the fts5vocab "instance" view gives the positions (each
 * word's documents and positions crossing as one joined string; a word common beyond the
 * candidates read only inside them), or the candidates' texts are read where they are few beside
 * the instances to read.
 */
async function countFromIndex(r: Reader, req: SearchRequest, node: QueryNode): Promise<Counted> {
  const fts = toFts(node);
  try {
    await vocabularies(r);
    const terms = indexTerms(node);
    const folded = await foldByFts(r, terms.map((t) => t.term));
    const asIndexed = (t: IndexTerm): IndexTerm => ({ term: folded.get(t.term) ?? t.term, prefix: t.prefix });
    const counter = wordCounter(node, (w) => folded.get(w) ?? w);
    const filtered = !!(req.attribute || req.setId || req.documentId);
    const range = (t: IndexTerm) => ({ sql: t.prefix ? 'term >= ? AND term <= ?' : 'term = ?', params: t.prefix ? [t.term, `${t.term}\u{10FFFF}`] : [t.term] });
    /**
     * An indexed term's postings in the text column: read from the index's pages, or else from
     * fts5vocab (`inside`: only in these documents; `withOffsets`: with positions).
     */
    const postingsOf = async (t: IndexTerm, withOffsets: boolean, inside?: { sql: string; params: string[] }): Promise<Postings> => {
      const raw = await readPostings(r, 'documents_fts', 1, t.term, t.prefix, withOffsets);
      if (raw) return raw;
      const where = range(t);
      const row = await r.get<{ docs: Buffer | null; offsets: Buffer | null }>(
        `SELECT ${joined('doc')} AS docs${withOffsets ? `, ${joined('offset')} AS offsets` : ''} FROM temp.documents_fts_instances
         WHERE ${where.sql} AND col = 'text'${inside ? ` AND doc IN (${inside.sql})` : ''}`,
        inside ? [...where.params, ...inside.params] : where.params,
      );
      return postingsOfInstances(integers(row?.docs), withOffsets ? integers(row?.offsets) : null, t.prefix);
    };
    const oneTermEach = terms.every((t) => folded.get(t.term) === foldWord(t.term));
    if (oneTermEach && (await readsIndex(r, 'documents_fts'))) {
      // Each query word one term of the index, read from its pages (a common word's millions of
      // positions in tens of ms): the documents that hold the words are all there is to count,
      // so FTS5 need not list the candidates first. Only the documents of the rarest word every
      // match holds, where there is one; else those of any word; within the filters. The words'
      // counts (single words: wordCounter's rule) or positions (countMatches) say which match.
      const words = counter ? counter.words : terms.map(asIndexed);
      const lists = await Promise.all(words.map((t) => postingsOf(t, !counter)));
      const needed = counter ? counter.required : requiredTerms(node, terms);
      const required = lists.filter((_, k) => needed[k]).sort((a, b) => a.docs.length - b.docs.length);
      // (Phrases and NEAR: the documents holding every required word, as their positions are walked for each.)
      let rowids = required.length ? (counter ? required[0]!.docs : required.map((l) => l.docs).reduce(intersect)) : sortedUnion(lists.filter((_, k) => !counter?.absent[k]).map((l) => l.docs));
      if (hasNear(node) && !nearOfTwoWords(node)) {
        // NEAR is counted per document by countMatches, which costs far more than FTS5's own test
        // of it: only FTS5's candidates (within the filters) are counted ("missile NEAR/5 Kyiv" at
        // 100,000 articles: 5,330 documents, not the 20,000 that hold both words).
        const match = await candidateSql(r, req, fts);
        rowids = integers((await r.get<{ s: Buffer | null }>(`SELECT ${joined('doc')} AS s FROM (${match.sql})`, match.params))?.s).sort();
      } else if (filtered) rowids = intersect(rowids, await filteredRowids(r, req));
      if (counter) return countedOf(rowids, counter.count(lists.map((word) => countsByPlace(rowids, word))));
      return countedOf(rowids, countByPositions(node, rowids, new Map(terms.map((t, k) => [termKey(t), lists[k]!]))));
    }
    if (counter && !filtered && !containsNot(node) && oneTermEach) {
      // Words only, none excluded, no filter, each one term of the index: as above, from fts5vocab.
      const lists = await Promise.all(counter.words.map((word) => postingsOf(word, false)));
      const required = lists.filter((_, k) => counter.required[k]).sort((a, b) => a.docs.length - b.docs.length);
      const rowids = sortedUnion((required.length ? required.slice(0, 1) : lists).map((l) => l.docs));
      return countedOf(rowids, counter.count(lists.map((word) => countsByPlace(rowids, word))));
    }
    const match = await candidateSql(r, req, fts);
    const candidates = integers((await r.get<{ s: Buffer | null }>(`SELECT ${joined('doc')} AS s FROM (${match.sql})`, match.params))?.s);
    // FTS5 gives rowids ascending; sorted only if a filter's plan gave another order.
    const rowids = candidates.every((doc, i) => i === 0 || candidates[i - 1]! < doc) ? candidates : candidates.sort();
    if (rowids.length === 0) return countedOf(rowids, new Int32Array(0));
    /** How many documents hold the term, and how many times it occurs, in the text column. */
    const spreadOf = async (t: IndexTerm) => {
      const where = range(t);
      const row = await r.get<{ docs: number | null; instances: number | null }>(`SELECT sum(doc) AS docs, sum(cnt) AS instances FROM temp.documents_fts_columns WHERE ${where.sql} AND col = 'text'`, where.params);
      return { docs: row?.docs ?? 0, instances: row?.instances ?? 0 };
    };
    const words = counter ? counter.words.filter((_, k) => !counter.absent[k]) : terms.map(asIndexed);
    const spread = new Map<IndexTerm, { docs: number; instances: number }>();
    for (const [k, s] of (await Promise.all(words.map(spreadOf))).entries()) spread.set(words[k]!, s);
    if (rowids.length * TEXT_COST < [...spread.values()].reduce((n, s) => n + s.instances, 0)) return countFromTexts(r, node, rowids);
    // Only inside the candidates when the word is very common and in many more documents than
    // they are; otherwise the instances outside them are passed over here.
    const within = (t: IndexTerm) => (spread.get(t)!.instances > INSTANCES_JOINED && spread.get(t)!.docs > 4 * rowids.length ? match : undefined);
    if (counter) {
      // Single words: each candidate's count of each word, by the candidate's place in rowid
      // order (a typed array per word); a document's hits are a sum of them.
      const counts = await Promise.all(
        counter.words.map(async (word, k) => (counter.absent[k] ? new Int32Array(rowids.length) : countsByPlace(rowids, await postingsOf(word, false, within(word))))),
      );
      return countedOf(rowids, counter.count(counts));
    }
    const found = await Promise.all(words.map((t) => postingsOf(t, true, within(t))));
    return countedOf(rowids, countByPositions(node, rowids, new Map(terms.map((t, k) => [termKey(t), found[k]!]))));
  } catch (e) {
    throw sqliteFailure(req, e);
  }
}

/** Each document's hits (rowids ascending) by `countMatches` over its words' positions, each word's postings by its `termKey`. */
function countByPositions(node: QueryNode, rowids: Int32Array, byKey: ReadonlyMap<string, Postings>): Int32Array {
  const keys = new Map([...byKey.keys()].map((key, k) => [key, k]));
  const lists = [...byKey.values()];
  // Each word's place in its postings, moved along as the documents go up.
  const place = new Int32Array(lists.length);
  const none = new Int32Array(0);
  const hits = new Int32Array(rowids.length);
  let doc = 0;
  if (node.kind === 'phrase') {
    // A phrase alone, the commonest case: its words' positions walked side by side, nothing made per document.
    const words = node.tokens.map((t, k) => keys.get(termKey({ term: t, prefix: node.prefix && k === node.tokens.length - 1 })) ?? -1);
    if (words.every((w) => w >= 0)) {
      const n = words.length;
      const offsetsOf = words.map((w) => lists[w]!.offsets);
      const from = new Int32Array(n);
      const to = new Int32Array(n);
      for (let i = 0; i < rowids.length; i++) {
        doc = rowids[i]!;
        let held = true;
        for (let k = 0; k < n && held; k++) {
          const w = words[k]!;
          const p = lists[w]!;
          let at = place[w]!;
          while (at < p.docs.length && p.docs[at]! < doc) at++;
          place[w] = at;
          held = p.docs[at] === doc;
          if (held) {
            from[k] = at === 0 ? 0 : p.ends[at - 1]!;
            to[k] = p.ends[at]!;
          }
        }
        if (!held) continue;
        // As countMatches: each place of the first word followed by the others, one place on each.
        let count = 0;
        const first = offsetsOf[0]!;
        for (let j = from[0]!; j < to[0]!; j++) {
          const start = first[j]!;
          let ok = true;
          for (let k = 1; k < n && ok; k++) {
            const offsets = offsetsOf[k]!;
            let at = from[k]!;
            while (at < to[k]! && offsets[at]! < start + k) at++;
            from[k] = at;
            ok = at < to[k]! && offsets[at] === start + k;
          }
          if (ok) count++;
        }
        hits[i] = count;
      }
      return hits;
    }
  }
  const near = nearOfTwoWords(node);
  if (near) {
    // Two words NEAR each other, counted as nearInstances does (every pair at most `distance`
    // words apart is a window; the most windows that do not overlap, left to right), on numbers.
    const [wa, wb] = near.words.map((t) => keys.get(termKey(t)) ?? -1);
    // A plain loop: \`every\` with a callback over the 7 million positions of "the" took 180 ms.
    const below = (p: Postings | undefined) => {
      if (!p) return false;
      const offsets = p.offsets;
      for (let k = 0; k < offsets.length; k++) if (offsets[k]! >= WINDOW_SPAN) return false;
      return true;
    };
    if (wa! >= 0 && wb! >= 0 && below(lists[wa!]) && below(lists[wb!])) {
      const a = lists[wa!]!;
      const b = lists[wb!]!;
      let windows = new Float64Array(1024);
      for (let i = 0; i < rowids.length; i++) {
        doc = rowids[i]!;
        let ka = place[wa!]!;
        while (ka < a.docs.length && a.docs[ka]! < doc) ka++;
        place[wa!] = ka;
        let kb = place[wb!]!;
        while (kb < b.docs.length && b.docs[kb]! < doc) kb++;
        place[wb!] = kb;
        if (a.docs[ka] !== doc || b.docs[kb] !== doc) continue;
        const aFrom = ka === 0 ? 0 : a.ends[ka - 1]!;
        const aTo = a.ends[ka]!;
        const bFrom = kb === 0 ? 0 : b.ends[kb - 1]!;
        const bTo = b.ends[kb]!;
        // Each window as one number, by its last word and then its first one later: the order the greedy choice takes them in.
        let n = 0;
        let lo = bFrom;
        for (let j = aFrom; j < aTo; j++) {
          const x = a.offsets[j]!;
          while (lo < bTo && b.offsets[lo]! < x - near.distance - 1) lo++;
          for (let k = lo; k < bTo && b.offsets[k]! <= x + near.distance + 1; k++) {
            const y = b.offsets[k]!;
            const first = Math.min(x, y);
            const last = Math.max(x, y);
            if (n === windows.length) {
              const grown = new Float64Array(n * 2);
              grown.set(windows);
              windows = grown;
            }
            windows[n++] = last * WINDOW_SPAN + (WINDOW_SPAN - 1 - first);
          }
        }
        const sorted = windows.subarray(0, n).sort();
        let count = 0;
        let end = -1;
        for (let k = 0; k < n; k++) {
          const last = Math.floor(sorted[k]! / WINDOW_SPAN);
          const first = WINDOW_SPAN - 1 - (sorted[k]! - last * WINDOW_SPAN);
          if (first <= end) continue;
          count++;
          end = last;
        }
        hits[i] = count;
      }
      return hits;
    }
  }
  const positions = (t: IndexTerm): Int32Array => {
    const w = keys.get(termKey(t));
    if (w === undefined) return none;
    const p = lists[w]!;
    let k = place[w]!;
    while (k < p.docs.length && p.docs[k]! < doc) k++;
    place[w] = k;
    return p.docs[k] === doc ? p.offsets.subarray(k === 0 ? 0 : p.ends[k - 1]!, p.ends[k]!) : none;
  };
  for (let i = 0; i < rowids.length; i++) {
    doc = rowids[i]!;
    hits[i] = countMatches(node, positions) ?? 0;
  }
  return hits;
}

/**
 * Which of `terms` (indexTerms of the query) every matching document holds: the words of its
 * phrases and NEARs joined by AND, not those under OR or NOT.
 */
function requiredTerms(node: QueryNode, terms: readonly IndexTerm[]): boolean[] {
  const keys = new Set<string>();
  const walk = (n: QueryNode): void => {
    if (n.kind === 'phrase') n.tokens.forEach((t, k) => keys.add(termKey({ term: t, prefix: n.prefix && k === n.tokens.length - 1 })));
    else if (n.kind === 'near') n.phrases.forEach(walk);
    else if (n.kind === 'and') n.children.forEach(walk);
  };
  walk(node);
  return terms.map((t) => keys.has(termKey(t)));
}

/** Positions below this fit a NEAR window's two ends in one number (67 million words a document). */
const WINDOW_SPAN = 2 ** 26;

/** A NEAR of two single words (either may be a word*): the words and the distance; null for anything else. */
function nearOfTwoWords(node: QueryNode): { words: [IndexTerm, IndexTerm]; distance: number } | null {
  if (node.kind !== 'near' || node.phrases.length !== 2 || node.phrases.some((p) => p.tokens.length !== 1)) return null;
  const [a, b] = node.phrases as [PhraseNode, PhraseNode];
  return { words: [{ term: a.tokens[0]!, prefix: a.prefix }, { term: b.tokens[0]!, prefix: b.prefix }], distance: node.distance };
}

function hasNear(node: QueryNode): boolean {
  if (node.kind === 'near') return true;
  if (node.kind === 'and' || node.kind === 'or') return node.children.some(hasNear);
  return node.kind === 'not' && hasNear(node.child);
}

/** The rowids of the documents within a request's filters, ascending. */
async function filteredRowids(r: Reader, req: SearchRequest): Promise<Int32Array> {
  const { where, params } = await filterSql(r, req);
  // The filters name documents by id (d.id IN …, d.id = ?): through the id index, not a walk over every document.
  const rows = integers((await r.get<{ s: Buffer | null }>(`SELECT ${joined('doc')} AS s FROM (SELECT d.rowid AS doc FROM documents d WHERE ${where.join(' AND ')})`, params))?.s);
  return rows.sort();
}

/** The rowids in both ascending lists. */
function intersect(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let n = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i]! < b[j]!) i++;
    else if (a[i]! > b[j]!) j++;
    else {
      out[n++] = a[i]!;
      i++;
      j++;
    }
  }
  return out.subarray(0, n);
}

/** Each candidate's hits by the matcher over its text (rowids ascending), a few hundred texts a statement. */
async function countFromTexts(r: Reader, node: QueryNode, rowids: Int32Array): Promise<Counted> {
  const hits = new Int32Array(rowids.length);
  const folds = new Map<string, string | null>();
  const keep = queryWords(node);
  for (let from = 0; from < rowids.length; from += 500) {
    const batch = Array.from(rowids.subarray(from, from + 500));
    await r.each<{ doc: number; text: string }>(`SELECT rowid AS doc, text FROM documents WHERE rowid IN (SELECT value FROM json_each(?))`, [JSON.stringify(batch)], (row) => {
      hits[placeOf(rowids, row.doc)] = matchDocument(node, wordsOf(row.text, folds, keep))?.length ?? 0;
    });
  }
  return countedOf(rowids, hits);
}

/**
 * At least `needed` of the matching documents in document order (every one when fewer match):
 * the (sort_order, id) index walked in growing steps, keeping the rowids that have hits, and kept
 * with the count. A search matching most documents finds a page's worth in the first thousand
 * entries; one matching few walks the whole index (about 20 ms at 100,000 documents) rather than
 * asking FTS5 for its candidates again. Page 1 and the first window of per-document counts need
 * only the first few, since every matching document has a hit.
 */
async function ordered(r: Reader, req: SearchRequest, counted: Counted, needed: number): Promise<number[]> {
  if (counted.order.length === counted.documents) counted.orderComplete = true;
  if (counted.orderComplete || counted.order.length >= needed) return counted.order;
  try {
    const index = await inDocumentOrder(r);
    let step = 1000;
    while (!counted.orderComplete && counted.order.length < needed) {
      const rows = integers(
        (await r.get<{ s: Buffer | null }>(`SELECT ${joined('doc')} AS s FROM (SELECT rowid AS doc FROM documents ${index} ORDER BY sort_order, id LIMIT ? OFFSET ?)`, [step, counted.walked]))?.s,
      );
      counted.walked += rows.length;
      for (const doc of rows) if (hitsOf(counted, doc)) counted.order.push(doc);
      counted.orderComplete = rows.length < step || counted.order.length === counted.documents;
      step *= 4;
    }
    return counted.order;
  } catch (e) {
    throw sqliteFailure(req, e);
  }
}

/**
 * The last search counted on the long-read connection, kept while the project is unchanged:
 * paging through the hits (page 2, 3, …) or the per-document counts asks for the same count
 * again, which reads every match ("the" has 7 million positions at 100,000 articles). That
 * connection never writes, so its `data_version` moves with every change to the project.
 */
const lastCounted = new WeakMap<object, { key: string; version: number; counted: Counted }>();

async function countedOnce(r: Reader, req: SearchRequest, count: () => Promise<Counted>): Promise<Counted> {
  if (!r.readOnlyConnection) return count();
  const key = JSON.stringify([req.query, req.regex ?? false, req.caseSensitive ?? false, req.attribute ?? null, req.documentId ?? null, req.setId ?? null]);
  const version = (await r.get<{ v: number }>(`SELECT data_version AS v FROM pragma_data_version`))?.v ?? -1;
  const kept = lastCounted.get(r.connection);
  if (kept && kept.key === key && kept.version === version) return kept.counted;
  const counted = await count();
  lastCounted.set(r.connection, { key, version, counted });
  return counted;
}

function kwic(doc: DocumentRow, index: CodePointIndex, span: Span, n: number, context: number): KwicLine {
  const start = index.toCodePoint(span.start);
  const end = index.toCodePoint(span.end);
  return {
    index: n,
    document_id: doc.id,
    document_name: doc.name,
    start,
    end,
    before: index.slice(Math.max(0, start - context), start),
    hit: index.slice(start, end),
    after: index.slice(end, Math.min(index.length, end + context)),
  };
}

/**
 * Every hit of a search, one page at a time, with the totals. Words and phrases are counted
 * from the FTS5 index; only the page's documents are read, to give offsets and context.
 * A regular expression has no index to use: every document's text is read.
 */
export async function searchHits(r: Reader, req: SearchRequest & SearchPageRequest): Promise<SearchPage> {
  const pageSize = req.pageSize ?? DEFAULT_PAGE_SIZE;
  const page = Math.max(1, req.page ?? 1);
  const context = req.context ?? KWIC_CONTEXT;
  const from = (page - 1) * pageSize;
  const to = from + pageSize;
  let total = 0;
  let documents = 0;
  const hits: KwicLine[] = [];
  const counts: SearchDocumentCount[] = [];
  /** The matching documents' counts and first hits, in document order, as far as the page and window need. */
  const every: Counts[] = [];
  const addPage = (doc: DocumentRow, spans: Span[], first: number) => {
    const index = new CodePointIndex(doc.text);
    counts.push({ document_id: doc.id, document_name: doc.name, hits: spans.length, first_index: first });
    for (let i = Math.max(0, from - first); i < spans.length && first + i < to; i++) hits.push(kwic(doc, index, spans[i]!, first + i, context));
  };
  if (req.regex) {
    await eachMatch(r, req, (doc, spans) => {
      const first = total;
      total += spans.length;
      documents++;
      every.push({ id: doc.id, name: doc.name, hits: spans.length, first });
      if (total > from && first < to) addPage(doc, spans, first);
    });
  } else {
    const node = parseQuery(req.query.trim());
    const counted = await countedOnce(r, req, () => countFromIndex(r, req, node));
    // Every document has a hit, so the page's documents are among the first `to`; the window's
    // in document order end at its end; most hits first needs every one.
    const needed = (req.documentsOrder ?? 'order') === 'hits' ? Infinity : Math.max(to, Math.max(0, req.documentsOffset ?? 0) + (req.documentsLimit ?? DEFAULT_DOCUMENTS_LIMIT));
    const order = await ordered(r, req, counted, needed);
    const onPage: Array<{ rowid: number; first: number }> = [];
    for (const doc of order) {
      if (every.length >= needed) break;
      const n = hitsOf(counted, doc);
      const first = total;
      total += n;
      every.push({ rowid: doc, hits: n, first });
      if (total > from && first < to) onPage.push({ rowid: doc, first });
    }
    total = counted.total;
    documents = counted.documents;
    const folds = new Map<string, string | null>();
    const keep = queryWords(node);
    // The page's texts in one statement: one wait for the database, not one per document.
    const texts = new Map<number, DocumentRow>();
    if (onPage.length) {
      const rows = await r.all<DocumentRow & { rowid: number }>(`SELECT rowid, id, name, text FROM documents WHERE rowid IN (${onPage.map(() => '?').join(', ')})`, onPage.map((p) => p.rowid));
      for (const row of rows) texts.set(row.rowid, row);
    }
    for (const p of onPage) {
      const doc = texts.get(p.rowid)!;
      addPage(doc, matchDocument(node, wordsOf(doc.text, folds, keep)) ?? [], p.first);
    }
  }
  return {
    total_hits: total,
    total_documents: documents,
    page,
    page_size: pageSize,
    pages: Math.max(1, Math.ceil(total / pageSize)),
    hits,
    documents: counts,
    by_document: await countWindow(r, every, req),
  };
}

/** The first hits of a search, found without counting them all: what the screen shows at once. */
export interface FirstHits {
  hits: KwicLine[];
  /** The documents of these hits, each with its whole count. */
  documents: SearchDocumentCount[];
  /** Every matching document was read: the hits and counts are the whole result. */
  complete: boolean;
  /** How many documents match, from the index at once; null for a regular expression not read to the end. */
  total_documents: number | null;
  /**
   * How many hits in all, when known at once: the page is the whole result, or the query is a
   * word (or words joined by OR, or one word*) with no filter, whose counts the index keeps.
   * Null while `search.hits` counts them.
   */
  total_hits: number | null;
}

/** How many documents `firstHits` reads at most before it answers with what it found. */
export const FIRST_HITS_DOCUMENTS = 400;

/** The first page as matching documents are read in order: their hits until the page is full, and what was read. */
class FirstPage {
  hits: KwicLine[] = [];
  documents: SearchDocumentCount[] = [];
  /** Documents read, those that match, and their hits. */
  read = 0;
  matched = 0;
  found = 0;
  /** A hit read did not fit on the page. */
  left = false;
  constructor(
    readonly size: number,
    readonly context: number,
    readonly match: Matcher,
  ) {}

  get full(): boolean {
    return this.hits.length >= this.size;
  }

  add(doc: DocumentRow): void {
    this.read++;
    const spans = this.match(doc.text);
    if (!spans) return;
    this.matched++;
    this.found += spans.length;
    if (this.hits.length + spans.length > this.size) this.left = true;
    if (this.full) return;
    const index = new CodePointIndex(doc.text);
    this.documents.push({ document_id: doc.id, document_name: doc.name, hits: spans.length, first_index: this.hits.length });
    for (const span of spans) {
      if (this.full) break;
      this.hits.push(kwic(doc, index, span, this.hits.length, this.context));
    }
  }

  /** Every matching document was read: the totals are what was read, and complete when every hit is listed. */
  whole(): FirstHits {
    return { hits: this.hits, documents: this.documents, complete: !this.left, total_documents: this.matched, total_hits: this.found };
  }
}

/**
 * The first page of hits, read from the matching documents in document order until the page
 * is full: no total, so a word in every document answers as fast as a rare one, and a regular
 * expression reads only as far as the page needs (at most FIRST_HITS_DOCUMENTS documents).
 * The same matcher as `searchHits`, so these lines are that search's first lines. Words and
 * phrases: FTS5's few matches put in order, or the documents walked in order and tested by
 * rowid range, or (documents far from rowid order) FTS5's whole match scanned in order.
 */
export async function firstHits(r: Reader, req: SearchRequest & { pageSize?: number; context?: number }): Promise<FirstHits> {
  const pageSize = req.pageSize ?? DEFAULT_PAGE_SIZE;
  const context = req.context ?? KWIC_CONTEXT;
  const compiled = compileSearch(req);
  try {
    if (compiled.fts) {
      const walked = (await firstHitsOfFew(r, req, compiled.fts, new FirstPage(pageSize, context, compiled.match))) ?? (await firstHitsByRanges(r, req, compiled.fts, new FirstPage(pageSize, context, compiled.match)));
      if (walked) return walked;
    }
    return await firstHitsByScan(r, req, compiled, new FirstPage(pageSize, context, compiled.match));
  } catch (e) {
    throw sqliteFailure(req, e);
  }
}

/**
 * At most `fewMatches` FTS5 matches are put in document order by `firstHitsOfFew`; more are
 * walked by `firstHitsByRanges`. (An object so a test can walk a small project by ranges.)
 */
export const firstPageTuning = { fewMatches: 2_000 };

/**
 * The first page of a search FTS5 matches in few documents: all of them, asked for (at most
 * `fewMatches` and one more, which costs a common word's first entries only), put in document
 * order and filtered, then their texts read in order. A rare word walked document by document
 * would walk them all ("ashashbri" in one outlet at 100,000 articles: 140 ms). Null when more match.
 */
async function firstHitsOfFew(r: Reader, req: SearchRequest, fts: string, page: FirstPage): Promise<FirstHits | null> {
  const matches = integers((await r.get<{ s: Buffer | null }>(`SELECT ${joined('rowid')} AS s FROM (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? LIMIT ${firstPageTuning.fewMatches + 1})`, [fts]))?.s);
  if (matches.length > firstPageTuning.fewMatches) return null;
  const { where, params } = await filterSql(r, req, true);
  // (The texts are in the rows, before sort_order: read here for a few thousand documents at most.)
  const inOrder = integers(
    (
      await r.get<{ s: Buffer | null }>(
        `SELECT ${joined('doc')} AS s FROM (SELECT d.rowid AS doc FROM documents d WHERE d.rowid IN (SELECT value FROM json_each(?))${where.length ? ` AND ${where.join(' AND ')}` : ''} ORDER BY d.sort_order, d.id)`,
        [JSON.stringify(Array.from(matches)), ...params],
      )
    )?.s,
  );
  if (await readInOrder(r, page, Array.from(inOrder))) return page.whole();
  return { ...page.whole(), complete: false, ...(await quickTotals(r, req, fts)) };
}

/**
 * The texts of these documents into the page, in this order, 25 to a statement, until the page
 * is full or FIRST_HITS_DOCUMENTS have been read; whether every one was read.
 */
async function readInOrder(r: Reader, page: FirstPage, docs: readonly number[]): Promise<boolean> {
  for (let k = 0; k < docs.length; k += 25) {
    if (page.full || page.read >= FIRST_HITS_DOCUMENTS) return false;
    const some = docs.slice(k, k + 25);
    const texts = new Map<number, DocumentRow>();
    for (const row of await r.all<DocumentRow & { doc: number }>(`SELECT rowid AS doc, id, name, text FROM documents WHERE rowid IN (${some.map(() => '?').join(', ')})`, some)) {
      texts.set(row.doc, row);
    }
    for (const doc of some) page.add(texts.get(doc)!);
  }
  return true;
}

/** How many documents in order the first step of `firstHitsByRanges` walks; each next step four times more, up to the last. */
const FIRST_STEP = 50;
const LAST_STEP = 25_600;

/**
 * The first page of a words-and-phrases search, walking the documents in order a step at a
 * time (the filters tested on the candidates only): FTS5 tests each step's documents at once
 * through the range of their rowids (a range is a seek in its doclists; 400 rowids one by one cost it 30–80 ms at 100,000
 * articles), and only its candidates' texts are read. So the first page of "of the" needs its
 * first documents, not its 98,000 (FTS5 listing every match for `rowid IN (… MATCH …)` took
 * 360 ms there). Documents imported in order have rowids in document order, so each range holds
 * just the step's documents; null when a step's rowids are far apart (documents reordered):
 * a range would then cover most of the index at every step, and the caller scans instead.
 */
async function firstHitsByRanges(r: Reader, req: SearchRequest, fts: string, page: FirstPage): Promise<FirstHits | null> {
  const { where, params } = await filterSql(r, req, true);
  const order = await inDocumentOrder(r);
  let after: { sort_order: number; id: string } | null = null;
  let step = FIRST_STEP;
  /** The highest rowid walked so far. */
  let walked = 0;
  for (;;) {
    // Every document, the filters tested on FTS5's candidates only (a filter in the walk made its
    // list at every step); the step's rowids as one joined string, and where the next step starts.
    const cursor: string = after ? 'WHERE (d.sort_order, d.id) > (?, ?)' : '';
    const from: Array<string | number> = after ? [after.sort_order, after.id] : [];
    const docs = integers(
      (await r.get<{ s: Buffer | null }>(`SELECT ${joined('doc')} AS s FROM (SELECT d.rowid AS doc FROM documents d ${order} ${cursor} ORDER BY d.sort_order, d.id LIMIT ${step})`, from))?.s,
    );
    if (docs.length === 0) return page.whole();
    let lo = docs[0]!;
    let hi = lo;
    let ascending = lo > walked;
    for (let k = 1; k < docs.length; k++) {
      const doc = docs[k]!;
      if (doc <= docs[k - 1]!) ascending = false;
      if (doc < lo) lo = doc;
      if (doc > hi) hi = doc;
    }
    // Ascending after the steps before: the ranges never overlap.
    if (!ascending && hi - lo + 1 > 4 * docs.length) return null;
    walked = Math.max(walked, hi);
    const inRange = new Set(
      integers((await r.get<{ s: Buffer | null }>(`SELECT ${joined('rowid')} AS s FROM documents_fts WHERE documents_fts MATCH ? AND rowid >= ? AND rowid <= ?`, [fts, lo, hi]))?.s),
    );
    let candidates = Array.from(docs).filter((doc) => inRange.has(doc));
    if (where.length && candidates.length) {
      const kept = new Set(
        integers(
          (
            await r.get<{ s: Buffer | null }>(`SELECT ${joined('d.rowid')} AS s FROM documents d WHERE d.rowid IN (SELECT value FROM json_each(?)) AND ${where.join(' AND ')}`, [
              JSON.stringify(candidates),
              ...params,
            ])
          )?.s,
        ),
      );
      candidates = candidates.filter((doc) => kept.has(doc));
    }
    // The candidates' texts a few at a time, in order, until the page is full.
    const all = await readInOrder(r, page, candidates);
    if (all && docs.length < step) return page.whole();
    if (page.full || page.read >= FIRST_HITS_DOCUMENTS) return { ...page.whole(), complete: false, ...(await quickTotals(r, req, fts)) };
    after = (await r.get<{ sort_order: number; id: string }>(`SELECT d.sort_order, d.id FROM documents d ${order} ${cursor} ORDER BY d.sort_order, d.id LIMIT 1 OFFSET ${step - 1}`, from))!;
    step = Math.min(step * 4, LAST_STEP);
  }
}

/**
 * The first page by reading the matching documents in order, 25 at a time: every document's
 * text for a regular expression; FTS5's candidates (the whole match set, listed first) where
 * the document order is not the rowid order.
 */
async function firstHitsByScan(r: Reader, req: SearchRequest, compiled: Compiled, page: FirstPage): Promise<FirstHits> {
  const { where, params } = await filterSql(r, req);
  if (compiled.fts) {
    where.unshift('d.rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)');
    params.unshift(compiled.fts);
  }
  let after: { sort_order: number; id: string } | null = null;
  const batch = 25;
  const order = await inDocumentOrder(r);
  while (!page.full && page.read < FIRST_HITS_DOCUMENTS) {
    const conditions = after ? [...where, '(d.sort_order, d.id) > (?, ?)'] : where;
    const rows: Array<DocumentRow & { sort_order: number }> = await r.all<DocumentRow & { sort_order: number }>(
      `SELECT d.id, d.name, d.text, d.sort_order FROM documents d ${order} ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY d.sort_order, d.id LIMIT ${batch}`,
      after ? [...params, after.sort_order, after.id] : params,
    );
    for (const doc of rows) page.add(doc);
    // Read to the end: the totals are what was read.
    if (rows.length < batch) return page.whole();
    after = rows[rows.length - 1]!;
  }
  return { ...page.whole(), complete: false, ...(compiled.fts ? await quickTotals(r, req, compiled.fts) : { total_documents: null, total_hits: null }) };
}

/**
 * Above this many leaf pages of the index holding the query's words (summed, `doclistPages`),
 * `firstHits` leaves the totals to `searchHits`: FTS5 counting the documents, and fts5vocab a
 * word's hits, read them all, in time with them ("the" at 100,000 articles: 1,900 pages, 70 ms;
 * "investigation", in 80,000 of them: 160 pages, about 10 ms).
 */
const PAGES_COUNTED_AT_ONCE = 100;

/**
 * The totals a words-and-phrases search knows without counting every hit: its documents are
 * FTS5's count (the same candidates `searchHits` counts, each holding a hit); its hits only
 * where the index keeps them whole, a word's count in the text column (fts5vocab "col"). Both
 * null where the query's words fill many pages of the index (PAGES_COUNTED_AT_ONCE).
 */
async function quickTotals(r: Reader, req: SearchRequest, fts: string): Promise<{ total_documents: number | null; total_hits: number | null }> {
  const node = parseQuery(req.query.trim());
  const typed = indexTerms(node).map((t) => t.term);
  const folded = await foldByFts(r, typed);
  // Only words FTS5 keeps as one token, folded as the matcher folds them: then every candidate
  // holds a hit, and no doubt what was counted. Other words wait for the count.
  if (typed.some((w) => folded.get(w) !== foldWord(w))) return { total_documents: null, total_hits: null };
  // Where the words fill many pages of the index, no total is cheap: the count brings them.
  let pages = 0;
  for (const t of indexTerms(node)) {
    const n = await doclistPages(r, 'documents_fts', folded.get(t.term)!, t.prefix);
    if (n !== null) pages += n;
  }
  if (pages > PAGES_COUNTED_AT_ONCE) return { total_documents: null, total_hits: null };
  const filtered = !!(req.attribute || req.setId || req.documentId);
  await vocabularies(r);
  /** The term's hits in the text column (fts5vocab "col"), of every term a word* begins. */
  const hitsOf = async (term: string, prefix: boolean): Promise<number> =>
    (
      await r.get<{ n: number | null }>(`SELECT sum(cnt) AS n FROM temp.documents_fts_columns WHERE ${prefix ? 'term >= ? AND term <= ?' : 'term = ?'} AND col = 'text'`, prefix ? [term, `${term}\u{10FFFF}`] : [term])
    )?.n ?? 0;
  if (!filtered && node.kind === 'phrase' && node.tokens.length === 1 && !node.prefix) {
    // One word without a filter: both totals are the index's own for the word (fts5vocab "col").
    const row = await r.get<{ docs: number | null; n: number | null }>(`SELECT sum(doc) AS docs, sum(cnt) AS n FROM temp.documents_fts_columns WHERE term = ? AND col = 'text'`, [folded.get(node.tokens[0]!)!]);
    return { total_documents: row?.docs ?? 0, total_hits: row?.n ?? 0 };
  }
  // The filters tested on each match (few, as the words fill few pages), not made into a list.
  const match = await candidateSql(r, req, fts, true);
  const documents = (await r.get<{ n: number }>(`SELECT count(*) AS n FROM (${match.sql})`, match.params))?.n ?? 0;
  if (documents === 0) return { total_documents: 0, total_hits: 0 };
  if (filtered) return { total_documents: documents, total_hits: null };
  const words = node.kind === 'or' ? node.children : [node];
  const one = (n: QueryNode): n is Extract<QueryNode, { kind: 'phrase' }> => n.kind === 'phrase' && n.tokens.length === 1;
  // Words joined by OR add up (distinct words never share a place); a lone word* is its words' sum.
  // A prefix beside other words could count one place twice: those are counted in full.
  if (!words.every(one) || (words.length > 1 && words.some((w) => w.prefix))) return { total_documents: documents, total_hits: null };
  let hits = 0;
  for (const term of new Set(words.map((w) => folded.get(w.tokens[0]!)!))) hits += await hitsOf(term, words[0]!.prefix);
  return { total_documents: documents, total_hits: hits };
}

/** The hits of one document, in code points: what the viewer steps through. */
export async function documentHits(r: Reader, req: SearchRequest & { documentId: string }): Promise<Array<{ start: number; end: number }>> {
  const out: Array<{ start: number; end: number }> = [];
  await eachMatch(r, req, (doc, spans) => {
    const index = new CodePointIndex(doc.text);
    for (const s of spans) out.push({ start: index.toCodePoint(s.start), end: index.toCodePoint(s.end) });
  });
  return out;
}
