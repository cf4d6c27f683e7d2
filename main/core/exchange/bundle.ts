import type { Reader } from '../db/project-db';
import { resolveCoderScope } from './filter';
import { listCodes } from '../codebook/codebook';
import { projectInfo } from '../project/info';
import { CsvWriter, DELIMITERS, headerCells, type CsvOptions } from './csv';
import { zipToBytes, type ZipWriter } from './zip-writer';
import { TABLE_KINDS, writeTable, type Field, type TableKind, type TableOptions } from './tables';

const PRIMARY_KEY: Record<TableKind, string> = {
  segments: 'segment_id',
  matrix: 'document_id',
  codebook: 'code_id',
  documents: 'document_id',
  memos: 'memo_id',
};

const FOREIGN_KEYS: Record<TableKind, Array<{ fields: string; reference: { resource: string; fields: string } }>> = {
  segments: [
    { fields: 'document_id', reference: { resource: 'documents', fields: 'document_id' } },
    { fields: 'code_id', reference: { resource: 'codebook', fields: 'code_id' } },
  ],
  matrix: [{ fields: 'document_id', reference: { resource: 'documents', fields: 'document_id' } }],
  // An empty resource name is Frictionless' way of saying "this same table".
  codebook: [{ fields: 'parent_id', reference: { resource: '', fields: 'code_id' } }],
  documents: [],
  memos: [],
};

const TITLES: Record<TableKind, string> = {
  segments: 'Coded segments: one row per application of a code to a span of a document',
  matrix: 'Document by code matrix: one row per document, one column per code',
  codebook: 'Codebook: one row per code, in tree order',
  documents: 'Documents: one row per document with its attributes',
  memos: 'Memos: one row per memo',
};

/** A Frictionless-safe package name: lower case letters, digits, "-", "_", ".". */
export function slug(name: string): string {
  return (
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'project'
  );
}

export interface BundleOptions extends TableOptions, CsvOptions {
  /** The time the README states; defaults to now. */
  exportedAt?: Date;
}

/**
 * The dataset bundle: every table as CSV, datapackage.json (Frictionless Tabular Data
 * Package: types, meanings and keys), and README.txt. Only README.txt changes between two
 * exports of an unchanged project, because it states the export time. Each table streams
 * into the archive as it is read; the data dictionary, which names every table's columns,
 * comes last.
 */
export async function writeBundle(r: Reader, options: BundleOptions, zip: ZipWriter, watch?: (writer: { readonly rows: number }) => void): Promise<void> {
  const info = await projectInfo(r);
  // Frictionless readers take UTF-8 without a BOM; --excel applies to single CSV files only.
  const csv: CsvOptions = { delimiter: options.delimiter, raw: options.raw };
  zip.file('README.txt', await readme(r, info.name, options));
  const resources: unknown[] = [];
  let done = 0;
  for (const kind of TABLE_KINDS) {
    const entry = zip.entry(`${kind}.csv`);
    const writer = new CsvWriter(entry, csv);
    // Progress counts the rows of every table so far.
    watch?.({ get rows() { return done + writer.rows; } });
    const fields = await writeTable(r, kind, { filter: options.filter, measure: options.measure, rollup: options.rollup }, writer);
    writer.flush();
    entry.end();
    done += writer.rows;
    resources.push(resource(kind, fields, csv));
  }
  const pkg = {
    profile: 'tabular-data-package',
    name: slug(info.name),
    title: info.name,
    description: `Coded dataset exported by Marginalia. Offsets (start, end) are Unicode code points, 0-based, half-open [start, end), over each document's stored text.`,
    resources,
  };
  zip.file('datapackage.json', JSON.stringify(pkg, null, 2) + '\n');
}

/** The dataset bundle (see `writeBundle`) as a zip in memory. */
export function exportBundle(r: Reader, options: BundleOptions): Promise<Uint8Array> {
  return zipToBytes((zip) => writeBundle(r, options, zip));
}

/**
 * A field of the data dictionary. Frictionless matches fields to columns by name, so `name`
 * is the header cell as written: "'=HYPERLINK(…)" when the export neutralised it. The true
 * column name then goes in `title` (Table Schema's human-readable name), and the
 * description says why they differ; fields whose header is their name have no title, so
 * an ordinary project's dictionary is unchanged. Keys are fixed column names, never
 * neutralised, so they need no mapping.
 */
function field(f: Field, written: string, key: string | string[]) {
  const renamed = written !== f.name;
  return {
    name: written,
    ...(renamed ? { title: f.name } : {}),
    type: f.type,
    ...(f.type === 'datetime' ? { format: 'any' } : {}),
    description: renamed ? `${f.description} The header cell starts with an added ' so spreadsheets do not run it as a formula; the column's name is "${f.name}".` : f.description,
    ...(f.name === key ? { constraints: { required: true, unique: true } } : Array.isArray(key) && key.includes(f.name) ? { constraints: { required: true } } : {}),
  };
}

function resource(kind: TableKind, fields: Field[], csv: CsvOptions) {
  // A matrix over two or more coders has a row per document and coder: the key is the pair.
  const perCoder = kind === 'matrix' && fields.some((f) => f.name === 'coder_id');
  const key: string | string[] = perCoder ? ['document_id', 'coder_id'] : PRIMARY_KEY[kind];
  const written = headerCells(fields.map((f) => f.name), csv);
  return {
    name: kind,
    path: `${kind}.csv`,
    title: perCoder ? 'Document by code matrix: one row per document and coder, one column per code' : TITLES[kind],
    profile: 'tabular-data-resource',
    format: 'csv',
    mediatype: 'text/csv',
    encoding: 'utf-8',
    dialect: { delimiter: DELIMITERS[csv.delimiter ?? 'comma'], lineTerminator: '\r\n', quoteChar: '"', doubleQuote: true, header: true },
    schema: {
      fields: fields.map((f, i) => field(f, written[i]!, key)),
      primaryKey: key,
      // The Table Schema profile wants at least one foreign key when the property is present.
      ...(FOREIGN_KEYS[kind].length > 0 ? { foreignKeys: FOREIGN_KEYS[kind] } : {}),
      missingValues: [''],
    },
  };
}

/** The document set an export is scoped to, as the README states it: its name and size. */
async function setLine(r: Reader, ref: string): Promise<string> {
  const set = await r.get<{ name: string; n: number }>(
    `SELECT s.name, (SELECT count(*) FROM document_set_members m WHERE m.set_id = s.id) AS n FROM document_sets s WHERE s.id = ? OR s.name = ? COLLATE NOCASE LIMIT 1`,
    [ref, ref.trim()],
  );
  return set ? `documents of the set "${set.name}" (${set.n} documents)` : `documents of the set "${ref}"`;
}

/**
 * How to read a table with every cell exactly as written. Left to their defaults, readers
 * change cells: pandas takes "NA", "NULL" and empty cells for missing values, readr's
 * read_csv trims spaces and may guess a mostly empty column (a date few documents have) to
 * be TRUE/FALSE, turning its values into NA with only a warning. `sep` as written in code.
 */
function readingLines(sep: string): string[] {
  return [
    'READING (every cell exactly as written)',
    '  Left to guess, readers change cells: pandas reads "NA", "NULL" and empty cells as',
    '  missing, readr\'s read_csv trims spaces and may take a mostly empty column (a date',
    '  few documents have) for TRUE/FALSE and turn its values into NA. Read every column',
    '  as text, then convert the columns you need (their types are in datapackage.json):',
    `  pandas: pd.read_csv("segments.csv", sep="${sep}", dtype=str, keep_default_na=False)`,
    `  R:      read.csv("segments.csv", sep = "${sep}", colClasses = "character", na.strings = character(0), check.names = FALSE, fileEncoding = "UTF-8")`,
    `  readr:  readr::read_delim("segments.csv", delim = "${sep}", col_types = readr::cols(.default = "c"), na = character(), trim_ws = FALSE)`,
  ];
}

async function readme(r: Reader, projectName: string, options: BundleOptions): Promise<string> {
  const codes = await listCodes(r);
  const f = options.filter ?? {};
  const { scope } = await resolveCoderScope(r, f);
  const perCoder = scope.coders.length > 1;
  const filters = [
    f.code ? `code: ${f.code}${f.subcodes ? ' with its subcodes' : ''}` : null,
    f.where?.length ? `documents where ${f.where.join(' and ')}` : null,
    f.set ? await setLine(r, f.set) : null,
  ].filter(Boolean);
  const lines = [
    `Coded dataset: ${projectName}`,
    `Exported by Marginalia at ${(options.exportedAt ?? new Date()).toISOString()} (UTC).`,
    `Coders: ${scope.label}.`,
    perCoder
      ? '  matrix.csv has one row per document and coder; segment_count and document_count in codebook.csv and documents.csv are totals over these coders\' segments.'
      : '  Every table and count covers only this scope.',
    `Filters: ${filters.length ? filters.join('; ') : 'none (every code and document)'}.`,
    `Matrix values: ${options.measure ?? 'count'}${options.rollup ? ', subcodes rolled up into their parents' : ''}.`,
    '',
    'FILES',
    '  segments.csv      one row per coded segment (long format)',
    perCoder ? '  matrix.csv        one row per document and coder, one column per code' : '  matrix.csv        one row per document, one column per code',
    '  codebook.csv      one row per code, with its rule (description)',
    '  documents.csv     one row per document, with its attributes, length and SHA-256',
    '  memos.csv         one row per memo',
    '  datapackage.json  the data dictionary (Frictionless Tabular Data Package): every',
    '                    column\'s type and meaning, primary and foreign keys. Load with',
    '                    frictionless (Python) or frictionless / datapackage.r (R).',
    '',
    'OFFSETS',
    '  start and end count Unicode code points (not bytes, not UTF-16 units), 0-based,',
    '  half-open [start, end), over the stored document text (UTF-8, line ends LF, NFC).',
    '  text = the document text from start up to but not including end: in Python',
    '  doc[start:end], in R substr(doc, start + 1, end).',
    '',
    'CSV',
    `  UTF-8, header row, "${DELIMITERS[options.delimiter ?? 'comma'].replace('\t', '\\t')}" between fields, RFC 4180 quoting, CRLF between rows.`,
    options.raw
      ? '  Values are raw: cells beginning with = + - @ are written as they are.'
      : '  Text cells and header cells beginning with = + - @, tab or carriage return start with an added \' so spreadsheets do not run them as formulas; remove it to get the raw value (or export with --raw). datapackage.json gives such a column\'s true name as its field\'s title.',
    '  Rows are in a stable order: exporting an unchanged project again gives identical',
    '  tables; only this README (its export time) differs.',
    '',
    ...readingLines(DELIMITERS[options.delimiter ?? 'comma'].replace('\t', '\\t')),
    '',
    'CODEBOOK',
  ];
  for (const c of codes) {
    lines.push(`${'  '.repeat(c.depth + 1)}${c.name}  [${c.id}]`);
    for (const rule of c.description.split('\n').filter((x) => x.trim())) lines.push(`${'  '.repeat(c.depth + 2)}${rule.trim()}`);
  }
  if (codes.length === 0) lines.push('  (no codes)');
  return lines.join('\n') + '\n';
}
