import type { Reader } from '../db/project-db';
import type { SqlValue } from '../db/sqlite';
import { listCodes } from '../codebook/codebook';
import { invalid, MarginaliaError } from '../errors';
import { resolveFilter, segmentWhere, type ExportFilter, type ResolvedFilter } from '../exchange/filter';
import { CsvWriter, StringSink, type CsvOptions } from '../exchange/csv';
import type { Span } from '../team/units';
import { CodePointIndex } from '../text/normalise';
import { SEGMENTS_IN_DOCUMENT_ORDER } from '../coding/segment-rows';

/**
 * When two codes co-occur: their segments overlap (share at least one character), fall in the
 * same paragraph, or in the same document. Always within one coder's work: one coder's code
 * beside another coder's is a disagreement or a coincidence, not a co-occurrence.
 */
export type CooccurrenceUnit = 'overlap' | 'paragraph' | 'document';
export const COOCCURRENCE_UNITS: readonly CooccurrenceUnit[] = ['overlap', 'paragraph', 'document'];

export interface CooccurrenceOptions {
  unit?: CooccurrenceUnit;
  /** Coders, the consensus layer, a document set and attribute conditions, as exports take them. */
  filter?: Pick<ExportFilter, 'coders' | 'consensus' | 'set' | 'where'>;
}

export interface CooccurrenceCell {
  a: string;
  b: string;
  /** Overlap: pairs of overlapping segments; paragraph, document: units (per coder) holding both codes. */
  count: number;
  /**
   * count / (frequency a + frequency b − count). For paragraphs and documents the Jaccard
   * index of the two codes' units; for overlaps ATLAS.ti's c-coefficient over segments, which
   * can pass 1 when one segment overlaps several of the other code.
   */
  jaccard: number;
}

export interface Cooccurrence {
  unit: CooccurrenceUnit;
  /** Whose segments, in words. */
  scope: string;
  codes: Array<{ id: string; path: string; depth: number; /** Segments (overlap) or units (paragraph, document) with the code. */ frequency: number }>;
  /** Every pair of different codes that co-occurs at least once, a before b in codebook order. */
  cells: CooccurrenceCell[];
  /** Set on a matrix shown while counting: documents gone through so far. Absent once every document is counted. */
  partial?: { done: number; total: number };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

function where(f: ResolvedFilter): { sql: string; params: SqlValue[] } {
  const w = segmentWhere({ ...f, codeIds: null });
  // Document conditions are all "d.id IN (…)": asked of the segment's document id, no join of
  // documents is needed (a document's row holds its whole text).
  return { sql: w.sql.replace(/\bd\.id\b/g, 's.document_id'), params: w.params };
}

/**
 * How the queries name the segments: through the (document, code, coder, start, end) index,
 * which holds every column counted here, so the table's rows are never read. Not under blind
 * coding, where `segments` is a view that hides other coders' work (core/team/blind.ts) and
 * has no index to name; and the documents' index by id only where the file has it.
 */
async function sources(r: Reader): Promise<{ segments: string; other: string; documents: string; ordered: string }> {
  const rows = await r.all<{ type: string; name: string }>(
    `SELECT type, name FROM sqlite_temp_master WHERE type = 'view' AND name = 'segments' UNION ALL SELECT type, name FROM sqlite_master WHERE type = 'index' AND name IN ('documents_id_summary', 'documents_order_summary')`,
  );
  const blind = rows.some((x) => x.type === 'view');
  const has = (name: string) => rows.some((x) => x.type === 'index' && x.name === name);
  return {
    segments: blind ? 'segments s' : `${SEGMENTS_IN_DOCUMENT_ORDER} s`,
    other: blind ? 'segments o' : `${SEGMENTS_IN_DOCUMENT_ORDER} o`,
    documents: has('documents_id_summary') ? 'documents d INDEXED BY documents_id_summary' : 'documents d',
    ordered: has('documents_order_summary') ? 'documents d INDEXED BY documents_order_summary' : 'documents d',
  };
}

/** What a long analysis reports while it runs, and how it is stopped. */
export interface AnalysisRun<T> {
  /** Documents gone through, of those there are. */
  onProgress?: (done: number, total: number) => void;
  /** The answer so far (marked partial), after each round. */
  onPartial?: (partial: T) => void;
  /** Checked between rounds: true stops the analysis, which throws a `cancelled` error. */
  isCancelled?: () => boolean;
  /** Documents per round (2,000 for overlaps and documents, 200 for paragraphs; smaller in tests). */
  roundDocuments?: number;
}

/** Documents per round when overlaps and documents are counted: one query each, then progress and a chance to stop. */
const ROUND_DOCUMENTS = 2000;

/**
 * The first document id of each round of `size` documents, in id order: segments are then
 * counted a range of document ids at a time through the index that starts with the document.
 */
async function documentRounds(r: Reader, size: number): Promise<{ bounds: string[]; total: number }> {
  // Counted in SQLite: only the first id of each round crosses into JavaScript.
  const rows = await r.all<{ id: string; total: number }>(
    `SELECT id, total FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k, count(*) OVER () AS total FROM documents) WHERE k % ? = 0 ORDER BY k`,
    [size],
  );
  return { bounds: rows.map((x) => x.id), total: rows[0]?.total ?? 0 };
}

const stopped = () => new MarginaliaError('cancelled', 'The co-occurrence count was cancelled.');

/**
 * The code × code co-occurrence matrix. Overlaps and documents are counted in SQL (a self-join
 * of segments through the (document_id, start) index, and distinct (document, coder, code)
 * units), never by listing pairs in JavaScript, a range of documents at a time so that a
 * count over a million segments reports progress and can be stopped; paragraphs need the
 * texts and are counted a batch of documents at a time.
 */
export async function cooccurrence(r: Reader, options: CooccurrenceOptions = {}, run: AnalysisRun<Cooccurrence> = {}): Promise<Cooccurrence> {
  const unit = options.unit ?? 'overlap';
  if (!COOCCURRENCE_UNITS.includes(unit)) throw invalid('unit', `must be one of ${COOCCURRENCE_UNITS.join(', ')}; got "${unit}".`);
  const f = await resolveFilter(r, options.filter);
  const codes = await listCodes(r, { counts: false });
  const frequency = new Map<string, number>();
  const pairs = new Map<string, number>();
  const w = where(f);
  const src = await sources(r);
  const add = (m: Map<string, number>, key: string, n: number) => m.set(key, (m.get(key) ?? 0) + n);
  const order = new Map(codes.map((c, i) => [c.id, i]));

  const matrix = (partial?: { done: number; total: number }): Cooccurrence => {
    const cells: CooccurrenceCell[] = [];
    for (const [key, count] of pairs) {
      let [a, b] = key.split('\u0000') as [string, string];
      if (!order.has(a) || !order.has(b)) continue;
      if (order.get(a)! > order.get(b)!) [a, b] = [b, a];
      const union = (frequency.get(a) ?? 0) + (frequency.get(b) ?? 0) - count;
      cells.push({ a, b, count, jaccard: union > 0 ? round6(count / union) : 0 });
    }
    cells.sort((x, y) => order.get(x.a)! - order.get(y.a)! || order.get(x.b)! - order.get(y.b)!);
    return {
      unit,
      scope: f.scope?.label ?? 'every coder',
      codes: codes.map((c) => ({ id: c.id, path: c.path, depth: c.depth, frequency: frequency.get(c.id) ?? 0 })),
      cells,
      ...(partial ? { partial } : {}),
    };
  };
  const round = (done: number, total: number) => {
    run.onProgress?.(done, total);
    if (done < total) run.onPartial?.(matrix({ done, total }));
  };

  if (unit === 'overlap' || unit === 'document') {
    // A scope of a set or attribute values is counted in one round: with a range of ids added
    // SQLite walks every segment of the range instead of the scope's documents (0.5 s became
    // 10 s for a set of 17,000 articles at 100,000).
    const size = f.documentSql.length > 0 ? Number.MAX_SAFE_INTEGER : (run.roundDocuments ?? ROUND_DOCUMENTS);
    const { bounds, total } = await documentRounds(r, size);
    for (let i = 0; i < bounds.length; i++) {
      if (run.isCancelled?.()) throw stopped();
      const range = bounds.length === 1 ? '' : i + 1 < bounds.length ? `s.document_id >= ? AND s.document_id < ?` : `s.document_id >= ?`;
      const rangeParams = bounds.length === 1 ? [] : i + 1 < bounds.length ? [bounds[i]!, bounds[i + 1]!] : [bounds[i]!];
      const cond = !range ? w.sql : w.sql ? `${w.sql} AND ${range}` : `WHERE ${range}`;
      const params = [...w.params, ...rangeParams];
      if (unit === 'overlap') {
        for (const x of await r.all<{ code_id: string; n: number }>(`SELECT s.code_id, count(*) AS n FROM ${src.segments} ${cond} GROUP BY s.code_id`, params)) add(frequency, x.code_id, x.n);
        const rows = await r.all<{ a: string; b: string; n: number }>(
          `SELECT s.code_id AS a, o.code_id AS b, count(*) AS n
           FROM ${src.segments}
           JOIN ${src.other} ON o.document_id = s.document_id AND o.code_id > s.code_id AND o.coder_id = s.coder_id AND o.start < s.end AND s.start < o.end
           ${cond} GROUP BY s.code_id, o.code_id`,
          params,
        );
        for (const x of rows) add(pairs, `${x.a}\u0000${x.b}`, x.n);
      } else {
        const units = `SELECT DISTINCT s.document_id, s.coder_id, s.code_id FROM ${src.segments} ${cond}`;
        for (const x of await r.all<{ code_id: string; n: number }>(`SELECT code_id, count(*) AS n FROM (${units}) GROUP BY code_id`, params)) add(frequency, x.code_id, x.n);
        const rows = await r.all<{ a: string; b: string; n: number }>(
          `WITH u AS MATERIALIZED (${units})
           SELECT x.code_id AS a, y.code_id AS b, count(*) AS n
           FROM u x JOIN u y ON y.document_id = x.document_id AND y.coder_id = x.coder_id AND y.code_id > x.code_id
           GROUP BY x.code_id, y.code_id`,
          params,
        );
        for (const x of rows) add(pairs, `${x.a}\u0000${x.b}`, x.n);
      }
      round(Math.min(total, (i + 1) * size), total);
    }
  } else {
    await eachParagraphUnit(
      r,
      f,
      (codeIds) => {
        const list = [...codeIds].sort();
        for (let i = 0; i < list.length; i++) {
          add(frequency, list[i]!, 1);
          for (let j = i + 1; j < list.length; j++) add(pairs, `${list[i]}\u0000${list[j]}`, 1);
        }
      },
      undefined,
      (done, total) => {
        if (run.isCancelled?.()) throw stopped();
        round(done, total);
      },
      run.roundDocuments,
    );
  }
  return matrix();
}

/** Documents per batch when paragraphs are counted: their texts are read together. */
const PARAGRAPH_BATCH = 200;

interface ScopedSegment {
  id: string;
  document_id: string;
  coder_id: string;
  code_id: string;
  start: number;
  end: number;
}

/**
 * Calls `onUnit` with the codes of every (paragraph, coder) that has at least one segment in
 * scope, a batch of documents at a time. A segment belongs to every paragraph it overlaps.
 */
async function eachParagraphUnit(
  r: Reader,
  f: ResolvedFilter,
  onUnit: (codeIds: Set<string>, unit: { documentId: string; coderId: string; paragraph: Span; segments: ScopedSegment[] }) => void,
  onlyDocuments?: readonly string[],
  /** After each batch: documents done of those with segments in scope. */
  onBatch?: (done: number, total: number) => void,
  batchSize = PARAGRAPH_BATCH,
): Promise<void> {
  const w = where(f);
  const src = await sources(r);
  // Segment ids only for passages: counting reads the index alone.
  const withIds = onlyDocuments !== undefined;
  const docs =
    onlyDocuments ??
    (await r.all<{ id: string }>(`SELECT DISTINCT s.document_id AS id FROM ${src.segments} ${w.sql} ORDER BY s.document_id`, w.params)).map((x) => x.id);
  for (let i = 0; i < docs.length; i += batchSize) {
    const batch = docs.slice(i, i + batchSize);
    const marks = batch.map(() => '?').join(', ');
    const texts = await r.all<{ id: string; text: string }>(`SELECT id, text FROM documents WHERE id IN (${marks})`, batch);
    const segs = new Map<string, ScopedSegment[]>();
    const inBatch = `s.document_id IN (${marks})`;
    await r.each<ScopedSegment>(
      `SELECT ${withIds ? 's.id' : "'' AS id"}, s.document_id, s.coder_id, s.code_id, s.start, s.end FROM ${src.segments} ${w.sql ? `${w.sql} AND ${inBatch}` : `WHERE ${inBatch}`}`,
      [...w.params, ...batch],
      (s) => {
        const list = segs.get(s.document_id);
        if (list) list.push(s);
        else segs.set(s.document_id, [s]);
      },
    );
    for (const { id, text } of texts) {
      const paragraphs = paragraphSpans(text);
      const units = new Map<string, { codes: Set<string>; paragraph: Span; coderId: string; segments: ScopedSegment[] }>();
      for (const s of segs.get(id) ?? []) {
        for (const p of overlapping(paragraphs, s)) {
          const key = `${p}\u0000${s.coder_id}`;
          let u = units.get(key);
          if (!u) units.set(key, (u = { codes: new Set(), paragraph: paragraphs[p]!, coderId: s.coder_id, segments: [] }));
          u.codes.add(s.code_id);
          u.segments.push(s);
        }
      }
      for (const u of units.values()) onUnit(u.codes, { documentId: id, coderId: u.coderId, paragraph: u.paragraph, segments: u.segments });
    }
    onBatch?.(Math.min(docs.length, i + batchSize), docs.length);
  }
}

/** JavaScript's \s, by UTF-16 unit (a surrogate is never white space). */
function isSpace(c: number): boolean {
  return (
    c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/**
 * The paragraph units of agreement (`paragraphUnits`: lines, trimmed of white space, blank ones
 * dropped) in code points, in one pass without an index of the text: the paragraph unit reads
 * every coded document's text, so this runs over the whole corpus.
 */
export function paragraphSpans(text: string): Span[] {
  const out: Span[] = [];
  let cp = 0;
  let first = -1;
  let last = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 10;
    if (c === 10) {
      if (first >= 0) out.push({ start: first, end: last });
      first = -1;
      if (i < text.length) cp++;
      continue;
    }
    // A low surrogate is the second half of a code point counted at its high half.
    if (c >= 0xdc00 && c <= 0xdfff && i > 0 && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff) continue;
    if (!isSpace(c)) {
      if (first < 0) first = cp;
      last = cp + 1;
    }
    cp++;
  }
  return out;
}

/** Indexes of the paragraphs (sorted, disjoint) a span shares a character with. */
function overlapping(paragraphs: readonly Span[], s: { start: number; end: number }): number[] {
  let lo = 0;
  let hi = paragraphs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (paragraphs[mid]!.end <= s.start) lo = mid + 1;
    else hi = mid;
  }
  const out: number[] = [];
  for (let i = lo; i < paragraphs.length && paragraphs[i]!.start < s.end; i++) out.push(i);
  return out;
}

/** One coded passage of a co-occurrence: its segment, span and text. */
export interface CoPassage {
  segment_id: string;
  start: number;
  end: number;
  text: string;
}

/** One unit in which both codes occur: a pair of overlapping segments, or a paragraph or document with both. */
export interface CooccurrenceUnitPassages {
  document_id: string;
  document_name: string;
  coder_id: string;
  coder_name: string;
  /** The paragraph, for the paragraph unit. */
  paragraph: Span | null;
  a: CoPassage[];
  b: CoPassage[];
}

/** The passages behind one cell: the first `limit` units where codes a and b co-occur. */
export async function cooccurrencePassages(r: Reader, options: CooccurrenceOptions, a: string, b: string, limit = 100): Promise<CooccurrenceUnitPassages[]> {
  const unit = options.unit ?? 'overlap';
  const f = await resolveFilter(r, options.filter);
  const w = where(f);
  const src = await sources(r);
  const cond = (extra: string) => (w.sql ? `${w.sql} AND ${extra}` : `WHERE ${extra}`);
  const names = new Map<string, string>();
  const coderNames = new Map((await r.all<{ id: string; name: string }>(`SELECT id, name FROM coders`)).map((c) => [c.id, c.name]));
  const texts = new Map<string, CodePointIndex>();
  const passage = async (s: { id: string; document_id: string; start: number; end: number }): Promise<CoPassage> => {
    let t = texts.get(s.document_id);
    if (!t) {
      const d = await r.get<{ name: string; text: string }>(`SELECT name, text FROM documents WHERE id = ?`, [s.document_id]);
      names.set(s.document_id, d?.name ?? '');
      texts.set(s.document_id, (t = new CodePointIndex(d?.text ?? '')));
    }
    return { segment_id: s.id, start: s.start, end: s.end, text: t.slice(s.start, s.end) };
  };
  const out: CooccurrenceUnitPassages[] = [];
  const push = async (documentId: string, coderId: string, paragraph: Span | null, as: ScopedSegment[], bs: ScopedSegment[]) => {
    const pa = await Promise.all(as.map(passage));
    const pb = await Promise.all(bs.map(passage));
    out.push({ document_id: documentId, document_name: names.get(documentId) ?? '', coder_id: coderId, coder_name: coderNames.get(coderId) ?? '', paragraph, a: pa, b: pb });
  };

  if (unit === 'overlap') {
    const rows = await r.all<{ document_id: string; coder_id: string; a_id: string; a_start: number; a_end: number; b_id: string; b_start: number; b_end: number }>(
      // Documents walked in their order, so that the first `limit` pairs are found without
      // joining every segment of a common code first (seconds at a million segments).
      `SELECT s.document_id, s.coder_id, s.id AS a_id, s.start AS a_start, s.end AS a_end, o.id AS b_id, o.start AS b_start, o.end AS b_end
       FROM ${src.ordered} CROSS JOIN segments s ON s.document_id = d.id AND s.code_id = ?
       CROSS JOIN segments o ON o.document_id = s.document_id AND o.start < s.end AND s.start < o.end AND o.coder_id = s.coder_id AND o.code_id = ?
       ${w.sql} ORDER BY d.sort_order, s.start, o.start LIMIT ?`,
      [a, b, ...w.params, limit],
    );
    for (const x of rows) {
      const seg = (id: string, code: string, start: number, end: number): ScopedSegment => ({ id, document_id: x.document_id, coder_id: x.coder_id, code_id: code, start, end });
      await push(x.document_id, x.coder_id, null, [seg(x.a_id, a, x.a_start, x.a_end)], [seg(x.b_id, b, x.b_start, x.b_end)]);
    }
    return out;
  }
  // Documents (and coders) where both codes are: through the segments_coding index.
  const both = await r.all<{ document_id: string; coder_id: string }>(
    `SELECT DISTINCT s.document_id, s.coder_id FROM segments s JOIN ${src.documents} ON d.id = s.document_id
     ${cond(`s.code_id = ? AND EXISTS (SELECT 1 FROM segments o WHERE o.document_id = s.document_id AND o.code_id = ? AND o.coder_id = s.coder_id)`)}
     ORDER BY d.sort_order, s.document_id, s.coder_id`,
    [...w.params, a, b],
  );
  if (unit === 'document') {
    for (const x of both.slice(0, limit)) {
      const segs = await r.all<ScopedSegment>(
        `SELECT id, document_id, coder_id, code_id, start, end FROM segments WHERE document_id = ? AND coder_id = ? AND code_id IN (?, ?) ORDER BY start, end, id`,
        [x.document_id, x.coder_id, a, b],
      );
      await push(x.document_id, x.coder_id, null, segs.filter((s) => s.code_id === a), segs.filter((s) => s.code_id === b));
    }
    return out;
  }
  const wanted = new Set(both.map((x) => `${x.document_id}\u0000${x.coder_id}`));
  const found: Array<{ documentId: string; coderId: string; paragraph: Span; segments: ScopedSegment[] }> = [];
  await eachParagraphUnit(
    r,
    f,
    (codeIds, u) => {
      if (found.length < limit && codeIds.has(a) && codeIds.has(b) && wanted.has(`${u.documentId}\u0000${u.coderId}`)) found.push(u);
    },
    [...new Set(both.map((x) => x.document_id))],
  );
  for (const u of found) {
    await push(u.documentId, u.coderId, u.paragraph, u.segments.filter((s) => s.code_id === a), u.segments.filter((s) => s.code_id === b));
  }
  return out;
}

/** The matrix as CSV through the project's CSV writer: one row per pair of codes that co-occur. */
export function cooccurrenceCsv(c: Cooccurrence, options: CsvOptions = {}): string {
  const sink = new StringSink();
  const w = new CsvWriter(sink, options);
  const path = new Map(c.codes.map((x) => [x.id, x]));
  w.header(['code_a_id', 'code_a', 'code_b_id', 'code_b', 'unit', 'count', 'jaccard', 'frequency_a', 'frequency_b']);
  for (const cell of c.cells) {
    const a = path.get(cell.a)!;
    const b = path.get(cell.b)!;
    w.row([a.id, a.path, b.id, b.path, c.unit, cell.count, cell.jaccard, a.frequency, b.frequency]);
  }
  w.flush();
  return sink.toString();
}
