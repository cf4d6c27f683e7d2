import type { Reader, Tx } from '../db/project-db';
import { invalid, notFound } from '../errors';
import { CodePointIndex } from '../text/normalise';
import { createSegments } from '../coding/segments';
import { eachMatch, type SearchRequest } from './search';
import type { Span } from './query';

/** How far each hit is widened before it is coded. */
export type Extent = 'hit' | 'sentence' | 'paragraph';

export interface AutocodeRequest {
  search: SearchRequest;
  codeId: string;
  coderId: string;
  extend: Extent;
  /** Only these hits (code points, as the search listed them); all hits when absent. */
  only?: ReadonlyArray<{ document_id: string; start: number; end: number }>;
}

export interface PlannedSegment {
  document_id: string;
  start: number;
  end: number;
}

/** What autocoding would do: shown before it is applied. */
export interface AutocodePlan {
  /** Hits chosen (all of the search, or the selection). */
  hits: number;
  /** New segments, after widening, merging hits that fall in one passage and skipping what is coded. */
  segments: PlannedSegment[];
  documents: number;
  /** Passages this coder has already coded with this code (the same span or one containing it). */
  already_coded: number;
}

/** The paragraph (between line breaks) around a span, in UTF-16 units. */
function paragraphOf(text: string, span: Span): Span {
  const start = text.lastIndexOf('\n', span.start - 1) + 1;
  const nl = text.indexOf('\n', Math.max(span.start, span.end - 1));
  return { start, end: nl < 0 ? text.length : nl };
}

const sentences = new Intl.Segmenter(undefined, { granularity: 'sentence' });

/** The sentence(s) around a span: from the start of the sentence holding its start to the end of the one holding its end. */
function sentenceOf(text: string, span: Span): Span {
  const para = paragraphOf(text, span);
  let start = para.start;
  let end = para.end;
  for (const s of sentences.segment(text.slice(para.start, para.end))) {
    const a = para.start + s.index;
    const b = a + s.segment.length;
    if (a <= span.start && span.start < b) start = a;
    if (a < span.end && span.end <= b) {
      end = b;
      break;
    }
  }
  return { start, end };
}

/** Leading and trailing white space is not part of a coded passage. */
function trimmed(text: string, span: Span): Span {
  let { start, end } = span;
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return { start, end };
}

function widen(text: string, span: Span, extend: Extent): Span {
  if (extend === 'hit') return span;
  return trimmed(text, extend === 'sentence' ? sentenceOf(text, span) : paragraphOf(text, span));
}

/**
 * Plans autocoding: the hits of the search (or the chosen ones), widened to the hit, its
 * sentence or its paragraph, one segment per passage, leaving out passages this coder has
 * already coded with this code.
 */
export async function planAutocode(r: Reader, req: AutocodeRequest): Promise<AutocodePlan> {
  if (!(await r.get(`SELECT 1 FROM codes WHERE id = ?`, [req.codeId]))) throw notFound('code', req.codeId);
  const wanted = req.only ? new Set(req.only.map((h) => `${h.document_id}:${h.start}:${h.end}`)) : null;
  let hits = 0;
  const planned: PlannedSegment[] = [];
  await eachMatch(r, req.search, (doc, spans) => {
    const index = new CodePointIndex(doc.text);
    const seen = new Set<string>();
    for (const s of spans) {
      const start = index.toCodePoint(s.start);
      const end = index.toCodePoint(s.end);
      if (wanted && !wanted.delete(`${doc.id}:${start}:${end}`)) continue;
      hits++;
      const w = widen(doc.text, s, req.extend);
      if (w.end <= w.start) continue;
      const passage = { document_id: doc.id, start: index.toCodePoint(w.start), end: index.toCodePoint(w.end) };
      const key = `${passage.start}:${passage.end}`;
      if (seen.has(key)) continue;
      seen.add(key);
      planned.push(passage);
    }
  });
  if (wanted && wanted.size > 0) {
    throw invalid('hits', `${wanted.size} of the chosen hits are no longer hits of "${req.search.query}" (the documents or the query changed). Search again and choose the hits anew.`);
  }
  const segments: PlannedSegment[] = [];
  let already = 0;
  // What this coder has coded with this code, in one query: one per document cost seconds at 10,000.
  const coded = new Map<string, Array<{ start: number; end: number }>>();
  await r.each<{ document_id: string; start: number; end: number }>(
    `SELECT document_id, start, end FROM segments WHERE code_id = ? AND coder_id = ?`,
    [req.codeId, req.coderId],
    (row) => {
      const list = coded.get(row.document_id);
      if (list) list.push(row);
      else coded.set(row.document_id, [row]);
    },
  );
  for (const p of planned) {
    if (coded.get(p.document_id)?.some((c) => c.start <= p.start && p.end <= c.end)) already++;
    else segments.push(p);
  }
  return { hits, segments, documents: new Set(segments.map((s) => s.document_id)).size, already_coded: already };
}

/** Writes a plan's segments through the one segment write path; returns how many were written. */
export async function applyAutocode(tx: Tx, plan: AutocodePlan, codeId: string, coderId: string): Promise<number> {
  const results = await createSegments(
    tx,
    plan.segments.map((s) => ({ documentId: s.document_id, codeId, coderId, start: s.start, end: s.end })),
    { duplicates: 'skip' },
  );
  const refused = results.find((r) => r.status === 'refused');
  if (refused && refused.status === 'refused') throw refused.error;
  return results.filter((r) => r.status === 'created').length;
}
