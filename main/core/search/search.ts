import type { Reader } from '../db/project-db';
import { MarginaliaError, invalid } from '../errors';
import { CodePointIndex } from '../text/normalise';
import { countMatches, countWordMatches, indexTerms, matchDocument, parseQuery, queryWords, parseRegex, regexSpans, termKey, toFts, wordsOf, wordsOnly, type IndexTerm, type QueryNode, type Span } from './query';

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

/** The window of per-document counts asked for, every count being at hand (names only for the window). */
async function countWindow(
  r: Reader,
  all: Array<{ id: string; hits: number; first: number; name?: string }>,
  req: SearchPageRequest,
): Promise<DocumentCounts> {
  const order = req.documentsOrder ?? 'order';
  const offset = Math.max(0, req.documentsOffset ?? 0);
  const limit = req.documentsLimit ?? DEFAULT_DOCUMENTS_LIMIT;
  // Most hits first; ties in document order (`all` is in document order, and the sort is stable).
  const sorted = order === 'hits' ? [...all].sort((a, b) => b.hits - a.hits) : all;
  const window = sorted.slice(offset, offset + limit);
  const missing = window.filter((d) => d.name === undefined).map((d) => d.id);
  const names = new Map<string, string>();
  if (missing.length) {
    for (const row of await r.all<{ id: string; name: string }>(`SELECT id, name FROM documents WHERE id IN (${missing.map(() => '?').join(', ')})`, missing)) names.set(row.id, row.name);
  }
  return {
    order,
    offset,
    items: window.map((d) => ({ document_id: d.id, document_name: d.name ?? names.get(d.id) ?? '', hits: d.hits, first_index: d.first })),
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
async function filterSql(r: Reader, req: SearchRequest): Promise<{ where: string[]; params: string[] }> {
  const where: string[] = [];
  const params: string[] = [];
  if (req.attribute) {
    const variable = await r.get<{ id: string }>(`SELECT id FROM variables WHERE name = ?`, [req.attribute.name]);
    if (!variable) throw invalid('attribute', `no document attribute is called "${req.attribute.name}". Choose one the documents have (outlet, date, …).`);
    where.push('d.id IN (SELECT document_id FROM document_values WHERE variable_id = ? AND value = ?)');
    params.push(variable.id, req.attribute.value);
  }
  if (req.setId) {
    if (!(await r.get(`SELECT 1 FROM document_sets WHERE id = ?`, [req.setId]))) throw invalid('set', `no document set has the id "${req.setId}". Choose one of the project's sets.`);
    where.push('d.id IN (SELECT document_id FROM document_set_members WHERE set_id = ?)');
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
  await r.all(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_fold USING fts5(word, tokenize = 'unicode61 remove_diacritics 2')`);
  await r.all(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_fold_terms USING fts5vocab(temp, 'search_fold', 'instance')`);
  await r.all(`DELETE FROM temp.search_fold`);
  for (let i = 0; i < words.length; i++) await r.all(`INSERT INTO temp.search_fold (rowid, word) VALUES (?, ?)`, [i + 1, words[i]!]);
  const rows = await r.all<{ doc: number; term: string }>(`SELECT doc, term FROM temp.search_fold_terms`);
  await r.all(`DELETE FROM temp.search_fold`);
  return new Map(rows.map((row) => [words[row.doc - 1]!, row.term]));
}

/**
 * `INDEXED BY` the (sort_order, id) index, for walking documents in their order: a document's
 * row holds its text before sort_order, so reading sort_order from the table would read every
 * candidate's text. A file whose schema predates the index (or lost it) still searches, slower.
 */
async function inDocumentOrder(r: Reader): Promise<string> {
  const indexed = await r.get(`SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'documents_order_id'`);
  return indexed ? 'INDEXED BY documents_order_id' : '';
}

/**
 * Hits per matching document, in document order, counted from the FTS5 index's word
 * positions (the fts5vocab "instance" view) without reading any text.
 */
async function countFromIndex(r: Reader, req: SearchRequest, node: QueryNode): Promise<Array<{ rowid: number; id: string; hits: number }>> {
  const { where, params } = await filterSql(r, req);
  const fts = toFts(node);
  where.unshift('d.rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)');
  params.unshift(fts);
  try {
    const candidates = await r.all<{ rowid: number; id: string }>(
      `SELECT d.rowid AS rowid, d.id FROM documents d ${await inDocumentOrder(r)} WHERE ${where.join(' AND ')} ORDER BY d.sort_order, d.id`,
      params,
    );
    if (candidates.length === 0) return [];
    const wanted = new Set(candidates.map((c) => c.rowid));
    // A temp table of this connection: no write to the project, allowed read-only too.
    await r.all(`CREATE VIRTUAL TABLE IF NOT EXISTS temp.documents_fts_instances USING fts5vocab(main, 'documents_fts', 'instance')`);
    const terms = indexTerms(node);
    const folded = await foldByFts(r, terms.map((t) => t.term));
    if (wordsOnly(node)) {
      // Single words: each document's count of each word, counted by SQLite; no position
      // crosses into JavaScript (a common word has millions of them in a large corpus).
      const counts = new Map<number, Map<string, number>>();
      for (const word of new Set(terms.map((t) => folded.get(t.term) ?? t.term))) {
        const rows = await r.all<{ doc: number; n: number }>(
          `SELECT doc, count(*) AS n FROM temp.documents_fts_instances WHERE term = ? AND col = 'text'
           AND doc IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?) GROUP BY doc`,
          [word, fts],
        );
        for (const row of rows) {
          if (!wanted.has(row.doc)) continue;
          let byWord = counts.get(row.doc);
          if (!byWord) counts.set(row.doc, (byWord = new Map()));
          byWord.set(word, row.n);
        }
      }
      const out: Array<{ rowid: number; id: string; hits: number }> = [];
      for (const c of candidates) {
        const byWord = counts.get(c.rowid);
        const hits = countWordMatches(node, (w) => byWord?.get(w) ?? 0, (w) => folded.get(w) ?? w);
        if (hits) out.push({ ...c, hits });
      }
      return out;
    }
    const positions = new Map<number, Map<string, number[]>>();
    for (const t of terms) {
      const key = termKey(t);
      const term = folded.get(t.term) ?? t.term;
      // Only the positions in matching documents: a common word's elsewhere are never read.
      const sql = `SELECT doc, offset FROM temp.documents_fts_instances WHERE ${t.prefix ? 'term >= ? AND term <= ?' : 'term = ?'} AND col = 'text'
                   AND doc IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)`;
      const rows = await r.all<{ doc: number; offset: number }>(sql, t.prefix ? [term, `${term}\u{10FFFF}`, fts] : [term, fts]);
      for (const row of rows) {
        if (!wanted.has(row.doc)) continue;
        let byTerm = positions.get(row.doc);
        if (!byTerm) positions.set(row.doc, (byTerm = new Map()));
        const list = byTerm.get(key);
        if (list) list.push(row.offset);
        else byTerm.set(key, [row.offset]);
      }
    }
    const none: number[] = [];
    const out: Array<{ rowid: number; id: string; hits: number }> = [];
    for (const c of candidates) {
      const byTerm = positions.get(c.rowid);
      // Prefix terms gather several words' positions: sorted, as NEAR expects.
      const hits = countMatches(node, (t: IndexTerm) => byTerm?.get(termKey(t))?.sort((a, b) => a - b) ?? none);
      if (hits) out.push({ ...c, hits });
    }
    return out;
  } catch (e) {
    throw sqliteFailure(req, e);
  }
}

/**
 * The last search counted on the long-read connection, kept while the project is unchanged:
 * paging through the hits (page 2, 3, …) or the per-document counts asks for the same count
 * again, which reads every match (1.7 s for a common word at 100,000 articles). That
 * connection never writes, so its `data_version` moves with every change to the project.
 */
const lastCounted = new WeakMap<object, { key: string; version: number; perDocument: Array<{ rowid: number; id: string; hits: number }> }>();

async function countedOnce(
  r: Reader,
  req: SearchRequest,
  count: () => Promise<Array<{ rowid: number; id: string; hits: number }>>,
): Promise<Array<{ rowid: number; id: string; hits: number }>> {
  if (!r.readOnlyConnection) return count();
  const key = JSON.stringify([req.query, req.regex ?? false, req.caseSensitive ?? false, req.attribute ?? null, req.documentId ?? null, req.setId ?? null]);
  const version = (await r.get<{ v: number }>(`SELECT data_version AS v FROM pragma_data_version`))?.v ?? -1;
  const kept = lastCounted.get(r.connection);
  if (kept && kept.key === key && kept.version === version) return kept.perDocument;
  const perDocument = await count();
  lastCounted.set(r.connection, { key, version, perDocument });
  return perDocument;
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
  /** Every matching document's count and first hit, in document order. */
  const every: Array<{ id: string; hits: number; first: number; name?: string }> = [];
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
    const perDocument = await countedOnce(r, req, () => countFromIndex(r, req, node));
    const onPage: Array<{ id: string; first: number }> = [];
    for (const d of perDocument) {
      const first = total;
      total += d.hits;
      every.push({ id: d.id, hits: d.hits, first });
      if (total > from && first < to) onPage.push({ id: d.id, first });
    }
    documents = perDocument.length;
    const folds = new Map<string, string | null>();
    const keep = queryWords(node);
    for (const p of onPage) {
      const doc = (await r.get<DocumentRow>(`SELECT id, name, text FROM documents WHERE id = ?`, [p.id]))!;
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
}

/** How many documents `firstHits` reads at most before it answers with what it found. */
export const FIRST_HITS_DOCUMENTS = 400;

/**
 * The first page of hits, read from the matching documents in document order until the page
 * is full: no total, so a word in every document answers as fast as a rare one, and a regular
 * expression reads only as far as the page needs (at most FIRST_HITS_DOCUMENTS documents).
 * The same matcher as `searchHits`, so these lines are that search's first lines.
 */
export async function firstHits(r: Reader, req: SearchRequest & { pageSize?: number; context?: number }): Promise<FirstHits> {
  const pageSize = req.pageSize ?? DEFAULT_PAGE_SIZE;
  const context = req.context ?? KWIC_CONTEXT;
  const compiled = compileSearch(req);
  const { where, params } = await filterSql(r, req);
  if (compiled.fts) {
    where.unshift('d.rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)');
    params.unshift(compiled.fts);
  }
  const hits: KwicLine[] = [];
  const documents: SearchDocumentCount[] = [];
  let after: { sort_order: number; id: string } | null = null;
  let read = 0;
  const batch = 25;
  try {
    const order = await inDocumentOrder(r);
    while (hits.length < pageSize && read < FIRST_HITS_DOCUMENTS) {
      const conditions = after ? [...where, '(d.sort_order, d.id) > (?, ?)'] : where;
      const rows: Array<DocumentRow & { sort_order: number }> = await r.all<DocumentRow & { sort_order: number }>(
        `SELECT d.id, d.name, d.text, d.sort_order FROM documents d ${order} ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY d.sort_order, d.id LIMIT ${batch}`,
        after ? [...params, after.sort_order, after.id] : params,
      );
      let left = false;
      for (const doc of rows) {
        read++;
        const spans = compiled.match(doc.text);
        if (!spans) continue;
        if (hits.length + spans.length > pageSize) left = true;
        if (hits.length >= pageSize) continue;
        const index = new CodePointIndex(doc.text);
        documents.push({ document_id: doc.id, document_name: doc.name, hits: spans.length, first_index: hits.length });
        for (const span of spans) {
          if (hits.length >= pageSize) break;
          hits.push(kwic(doc, index, span, hits.length, context));
        }
      }
      // Every matching document read and every hit listed: the page is the whole result.
      if (rows.length < batch) return { hits, documents, complete: !left };
      after = rows[rows.length - 1]!;
    }
  } catch (e) {
    throw sqliteFailure(req, e);
  }
  return { hits, documents, complete: false };
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
