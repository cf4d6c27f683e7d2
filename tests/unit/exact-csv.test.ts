import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { openTestProject, tempDir } from '../helpers/project';
import { readWithCsvParse, readWithPandas, type Delimiter, type Table } from '../helpers/csv-readers';

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
function readBack(dir: string, name: string, csv: string, delimiter: Delimiter = 'comma'): Read {
  const path = join(dir, name);
  writeFileSync(path, csv, 'utf8');
  const p = readWithPandas([{ path, delimiter }], dir).get(path)!;
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
      const r = readBack(out.dir, `segments-${delimiter}.csv`, csv, delimiter);
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
    const r = readBack(out.dir, 'memos.csv', csv);
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
