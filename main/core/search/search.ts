import type { Reader } from '../db/project-db';
import { invalid } from '../errors';
import { codePointLength } from '../text/normalise';

export interface SnippetPart {
  text: string;
  hit: boolean;
}

export interface SearchHit {
  document_id: string;
  document_name: string;
  /** Words around the first matches, with the matched words marked. */
  snippet: SnippetPart[];
  /** Code point offset of the first match in the document text (null when only the name matched). */
  first_match: number | null;
  /** Length of that match in code points. */
  match_length: number;
  rank: number;
}

const OPEN = '\u0002';
const CLOSE = '\u0003';

/**
 * Turns what a person types into an FTS5 query: words are matched as prefixes, a quoted
 * phrase as a phrase. FTS5 operators are not exposed, so no input can be a syntax error.
 */
export function toFtsQuery(query: string): string {
  const parts: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(query))) {
    if (m[1] !== undefined) {
      const phrase = m[1].replace(/"/g, '').trim();
      if (phrase) parts.push(`"${phrase}"`);
    } else {
      const word = m[2]!.replace(/["*^():]/g, '').trim();
      if (word) parts.push(`"${word}"*`);
    }
  }
  return parts.join(' ');
}

function splitSnippet(s: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  const re = new RegExp(`${OPEN}([^${CLOSE}]*)${CLOSE}`, 'g');
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    if (m.index > last) parts.push({ text: s.slice(last, m.index), hit: false });
    parts.push({ text: m[1]!, hit: true });
    last = m.index + m[0].length;
  }
  if (last < s.length) parts.push({ text: s.slice(last), hit: false });
  return parts;
}

/** Where the first searched word occurs in the text, case- and accent-insensitively. */
function firstMatch(text: string, query: string): { at: number; length: number } | null {
  const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  const terms = [...query.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => fold((m[1] ?? m[2] ?? '').replace(/["*^():]/g, '').trim())).filter(Boolean);
  if (terms.length === 0) return null;
  const folded = fold(text);
  // Folding removes combining marks, so folded indices can drift from the text's; map back by re-folding prefixes.
  let best: { idx: number; term: string } | null = null;
  for (const t of terms) {
    const idx = folded.indexOf(t);
    if (idx >= 0 && (!best || idx < best.idx)) best = { idx, term: t };
  }
  if (!best) return null;
  let u = 0;
  let f = 0;
  while (u < text.length && f < best.idx) {
    const ch = String.fromCodePoint(text.codePointAt(u)!);
    f += fold(ch).length;
    u += ch.length;
  }
  return { at: codePointLength(text.slice(0, u)), length: codePointLength(best.term) };
}

export async function searchDocuments(r: Reader, query: string, limit = 50): Promise<SearchHit[]> {
  const fts = toFtsQuery(query);
  if (!fts) throw invalid('query', 'type a word or a "quoted phrase" to search for.');
  const rows = await r.all<{ id: string; name: string; snippet: string; text: string; rank: number }>(
    `SELECT d.id, d.name, d.text, snippet(documents_fts, 1, ?, ?, '…', 16) AS snippet, documents_fts.rank AS rank
     FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid
     WHERE documents_fts MATCH ? ORDER BY rank LIMIT ?`,
    [OPEN, CLOSE, fts, limit],
  );
  return rows.map((row) => {
    const m = firstMatch(row.text, query);
    return {
      document_id: row.id,
      document_name: row.name,
      snippet: splitSnippet(row.snippet),
      first_match: m?.at ?? null,
      match_length: m?.length ?? 0,
      rank: row.rank,
    };
  });
}
