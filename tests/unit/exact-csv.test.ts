import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import fc from 'fast-check';
import { downloaded, openTestProject, tempDir } from '../helpers/project';
import { readWithCsvParse, readWithPandas, readWithR, type Delimiter, type Table } from '../helpers/csv-readers';
import { arbitraryProjectSpec, buildProject, type BuiltProject, type WrittenMemo, type WrittenProject } from '../helpers/messy-project';
import type { AgreementReport } from '../../main/core/team/agreement';

type T = Awaited<ReturnType<typeof openTestProject>>;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const text = (out: { dataBase64: string }) => Buffer.from(out.dataBase64, 'base64').toString('utf8');

/** A blank project with one imported article of two paragraphs. */
async function oneArticle(): Promise<{ t: T; doc: string; code: string }> {
  const t = await openTestProject({ coder: 'ana' });
  const report = await t.call('import.files', { files: [{ name: 'article.txt', dataBase64: b64('Shelling hit the market.\r\n\r\nOfficials blamed the other side.') }] });
  const outcome = report.outcomes[0]!;
  if (outcome.status !== 'imported') throw new Error('not imported');
  const { id: code } = await t.call('codes.create', { name: 'attribution' });
  return { t, doc: outcome.documentId, code };
}

interface Read {
  /** Records read by csv-parse (strict), header first. */
  records: Table;
  /** Records as pandas' default (C) engine reads them, header first. */
  pandas: Table;
}

/** Writes an export to disk and reads it back with csv-parse and pandas. */
async function readBack(dir: string, name: string, csv: string, delimiter: Delimiter = 'comma'): Promise<Read> {
  const path = join(dir, name);
  writeFileSync(path, csv, 'utf8');
  const p = (await readWithPandas([{ path, delimiter }], dir)).get(path)!;
  if (!Array.isArray(p.c)) throw new Error(`pandas could not read ${name}: ${p.c.error}`);
  return { records: readWithCsvParse(csv, delimiter), pandas: p.c };
}

describe('reported: a cell with a line break splits its record', () => {
  let fx: Awaited<ReturnType<typeof oneArticle>>;
  const out = tempDir();
  beforeAll(async () => {
    fx = await oneArticle();
  });
  afterAll(async () => {
    await fx.t.close();
    out.cleanup();
  });

  it('a segment memo of two lines, on a passage across a paragraph break, is one row in pandas', async () => {
    // Code points 13..40 run from "the market." over the blank line into "Officials".
    await fx.t.call('segments.create', { documentId: fx.doc, codeId: fx.code, start: 13, end: 40, memo: 'First line of the memo\nsecond line' });
    for (const delimiter of ['comma', 'semicolon', 'tab'] as const) {
      const csv = text(await fx.t.call('exchange.export', { format: 'segments', delimiter }));
      const r = await readBack(out.dir, `segments-${delimiter}.csv`, csv, delimiter);
      expect(r.pandas, delimiter).toHaveLength(2);
      const column = (name: string) => r.pandas[1]![r.pandas[0]!.indexOf(name)];
      expect(column('memo')).toBe('First line of the memo\nsecond line');
      expect(column('text')).toBe('the market.\n\nOfficials blam');
      expect(r.records).toEqual(r.pandas);
    }
  });

  it('the memos table keeps a two-line memo in one row', async () => {
    await fx.t.call('memos.save', { kind: 'project', targetId: null, content: '{}', text: 'Pilot round.\nSecond thought.' });
    const csv = text(await fx.t.call('exchange.export', { format: 'memos' }));
    const r = await readBack(out.dir, 'memos.csv', csv);
    // The segment memo of the test above and this project memo.
    expect(r.pandas).toHaveLength(3);
    expect(r.pandas.map((row) => row[r.pandas[0]!.indexOf('text')])).toContain('Pilot round.\nSecond thought.');
    expect(r.records).toEqual(r.pandas);
  });
});

describe('reported: header cells that look like formulas are neutralised', () => {
  const FORMULA = '=HYPERLINK("http://evil.example")';
  let fx: Awaited<ReturnType<typeof oneArticle>>;
  beforeAll(async () => {
    fx = await oneArticle();
    await fx.t.call('documents.setAttributes', { id: fx.doc, attributes: { [FORMULA]: 'click me' } });
    const { id } = await fx.t.call('codes.create', { name: '@SUM(1+1)' });
    await fx.t.call('segments.create', { documentId: fx.doc, codeId: id, start: 0, end: 8 });
  });
  afterAll(() => fx.t.close());

  const headerOf = async (format: 'segments' | 'documents' | 'matrix', raw = false) => readWithCsvParse(text(await fx.t.call('exchange.export', { format, raw })), 'comma')[0]!;

  it('in the segments, documents and matrix tables, unless raw', async () => {
    for (const format of ['segments', 'documents', 'matrix'] as const) {
      expect(await headerOf(format), format).toContain(`'${FORMULA}`);
      expect(await headerOf(format), format).not.toContain(FORMULA);
      expect(await headerOf(format, true), format).toContain(FORMULA);
    }
    expect(await headerOf('matrix')).toContain("'@SUM(1+1)");
    expect(await headerOf('matrix', true)).toContain('@SUM(1+1)');
  });

  it('in the bundle, whose data dictionary names each field as its header cell and keeps the true name as its title', async () => {
    for (const raw of [false, true]) {
      const files = unzipSync(Buffer.from((await fx.t.call('exchange.export', { format: 'bundle', raw })).dataBase64, 'base64'));
      const pkg = JSON.parse(strFromU8(files['datapackage.json']!)) as { resources: Array<{ name: string; path: string; schema: { fields: Array<{ name: string; title?: string }> } }> };
      for (const resource of pkg.resources) {
        const header = readWithCsvParse(strFromU8(files[resource.path]!), 'comma')[0]!;
        // Frictionless: a field's name is its header cell.
        expect(resource.schema.fields.map((f) => f.name), resource.name).toEqual(header);
      }
      const segments = pkg.resources.find((r) => r.name === 'segments')!.schema.fields;
      const attribute = segments.find((f) => f.name === (raw ? FORMULA : `'${FORMULA}`))!;
      expect(attribute, `raw: ${raw}`).toBeDefined();
      if (!raw) expect(attribute.title).toBe(FORMULA);
      const matrix = pkg.resources.find((r) => r.name === 'matrix')!.schema.fields;
      if (!raw) expect(matrix.find((f) => f.name === "'@SUM(1+1)")!.title).toBe('@SUM(1+1)');
    }
  });
});

describe('column names stay unique as written', () => {
  it('an attribute "=x" beside one named "\'=x", a code named "document_id", codes "@a" and "\'@a": no header repeats, so pandas renames none', async () => {
    const fx = await oneArticle();
    const out = tempDir();
    try {
      await fx.t.call('documents.setAttributes', { id: fx.doc, attributes: { '=x': 'one', "'=x": 'two' } });
      for (const name of ['document_id', '@a', "'@a"]) await fx.t.call('codes.create', { name });
      const files: Array<{ path: string; delimiter: Delimiter; header: string[] }> = [];
      for (const format of ['segments', 'documents', 'matrix'] as const) {
        for (const raw of [false, true]) {
          const csv = text(await fx.t.call('exchange.export', { format, raw }));
          const path = join(out.dir, `${format}-${raw}.csv`);
          writeFileSync(path, csv, 'utf8');
          files.push({ path, delimiter: 'comma', header: readWithCsvParse(csv, 'comma')[0]! });
        }
      }
      const matrix = (raw: boolean) => files.find((f) => f.path.endsWith(`matrix-${raw}.csv`))!.header;
      // Attributes first in the table but named after the codes, which claim names first.
      expect(matrix(true)).toEqual(['document_id', 'document_name', '=x', "attribute_'=x", 'attribution', 'code_document_id', '@a', "code_'@a"]);
      expect(matrix(false)).toEqual(['document_id', 'document_name', "'=x", "attribute_'=x", 'attribution', 'code_document_id', "'@a", "code_'@a"]);
      const pandas = await readWithPandas(files, out.dir);
      for (const f of files) {
        expect(new Set(f.header).size, f.path).toBe(f.header.length);
        const read = pandas.get(f.path)!.c;
        expect(Array.isArray(read) ? read[0] : read, f.path).toEqual(f.header);
      }
    } finally {
      await fx.t.close();
      out.cleanup();
    }
  });
});

describe('a document holding a NUL, as projects from before import removed control characters may', () => {
  it('exports its coded text whole: SQLite\'s substr stops at the NUL, so such texts are sliced outside SQL', async () => {
    const fx = await oneArticle();
    try {
      const stored = 'Before\u0000after 😀 the NUL.';
      // Written past the import path on purpose: import no longer lets a NUL in.
      await fx.t.project.db.transaction((tx) => tx.run(`UPDATE documents SET text = ?, length = ? WHERE id = ?`, [stored, [...stored].length, fx.doc]));
      const { id } = await fx.t.call('segments.create', { documentId: fx.doc, codeId: fx.code, start: 3, end: 19, memo: 'spans the NUL' });
      await fx.t.call('memos.save', { kind: 'segment', targetId: id, content: '{}', text: 'spans the NUL' });
      const segments = readWithCsvParse(text(await fx.t.call('exchange.export', { format: 'segments' })), 'comma');
      expect(segments[1]![segments[0]!.indexOf('text')]).toBe('ore\u0000after 😀 the ');
      const memos = readWithCsvParse(text(await fx.t.call('exchange.export', { format: 'memos' })), 'comma');
      expect(memos[1]![memos[0]!.indexOf('target')]).toBe('ore\u0000after 😀 the ');
    } finally {
      await fx.t.close();
    }
  });
});

// ---------------------------------------------------------------------------------------
// Generated projects: every table, delimiter, BOM and raw setting, read back by csv-parse
// (strict), pandas (C and Python engines), R's read.csv and readr.

/** Projects per run; each is exported 78 ways. CI and local runs both take about a minute. */
const PROJECTS = Number(process.env.MARGINALIA_EXACT_CSV_PROJECTS ?? 20);

/**
 * Runs that once failed, replayed first on every run (fast-check seed and path). A seed
 * only reproduces its case with the generator as it was, so each also says what it found.
 */
const REGRESSIONS: Array<{ seed: number; path: string; found: string }> = [
  {
    seed: 1490906789,
    path: '0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0',
    found: 'a code description with a bare LF, unquoted, split its codebook row',
  },
  {
    seed: 1270825329,
    path: '0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:1:0:1:1:1:1:1:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0',
    found: 'an attribute named like a formula went into the header row raw',
  },
  {
    seed: 1065496402,
    path: '5',
    found: "a memo holding CR CR LF, which R's read.csv reads as three line breaks (the test's model of R had two)",
  },
];

const DELIMITERS = ['comma', 'semicolon', 'tab'] as const;
type Kind = 'segments' | 'matrix' | 'codebook' | 'documents' | 'memos' | 'agreement';
const KINDS: readonly Kind[] = ['segments', 'matrix', 'codebook', 'documents', 'memos', 'agreement'];

/**
 * The test's own statement of the formula rule (not the exporter's function): a text cell
 * starting with = + - @ tab or CR gets a leading apostrophe unless the export is raw.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const safe = (s: string, raw: boolean) => (!raw && FORMULA_START.test(s) ? `'${s}` : s);

/** Columns whose values are timestamps or colours the project chose, not data under test. */
const UNCHECKED = new Set(['created_at', 'updated_at', 'imported_at', 'color']);

/** An expected table: its header as written, and its rows by their first column (the id). */
interface Expected {
  header: string[];
  rows: Map<string, Array<string | null>>;
  /** Row count (agreement rows share ids, so they are compared in order instead). */
  count: number;
  ordered?: Array<Array<string | null>>;
  /** The key of a row when its first column alone is not (matrix rows per document and coder). */
  key?: (row: string[]) => string;
}

/** The documented column naming: unique, case-insensitively and as written; a clash gets a prefix. */
function columnNames(fixed: readonly string[]) {
  const key = (n: string) => safe(n, false).toLowerCase();
  const taken = new Set(fixed.map(key));
  return (name: string, prefix: string) => {
    let n = name;
    while (taken.has(key(n))) n = prefix + n;
    taken.add(key(n));
    return n;
  };
}

/** Cell text of a stored attribute value as a CSV carries it: numbers and booleans as written by JS, text formula-safe. */
function attributeCell(v: string | number | boolean | undefined, raw: boolean): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? safe(v, raw) : String(v);
}

const num = (v: number | null) => (v === null ? '' : String(Math.round(v * 1e6) / 1e6));

function expectedTables(w: WrittenProject, raw: boolean, report: AgreementReport | null): Record<Kind, Expected | null> {
  const s = (x: string) => safe(x, raw);
  const doc = new Map(w.documents.map((d) => [d.id, d]));
  const code = new Map(w.codes.map((c) => [c.id, c]));
  const coder = new Map(w.coders.map((c) => [c.id, c.name]));
  const theme = (id: string): string => {
    let c = code.get(id)!;
    while (c.parentId) c = code.get(c.parentId)!;
    return c.name;
  };
  const attributeColumns = (claim: ReturnType<typeof columnNames>) => w.attributes.map((a) => claim(a.name, 'attribute_'));
  const attributeCells = (documentId: string) => w.attributes.map((a) => attributeCell(doc.get(documentId)!.values[a.name], raw));
  const table = (header: string[], rows: Array<Array<string | null>>): Expected => ({ header: header.map(s), rows: new Map(rows.map((r) => [r[0]!, r])), count: rows.length });

  const segFixedBefore = ['segment_id', 'document_id', 'document_name'];
  const segFixedAfter = ['code_id', 'code_path', 'code_name', 'theme', 'coder_id', 'coder', 'start', 'end', 'length', 'text', 'memo', 'created_at', 'updated_at'];
  const segments = table(
    [...segFixedBefore, ...attributeColumns(columnNames([...segFixedBefore, ...segFixedAfter])), ...segFixedAfter],
    w.segments.map((x) => [
      x.id, x.documentId, s(doc.get(x.documentId)!.name), ...attributeCells(x.documentId),
      x.codeId, s(code.get(x.codeId)!.path), s(code.get(x.codeId)!.name), s(theme(x.codeId)), x.coderId, s(coder.get(x.coderId)!),
      String(x.start), String(x.end), String(x.end - x.start), s(x.text), s(x.memo), null, null,
    ]),
  );

  // With two or more coders who coded, one row per document and coder: never a sum of coders.
  const codedBy = w.coders.filter((k) => w.segments.some((x) => x.coderId === k.id));
  const perCoder = codedBy.length > 1;
  const claimMatrix = columnNames(['document_id', 'document_name', ...(perCoder ? ['coder_id', 'coder'] : [])]);
  const codeColumns = w.codes.map((c) => claimMatrix(c.path, 'code_'));
  const matrixRows = w.documents.flatMap((d) =>
    (perCoder ? codedBy : [null]).map((k) => [
      d.id,
      s(d.name),
      ...(k ? [k.id, s(k.name)] : []),
      ...attributeCells(d.id),
      ...w.codes.map((c) => String(w.segments.filter((x) => x.documentId === d.id && x.codeId === c.id && (!k || x.coderId === k.id)).length)),
    ]),
  );
  const matrix: Expected = {
    header: ['document_id', 'document_name', ...(perCoder ? ['coder_id', 'coder'] : []), ...attributeColumns(claimMatrix), ...codeColumns].map(s),
    rows: new Map(matrixRows.map((r) => [perCoder ? `${r[0]}|${r[2]}` : r[0]!, r])),
    count: matrixRows.length,
    key: perCoder ? (row) => `${row[0]}|${row[2]}` : undefined,
  };

  const codebook = table(
    ['code_id', 'code_path', 'code_name', 'parent_id', 'level', 'description', 'color', 'segment_count', 'document_count'],
    w.codes.map((c) => {
      const coded = w.segments.filter((x) => x.codeId === c.id);
      return [c.id, s(c.path), s(c.name), c.parentId ?? '', String(c.depth), s(c.description), null, String(coded.length), String(new Set(coded.map((x) => x.documentId)).size)];
    }),
  );

  const docBefore = ['document_id', 'document_name'];
  const docAfter = ['length', 'sha256', 'source_name', 'source_format', 'imported_at', 'segment_count'];
  const documents = table(
    [...docBefore, ...attributeColumns(columnNames([...docBefore, ...docAfter])), ...docAfter],
    w.documents.map((d, i) => [
      d.id, s(d.name), ...attributeCells(d.id), String([...d.text].length), createHash('sha256').update(d.text, 'utf8').digest('hex'),
      d.via === 'txt' ? `document-${i + 1}.txt` : 'articles.jsonl', d.via, null, String(w.segments.filter((x) => x.documentId === d.id).length),
    ]),
  );

  const segment = new Map(w.segments.map((x) => [x.id, x]));
  const label = (m: WrittenMemo) =>
    m.kind === 'project' ? 'Project' : m.kind === 'document' ? doc.get(m.targetId!)!.name : m.kind === 'code' ? code.get(m.targetId!)!.path : segment.get(m.targetId!)!.text;
  const memos = table(
    ['memo_id', 'target_kind', 'target_id', 'target', 'author_id', 'author', 'title', 'text', 'created_at', 'updated_at'],
    w.memos.map((m) => [m.id, m.kind, m.targetId ?? '', s(label(m)), m.authorId ?? '', s(coder.get(m.authorId ?? '') ?? ''), s(m.title), s(m.text), null, null]),
  );

  let agreement: Expected | null = null;
  if (report) {
    const coders = s(report.coders.map((c) => c.name).join(' | '));
    const kappaName = s(report.kappa_name);
    type F = { segments: { total: number; matched: number }; counts: { both: number; first_only: number; second_only: number; neither: number } };
    const tail = (x: F) => [x.segments.total, x.segments.matched, x.counts.both, x.counts.first_only, x.counts.second_only, x.counts.neither].map(String);
    const free = (x: { kappa_brennan_prediger: number | null; kappa_fleiss: number | null }) => [num(x.kappa_brennan_prediger), num(x.kappa_fleiss)];
    const o = report.overall;
    const rows: string[][] = [];
    for (const c of report.codes) {
      const used = [c.used ? '1' : '0', c.kappa_convention ?? '', '', ''];
      rows.push(['code', s(c.path), '', report.unit, coders, String(c.units), num(c.percent_agreement), num(c.kappa_weighted), num(c.kappa_pooled), num(c.alpha), num(c.segment_agreement), ...tail(c), ...free(c), ...used, kappaName]);
      for (const d of c.documents) rows.push(['code_document', s(c.path), s(d.name), report.unit, coders, String(d.units), num(d.percent_agreement), '', num(d.kappa), num(d.alpha), num(d.segment_agreement), ...tail(d), ...free(d), used[0]!, d.kappa_convention ?? '', '', '', kappaName]);
    }
    for (const d of o.documents) rows.push(['document', '', s(d.name), report.unit, coders, String(d.units), num(d.percent_agreement), '', num(d.kappa), num(d.alpha), num(d.segment_agreement), ...tail(d), ...free(d), '', d.kappa_convention ?? '', String(o.codes_used), '', kappaName]);
    rows.push(['overall', '', '', report.unit, coders, String(o.units), num(o.percent_agreement), num(o.kappa_weighted), num(o.kappa_pooled), num(o.alpha), num(o.segment_agreement), ...tail(o), ...free(o), '', '', String(o.codes_used), num(o.kappa_segments), kappaName]);
    const header = ['scope', 'code', 'document', 'unit', 'coders', 'units', 'percent_agreement', 'kappa_weighted', 'kappa', 'alpha', 'segment_agreement', 'segments', 'segments_matched', 'both', 'first_only', 'second_only', 'neither', 'kappa_brennan_prediger', 'kappa_fleiss', 'code_used', 'kappa_convention', 'codes_used', 'kappa_segments', 'kappa_name'];
    agreement = { header, rows: new Map(), count: rows.length, ordered: rows };
  }
  return { segments, matrix, codebook, documents, memos, agreement };
}

/** How a number looks in a numeric column; those cells are data and never neutralised. */
const NUMBER = /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i;

function checkTable(label: string, records: Table, expected: Expected, raw: boolean): void {
  expect(records[0], `${label}: header`).toEqual(expected.header);
  const rows = records.slice(1);
  expect(rows.length, `${label}: number of rows`).toBe(expected.count);
  if (expected.ordered) expect(rows, label).toEqual(expected.ordered);
  else {
    for (const row of rows) {
      const want = expected.rows.get(expected.key ? expected.key(row) : row[0]!);
      expect(want, `${label}: a row for ${row[0]}`).toBeDefined();
      const unchecked = new Set(expected.header.flatMap((h, i) => (UNCHECKED.has(h) ? [i] : [])));
      expect(row.map((cell, i) => (unchecked.has(i) ? null : cell)), `${label}: row ${row[0]}`).toEqual(want!.map((cell, i) => (unchecked.has(i) ? null : cell)));
    }
  }
  if (!raw) {
    // Independently of the expected values: nothing a spreadsheet would run, header included.
    for (const row of records) for (const cell of row) if (FORMULA_START.test(cell)) expect(cell, `${label}: a cell a spreadsheet would run`).toMatch(NUMBER);
  }
}

/** One CSV file on disk for the external readers, with what csv-parse read from it. */
interface Written {
  path: string;
  delimiter: Delimiter;
  label: string;
  records: Table;
}

interface Frictionless {
  resources: Array<{ name: string; path: string; dialect: { delimiter: string }; schema: { fields: Array<{ name: string; title?: string }> } }>;
}

/** Exports one built project every way, checks each in process, and returns the files for the external readers. */
async function exportEveryWay(built: BuiltProject, dir: string, run: string, unit: 'char' | 'paragraph', prefix: string): Promise<Written[]> {
  const w = built.written;
  const files: Written[] = [];
  const agreementInput = w.coders.length >= 2 ? { coderIds: [w.coders[0]!.id, w.coders[1]!.id], unit } : null;
  const report = agreementInput ? await built.call('team.agreement', agreementInput) : null;
  const single = new Map<string, string>();
  for (const raw of [false, true]) {
    const expected = expectedTables(w, raw, report);
    const trueNames = expectedTables(w, true, report);
    for (const delimiter of DELIMITERS) {
      for (const excel of [false, true]) {
        for (const kind of KINDS) {
          const want = expected[kind];
          if (!want) continue;
          const label = `${run}: ${kind}, ${delimiter}${excel ? ', BOM' : ''}${raw ? ', raw' : ''}`;
          const csv =
            kind === 'agreement'
              ? downloaded(built.session, await built.call('team.agreementCsv', { ...agreementInput!, delimiter, excel, raw })).toString('utf8')
              : text(await built.call('exchange.export', { format: kind, delimiter, excel, raw }));
          expect(csv.startsWith('\uFEFF'), `${label}: byte order mark`).toBe(excel);
          expect(csv.endsWith('\r\n'), `${label}: ends with a record delimiter`).toBe(true);
          let records: Table;
          try {
            records = readWithCsvParse(csv, delimiter);
          } catch (err) {
            throw new Error(`${label}: csv-parse (strict) cannot read it: ${(err as Error).message}`);
          }
          checkTable(label, records, want, raw);
          if (!excel) single.set(`${kind} ${delimiter} ${raw}`, csv);
          // The external readers take every delimiter with and without the BOM, and raw
          // exports without it: the BOM only touches the first header cell, and each file
          // costs readr some 15 ms.
          if (raw && excel) continue;
          const path = join(dir, `${prefix}-${files.length}.csv`);
          writeFileSync(path, csv, 'utf8');
          files.push({ path, delimiter, label, records });
        }
      }
      // The bundle's tables are the same bytes as the single exports (no BOM), and its data
      // dictionary names each field as its header cell, with the true name as title.
      const bundle = unzipSync(Buffer.from((await built.call('exchange.export', { format: 'bundle', delimiter, raw })).dataBase64, 'base64'));
      const pkg = JSON.parse(strFromU8(bundle['datapackage.json']!)) as Frictionless;
      for (const resource of pkg.resources) {
        const label = `${run}: bundle ${resource.path}, ${delimiter}${raw ? ', raw' : ''}`;
        expect(strFromU8(bundle[resource.path]!), label).toBe(single.get(`${resource.name} ${delimiter} ${raw}`));
        const kind = resource.name as Kind;
        expect(resource.schema.fields.map((f) => f.name), label).toEqual(expected[kind]!.header);
        expect(
          resource.schema.fields.map((f) => f.title ?? f.name),
          `${label}: titles`,
        ).toEqual(trueNames[kind]!.header);
      }
    }
  }
  return files;
}

/**
 * Line ends as R's text connections deliver them inside a quoted cell: a CR looks at the
 * character after it; CR LF is one LF, CR CR two LFs (the second CR's own look-ahead is
 * skipped, so a LF after it counts again), any other CR one LF. Measured with R 4.2:
 * "\r\r\n" reads as three LFs, "\r\r\r\n" and "\r\r\r" as three, "\r\n\r\n" as two.
 */
function rLineEnds(cell: string): string {
  let out = '';
  for (let i = 0; i < cell.length; i++) {
    if (cell[i] !== '\r') out += cell[i];
    else if (cell[i + 1] === '\n') (out += '\n'), i++;
    else if (cell[i + 1] === '\r') (out += '\n\n'), i++;
    else out += '\n';
  }
  return out;
}

/** What each reader can hold: R strings cannot hold NUL, R's text connections turn CR and CRLF into LF, pandas' C parser and readr end a cell at a NUL. */
const READER_VIEW: Record<'pandas (C engine)' | 'pandas (Python engine)' | 'read.csv' | 'readr', (cell: string) => string> = {
  'pandas (C engine)': (c) => c.split('\u0000')[0]!,
  'pandas (Python engine)': (c) => c,
  'read.csv': (c) => rLineEnds(c.replaceAll('\u0000', '')),
  readr: (c) => c.split('\u0000')[0]!,
};

async function checkReaders(files: Written[], dir: string): Promise<{ files: number; readers: number }> {
  // One batch per language, both at once (two cores).
  const [pandas, r] = await Promise.all([readWithPandas(files, dir), readWithR(files, dir)]);
  for (const f of files) {
    const p = pandas.get(f.path);
    const q = r.get(f.path);
    const got = { 'pandas (C engine)': p?.c, 'pandas (Python engine)': p?.python, 'read.csv': q?.['read.csv'], readr: q?.readr };
    for (const [reader, view] of Object.entries(READER_VIEW) as Array<[keyof typeof READER_VIEW, (c: string) => string]>) {
      const table = got[reader];
      if (!table || !Array.isArray(table)) throw new Error(`${f.label}: ${reader} could not read ${f.path}: ${table ? table.error : 'no answer'}`);
      expect(table, `${f.label}, read by ${reader}`).toEqual(f.records.map((row) => row.map(view)));
    }
  }
  return { files: files.length, readers: Object.keys(READER_VIEW).length };
}

describe('every CSV of generated messy projects reads back exactly', () => {
  it(`in csv-parse (strict), pandas, read.csv and readr: ${PROJECTS} projects × 6 tables × 3 delimiters × BOM or not × raw or not`, async () => {
    const work = tempDir('marginalia-exact-csv-');
    const seed = Number(process.env.MARGINALIA_SEED ?? Math.floor(Math.random() * 2 ** 31));
    // Printed first, so even a run cut short by a timeout can be replayed (MARGINALIA_SEED).
    console.log(`exact CSV: fast-check seed ${seed}, ${PROJECTS} projects`);
    const files: Written[] = [];
    let projects = 0;
    let builds = 0;
    let withAgreement = 0;
    const property = (name: (i: number) => string) => {
      let i = 0;
      return fc.asyncProperty(arbitraryProjectSpec(), async (spec) => {
        const run = name(i++);
        // Every build its own file: shrinking builds many projects for one run.
        const built = await buildProject(spec, join(work.dir, `p${builds++}.marginalia`));
        try {
          const out = await exportEveryWay(built, work.dir, run, projects % 2 ? 'paragraph' : 'char', `p${builds}`);
          // Kept only once every in-process check passed, so shrinking leaves no strays.
          files.push(...out);
          projects++;
          if (built.written.coders.length >= 2) withAgreement++;
        } finally {
          await built.close();
        }
      });
    };
    try {
      for (const r of REGRESSIONS) await fc.assert(property(() => `regression seed ${r.seed} (${r.found})`), { seed: r.seed, path: r.path, numRuns: 1 });
      // Labels name the run; after a passing assert (when the external readers run) run i
      // replays as { seed, path: "i" }.
      await fc.assert(property((i) => `seed ${seed} run ${i}`), {
        seed,
        numRuns: PROJECTS,
        // Each shrinking step builds and exports a project (about a second): bounded, so a
        // failure is reported with the smallest case found by then rather than a timeout.
        interruptAfterTimeLimit: 240_000,
        markInterruptAsFailure: true,
      });
      expect(withAgreement, 'projects with two coders, so an agreement table').toBeGreaterThan(0);
      const n = await checkReaders(files, work.dir);
      // 5 tables (6 with two coders) × 3 delimiters × (BOM, no BOM, raw) per project.
      expect(n.files).toBeGreaterThanOrEqual(PROJECTS * 5 * 9);
    } finally {
      work.cleanup();
    }
  }, 600_000);
});
