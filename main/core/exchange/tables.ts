import type { Reader } from '../db/project-db';
import { listCodes, type Code } from '../codebook/codebook';
import { decodeValue, type Variable } from '../documents/documents';
import { CodePointIndex } from '../text/normalise';
import { SEGMENTS_IN_DOCUMENT_ORDER } from '../coding/segment-rows';
import { neutralise, type Cell } from './csv';
import { resolveFilter, segmentWhere, type ExportFilter, type ResolvedFilter } from './filter';

export type TableKind = 'segments' | 'matrix' | 'codebook' | 'documents' | 'memos';
export const TABLE_KINDS: readonly TableKind[] = ['segments', 'matrix', 'codebook', 'documents', 'memos'];

/** What a matrix cell counts for one document and code. */
export type Measure = 'count' | 'presence' | 'characters' | 'share';

/** Frictionless Table Schema field types. */
export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'datetime';

/** One column: its name in the header, its type and meaning (the data dictionary). */
export interface Field {
  name: string;
  type: FieldType;
  description: string;
}

/** Receives a table: the header once, then rows in order. */
export interface RowTarget {
  header(names: readonly string[]): void;
  row(cells: Cell[]): void;
}

export interface TableOptions {
  filter?: ExportFilter;
  measure?: Measure;
  /** Matrix: a parent code's column counts its subcodes' segments too. */
  rollup?: boolean;
  /** Stop after this many rows (previews). */
  limit?: number;
}

const OFFSETS = 'Unicode code points, 0-based, half-open [start, end), over the stored document text';

const VARIABLE_FIELD: Record<Variable['type'], FieldType> = { text: 'string', number: 'number', date: 'date', boolean: 'boolean' };

interface Attributes {
  fields: Field[];
  byDocument: Map<string, Cell[]>;
  empty: Cell[];
  variables: Variable[];
}

/**
 * The column names of one table, each unique. Two names clash when they differ only in case
 * (R, Stata and SPSS users rename columns case-insensitively) or would once written as
 * header cells: "=x" is written "'=x", the same as a column named "'=x". Comparing the
 * written form whether or not the export is raw keeps a project's column names the same
 * in both. Without this, pandas renames a duplicate "x.1" and Frictionless rejects it.
 */
class ColumnNames {
  private readonly taken = new Set<string>();
  constructor(fixed: readonly string[]) {
    for (const name of fixed) this.taken.add(ColumnNames.key(name));
  }
  private static key(name: string): string {
    return neutralise(name).toLowerCase();
  }
  /** `name`, or with `prefix` put before it until it clashes with no earlier column. */
  claim(name: string, prefix: string): string {
    let unique = name;
    while (this.taken.has(ColumnNames.key(unique))) unique = `${prefix}${unique}`;
    this.taken.add(ColumnNames.key(unique));
    return unique;
  }
}

/** One column per document attribute, named after it; a name that clashes with an earlier column gets "attribute_". */
async function attributes(r: Reader, names: ColumnNames, among?: readonly string[]): Promise<Attributes> {
  const variables = await r.all<Variable>(`SELECT id, name, type FROM variables ORDER BY sort_order, name COLLATE NOCASE, id`);
  const fields = variables.map((v) => {
    const name = names.claim(v.name, 'attribute_');
    return { name, type: VARIABLE_FIELD[v.type], description: `Document attribute "${v.name}" (${v.type}).` } satisfies Field;
  });
  const empty: Cell[] = variables.map(() => null);
  const attrs: Attributes = { fields, byDocument: new Map(), empty, variables };
  if (!among) await attributeValues(r, attrs);
  return attrs;
}

/** Reads the attribute cells of every document, or of the given ones only, into `attrs.byDocument`. */
async function attributeValues(r: Reader, attrs: Attributes, among?: readonly string[]): Promise<void> {
  const { variables, empty, byDocument } = attrs;
  byDocument.clear();
  const index = new Map(variables.map((v, i) => [v.id, i]));
  const where = among ? `WHERE document_id IN (${among.map(() => '?').join(', ') || 'NULL'})` : '';
  await r.each<{ document_id: string; variable_id: string; value: string }>(`SELECT document_id, variable_id, value FROM document_values ${where}`, among ? [...among] : [], (row) => {
    const i = index.get(row.variable_id);
    if (i === undefined) return;
    let cells = byDocument.get(row.document_id);
    if (!cells) byDocument.set(row.document_id, (cells = [...empty]));
    const variable = variables[i]!;
    // Booleans as true/false text (Frictionless' default true/false values); numbers as numbers so they are never neutralised.
    const v = decodeValue(variable.type, row.value);
    cells[i] = typeof v === 'boolean' ? String(v) : v;
  });
}

const limitSql = (limit?: number) => (limit !== undefined ? `LIMIT ${Math.max(0, Math.floor(limit))}` : '');

/**
 * Texts SQLite cannot slice, or not quickly: its substr() and length() stop at a NUL
 * character, so the coded text of a document holding one would come out cut short (found by
 * SQLite's length falling short of the stored one); and a very long text is read again for
 * every substr (SLICE_IN_SQL_UP_TO). Such documents are sliced here instead; most projects
 * have none, so the export keeps slicing in SQL.
 */
async function textsSqlCannotSlice(r: Reader, among: { ids: readonly string[] } | { sql: string }): Promise<Map<string, CodePointIndex>> {
  // Only the documents the table slices are looked at: checking every text of a large
  // project would read them all, even for a preview of 20 rows.
  const within = 'ids' in among ? `id IN (${among.ids.map(() => '?').join(', ') || 'NULL'})` : `id IN (${among.sql})`;
  const rows = await r.all<{ id: string; text: string }>(
    `SELECT id, text FROM documents WHERE ${within} AND (length > ${SLICE_IN_SQL_UP_TO} OR length(text) <> length)`,
    'ids' in among ? [...among.ids] : [],
  );
  return new Map(rows.map((d) => [d.id, new CodePointIndex(d.text)]));
}

function documentWhere(f: ResolvedFilter): { sql: string; params: ResolvedFilter['documentParams'] } {
  return { sql: f.documentSql.length ? `WHERE ${f.documentSql.join(' AND ')}` : '', params: f.documentParams };
}

/** Segments: one row per coded segment (long format). */
async function segmentsTable(r: Reader, f: ResolvedFilter, options: TableOptions, target: RowTarget): Promise<Field[]> {
  const fixedBefore: Field[] = [
    { name: 'segment_id', type: 'string', description: 'Id of the coded segment (UUID).' },
    { name: 'document_id', type: 'string', description: 'Id of the document (UUID); see documents.csv.' },
    { name: 'document_name', type: 'string', description: 'Name of the document.' },
  ];
  const fixedAfter: Field[] = [
    { name: 'code_id', type: 'string', description: 'Id of the code applied (UUID); see codebook.csv.' },
    { name: 'code_path', type: 'string', description: 'The code with its parents, top level first, joined by "/".' },
    { name: 'code_name', type: 'string', description: 'Name of the code applied.' },
    { name: 'theme', type: 'string', description: 'The top-level code (theme) the code belongs to.' },
    { name: 'coder_id', type: 'string', description: 'Id of the coder who applied the code (UUID).' },
    { name: 'coder', type: 'string', description: 'Name of the coder who applied the code.' },
    { name: 'start', type: 'integer', description: `Start of the coded text: ${OFFSETS}.` },
    { name: 'end', type: 'integer', description: `End of the coded text (exclusive): ${OFFSETS}.` },
    { name: 'length', type: 'integer', description: 'end - start: the coded text\'s length in code points.' },
    { name: 'text', type: 'string', description: 'The coded text: the document text from start to end.' },
    { name: 'memo', type: 'string', description: 'The segment\'s memo as plain text (several memos separated by a blank line).' },
    { name: 'created_at', type: 'datetime', description: 'When the segment was coded (ISO 8601, UTC).' },
    { name: 'updated_at', type: 'datetime', description: 'When the segment was last changed (ISO 8601, UTC).' },
  ];
  // Attribute columns only: their cells come with each document's segments below.
  const attrs = await attributes(r, new ColumnNames([...fixedBefore, ...fixedAfter].map((x) => x.name)), []);
  const fields = [...fixedBefore, ...attrs.fields, ...fixedAfter];
  target.header(fields.map((x) => x.name));
  // Path, name and theme per code, and coders' names, worked out once rather than per row.
  const codes = new Map((await listCodes(r, { counts: false })).map((c) => [c.id, [c.path, c.name, c.path.split('/')[0]!] as const]));
  const noCode = ['', '', ''] as const;
  const coders = new Map((await r.all<{ id: string; name: string }>(`SELECT id, name FROM coders`)).map((k) => [k.id, k.name]));
  const variableIndex = new Map(attrs.variables.map((v, i) => [v.id, i]));
  // The batch's documents are already the filtered ones: only the coder and code filters remain.
  const where = segmentWhere({ ...f, documentSql: [], documentParams: [] });
  const docWhere = documentWhere(f);
  let remaining = options.limit ?? Infinity;
  // The documents in order, read ahead in keyset pages as the batches need them: a preview's
  // 20 rows read a page, not the ids of every document (0.24 s at 100,000 documents).
  const order: string[] = [];
  let after: { sortOrder: number; id: string } | null = null;
  let allRead = false;
  const readOrder = async (upTo: number) => {
    while (!allRead && order.length < upTo) {
      const keyset = after ? `${docWhere.sql ? `${docWhere.sql} AND` : 'WHERE'} (d.sort_order, d.id) > (?, ?)` : docWhere.sql;
      const page = await r.all<{ id: string; sort_order: number }>(
        `SELECT d.id, d.sort_order FROM documents d ${keyset} ORDER BY d.sort_order, d.id LIMIT ${ORDER_PAGE}`,
        after ? [...docWhere.params, after.sortOrder, after.id] : docWhere.params,
      );
      for (const d of page) order.push(d.id);
      const last = page[page.length - 1];
      if (last) after = { sortOrder: last.sort_order, id: last.id };
      allRead = page.length < ORDER_PAGE;
    }
  };
  await readOrder(1);
  // Documents a batch at a time, sized to about SEGMENT_BATCH_ROWS segments from the rows per
  // document seen so far (a preview's first batch is small), the next batch asked for while
  // this one is written: SQLite works on one while JavaScript writes the other.
  let size = Math.max(1, Math.min(SEGMENT_FIRST_BATCH, Number.isFinite(remaining) ? remaining : SEGMENT_FIRST_BATCH));
  const fetch = async (from: number, n: number) => {
    await readOrder(from + n);
    const batch = order.slice(from, from + n);
    const inBatch = `d.id IN (${batch.map(() => '?').join(', ')})`;
    return r.all<DocumentSegments>(`${SEGMENTS_BY_DOCUMENT} ${where.sql ? `${where.sql} AND ${inBatch}` : `WHERE ${inBatch}`} GROUP BY d.sort_order, d.id ORDER BY d.sort_order, d.id`, [
      ...where.params,
      ...batch,
    ]);
  };
  let next: Promise<DocumentSegments[]> | null = order.length && remaining > 0 ? fetch(0, size) : null;
  let seenDocuments = 0;
  let seenRows = 0;
  try {
    for (let i = 0; next && remaining > 0; ) {
      const documents = await next;
      i += size;
      seenDocuments += size;
      for (const d of documents) seenRows += d.n;
      size = Math.max(1, Math.min(SEGMENT_MAX_BATCH_DOCUMENTS, Math.round(SEGMENT_BATCH_ROWS / Math.max(1, seenRows / seenDocuments))));
      if (!allRead) await readOrder(i + 1);
      next = i < order.length && remaining - documents.reduce((n, d) => n + d.n, 0) > 0 ? fetch(i, size) : null;
      // Texts SQLite cannot slice (a NUL cuts its substr short) are sliced here instead.
      const cut = documents.filter((d) => d.cut).map((d) => d.id);
      const unsliceable = cut.length ? await textsSqlCannotSlice(r, { ids: cut }) : null;
      for (const d of documents) {
        const attributeCells = [...attrs.empty];
        for (const [variableId, value] of JSON.parse(d.attributes) as Array<[string, string]>) {
          const at = variableIndex.get(variableId);
          // Booleans as true/false text (Frictionless' default true/false values); numbers as numbers so they are never neutralised.
          if (at !== undefined) attributeCells[at] = cellOf(decodeValue(attrs.variables[at]!.type, value));
        }
        const slicer = unsliceable?.get(d.id);
        for (const [id, codeId, coderId, start, end, text, memo, createdAt, updatedAt] of JSON.parse(d.segments) as SegmentCells[]) {
          if (remaining-- <= 0) break;
          const [path, name, theme] = codes.get(codeId) ?? noCode;
          target.row([
            id,
            d.id,
            d.name,
            ...attributeCells,
            codeId,
            path,
            name,
            theme,
            coderId,
            coders.get(coderId) ?? '',
            start,
            end,
            end - start,
            slicer ? slicer.slice(start, end) : text,
            memo ?? '',
            createdAt,
            updatedAt,
          ]);
        }
      }
    }
  } finally {
    // A batch asked for ahead and not needed (a failure, or a preview's limit reached) is let finish unheard.
    next?.catch(() => undefined);
  }
  return fields;
}

const cellOf = (v: string | number | boolean | null): Cell => (typeof v === 'boolean' ? String(v) : v);

/** Document ids read ahead at a time, in order, for the segments table's batches. */
const ORDER_PAGE = 5000;

/** Segments per batch the batch size aims at, and the bounds of a batch in documents. */
const SEGMENT_BATCH_ROWS = 20_000;
const SEGMENT_FIRST_BATCH = 64;
const SEGMENT_MAX_BATCH_DOCUMENTS = 2000;

/** One document of a batch: its cells, and its segments in order as a JSON array of SegmentCells. */
interface DocumentSegments {
  id: string;
  name: string;
  /** 1 when SQLite's substr cannot slice the text (it holds a NUL). */
  cut: number;
  /** JSON: [variable id, stored value] pairs. */
  attributes: string;
  n: number;
  segments: string;
}

/** id, code_id, coder_id, start, end, coded text, memo (null for none), created_at, updated_at. */
type SegmentCells = [string, string, string, number, number, string, string | null, string, string];

/**
 * The segments table's join, one row per document with its segments in export order as one
 * JSON array. node-sqlite3 hands each result row to JavaScript as an object built a property at
 * a time, which cost more than everything else the export does (2.6 s of CPU for 100,000 rows
 * of twelve columns, 1.3 s as ten thousand rows of JSON, attributes included). JSON carries
 * every value exactly: text (a NUL included) as strings, offsets as integers.
 *
 * substr counts characters of UTF-8 text, which are code points: the unit of start and end.
 * CROSS JOIN keeps documents as the outer loop, so with the (document_id, …) index segments
 * come out grouped by document without sorting the whole table. Rows whose coder is not in
 * `coders` are left out, as the join the export ran before did.
 */
/**
 * Texts longer than this (code points) are sliced outside SQL too: each substr of a row's text
 * reads the whole text again from its overflow pages and counts its characters from the
 * start, so a 3.8-million-character transcript with 6,000 segments took 15 s for a preview.
 */
const SLICE_IN_SQL_UP_TO = 100_000;

const SEGMENTS_BY_DOCUMENT = `SELECT d.id, d.name, CASE WHEN d.length > ${SLICE_IN_SQL_UP_TO} THEN 1 ELSE length(d.text) <> d.length END AS cut,
    (SELECT json_group_array(json_array(v.variable_id, v.value)) FROM document_values v WHERE v.document_id = d.id) AS attributes,
    count(*) AS n,
    json_group_array(json_array(s.id, s.code_id, s.coder_id, s.start, s.end, CASE WHEN d.length <= ${SLICE_IN_SQL_UP_TO} THEN substr(d.text, s.start + 1, s.end - s.start) END,
      (SELECT group_concat(x.text, char(10) || char(10)) FROM (SELECT m.text FROM memos m WHERE m.target_kind = 'segment' AND m.target_id = s.id ORDER BY m.created_at, m.id) x),
      s.created_at, s.updated_at) ORDER BY s.start, s.end, s.id) AS segments
  FROM documents d CROSS JOIN segments s ON s.document_id = d.id JOIN coders k ON k.id = s.coder_id`;

/** Coded characters: the length of the union of spans, so overlapping segments count once. */
export function unionLength(spans: Array<[number, number]>): number {
  if (spans.length === 0) return 0;
  const sorted = [...spans].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let total = 0;
  let [curStart, curEnd] = sorted[0]!;
  for (let i = 1; i < sorted.length; i++) {
    const [s, e] = sorted[i]!;
    if (s > curEnd) {
      total += curEnd - curStart;
      curStart = s;
      curEnd = e;
    } else if (e > curEnd) curEnd = e;
  }
  return total + (curEnd - curStart);
}

/** The coder scope as a data dictionary states it: whose segments a count adds up. */
function scopeText(f: ResolvedFilter): string {
  if (!f.scope) return 'every coder';
  return f.scope.coders.length > 1 ? `${f.scope.label.replace(', each counted apart', '')}, their segments added up` : f.scope.label;
}

const MEASURE_TEXT: Record<Measure, string> = {
  count: 'number of segments coded with',
  presence: '1 when the document has at least one segment coded with, else 0:',
  characters: 'number of characters (code points) of the document coded with',
  share: 'share (0 to 1) of the document\'s characters coded with',
};

/** The columns and row keys of a matrix: the codes shown, and the coders when each has rows of their own. */
export interface MatrixShape {
  codes: Code[];
  /** Set when the coder scope covers 2+ coders: one row per document and coder, never a sum. */
  perCoder: { id: string; name: string }[] | null;
}

/** One row of the matrix: a document (and coder), with one value per shown code. */
export interface MatrixRow {
  document: { id: string; name: string; length: number };
  coder: { id: string; name: string } | null;
  values: number[];
}

export interface MatrixOptions {
  measure?: Measure;
  rollup?: boolean;
  limit?: number;
  /** Documents to pass over first (pages of a view). */
  offset?: number;
}

export async function matrixShape(r: Reader, f: ResolvedFilter): Promise<MatrixShape> {
  const allCodes = await listCodes(r, { counts: false });
  return {
    codes: f.codeIds ? allCodes.filter((c) => f.codeIds!.includes(c.id)) : allCodes,
    perCoder: (f.scope?.coders.length ?? 0) > 1 ? f.scope!.coders : null,
  };
}

/**
 * The document × code matrix, a row at a time, in document order: what the matrix export
 * writes and what the crosstab view shows and adds up. One computation for both, so a
 * table in the app is always the table the export writes.
 */
export async function eachMatrixRow(r: Reader, f: ResolvedFilter, shape: MatrixShape, options: MatrixOptions, onRow: (row: MatrixRow) => void): Promise<void> {
  const measure = options.measure ?? 'count';
  const rollup = options.rollup ?? false;
  const { codes: shown, perCoder } = shape;
  const allCodes = await listCodes(r, { counts: false });
  // Which shown columns a segment of each code counts towards.
  const parent = new Map(allCodes.map((c) => [c.id, c.parent_id]));
  const column = new Map(shown.map((c, i) => [c.id, i]));
  const columnsOf = new Map<string, number[]>();
  for (const c of allCodes) {
    const cols: number[] = [];
    for (let id: string | null | undefined = c.id; id; id = rollup ? parent.get(id) : null) {
      const i = column.get(id);
      if (i !== undefined) cols.push(i);
    }
    columnsOf.set(c.id, cols);
  }

  const where = documentWhere(f);
  const page = options.offset ? `${limitSql(options.limit ?? -1)} OFFSET ${Math.max(0, Math.floor(options.offset))}` : limitSql(options.limit);
  // Documents in order, then their segments a batch of documents at a time: a preview or a
  // view's page reads only its own documents' segments, and the whole table never holds every
  // segment at once (a million of them took 700 MB).
  const documents = await r.all<{ id: string; name: string; length: number }>(
    `SELECT d.id, d.name, d.length FROM documents d ${where.sql} ORDER BY d.sort_order, d.id ${page}`,
    where.params,
  );
  const segFilter = segmentWhere({ ...f, codeIds: null, documentSql: [], documentParams: [] });
  const keyOf = (documentId: string, coderId: string) => (perCoder ? `${documentId}\u0000${coderId}` : documentId);
  // Through the (document, code, coder, start, end) index: it holds every column read here.
  // Not under blind coding: there `segments` is a view hiding other coders' work, with no index to name.
  const blind = await r.get(`SELECT 1 FROM sqlite_temp_master WHERE type = 'view' AND name = 'segments'`);
  const select = `SELECT s.document_id, s.coder_id, s.code_id, s.start, s.end FROM ${blind ? 'segments' : SEGMENTS_IN_DOCUMENT_ORDER} s`;
  const rowsOf = perCoder ?? [null];
  for (let b = 0; b < documents.length; b += MATRIX_BATCH_DOCUMENTS) {
    const batch = documents.slice(b, b + MATRIX_BATCH_DOCUMENTS);
    const inBatch = `s.document_id IN (${batch.map(() => '?').join(', ')})`;
    const segsByDoc = new Map<string, Array<[string, number, number]>>();
    const segments = await r.all<{ document_id: string; coder_id: string; code_id: string; start: number; end: number }>(
      `${select} ${segFilter.sql ? `${segFilter.sql} AND ${inBatch}` : `WHERE ${inBatch}`}`,
      [...segFilter.params, ...batch.map((d) => d.id)],
    );
    for (const s of segments) {
      const key = keyOf(s.document_id, s.coder_id);
      let list = segsByDoc.get(key);
      if (!list) segsByDoc.set(key, (list = []));
      list.push([s.code_id, s.start, s.end]);
    }
    for (const d of batch) {
      for (const coder of rowsOf) {
        const counts = new Array<number>(shown.length).fill(0);
        const spans: Array<Array<[number, number]>> = shown.map(() => []);
        for (const [codeId, start, end] of segsByDoc.get(keyOf(d.id, coder?.id ?? '')) ?? []) {
          for (const i of columnsOf.get(codeId) ?? []) {
            counts[i]!++;
            spans[i]!.push([start, end]);
          }
        }
        const values = counts.map((n, i) => {
          if (measure === 'count') return n;
          if (measure === 'presence') return n > 0 ? 1 : 0;
          const chars = unionLength(spans[i]!);
          if (measure === 'characters') return chars;
          // Six decimals: enough for any document length, and the same bytes on every export.
          return d.length > 0 ? Math.round((chars / d.length) * 1e6) / 1e6 : 0;
        });
        onRow({ document: d, coder, values });
      }
    }
  }
}

/** Documents per segments query of the matrix: about 10,000 segments at ten per document. */
const MATRIX_BATCH_DOCUMENTS = 1000;

/**
 * Matrix: one row per document, one column per code. When the coder scope covers more than
 * one coder, one row per document and coder instead: two coders' segments are never summed
 * into one cell (the same passage coded by both would count twice).
 */
async function matrixTable(r: Reader, f: ResolvedFilter, options: TableOptions, target: RowTarget): Promise<Field[]> {
  const measure = options.measure ?? 'count';
  const rollup = options.rollup ?? false;
  const shape = await matrixShape(r, f);
  const { codes: shown, perCoder } = shape;
  const fixed: Field[] = [
    { name: 'document_id', type: 'string', description: 'Id of the document (UUID); see documents.csv.' },
    { name: 'document_name', type: 'string', description: 'Name of the document.' },
    ...(perCoder
      ? ([
          { name: 'coder_id', type: 'string', description: 'Id of the coder whose segments this row counts (one row per document and coder).' },
          { name: 'coder', type: 'string', description: 'Name of the coder whose segments this row counts.' },
        ] satisfies Field[])
      : []),
  ];
  // Code columns claim their names before attributes do; one that clashes with a fixed
  // column or another code's column (a code named "document_id") gets "code_".
  const names = new ColumnNames(fixed.map((x) => x.name));
  const codeNames = shown.map((c) => names.claim(c.path, 'code_'));
  // A preview (a limit) reads the attribute cells of its own documents only, as the documents
  // table does: all of them was 3 s at 100,000 articles for 20 rows.
  const where = documentWhere(f);
  const among =
    options.limit === undefined
      ? undefined
      : (await r.all<{ id: string }>(`SELECT d.id FROM documents d ${where.sql} ORDER BY d.sort_order, d.id ${limitSql(options.limit)}`, where.params)).map((d) => d.id);
  const attrs = await attributes(r, names, among);
  if (among) await attributeValues(r, attrs, among);
  const codeFields: Field[] = shown.map((c, i) => ({
    name: codeNames[i]!,
    type: measure === 'share' ? 'number' : 'integer',
    description: `Code ${c.path} (${c.id}): ${MEASURE_TEXT[measure]} this code${rollup ? ' or any of its subcodes' : ''}${perCoder ? ", by the row's coder" : f.scope ? `; coders: ${f.scope.label}` : ''}.`,
  }));
  const fields = [...fixed, ...attrs.fields, ...codeFields];
  target.header(fields.map((x) => x.name));
  await eachMatrixRow(r, f, shape, { measure, rollup, limit: options.limit }, ({ document: d, coder, values }) =>
    target.row([d.id, d.name, ...(coder ? [coder.id, coder.name] : []), ...(attrs.byDocument.get(d.id) ?? attrs.empty), ...values]),
  );
  return fields;
}

/** Codebook: one row per code in tree order, counts under the filter. */
async function codebookTable(r: Reader, f: ResolvedFilter, options: TableOptions, target: RowTarget): Promise<Field[]> {
  const fields: Field[] = [
    { name: 'code_id', type: 'string', description: 'Id of the code (UUID).' },
    { name: 'code_path', type: 'string', description: 'The code with its parents, top level first, joined by "/".' },
    { name: 'code_name', type: 'string', description: 'Name of the code.' },
    { name: 'parent_id', type: 'string', description: 'Id of the parent code; empty for a top-level code (a theme).' },
    { name: 'level', type: 'integer', description: 'Depth in the codebook: 0 for a theme, 1 for its subcodes, and so on.' },
    { name: 'description', type: 'string', description: 'The coding rule: when to apply the code.' },
    { name: 'color', type: 'string', description: 'Display colour, #RRGGBB.' },
    { name: 'segment_count', type: 'integer', description: `Segments coded with this code (not its subcodes), under the export filters; coders: ${scopeText(f)}.` },
    { name: 'document_count', type: 'integer', description: 'Documents with at least one such segment.' },
  ];
  target.header(fields.map((x) => x.name));
  const where = segmentWhere({ ...f, codeIds: null });
  const counts = new Map(
    (
      await r.all<{ code_id: string; segments: number; documents: number }>(
        `SELECT s.code_id, count(*) AS segments, count(DISTINCT s.document_id) AS documents FROM segments s JOIN documents d ON d.id = s.document_id ${where.sql} GROUP BY s.code_id`,
        where.params,
      )
    ).map((c) => [c.code_id, c]),
  );
  let n = 0;
  for (const c of await listCodes(r, { counts: false })) {
    if (options.limit !== undefined && n++ >= options.limit) break;
    const k = counts.get(c.id);
    target.row([c.id, c.path, c.name, c.parent_id, c.depth, c.description, c.color, k?.segments ?? 0, k?.documents ?? 0]);
  }
  return fields;
}

/** Documents: one row per document with its attributes, length and checksum. */
async function documentsTable(r: Reader, f: ResolvedFilter, options: TableOptions, target: RowTarget): Promise<Field[]> {
  const before: Field[] = [
    { name: 'document_id', type: 'string', description: 'Id of the document (UUID).' },
    { name: 'document_name', type: 'string', description: 'Name of the document.' },
  ];
  const after: Field[] = [
    { name: 'length', type: 'integer', description: 'Length of the stored text in Unicode code points (the unit of start and end).' },
    { name: 'sha256', type: 'string', description: 'SHA-256 of the stored text as UTF-8: checks that a text is the one coded.' },
    { name: 'source_name', type: 'string', description: 'The file the document was imported from.' },
    { name: 'source_format', type: 'string', description: 'Format of that file.' },
    { name: 'imported_at', type: 'datetime', description: 'When the document was imported (ISO 8601, UTC).' },
    { name: 'segment_count', type: 'integer', description: `Segments coded in the document, under the export filters; coders: ${scopeText(f)}.` },
  ];
  const where = documentWhere(f);
  // A preview (a limit) reads the attributes and counts of its own rows only.
  const shown =
    options.limit === undefined
      ? undefined
      : (await r.all<{ id: string }>(`SELECT d.id FROM documents d ${where.sql} ORDER BY d.sort_order, d.id ${limitSql(options.limit)}`, where.params)).map((d) => d.id);
  const attrs = await attributes(r, new ColumnNames([...before, ...after].map((x) => x.name)), shown);
  if (shown) await attributeValues(r, attrs, shown);
  const fields = [...before, ...attrs.fields, ...after];
  target.header(fields.map((x) => x.name));
  const segWhere = segmentWhere({ ...f, documentSql: [], documentParams: [] });
  const only = shown ? `${segWhere.sql ? `${segWhere.sql} AND` : 'WHERE'} s.document_id IN (${shown.map(() => '?').join(', ') || 'NULL'})` : segWhere.sql;
  const counts = new Map(
    (await r.all<{ document_id: string; n: number }>(`SELECT s.document_id, count(*) AS n FROM segments s ${only} GROUP BY s.document_id`, [...segWhere.params, ...(shown ?? [])])).map(
      (x) => [x.document_id, x.n],
    ),
  );
  await r.each<{ id: string; name: string; length: number; text_sha256: string; source_name: string | null; source_format: string | null; imported_at: string }>(
    `SELECT d.id, d.name, d.length, d.text_sha256, d.source_name, d.source_format, d.imported_at FROM documents d ${where.sql} ORDER BY d.sort_order, d.id ${limitSql(options.limit)}`,
    where.params,
    (d) =>
      target.row([
        d.id,
        d.name,
        ...(attrs.byDocument.get(d.id) ?? attrs.empty),
        d.length,
        d.text_sha256,
        d.source_name,
        d.source_format,
        d.imported_at,
        counts.get(d.id) ?? 0,
      ]),
  );
  return fields;
}

/** Memos: one row per memo, with what it is about and who wrote it. */
async function memosTable(r: Reader, f: ResolvedFilter, options: TableOptions, target: RowTarget): Promise<Field[]> {
  const fields: Field[] = [
    { name: 'memo_id', type: 'string', description: 'Id of the memo (UUID).' },
    { name: 'target_kind', type: 'string', description: 'What the memo is about: project, document, code or segment.' },
    { name: 'target_id', type: 'string', description: 'Id of that document, code or segment; empty for a project memo.' },
    { name: 'target', type: 'string', description: 'That target in words: document name, code path, or code and coded text.' },
    { name: 'author_id', type: 'string', description: 'Id of the coder who wrote the memo.' },
    { name: 'author', type: 'string', description: 'Name of the coder who wrote the memo.' },
    { name: 'title', type: 'string', description: 'Title of the memo.' },
    { name: 'text', type: 'string', description: 'The memo as plain text.' },
    { name: 'created_at', type: 'datetime', description: 'When the memo was written (ISO 8601, UTC).' },
    { name: 'updated_at', type: 'datetime', description: 'When the memo was last changed (ISO 8601, UTC).' },
  ];
  target.header(fields.map((x) => x.name));
  const codes = new Map((await listCodes(r, { counts: false })).map((c) => [c.id, c.path]));
  const unsliceable = await textsSqlCannotSlice(r, { sql: `SELECT s.document_id FROM memos m JOIN segments s ON s.id = m.target_id WHERE m.target_kind = 'segment'` });
  const params = f.coderIds ?? [];
  await r.each<{
    id: string; target_kind: string; target_id: string | null; label: string | null; author_id: string | null; author: string | null; title: string; text: string; created_at: string; updated_at: string;
    segment_document_id: string | null; segment_start: number | null; segment_end: number | null;
  }>(
    `SELECT m.id, m.target_kind, m.target_id, k.name AS author, m.author_id, m.title, m.text, m.created_at, m.updated_at,
       CASE m.target_kind
         WHEN 'document' THEN (SELECT name FROM documents WHERE id = m.target_id)
         WHEN 'segment' THEN substr(d.text, s.start + 1, s.end - s.start)
       END AS label,
       sk.id AS segment_document_id, s.start AS segment_start, s.end AS segment_end
     FROM memos m LEFT JOIN coders k ON k.id = m.author_id
       LEFT JOIN segment_rows s ON m.target_kind = 'segment' AND s.id = m.target_id
       LEFT JOIN document_keys sk ON sk.key = s.document_key
       LEFT JOIN documents d ON d.id = sk.id
     ${f.coderIds ? `WHERE m.author_id IN (${f.coderIds.map(() => '?').join(', ')})` : ''}
     ORDER BY CASE m.target_kind WHEN 'project' THEN 0 WHEN 'document' THEN 1 WHEN 'code' THEN 2 ELSE 3 END, m.created_at, m.id ${limitSql(options.limit)}`,
    params,
    (m) => {
      let label = m.label ?? '';
      const cut = m.segment_document_id ? unsliceable.get(m.segment_document_id) : undefined;
      if (cut) label = cut.slice(m.segment_start!, m.segment_end!);
      if (m.target_kind === 'project') label = 'Project';
      if (m.target_kind === 'code') label = codes.get(m.target_id ?? '') ?? '';
      target.row([m.id, m.target_kind, m.target_id, label, m.author_id, m.author, m.title, m.text, m.created_at, m.updated_at]);
    },
  );
  return fields;
}

const TABLES: Record<TableKind, (r: Reader, f: ResolvedFilter, o: TableOptions, t: RowTarget) => Promise<Field[]>> = {
  segments: segmentsTable,
  matrix: matrixTable,
  codebook: codebookTable,
  documents: documentsTable,
  memos: memosTable,
};

/** Writes one table to a target; returns its fields (the data dictionary entry). */
export async function writeTable(r: Reader, kind: TableKind, options: TableOptions, target: RowTarget): Promise<Field[]> {
  const filter = await resolveFilter(r, options.filter);
  return TABLES[kind](r, filter, options, target);
}
