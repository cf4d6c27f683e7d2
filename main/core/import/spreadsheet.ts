import { Readable } from 'node:stream';
import { parse as parseCsvStream } from 'csv-parse';
import { parse as parseCsv } from 'csv-parse/sync';
import readXlsxFile from 'read-excel-file/node';
import { MarginaliaError } from '../errors';
import type { AttributeValue, VariableType } from '../documents/documents';
import { decodeText } from './decode-text';
import { isMediaEntry, verifiedZip } from './limits';
import { parseDateCell, slashOrderOf, type DayMonthOrder } from './dates';

export type SpreadsheetFormat = 'csv' | 'tsv' | 'xlsx' | 'jsonl';
export type Cell = string | number | boolean | Date | null;

/** A sheet as read: a header row and data rows. `firstRow` is the row number of rows[0] as a spreadsheet shows it. */
export interface Table {
  format: SpreadsheetFormat;
  encoding: string | null;
  columns: string[];
  rows: Cell[][];
  /** Rows that could not be read at all (a bad JSON line), by row number. */
  badRows: { row: number; reason: string }[];
  rowNumbers: number[];
}

/** How the columns of a spreadsheet become documents. */
export interface SpreadsheetMapping {
  /** The column holding each article's text. */
  textColumn?: string;
  /** The column holding its name (headline); "FILE row N" when absent. */
  nameColumn?: string;
  /** Columns stored as typed attributes; when absent, every other column as its detected type. */
  attributes?: { column: string; type: VariableType }[];
}

export interface ColumnInfo {
  name: string;
  /** The type the values look like, as the preview suggests it. */
  detectedType: VariableType;
}

export interface SpreadsheetPreview {
  file: string;
  format: SpreadsheetFormat;
  encoding: string | null;
  columns: ColumnInfo[];
  /** The first rows as text, for the preview table. */
  rows: string[][];
  rowCount: number;
  suggested: Required<SpreadsheetMapping>;
}

/** One row's result: a document to add, or why it cannot be. */
export type RowResult =
  | { row: number; ok: true; name: string; text: string; attributes: Record<string, AttributeValue>; attributeTypes: Record<string, VariableType> }
  | { row: number; ok: false; reason: string };

const SPREADSHEET_EXTENSIONS: Record<string, SpreadsheetFormat> = { '.csv': 'csv', '.tsv': 'tsv', '.tab': 'tsv', '.xlsx': 'xlsx', '.jsonl': 'jsonl', '.ndjson': 'jsonl' };

export function spreadsheetFormatOf(ext: string): SpreadsheetFormat | null {
  return SPREADSHEET_EXTENSIONS[ext] ?? null;
}

/** The delimiter a CSV uses: the commonest of , ; and tab in its first line (European Excel writes ;). */
function sniffDelimiter(text: string): string {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const count = (d: string) => firstLine.split(d).length - 1;
  const scores = [',', ';', '\t'].map((d) => [d, count(d)] as const).sort((a, b) => b[1] - a[1]);
  return scores[0]![1] > 0 ? scores[0]![0] : ',';
}

function headerNames(raw: Cell[], file: string): string[] {
  const seen = new Map<string, number>();
  return raw.map((c, i) => {
    let name = (c === null || c === undefined ? '' : String(c)).trim() || `column ${i + 1}`;
    const n = seen.get(name.toLowerCase()) ?? 0;
    seen.set(name.toLowerCase(), n + 1);
    if (n > 0) name = `${name} (${n + 1})`;
    void file;
    return name;
  });
}

/** Reads a spreadsheet of articles into a header and rows. */
export async function readTable(bytes: Uint8Array, file: string, format: SpreadsheetFormat): Promise<Table> {
  if (format === 'xlsx') {
    // Inflated and counted here; read-excel-file gets the parts stored, with nothing to inflate.
    const verified = verifiedZip(bytes, file, 'Excel workbook (.xlsx)', (name) => !isMediaEntry(name));
    let sheets;
    try {
      sheets = await readXlsxFile(verified);
    } catch (err) {
      throw new MarginaliaError('invalid_input', `${file}: not a readable Excel workbook (${(err as Error).message}); open it in Excel and save it as .xlsx again.`);
    }
    const data = (sheets[0]?.data ?? []) as unknown as Cell[][];
    const [header, ...rows] = data;
    if (!header) throw new MarginaliaError('invalid_input', `${file}: the first sheet is empty; put a header row and one article per row in it.`);
    return { format, encoding: null, columns: headerNames(header, file), rows, badRows: [], rowNumbers: rows.map((_, i) => i + 2) };
  }
  const { text, encoding } = decodeText(bytes, file);
  if (format === 'jsonl') return readJsonl(text, file, encoding);
  let records: string[][];
  try {
    records = parseCsv(text, {
      bom: true,
      delimiter: format === 'tsv' ? '\t' : sniffDelimiter(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
    }) as string[][];
  } catch (err) {
    throw new MarginaliaError('invalid_input', `${file}: ${(err as Error).message}; check the quoting on that line.`);
  }
  const [header, ...rows] = records;
  if (!header) throw new MarginaliaError('invalid_input', `${file}: the file is empty; it needs a header row and one article per row.`);
  // csv-parse skips empty lines, so row numbers count records; a spreadsheet shows the same.
  return { format, encoding, columns: headerNames(header, file), rows, badRows: [], rowNumbers: rows.map((_, i) => i + 2) };
}

function readJsonl(text: string, file: string, encoding: string): Table {
  const columns: string[] = [];
  const objects: { row: number; value: Record<string, unknown> }[] = [];
  const badRows: { row: number; reason: string }[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const value: unknown = JSON.parse(line);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('the line is not a JSON object');
      for (const k of Object.keys(value)) if (!columns.includes(k)) columns.push(k);
      objects.push({ row: i + 1, value: value as Record<string, unknown> });
    } catch (err) {
      badRows.push({ row: i + 1, reason: `line ${i + 1}: not a JSON object (${(err as Error).message}).` });
    }
  });
  if (columns.length === 0 && badRows.length === 0) throw new MarginaliaError('invalid_input', `${file}: the file is empty; it needs one JSON object per line.`);
  const cell = (v: unknown): Cell => (v === undefined || v === null ? null : typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean));
  return {
    format: 'jsonl',
    encoding,
    columns,
    rows: objects.map((o) => columns.map((c) => cell(o.value[c]))),
    badRows,
    rowNumbers: objects.map((o) => o.row),
  };
}

const TEXT_NAMES = /^(text|body|content|full ?text|article|article ?text|story|body ?text|main ?text)$/i;
const NAME_NAMES = /^(title|headline|name|heading|document|subject)$/i;

function isBlank(c: Cell): boolean {
  return c === null || (typeof c === 'string' && c.trim() === '');
}

function detectType(values: Cell[]): VariableType {
  const present = values.filter((v) => !isBlank(v));
  if (present.length === 0) return 'text';
  if (present.every((v) => typeof v === 'number' || (typeof v === 'string' && /^[-+]?\d+(\.\d+)?$/.test(v.trim())))) return 'number';
  if (present.every((v) => typeof v === 'boolean' || (typeof v === 'string' && /^(true|false)$/i.test(v.trim())))) return 'boolean';
  const order = slashOrderOf(present);
  if (present.every((v) => v instanceof Date || parseDateCell(v, order) !== null)) return 'date';
  return 'text';
}

function cellText(c: Cell): string {
  if (c === null) return '';
  if (c instanceof Date) return c.toISOString().slice(0, 10);
  return String(c);
}

/** Suggests a mapping: the text column by its name or its long values, the name by its header, the rest as typed attributes. */
export function suggestMapping(table: Table): Required<SpreadsheetMapping> {
  const cols = table.columns;
  const sample = table.rows.slice(0, 200);
  let text = cols.find((c) => TEXT_NAMES.test(c));
  if (!text) {
    const avg = cols.map((_, i) => sample.reduce((n, r) => n + cellText(r[i] ?? null).length, 0) / Math.max(1, sample.length));
    text = cols[avg.indexOf(Math.max(...avg))] ?? cols[0] ?? '';
  }
  const name = cols.find((c) => c !== text && NAME_NAMES.test(c)) ?? '';
  const attributes = cols
    .filter((c) => c !== text && c !== name)
    .map((c) => ({ column: c, type: detectType(sample.map((r) => r[cols.indexOf(c)] ?? null)) }));
  return { textColumn: text, nameColumn: name, attributes };
}

export function previewTable(table: Table, file: string, maxRows = 10): SpreadsheetPreview {
  const sample = table.rows.slice(0, 200);
  return {
    file,
    format: table.format,
    encoding: table.encoding,
    columns: table.columns.map((name, i) => ({ name, detectedType: detectType(sample.map((r) => r[i] ?? null)) })),
    rows: table.rows.slice(0, maxRows).map((r) => table.columns.map((_, i) => cellText(r[i] ?? null).slice(0, 500))),
    rowCount: table.rows.length,
    suggested: suggestMapping(table),
  };
}

function columnIndex(table: Table, column: string, file: string, role: string): number {
  const i = table.columns.findIndex((c) => c.toLowerCase() === column.trim().toLowerCase());
  if (i < 0) {
    throw new MarginaliaError('invalid_input', `${file}: has no column "${column}" for ${role}; its columns are ${table.columns.map((c) => `"${c}"`).join(', ')}.`);
  }
  return i;
}

function typedValue(cell: Cell, type: VariableType, order: DayMonthOrder): AttributeValue {
  if (isBlank(cell)) return null;
  switch (type) {
    case 'date': {
      const iso = parseDateCell(cell, order);
      if (iso === null) throw new Error(`"${cellText(cell)}" is not a date; write it as YYYY-MM-DD (or 12 March 2022, 12.03.2022, 03/12/2022)`);
      return iso;
    }
    case 'number': {
      if (typeof cell === 'number') return cell;
      const s = cellText(cell).trim();
      const n = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s) ? Number(s) : NaN;
      if (!Number.isFinite(n)) throw new Error(`"${s}" is not a number`);
      return n;
    }
    case 'boolean': {
      if (typeof cell === 'boolean') return cell;
      const s = cellText(cell).trim().toLowerCase();
      if (['true', 'yes', 'y', '1'].includes(s)) return true;
      if (['false', 'no', 'n', '0'].includes(s)) return false;
      throw new Error(`"${cellText(cell)}" is not true or false (or yes/no, 1/0)`);
    }
    default:
      return cellText(cell);
  }
}

/** Turns one row into a document, or says why it cannot be one. */
export type RowMapper = (r: Cell[], row: number) => RowResult;

/**
 * How rows become documents under the mapping, decided from the header, a sample of rows
 * and each column's day/month order. A column the mapping names but the sheet lacks fails
 * the whole file; a bad value fails only its row, named by row and column.
 */
export function rowMapper(
  columns: string[],
  sample: Cell[][],
  file: string,
  fileStem: string,
  mapping: SpreadsheetMapping,
  orderOf: (index: number) => DayMonthOrder,
): RowMapper {
  const table = { columns, rows: sample } as Table;
  const suggested = suggestMapping(table);
  const textCol = columnIndex(table, mapping.textColumn ?? suggested.textColumn, file, 'the text');
  const nameRef = mapping.nameColumn ?? suggested.nameColumn;
  const nameCol = nameRef ? columnIndex(table, nameRef, file, 'the name') : -1;
  const attrs = (mapping.attributes ?? suggested.attributes).map((a) => {
    const index = columnIndex(table, a.column, file, 'an attribute');
    return { index, name: columns[index]!, type: a.type, order: a.type === 'date' ? orderOf(index) : ('mdy' as DayMonthOrder) };
  });
  return (r, row) => {
    const text = cellText(r[textCol] ?? null);
    if (!text.trim()) return { row, ok: false, reason: `row ${row}: the text column "${columns[textCol]}" is empty.` };
    const attributes: Record<string, AttributeValue> = Object.create(null) as Record<string, AttributeValue>;
    const attributeTypes: Record<string, VariableType> = Object.create(null) as Record<string, VariableType>;
    for (const a of attrs) {
      try {
        attributes[a.name] = typedValue(r[a.index] ?? null, a.type, a.order);
        attributeTypes[a.name] = a.type;
      } catch (err) {
        return { row, ok: false, reason: `row ${row}, column "${a.name}": ${(err as Error).message}.` };
      }
    }
    const name = nameCol >= 0 ? cellText(r[nameCol] ?? null).trim() : '';
    return { row, ok: true, name: name || `${fileStem} row ${row}`, text, attributes, attributeTypes };
  };
}

/**
 * Turns each row into a document under the mapping. A column the mapping names but the sheet
 * lacks fails the whole file; a bad value fails only its row, named by row and column.
 */
export function rowsToDocuments(table: Table, file: string, fileStem: string, mapping: SpreadsheetMapping = {}): RowResult[] {
  const map = rowMapper(table.columns, table.rows.slice(0, 200), file, fileStem, mapping, (index) => slashOrderOf(table.rows.map((r) => r[index] ?? null)));
  const results: RowResult[] = table.badRows.map((b) => ({ row: b.row, ok: false as const, reason: b.reason }));
  table.rows.forEach((r, i) => results.push(map(r, table.rowNumbers[i] ?? i + 2)));
  return results.sort((a, b) => a.row - b.row);
}

/** Characters of a decoded CSV handed to the parser at a time. */
const CSV_CHUNK = 256 * 1024;

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;

/** Thrown by plainCsvRecords on anything past plain RFC 4180, for csv-parse to read the file instead. */
export class NotPlainCsv extends Error {}

const QUOTE = 34;
const LF = 10;
const CR = 13;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The records of a plain RFC 4180 CSV (fields quoted or not, "" for a quote inside quotes, one
 * kind of line end), exactly as csv-parse reads them with csvRecords's options, about thirty
 * times faster: csv-parse looks at every byte of a long quoted article several times, this
 * jumps from quote to quote. Throws NotPlainCsv on the first thing it does not read the way
 * csv-parse would without thinking (a BOM, a quote inside an unquoted field, text after a
 * closing quote, an unclosed quote, mixed or bare-CR line ends, lone surrogates), so a file
 * that needs csv-parse's leniency is read by csv-parse; a record given out is never taken back,
 * so callers read the whole file once this way before acting on any record.
 */
export function* plainCsvRecords(text: string, delimiter: string): Generator<string[]> {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\r' || delimiter === '\n') throw new NotPlainCsv();
  if (text.charCodeAt(0) === 0xfeff || LONE_SURROGATE.test(text)) throw new NotPlainCsv();
  const d = delimiter.charCodeAt(0);
  const n = text.length;
  /** The line end: decided by the first one met outside quotes, as csv-parse decides it. */
  let crlf: boolean | null = null;
  /** At pos, a line end: its length; 0 if none; throws on one that is not this file's kind. */
  const lineEnd = (pos: number): number => {
    const c = text.charCodeAt(pos);
    if (c === LF) {
      if (crlf === true) throw new NotPlainCsv();
      crlf = false;
      return 1;
    }
    if (c === CR) {
      if (text.charCodeAt(pos + 1) !== LF || crlf === false) throw new NotPlainCsv();
      crlf = true;
      return 2;
    }
    return 0;
  };
  let record: string[] = [];
  let pos = 0;
  while (pos < n) {
    // At the start of a field.
    let field: string;
    let quoted = false;
    if (text.charCodeAt(pos) === QUOTE) {
      quoted = true;
      let from = pos + 1;
      field = '';
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) throw new NotPlainCsv();
        if (text.charCodeAt(q + 1) === QUOTE) {
          field += text.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        field += text.slice(from, q);
        pos = q + 1;
        break;
      }
    } else {
      const start = pos;
      while (pos < n) {
        const c = text.charCodeAt(pos);
        if (c === d || c === LF || c === CR) break;
        if (c === QUOTE) throw new NotPlainCsv();
        pos++;
      }
      field = text.slice(start, pos);
    }
    // After a field: a delimiter, a line end or the end of the text.
    if (pos >= n) {
      // The last line without a line end: an empty one is no record.
      if (quoted || record.length > 0 || field !== '') {
        record.push(field);
        yield record;
      }
      return;
    }
    if (text.charCodeAt(pos) === d) {
      record.push(field);
      pos++;
      // A delimiter at the very end: the record ends with an empty field.
      if (pos >= n) {
        record.push('');
        yield record;
        return;
      }
      continue;
    }
    const end = lineEnd(pos);
    if (end === 0) throw new NotPlainCsv();
    pos += end;
    // An empty line is skipped (skip_empty_lines); a line of "" is a record of one empty field.
    if (!quoted && record.length === 0 && field === '') continue;
    record.push(field);
    yield record;
    record = [];
  }
}

/** The records of a CSV text, parsed as they are read: never all of them in memory at once. */
function csvRecords(text: string, file: string, format: SpreadsheetFormat): AsyncIterable<string[]> {
  const chunks = function* () {
    for (let i = 0; i < text.length; ) {
      // Never between the two halves of an emoji: the parser turns each chunk into UTF-8, and a
      // half on its own would become U+FFFD.
      let end = Math.min(text.length, i + CSV_CHUNK);
      if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
      yield text.slice(i, end);
      i = end;
    }
  };
  const parser = parseCsvStream({
    bom: true,
    delimiter: format === 'tsv' ? '\t' : sniffDelimiter(text),
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
  });
  Readable.from(chunks()).pipe(parser);
  return (async function* () {
    try {
      for await (const record of parser) yield record as string[];
    } catch (err) {
      throw new MarginaliaError('invalid_input', `${file}: ${(err as Error).message}; check the quoting on that line.`);
    }
  })();
}

/**
 * The articles of a CSV or TSV as documents, a batch of rows at a time: memory stays a
 * constant plus the longest article, however many rows the file has. A first pass reads the
 * header, a sample for the suggested mapping and each column's day/month order, and finds a
 * broken line before any row is given out; the second pass maps the rows.
 */
export async function* csvDocuments(bytes: Uint8Array, file: string, format: 'csv' | 'tsv', fileStem: string, mapping: SpreadsheetMapping = {}, batch = 500): AsyncGenerator<{ encoding: string; rows: RowResult[] }> {
  const { text, encoding } = decodeText(bytes, file);
  const firstPass = async (records: Iterable<string[]> | AsyncIterable<string[]>) => {
    let header: string[] | null = null;
    const sample: Cell[][] = [];
    let count = 0;
    /** Per column: the day/month order its first telling value shows, once one has. */
    const orders = new Map<number, DayMonthOrder>();
    for await (const record of records) {
      if (!header) {
        header = record;
        continue;
      }
      count++;
      if (sample.length < 200) sample.push(record);
      record.forEach((v, i) => {
        if (orders.has(i) || !v.includes('/')) return;
        const m = /^\s*(\d{1,2})\/(\d{1,2})\/\d{4}/.exec(v);
        if (m && (Number(m[1]) > 12 || Number(m[2]) > 12)) orders.set(i, slashOrderOf([v]));
      });
    }
    return { header, sample, count, orders };
  };
  // A plain file is read by the fast reader, both passes; one that needs csv-parse's leniency
  // is found in the first pass (before any row is given out) and read by csv-parse instead.
  const delimiter = format === 'tsv' ? '\t' : sniffDelimiter(text);
  let plain = true;
  let first: Awaited<ReturnType<typeof firstPass>>;
  try {
    first = await firstPass(plainCsvRecords(text, delimiter));
  } catch (err) {
    if (!(err instanceof NotPlainCsv)) throw err;
    plain = false;
    first = await firstPass(csvRecords(text, file, format));
  }
  const { header, sample, count, orders } = first;
  if (!header) throw new MarginaliaError('invalid_input', `${file}: the file is empty; it needs a header row and one article per row.`);
  if (count === 0) throw new MarginaliaError('invalid_input', `${file}: has a header row but no articles below it.`);
  const map = rowMapper(headerNames(header, file), sample, file, fileStem, mapping, (i) => orders.get(i) ?? 'mdy');
  let atHeader = true;
  let rows: RowResult[] = [];
  let row = 1;
  for await (const record of plain ? plainCsvRecords(text, delimiter) : csvRecords(text, file, format)) {
    if (atHeader) {
      atHeader = false;
      continue;
    }
    rows.push(map(record, ++row));
    if (rows.length >= batch) {
      yield { encoding, rows };
      rows = [];
    }
  }
  if (rows.length) yield { encoding, rows };
}
