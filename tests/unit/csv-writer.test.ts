import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import { CsvWriter, StringSink, neutralise, type Cell, type CsvOptions, type Delimiter } from '../../main/core/exchange/csv';
import { exportToFile } from '../../main/core/exchange/export';
import { addDocument } from '../../main/core/documents/documents';
import { openTestProject } from '../helpers/project';

const SEPARATOR: Record<Delimiter, string> = { comma: ',', semicolon: ';', tab: '\t' };

/**
 * What every export wrote through csv-stringify before the writer did its own quoting: the
 * header and rows neutralised as the app does (unless raw), then stringified with CRLF records
 * and any cell holding CR or LF quoted.
 */
function throughCsvStringify(header: string[], rows: Cell[][], options: CsvOptions): string {
  const opts = { delimiter: SEPARATOR[options.delimiter ?? 'comma'], record_delimiter: '\r\n', quoted_match: /[\r\n]/ };
  const text = (cells: Cell[]) => (options.raw ? cells : cells.map((c) => (typeof c === 'string' && c.length > 0 ? neutralise(c) : c)));
  return (options.excel ? '\uFEFF' : '') + stringify([text(header)], opts) + (rows.length ? stringify(rows.map(text), opts) : '');
}

function throughWriter(header: string[], rows: Cell[][], options: CsvOptions): string {
  const sink = new StringSink();
  const writer = new CsvWriter(sink, options);
  writer.header(header);
  for (const row of rows) writer.row([...row]);
  writer.flush();
  return sink.toString();
}

/** Text that a CSV writer can get wrong: separators, quotes, line ends, formula starts, emoji, NUL. */
const trickyText = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', ' ', ',', ';', '\t', '"', "'", '\r', '\n', '=', '+', '-', '@', '😀', 'é', '\u0000', '\uFF1D', 'x') }),
  fc.string(),
  fc.constantFrom('', '\r\n', '""', '=SUM(A1)', '-5', '+1', '@x', '\ttab', '\rcr', 'a,b', 'a;b', 'a\tb', 'line\nline'),
);
const cell: fc.Arbitrary<Cell> = fc.oneof(
  trickyText,
  fc.integer(),
  fc.double({ noNaN: false }),
  fc.constant(null),
  fc.constantFrom(0, -0, -1, 1e21, 0.1 + 0.2, Number.MAX_SAFE_INTEGER),
);

describe('CsvWriter', () => {
  it('writes a long header and long rows piece by piece with the bytes of header() and row(), pieces never past 64K', () => {
    // Cells of up to 5,000 characters, so that a row of a few dozen crosses the 64K pieces.
    const long = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '='), maxLength: 5000 });
    fc.assert(
      fc.property(
        fc.array(fc.oneof(trickyText, long), { minLength: 1, maxLength: 40 }),
        fc.array(fc.array(fc.oneof(cell, long), { minLength: 1, maxLength: 40 }), { maxLength: 4 }),
        fc.record({ delimiter: fc.constantFrom<Delimiter>('comma', 'semicolon', 'tab'), excel: fc.boolean(), raw: fc.boolean() }),
        (header, rows, options) => {
          const sink = new StringSink();
          const writes: string[] = [];
          const watched = { write: (chunk: string) => (writes.push(chunk), sink.write(chunk)) };
          const writer = new CsvWriter(watched, options);
          writer.longHeader(header.length, (i) => header[i]!);
          for (const row of rows) writer.longRow(row.length, (i) => row[i]!);
          writer.flush();
          expect(sink.toString()).toBe(throughWriter(header, rows, options));
          // A piece is at most a chunk plus the one cell that crossed it.
          expect(writes.every((w) => w.length < (1 << 16) + 5000 * 2 + 10)).toBe(true);
          expect(writer.rows).toBe(rows.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('writes the bytes csv-stringify wrote, for any cells, delimiter, BOM and raw setting', () => {
    fc.assert(
      fc.property(
        fc.array(trickyText, { minLength: 1, maxLength: 6 }),
        fc.array(fc.array(cell, { minLength: 1, maxLength: 8 }), { maxLength: 12 }),
        fc.record({ delimiter: fc.constantFrom<Delimiter>('comma', 'semicolon', 'tab'), excel: fc.boolean(), raw: fc.boolean() }),
        (header, rows, options) => {
          expect(throughWriter(header, rows, options)).toBe(throughCsvStringify(header, rows, options));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('hands the sink a few large pieces, not one per row', () => {
    const pieces: string[] = [];
    const writer = new CsvWriter({ write: (s) => void pieces.push(s) });
    writer.header(['a', 'b']);
    for (let i = 0; i < 20_000; i++) writer.row([`row ${i}`, i]);
    writer.flush();
    expect(pieces.length).toBeLessThan(20);
    expect(pieces.join('').split('\r\n')).toHaveLength(20_002);
  });
});

describe('segments table of many documents (read a batch of documents at a time)', () => {
  type T = Awaited<ReturnType<typeof openTestProject>>;
  let t: T;
  /** What the project stores, read back through the API: the export must carry exactly this. */
  const expected: Array<{ id: string; doc: string; start: number; end: number; coder: string; code: string; text: string; memo: string }> = [];
  const outlets = new Map<string, string>();
  let twoMemos = '';

  beforeAll(async () => {
    t = await openTestProject({ coder: 'ana' });
    const ana = await t.session.coder();
    const { id: theme } = await t.call('codes.create', { name: 'attribution' });
    const { id: code } = await t.call('codes.create', { name: '=blames', parentId: theme });
    // 150 documents with 0 to 4 segments each (the first batch is 64 documents), some texts with emoji.
    const docs: string[] = [];
    await t.project.db.action({ kind: 'test', summary: 'add', coderId: ana.id }, async (tx) => {
      for (let i = 0; i < 150; i++) {
        const text = `Article ${i}: ${i % 7 === 0 ? '😀 ' : ''}shelling hit the market, "officials" said; residents fled.\nSecond paragraph ${i}.`;
        const added = await addDocument(tx, { name: `article ${String(i).padStart(3, '0')}`, text, importedBy: ana.id, attributes: { outlet: i % 3 ? 'Reuters' : '+Wire' } });
        if (added.status !== 'imported') throw new Error('not imported');
        docs.push(added.id);
      }
    });
    for (const [i, doc] of docs.entries()) {
      for (let k = 0; k < i % 5; k++) {
        const coder = k % 2 ? 'ben' : 'ana';
        await t.session.setCoder(coder);
        // Two segments start at 0 in some documents: the order is then by end.
        await t.call('segments.create', { documentId: doc, codeId: k === 3 ? theme : code, start: k === 1 ? 0 : 3 * k, end: 10 + 7 * k, ...(k === 2 ? { memo: `memo ${i}\non two lines` } : {}) });
      }
    }
    await t.session.setCoder('ana');
    // Documents in the list's order; each one's segments (with their text, sliced by the viewer's code) by start, end and id.
    const list = await t.call('documents.list', {});
    expect(list).toHaveLength(150);
    for (const d of list) {
      outlets.set(d.id, String(d.attributes.outlet));
      const segs = await t.call('segments.list', { documentId: d.id });
      const sorted = [...segs].sort((a, b) => a.start - b.start || a.end - b.end || (a.id < b.id ? -1 : 1));
      for (const s of sorted) expected.push({ id: s.id, doc: d.id, start: s.start, end: s.end, coder: s.coder_name, code: s.code_name, text: s.text, memo: s.memo });
    }
    expect(expected.length).toBe(300);
    // A second memo on one segment (as a merge of two projects leaves): both, oldest first, a blank line between.
    const target = expected.find((e) => e.start === 6)!;
    await t.project.db.action({ kind: 'test', summary: 'memo', coderId: ana.id }, (tx) =>
      tx.insert('memos', { id: randomUUID(), target_kind: 'segment', target_id: target.id, author_id: ana.id, title: '', content: '{}', text: 'a later memo', created_at: '2999-01-01T00:00:00.000Z', updated_at: '2999-01-01T00:00:00.000Z' }),
    );
    twoMemos = target.id;
  });
  afterAll(() => t.close());

  const read = (text: string) => {
    const records = parse(text, { delimiter: ',' }) as string[][];
    const header = records[0]!;
    return records.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]!])));
  };

  it('writes every segment once, documents in list order and each document\'s segments by start, end and id', async () => {
    const out = join(t.dir, 'segments.csv');
    const r = await exportToFile(t.project.db, { format: 'segments' }, out);
    const rows = read(readFileSync(out, 'utf8'));
    expect(r.rows).toBe(expected.length);
    expect(rows.map((x) => x.segment_id)).toEqual(expected.map((e) => e.id));
    for (const [i, row] of rows.entries()) {
      const e = expected[i]!;
      expect(row.document_id).toBe(e.doc);
      expect(row.text).toBe(e.text);
      expect([row.start, row.end, row.coder]).toEqual([String(e.start), String(e.end), e.coder]);
      if (e.id !== twoMemos) expect(row.memo).toBe(e.memo);
      // Cells starting "+" or "=" are neutralised as formulas; "attribution/=blames" and "Reuters" are not.
      expect(row.outlet).toBe(outlets.get(e.doc) === '+Wire' ? "'+Wire" : 'Reuters');
      expect([row.code_name, row.code_path]).toEqual(e.code === '=blames' ? ["'=blames", 'attribution/=blames'] : ['attribution', 'attribution']);
    }
    expect(rows.some((x) => x.text!.includes('😀'))).toBe(true);
    expect(rows.filter((x) => x.memo!.startsWith('memo '))).toHaveLength(60);
    expect(rows.find((x) => x.segment_id === twoMemos)!.memo).toMatch(/^memo \d+\non two lines\n\na later memo$/);
  });

  it('a preview of any length is the first rows of the export, across batches', async () => {
    const full = await t.call('exchange.export', { format: 'segments', raw: true });
    const rows = read(Buffer.from(full.dataBase64, 'base64').toString('utf8'));
    for (const limit of [1, 2, 63, 64, 65, 97, 150, 199, 200]) {
      const p = await t.call('exchange.preview', { format: 'segments', limit });
      expect(p.rows.map((r) => r[0]), `limit ${limit}`).toEqual(rows.slice(0, limit).map((r) => r.segment_id));
      expect(p.rows.at(-1), `limit ${limit}`).toEqual(p.columns.map((c) => rows[Math.min(limit, rows.length) - 1]![c]));
    }
  });

  it('one coder\'s segments alone, under a coder filter', async () => {
    const out = await t.call('exchange.export', { format: 'segments', filter: { coders: ['ben'] } });
    const rows = read(Buffer.from(out.dataBase64, 'base64').toString('utf8'));
    expect(rows.map((x) => x.segment_id)).toEqual(expected.filter((e) => e.coder === 'ben').map((e) => e.id));
  });
});

describe('segments table under blind coding', () => {
  it('a coder in an open round exports their own segments only, to a file and as a download', async () => {
    const t = await openTestProject({ sample: true, coder: 'lead' });
    try {
      const docs = await t.call('documents.list', {});
      const codes = await t.call('codes.list', {});
      const ben = await t.call('coders.setCurrent', { name: 'ben' });
      await t.call('segments.create', { documentId: docs[0]!.id, codeId: codes[1]!.id, start: 30, end: 80, memo: 'BEN-SECRET' });
      const ana = await t.call('coders.setCurrent', { name: 'ana' });
      await t.call('segments.create', { documentId: docs[0]!.id, codeId: codes[0]!.id, start: 0, end: 20 });
      await t.call('segments.create', { documentId: docs[1]!.id, codeId: codes[0]!.id, start: 5, end: 25 });
      await t.call('coders.setCurrent', { name: 'lead' });
      await t.call('team.rounds.create', { name: 'Pilot', sample: { kind: 'count', value: 2 }, seed: 3, coderIds: [ana.id, ben.id], documentIds: [docs[0]!.id, docs[1]!.id] });
      await t.call('coders.setCurrent', { name: 'ana' });
      const download = Buffer.from((await t.call('exchange.export', { format: 'segments' })).dataBase64, 'base64').toString('utf8');
      const out = join(t.dir, 'blind.csv');
      await exportToFile(t.project.db, { format: 'segments' }, out);
      for (const text of [download, readFileSync(out, 'utf8')]) {
        const records = parse(text) as string[][];
        const coder = records[0]!.indexOf('coder');
        expect(records.slice(1).map((r) => r[coder])).toEqual(['ana', 'ana']);
        expect(text).not.toContain('BEN-SECRET');
      }
    } finally {
      await t.close();
    }
  });
});
