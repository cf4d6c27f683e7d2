import type { Reader } from '../db/project-db';
import { invalid, MarginaliaError } from '../errors';
import type { AnalysisRun } from './cooccurrence';
import { resolveFilter, type ExportFilter, type ResolvedFilter } from '../exchange/filter';
import { eachMatrixRow, matrixShape, type MatrixRow, type Measure } from '../exchange/tables';
import { CsvWriter, StringSink, type Cell, type CsvOptions, type Sink } from '../exchange/csv';
import { listSegments, type SegmentWithContext } from '../coding/segments';

/** What the columns are: each document, or each value (or month, or year) of one attribute. */
export type CrosstabBy = { kind: 'document' } | { kind: 'attribute'; name: string; bucket?: 'value' | 'month' | 'year' };

export interface CrosstabOptions {
  filter?: ExportFilter;
  by: CrosstabBy;
  measure?: Measure;
  rollup?: boolean;
  /** Columns to pass over and to show (documents run to 100,000: the view pages them). */
  offset?: number;
  limit?: number;
}

export interface CrosstabColumn {
  /** Stable key of the column, for drill-down: a document id or an attribute value, with the coder when rows are per coder. */
  key: string;
  label: string;
  document_id: string | null;
  /** The attribute value (or month, year) of the column; '' for documents without one. */
  value: string | null;
  coder_id: string | null;
  coder_name: string | null;
  /** Documents the column covers. */
  documents: number;
}

export interface Crosstab {
  by: CrosstabBy;
  measure: Measure;
  rollup: boolean;
  /** Whose segments, in words. */
  scope: string;
  /** The coders whose segments the cells count (for drill-down). */
  coder_ids: string[];
  codes: Array<{ id: string; path: string; depth: number }>;
  columns: CrosstabColumn[];
  /** cells[code][column]. */
  cells: number[][];
  /** Per code over the columns shown: a sum, or for share the coded share of all their text. */
  row_totals: number[];
  /** Per column over the codes: a sum; null for share (codes overlap, shares do not add up). */
  column_totals: Array<number | null>;
  /** Columns there are in all (the shown ones are offset .. offset + columns.length). */
  total_columns: number;
  offset: number;
  /** Set on a table shown while counting: documents gone through so far. Absent once every document is counted. */
  partial?: { done: number; total: number };
}

const NO_VALUE = '(no value)';
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * Code × document and code × attribute value tables: the matrix export's rows (one
 * computation, `eachMatrixRow`) turned on their side and, for attributes, added up per value.
 * A count adds segments, presence adds documents with the code, characters add coded
 * characters, and share is the coded characters over all characters of the column's documents.
 * When the coder scope covers 2+ coders every column is one coder's, as matrix rows are.
 */
export async function crosstab(r: Reader, options: CrosstabOptions, run: AnalysisRun<Crosstab> = {}): Promise<Crosstab> {
  const f = await resolveFilter(r, options.filter);
  const measure = options.measure ?? 'count';
  const rollup = options.rollup ?? false;
  const shape = await matrixShape(r, f);
  const codes = shape.codes.map((c) => ({ id: c.id, path: c.path, depth: c.depth }));
  const offset = Math.max(0, Math.floor(options.offset ?? 0));
  const limit = options.limit;
  const coderIds = f.coderIds ?? (f.scope?.coders.map((c) => c.id) ?? []);
  const base = { by: options.by, measure, rollup, scope: f.scope?.label ?? 'every coder', coder_ids: coderIds, codes, offset };

  if (options.by.kind === 'document') {
    const perDoc = shape.perCoder?.length ?? 1;
    const documents = await countDocuments(r, f);
    const columns: CrosstabColumn[] = [];
    const cells = codes.map(() => [] as number[]);
    const lengths: number[] = [];
    const chars = codes.map(() => [] as number[]);
    // Documents are paged; with per-coder columns a page holds whole documents.
    const docOffset = Math.floor(offset / perDoc);
    const docLimit = limit === undefined ? undefined : Math.ceil(limit / perDoc);
    await eachMatrixRow(r, f, shape, { measure, rollup, offset: docOffset, limit: docLimit }, (row) => {
      columns.push({
        key: row.coder ? `${row.document.id}/${row.coder.id}` : row.document.id,
        label: row.coder ? `${row.document.name} (${row.coder.name})` : row.document.name,
        document_id: row.document.id,
        value: null,
        coder_id: row.coder?.id ?? null,
        coder_name: row.coder?.name ?? null,
        documents: 1,
      });
      row.values.forEach((v, i) => cells[i]!.push(v));
      lengths.push(row.document.length);
    });
    if (measure === 'share') {
      // Row totals of share need the characters: the same rows again, as characters.
      await eachMatrixRow(r, f, shape, { measure: 'characters', rollup, offset: docOffset, limit: docLimit }, (row) => row.values.forEach((v, i) => chars[i]!.push(v)));
    }
    return { ...base, columns, cells, ...totals(measure, cells, chars, lengths), total_columns: documents * perDoc, offset: docOffset * perDoc };
  }

  const by = options.by;
  const variable = await r.get<{ id: string; name: string; type: string }>(`SELECT id, name, type FROM variables WHERE name = ? COLLATE NOCASE`, [by.name.trim()]);
  if (!variable) {
    const names = (await r.all<{ name: string }>(`SELECT name FROM variables ORDER BY sort_order, name COLLATE NOCASE`)).map((v) => v.name);
    throw invalid('attribute', `the project has no attribute "${by.name}". Attributes: ${names.join(', ') || 'none'}.`);
  }
  const bucket = by.bucket ?? 'value';
  if (bucket !== 'value' && variable.type !== 'date') throw invalid('bucket', `"${variable.name}" is a ${variable.type} attribute; months and years group date attributes only.`);
  const valueOf = new Map<string, string>();
  await r.each<{ document_id: string; value: string }>(`SELECT document_id, value FROM document_values WHERE variable_id = ?`, [variable.id], (v) =>
    valueOf.set(v.document_id, bucket === 'month' ? v.value.slice(0, 7) : bucket === 'year' ? v.value.slice(0, 4) : v.value),
  );
  // Additive sums per group; share needs characters and lengths, so those are what is summed.
  const sumMeasure: Measure = measure === 'share' ? 'characters' : measure;
  const groups = new Map<string, { value: string; coder: { id: string; name: string } | null; documents: number; length: number; sums: number[] }>();
  const table = (partial?: { done: number; total: number }): Crosstab => {
    const ordered = [...groups.entries()].sort(([, a], [, b]) => {
      if ((a.value === '') !== (b.value === '')) return a.value === '' ? 1 : -1;
      const byValue = variable.type === 'number' ? Number(a.value) - Number(b.value) : a.value.localeCompare(b.value);
      return byValue || (a.coder?.name ?? '').localeCompare(b.coder?.name ?? '');
    });
    const page = ordered.slice(offset, limit === undefined ? undefined : offset + limit);
    const columns: CrosstabColumn[] = page.map(([key, g]) => ({
      key,
      label: `${g.value === '' ? NO_VALUE : g.value}${g.coder ? ` (${g.coder.name})` : ''}`,
      document_id: null,
      value: g.value,
      coder_id: g.coder?.id ?? null,
      coder_name: g.coder?.name ?? null,
      documents: g.documents,
    }));
    const lengths = page.map(([, g]) => g.length);
    const chars = codes.map((_, i) => page.map(([, g]) => g.sums[i]!));
    const cells = measure === 'share' ? chars.map((row) => row.map((c, j) => (lengths[j]! > 0 ? round6(c / lengths[j]!) : 0))) : chars;
    return { ...base, columns, cells, ...totals(measure, cells, chars, lengths), total_columns: ordered.length, ...(partial ? { partial } : {}) };
  };
  // The matrix's rows a round of documents at a time: progress, the table so far, and a chance to stop.
  const total = await countDocuments(r, f);
  const size = run.roundDocuments ?? ROUND_DOCUMENTS;
  for (let done = 0; done < total || done === 0; done += size) {
    if (run.isCancelled?.()) throw new MarginaliaError('cancelled', 'The crosstab was cancelled.');
    await eachMatrixRow(r, f, shape, { measure: sumMeasure, rollup, offset: done, limit: size }, (row) => {
      const value = valueOf.get(row.document.id) ?? '';
      const key = row.coder ? `${value}\u0000${row.coder.id}` : value;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { value, coder: row.coder, documents: 0, length: 0, sums: codes.map(() => 0) }));
      g.documents++;
      g.length += row.document.length;
      row.values.forEach((v, i) => (g!.sums[i]! += v));
    });
    const now = Math.min(total, done + size);
    run.onProgress?.(now, total);
    if (now < total) run.onPartial?.(table({ done: now, total }));
    if (total === 0) break;
  }
  return table();
}

/** Documents per round of a crosstab by attribute: the matrix's rows for them, then progress and a chance to stop. */
const ROUND_DOCUMENTS = 2000;

function totals(measure: Measure, cells: number[][], chars: number[][], lengths: number[]): Pick<Crosstab, 'row_totals' | 'column_totals'> {
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  if (measure === 'share') {
    const all = sum(lengths);
    return { row_totals: chars.map((row) => (all > 0 ? round6(sum(row) / all) : 0)), column_totals: lengths.map(() => null) };
  }
  return { row_totals: cells.map(sum), column_totals: lengths.map((_, j) => sum(cells.map((row) => row[j]!))) };
}

async function countDocuments(r: Reader, f: ResolvedFilter): Promise<number> {
  const where = f.documentSql.length ? `WHERE ${f.documentSql.join(' AND ')}` : '';
  return (await r.get<{ n: number }>(`SELECT count(*) AS n FROM documents d ${where}`, f.documentParams))?.n ?? 0;
}

/** What a cell shows in a table: the value, or its share of the row's or the column's total. */
export type Percent = 'none' | 'row' | 'column';

/** The value a cell shows: its measure, or a percentage (one decimal) of its row or column total. */
export function cellShown(t: Crosstab, code: number, column: number, percent: Percent): number | null {
  const v = t.cells[code]![column]!;
  if (percent === 'none') return v;
  const total = percent === 'row' ? t.row_totals[code]! : t.column_totals[column];
  if (total === null || total === undefined || t.measure === 'share') return null;
  return total > 0 ? Math.round((v / total) * 1000) / 10 : 0;
}

/** The table as CSV through the project's CSV writer (header and formula neutralisation included). */
export function crosstabCsv(t: Crosstab, percent: Percent, options: CsvOptions = {}): string {
  const sink = new StringSink();
  writeCrosstabCsv(t, percent, options, sink);
  return sink.toString();
}

/**
 * The same CSV written into `sink` as it is made: by document over 100,000 documents and
 * three coders it has 300,000 columns (24 MB), which built as one string took 400 MB.
 */
export function writeCrosstabCsv(t: Crosstab, percent: Percent, options: CsvOptions, sink: Sink): void {
  const w = new CsvWriter(sink, options);
  const seen = new Map<string, number>();
  // Two documents may share a name: a column name is made unique, as pandas and R need.
  const names = t.columns.map((c) => {
    const n = (seen.get(c.label) ?? 0) + 1;
    seen.set(c.label, n);
    return n > 1 ? `${c.label} (${n})` : c.label;
  });
  w.header(['code_id', 'code_path', ...names, percent === 'none' ? 'total' : `total_${t.measure}`]);
  t.codes.forEach((c, i) => w.row([c.id, c.path, ...t.columns.map((_, j) => cellShown(t, i, j, percent)), t.row_totals[i]!]));
  if (t.measure !== 'share') w.row(['', 'total', ...t.column_totals, t.row_totals.reduce((a, b) => a + b, 0)]);
  w.flush();
}

/** A whole crosstab ready to be written as CSV (what the Export button downloads). */
export interface CrosstabCsvSource {
  write(percent: Percent, options: CsvOptions, sink: Sink): void;
}

/**
 * The whole crosstab for its CSV. By document it is kept as the CSV needs it: each column's
 * label and each code's cells in typed arrays, not a column object and a boxed number per
 * cell (by document at 100,000 documents and three coders: 300,000 columns). By attribute
 * the table is small and is the one `crosstab` gives. Either way the bytes are those of
 * `writeCrosstabCsv(crosstab(...))`.
 */
export async function crosstabForCsv(r: Reader, options: CrosstabOptions): Promise<CrosstabCsvSource> {
  if (options.by.kind !== 'document' || (options.offset ?? 0) > 0 || options.limit !== undefined) {
    const t = await crosstab(r, options);
    return { write: (percent, csv, sink) => writeCrosstabCsv(t, percent, csv, sink) };
  }
  const f = await resolveFilter(r, options.filter);
  const measure = options.measure ?? 'count';
  const rollup = options.rollup ?? false;
  const shape = await matrixShape(r, f);
  const codes = shape.codes.map((c) => ({ id: c.id, path: c.path }));
  const size = (await countDocuments(r, f)) * (shape.perCoder?.length ?? 1);
  // Each column's label is its document's name and, per coder, the coder's name: kept as the
  // name and the coder's number, and made when the header is written (300,000 labels otherwise).
  const coders = shape.perCoder ?? [];
  const coderIndex = new Map(coders.map((c, i) => [c.id, i]));
  const labels: string[] = [];
  const coderOf = new Int32Array(size);
  const lengths = new Float64Array(size);
  const cells = codes.map(() => new Float64Array(size));
  const fill = (into: Float64Array[]) => (row: MatrixRow) => {
    const j = labels.length;
    // The documents were counted in the same snapshot: more rows than that is a bug, never a shorter table.
    if (j >= size) throw new Error(`Crosstab: more rows than the ${size} counted.`);
    row.values.forEach((v, i) => (into[i]![j] = v));
    lengths[j] = row.document.length;
    coderOf[j] = row.coder ? coderIndex.get(row.coder.id)! : -1;
    labels.push(row.document.name);
  };
  await eachMatrixRow(r, f, shape, { measure, rollup }, fill(cells));
  const columns = labels.length;
  let chars = cells;
  if (measure === 'share') {
    // Row totals of share need the characters: the same rows again, as characters.
    chars = codes.map(() => new Float64Array(size));
    const seen = labels.length;
    labels.length = 0;
    await eachMatrixRow(r, f, shape, { measure: 'characters', rollup }, fill(chars));
    if (labels.length !== seen) throw new Error(`Crosstab: ${labels.length} rows of characters for ${seen} of shares.`);
  }
  // The totals as totals() adds them: from 0, in column order along a row, in code order down a column.
  const rowTotals = codes.map((_, i) => {
    let sum = 0;
    for (let j = 0; j < columns; j++) sum += chars[i]![j]!;
    return sum;
  });
  let all = 0;
  for (let j = 0; j < columns; j++) all += lengths[j]!;
  const shareTotals = rowTotals.map((sum) => (all > 0 ? round6(sum / all) : 0));
  const columnTotals = new Float64Array(measure === 'share' ? 0 : columns);
  if (measure !== 'share') {
    for (let j = 0; j < columns; j++) {
      let sum = 0;
      for (let i = 0; i < codes.length; i++) sum += cells[i]![j]!;
      columnTotals[j] = sum;
    }
  }
  return {
    write(percent, csvOptions, sink) {
      const w = new CsvWriter(sink, csvOptions);
      // Two documents may share a name: a column name is made unique, as pandas and R need.
      const seen = new Map<string, number>();
      w.longHeader(columns + 3, (x) => {
        if (x === 0) return 'code_id';
        if (x === 1) return 'code_path';
        if (x === columns + 2) return percent === 'none' ? 'total' : `total_${measure}`;
        const j = x - 2;
        const label = coderOf[j]! >= 0 ? `${labels[j]} (${coders[coderOf[j]!]!.name})` : labels[j]!;
        const n = (seen.get(label) ?? 0) + 1;
        seen.set(label, n);
        return n > 1 ? `${label} (${n})` : label;
      });
      seen.clear();
      const totals = measure === 'share' ? shareTotals : rowTotals;
      // Rows of 300,000 cells, written a piece at a time; each cell as cellShown gives it.
      codes.forEach((c, i) => {
        const values = cells[i]!;
        w.longRow(columns + 3, (x): Cell => {
          if (x === 0) return c.id;
          if (x === 1) return c.path;
          if (x === columns + 2) return totals[i]!;
          const j = x - 2;
          const v = values[j]!;
          if (percent === 'none') return v;
          if (measure === 'share') return null;
          const total = percent === 'row' ? totals[i]! : columnTotals[j]!;
          return total > 0 ? Math.round((v / total) * 1000) / 10 : 0;
        });
      });
      if (measure !== 'share') {
        const all = rowTotals.reduce((a, b) => a + b, 0);
        w.longRow(columns + 3, (x): Cell => (x === 0 ? '' : x === 1 ? 'total' : x === columns + 2 ? all : columnTotals[x - 2]!));
      }
      w.flush();
    },
  };
}

/**
 * The coded segments behind one cell: the code (with its subcodes when rolled up) in the
 * column's documents, by the column's coder or the table's coders.
 */
export async function crosstabPassages(r: Reader, options: CrosstabOptions, codeId: string, column: Pick<CrosstabColumn, 'document_id' | 'value' | 'coder_id'>, limit = 200): Promise<SegmentWithContext[]> {
  const f = await resolveFilter(r, options.filter);
  const coderIds = column.coder_id ? [column.coder_id] : (f.coderIds ?? f.scope?.coders.map((c) => c.id) ?? []);
  const documents = { sql: [...f.documentSql], params: [...f.documentParams] };
  if (column.document_id) {
    documents.sql.push('d.id = ?');
    documents.params.push(column.document_id);
  } else if (options.by.kind === 'attribute') {
    const variable = await r.get<{ id: string }>(`SELECT id FROM variables WHERE name = ? COLLATE NOCASE`, [options.by.name.trim()]);
    if (!variable) throw invalid('attribute', `the project has no attribute "${options.by.name}".`);
    const bucket = options.by.bucket ?? 'value';
    const value = column.value ?? '';
    const compared = bucket === 'month' ? 'substr(value, 1, 7)' : bucket === 'year' ? 'substr(value, 1, 4)' : 'value';
    documents.sql.push(
      value === ''
        ? `d.id NOT IN (SELECT document_id FROM document_values WHERE variable_id = ?)`
        : `d.id IN (SELECT document_id FROM document_values WHERE variable_id = ? AND ${compared} = ?)`,
    );
    documents.params.push(variable.id, ...(value === '' ? [] : [value]));
  }
  return listSegments(r, {
    codeId,
    includeSubcodes: options.rollup ?? false,
    coderIds: coderIds.length ? coderIds : ['-'],
    context: 80,
    documents,
    limit,
  });
}
