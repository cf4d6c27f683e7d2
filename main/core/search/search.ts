import type { Reader } from '../db/project-db';
import { MarginaliaError, invalid } from '../errors';
import { CodePointIndex } from '../text/normalise';
import { matchDocument, parseQuery, parseRegex, regexSpans, toFts, wordsOf, type Span } from './query';

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
  return { fts: toFts(node), match: (text) => matchDocument(node, wordsOf(text)) };
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
export async function eachMatch(r: Reader, req: SearchRequest, onDocument: (doc: DocumentRow, spans: Span[]) => void): Promise<void> {
  const compiled = compileSearch(req);
  const where: string[] = [];
  const params: string[] = [];
  if (compiled.fts) {
    where.push('d.rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)');
    params.push(compiled.fts);
  }
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
  try {
    await r.each<DocumentRow>(
      `SELECT d.id, d.name, d.text FROM documents d ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY d.sort_order, d.name, d.id`,
      params,
      (row) => {
        const spans = compiled.match(row.text);
        if (spans) onDocument(row, spans);
      },
    );
  } catch (e) {
    if (e instanceof MarginaliaError) throw e;
    // The parser only lets quoted words through, so this is a bug, not the user's query: say so plainly.
    throw new MarginaliaError('internal', `The search "${req.query}" could not run (${(e as Error).message}). Please report this query.`);
  }
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
 * Every hit of a search, one page at a time, with the totals. Every matching document is
 * read to count its hits, but context lines are built only for the page shown.
 */
export async function searchHits(r: Reader, req: SearchRequest & { page?: number; pageSize?: number; context?: number }): Promise<SearchPage> {
  const pageSize = req.pageSize ?? DEFAULT_PAGE_SIZE;
  const page = Math.max(1, req.page ?? 1);
  const context = req.context ?? KWIC_CONTEXT;
  const from = (page - 1) * pageSize;
  const to = from + pageSize;
  let total = 0;
  let documents = 0;
  const hits: KwicLine[] = [];
  const counts: SearchDocumentCount[] = [];
  await eachMatch(r, req, (doc, spans) => {
    const first = total;
    total += spans.length;
    documents++;
    if (total <= from || first >= to) return;
    const index = new CodePointIndex(doc.text);
    counts.push({ document_id: doc.id, document_name: doc.name, hits: spans.length, first_index: first });
    for (let i = Math.max(0, from - first); i < spans.length && first + i < to; i++) hits.push(kwic(doc, index, spans[i]!, first + i, context));
  });
  return { total_hits: total, total_documents: documents, page, page_size: pageSize, pages: Math.max(1, Math.ceil(total / pageSize)), hits, documents: counts };
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
