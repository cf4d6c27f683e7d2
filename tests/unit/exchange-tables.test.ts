import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { unzipSync, strFromU8 } from 'fflate';
import { openTestProject } from '../helpers/project';
import { addDocument, addDocuments } from '../../main/core/documents/documents';
import { sliceCodePoints } from '../../main/core/text/normalise';
import { exportToFile } from '../../main/core/exchange/export';
import { main } from '../../main/cli/index';

type T = Awaited<ReturnType<typeof openTestProject>>;

const EMOJI_TEXT = 'Ich bin froh 😀 und 👍🏽 sehr.\n=HYPERLINK("http://x") says the caption.\n-5 dead, @once.';
/** Code-point offset of a phrase in EMOJI_TEXT (the emoji make it differ from indexOf). */
const cp = (phrase: string) => [...EMOJI_TEXT.slice(0, EMOJI_TEXT.indexOf(phrase))].length;

/** The sample project, coded: an emoji document, two coders, a memo that looks like a formula. */
async function codedSample(): Promise<{ t: T; emojiDoc: string; codes: Map<string, string> }> {
  const t = await openTestProject({ sample: true, coder: 'ana' });
  const coder = await t.session.coder();
  const added = await t.project.db.action({ kind: 'test', summary: 'add', coderId: coder.id }, (tx) =>
    addDocument(tx, { name: 'Emoji 😀 note', text: EMOJI_TEXT, importedBy: coder.id, attributes: { outlet: 'Test Wire', language: 'de' } }),
  );
  if (added.status !== 'imported') throw new Error('not imported');
  const codes = new Map((await t.call('codes.list', {})).map((c) => [c.path, c.id]));
  const docs = await t.call('documents.list', {});
  const first = docs[0]!;
  await t.call('segments.create', { documentId: added.id, codeId: codes.get('rhetoric/emotive language')!, start: 4, end: 20, memo: '=1+1 is not a formula' });
  await t.call('segments.create', { documentId: added.id, codeId: codes.get('casualties/death toll')!, start: cp('-5 dead'), end: cp('-5 dead') + 7 });
  await t.call('segments.create', { documentId: first.id, codeId: codes.get('casualties')!, start: 0, end: 30 });
  await t.call('segments.create', { documentId: first.id, codeId: codes.get('casualties/death toll')!, start: 10, end: 50 });
  await t.session.setCoder('ben');
  await t.call('segments.create', { documentId: first.id, codeId: codes.get('attribution/blames Russia')!, start: 100, end: 160 });
  await t.session.setCoder('ana');
  return { t, emojiDoc: added.id, codes };
}

async function csvOf(t: T, args: Record<string, unknown>): Promise<{ text: string; rows: Record<string, string>[]; header: string[] }> {
  const out = await t.call('exchange.export', args as never);
  const text = Buffer.from(out.dataBase64, 'base64').toString('utf8');
  const records = parse(text.replace(/^\uFEFF/, ''), { delimiter: args.delimiter === 'tab' ? '\t' : args.delimiter === 'semicolon' ? ';' : ',' }) as string[][];
  const header = records[0]!;
  return { text, header, rows: records.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]!]))) };
}

describe('segments table', () => {
  let fx: Awaited<ReturnType<typeof codedSample>>;
  beforeAll(async () => {
    fx = await codedSample();
  });
  afterAll(() => fx.t.close());

  it('has the documented columns, with one column per document attribute', async () => {
    const { header, rows } = await csvOf(fx.t, { format: 'segments' });
    const variables = (await fx.t.call('variables.list', {})).map((v) => v.name);
    expect(header).toEqual([
      'segment_id', 'document_id', 'document_name', ...variables,
      'code_id', 'code_path', 'code_name', 'theme', 'coder_id', 'coder', 'start', 'end', 'length', 'text', 'memo', 'created_at', 'updated_at',
    ]);
    expect(rows).toHaveLength(5);
  });

  it('gives each segment its code path, theme, coder, length and the text sliced by code points', async () => {
    const { rows } = await csvOf(fx.t, { format: 'segments', raw: true });
    const docs = new Map<string, string>();
    for (const r of rows) if (!docs.has(r.document_id!)) docs.set(r.document_id!, (await fx.t.call('documents.get', { id: r.document_id! })).text);
    for (const r of rows) {
      expect(r.text).toBe(sliceCodePoints(docs.get(r.document_id!)!, Number(r.start), Number(r.end)));
      expect(Number(r.length)).toBe(Number(r.end) - Number(r.start));
      expect(r.theme).toBe(r.code_path!.split('/')[0]);
      expect(r.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    }
    const emoji = rows.find((r) => r.document_id === fx.emojiDoc && r.code_name === 'emotive language')!;
    // Code points 4..20: in UTF-16 units the 😀 would shift the end by one and cut 👍 in half.
    expect(emoji.text).toBe('bin froh 😀 und 👍');
    expect(emoji.code_path).toBe('rhetoric/emotive language');
    expect(emoji.theme).toBe('rhetoric');
    expect(emoji.coder).toBe('ana');
    expect(emoji.outlet).toBe('Test Wire');
    expect(emoji.memo).toBe('=1+1 is not a formula');
    expect(rows.filter((r) => r.coder === 'ben').map((r) => r.code_path)).toEqual(['attribution/blames Russia']);
  });

  it('neutralises cells a spreadsheet would run as formulas, unless raw is asked for', async () => {
    const safe = await csvOf(fx.t, { format: 'segments' });
    const raw = await csvOf(fx.t, { format: 'segments', raw: true });
    const memo = (rows: Record<string, string>[]) => rows.find((r) => r.document_id === fx.emojiDoc && r.code_name === 'emotive language')!.memo;
    expect(memo(safe.rows)).toBe("'=1+1 is not a formula");
    expect(memo(raw.rows)).toBe('=1+1 is not a formula');
    const death = (rows: Record<string, string>[]) => rows.find((r) => r.document_id === fx.emojiDoc && r.code_name === 'death toll')!.text;
    expect(raw.rows.length).toBe(safe.rows.length);
    expect(death(raw.rows)).toBe('-5 dead');
    expect(death(safe.rows)).toBe("'-5 dead");
    // Numbers are data, never neutralised.
    expect(safe.rows.every((r) => /^\d+$/.test(r.start!))).toBe(true);
  });

  it('exports an unchanged project byte for byte the same twice', async () => {
    for (const format of ['segments', 'matrix', 'codebook', 'documents', 'memos', 'qdpx', 'qdc'] as const) {
      const a = await fx.t.call('exchange.export', { format });
      const b = await fx.t.call('exchange.export', { format });
      expect(a.dataBase64, format).toBe(b.dataBase64);
    }
  });

  it('writes a BOM for Excel, and semicolons or tabs when asked', async () => {
    const excel = await csvOf(fx.t, { format: 'segments', excel: true, delimiter: 'semicolon' });
    expect(excel.text.startsWith('\uFEFFsegment_id;document_id;')).toBe(true);
    expect(excel.rows).toHaveLength(5);
    const plain = await csvOf(fx.t, { format: 'codebook', delimiter: 'tab' });
    expect(plain.text.startsWith('code_id\tcode_path\t')).toBe(true);
    expect(plain.text.charCodeAt(0)).not.toBe(0xfeff);
  });

  it('filters by coder, by code with or without subcodes, and by attribute value', async () => {
    expect((await csvOf(fx.t, { format: 'segments', filter: { coders: ['ben'] } })).rows.map((r) => r.coder)).toEqual(['ben']);
    const only = await csvOf(fx.t, { format: 'segments', filter: { code: 'casualties' } });
    expect(only.rows.map((r) => r.code_path)).toEqual(['casualties']);
    const sub = await csvOf(fx.t, { format: 'segments', filter: { code: 'casualties', subcodes: true } });
    expect(sub.rows.map((r) => r.code_path).sort()).toEqual(['casualties', 'casualties/death toll', 'casualties/death toll']);
    const wire = await csvOf(fx.t, { format: 'segments', filter: { where: ['outlet=Test Wire'] } });
    expect(new Set(wire.rows.map((r) => r.document_id))).toEqual(new Set([fx.emojiDoc]));
    const bad = await fx.t.callRaw('exchange.export', { format: 'segments', filter: { where: ['colour=red'] } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toMatch(/no attribute "colour"/);
  });
});

describe('matrix, codebook, documents and memos tables', () => {
  let fx: Awaited<ReturnType<typeof codedSample>>;
  beforeAll(async () => {
    fx = await codedSample();
  });
  afterAll(() => fx.t.close());

  it('counts segments per document and code, and rolls subcodes up into parents', async () => {
    const docs = await fx.t.call('documents.list', {});
    const first = docs[0]!.id;
    // Two coders have coded: one row per document and coder, never their sum.
    const all = await csvOf(fx.t, { format: 'matrix' });
    expect(all.header.slice(0, 4)).toEqual(['document_id', 'document_name', 'coder_id', 'coder']);
    expect(all.rows.filter((r) => r.document_id === first).map((r) => r.coder)).toEqual(['ana', 'ben']);
    const count = all.rows.find((r) => r.document_id === first && r.coder === 'ana')!;
    expect(count.casualties).toBe('1');
    expect(count['casualties/death toll']).toBe('1');
    expect(count['attribution/blames Russia']).toBe('0');
    expect(all.rows.find((r) => r.document_id === first && r.coder === 'ben')!['attribution/blames Russia']).toBe('1');
    expect(count.attribution).toBe('0');
    const rolled = (await csvOf(fx.t, { format: 'matrix', rollup: true, filter: { coders: ['ana'] } })).rows.find((r) => r.document_id === first)!;
    expect(rolled.casualties).toBe('2');
    expect(rolled.attribution).toBe('0');
    const presence = (await csvOf(fx.t, { format: 'matrix', measure: 'presence', rollup: true, filter: { coders: ['ana'] } })).rows.find((r) => r.document_id === first)!;
    expect(presence.casualties).toBe('1');
    expect(presence.rhetoric).toBe('0');
  });

  it('measures coded characters without counting overlaps twice, and the share of the text', async () => {
    const docs = await fx.t.call('documents.list', {});
    const first = docs[0]!;
    const chars = (await csvOf(fx.t, { format: 'matrix', measure: 'characters', rollup: true, filter: { coders: ['ana'] } })).rows.find((r) => r.document_id === first.id)!;
    // [0,30) and [10,50) overlap: 50 characters are coded, not 70.
    expect(chars.casualties).toBe('50');
    const share = (await csvOf(fx.t, { format: 'matrix', measure: 'share', rollup: true, filter: { coders: ['ana'] } })).rows.find((r) => r.document_id === first.id)!;
    expect(Number(share.casualties)).toBeCloseTo(50 / first.length, 6);
  });

  it('lists the codebook with paths, parents, rules and counts', async () => {
    const { rows, header } = await csvOf(fx.t, { format: 'codebook' });
    expect(header).toEqual(['code_id', 'code_path', 'code_name', 'parent_id', 'level', 'description', 'color', 'segment_count', 'document_count']);
    const death = rows.find((r) => r.code_path === 'casualties/death toll')!;
    expect(death.parent_id).toBe(fx.codes.get('casualties'));
    expect(death.level).toBe('1');
    expect(death.segment_count).toBe('2');
    expect(death.document_count).toBe('2');
    expect(death.description!.length).toBeGreaterThan(10);
  });

  it('lists documents with attributes, length and sha256, and memos with target and author', async () => {
    const docs = await csvOf(fx.t, { format: 'documents' });
    const emoji = docs.rows.find((r) => r.document_id === fx.emojiDoc)!;
    expect(emoji.length).toBe(String([...EMOJI_TEXT].length));
    expect(emoji.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(emoji.language).toBe('de');
    expect(docs.rows).toHaveLength(6);
    const memos = await csvOf(fx.t, { format: 'memos', raw: true });
    expect(memos.rows).toHaveLength(1);
    expect(memos.rows[0]).toMatchObject({ target_kind: 'segment', author: 'ana', text: '=1+1 is not a formula', target: 'bin froh 😀 und 👍' });
  });

  it('previews the first rows of a table', async () => {
    const p = await fx.t.call('exchange.preview', { format: 'segments', limit: 2 });
    expect(p.columns[0]).toBe('segment_id');
    expect(p.rows).toHaveLength(2);
  });

  it('a preview of every table is the first rows of its export, cell for cell, in every coder scope', async () => {
    for (const format of ['segments', 'matrix', 'documents', 'codebook', 'memos'] as const) {
      for (const filter of [{}, { coders: ['ben'] }, { coders: ['ana'], where: ['outlet=Test Wire'] }]) {
        const full = await csvOf(fx.t, { format, filter, raw: true });
        for (const limit of [1, 3]) {
          const p = await fx.t.call('exchange.preview', { format, filter, limit });
          expect(p.columns, `${format} ${JSON.stringify(filter)}`).toEqual(full.header);
          // The matrix limits documents, each with its row per coder; the others limit rows.
          const shown = format === 'matrix' ? p.rows.length : limit;
          if (format === 'matrix') expect(new Set(p.rows.map((r) => r[0])).size).toBe(Math.min(limit, new Set(full.rows.map((r) => r[full.header[0]!])).size));
          expect(p.rows, `${format} ${JSON.stringify(filter)} limit ${limit}`).toEqual(full.rows.slice(0, shown).map((r) => full.header.map((h) => r[h])));
        }
      }
    }
  });
});

describe('dataset bundle', () => {
  it('holds every table, a datapackage.json whose fields match the headers, and a README', async () => {
    const fx = await codedSample();
    try {
      const out = await fx.t.call('exchange.export', { format: 'bundle' });
      const files = unzipSync(Buffer.from(out.dataBase64, 'base64'));
      expect(Object.keys(files).sort()).toEqual(['README.txt', 'codebook.csv', 'datapackage.json', 'documents.csv', 'matrix.csv', 'memos.csv', 'segments.csv']);
      const pkg = JSON.parse(strFromU8(files['datapackage.json']!)) as {
        profile: string;
        resources: Array<{ name: string; path: string; schema: { fields: Array<{ name: string; type: string; description: string }>; primaryKey: string | string[]; foreignKeys?: Array<{ fields: string; reference: { resource: string; fields: string } }> } }>;
      };
      expect(pkg.profile).toBe('tabular-data-package');
      const names = new Set(pkg.resources.map((r) => r.name));
      for (const r of pkg.resources) {
        const header = (parse(strFromU8(files[r.path]!), { to_line: 1 }) as string[][])[0];
        expect(r.schema.fields.map((f) => f.name), r.name).toEqual(header);
        for (const f of r.schema.fields) {
          expect(['string', 'integer', 'number', 'boolean', 'date', 'datetime']).toContain(f.type);
          expect(f.description.length).toBeGreaterThan(5);
        }
        for (const key of [r.schema.primaryKey].flat()) expect(header).toContain(key);
        for (const fk of r.schema.foreignKeys ?? []) {
          expect(header).toContain(fk.fields);
          const target = fk.reference.resource === '' ? r : pkg.resources.find((x) => x.name === fk.reference.resource)!;
          expect(names.has(target.name)).toBe(true);
          expect(target.schema.fields.map((f) => f.name)).toContain(fk.reference.fields);
        }
      }
      const segs = pkg.resources.find((r) => r.name === 'segments')!;
      expect(segs.schema.fields.find((f) => f.name === 'start')!.description).toMatch(/code points, 0-based, half-open/);
      const readme = strFromU8(files['README.txt']!);
      expect(readme).toContain('Unicode code points');
      expect(readme).toMatch(/Exported by Marginalia at \d{4}-/);
      expect(readme).toContain('death toll');
      // The codebook's rules are in the README.
      const rule = (await fx.t.call('codes.list', {})).find((c) => c.path === 'casualties')!.description.slice(0, 40);
      expect(readme).toContain(rule);
      // Exported again, only the README (its export time) may differ.
      const again = unzipSync(Buffer.from((await fx.t.call('exchange.export', { format: 'bundle' })).dataBase64, 'base64'));
      for (const name of Object.keys(files).filter((n) => n !== 'README.txt')) expect(Buffer.from(again[name]!).equals(Buffer.from(files[name]!)), name).toBe(true);
    } finally {
      await fx.t.close();
    }
  });
});

describe('export to a file and the command line', () => {
  it('writes the file whole, or not at all', async () => {
    const fx = await codedSample();
    try {
      const path = join(fx.t.dir, 'segments.csv');
      const r = await exportToFile(fx.t.project.db, { format: 'segments' }, path);
      expect(r.rows).toBe(5);
      const again = await fx.t.call('exchange.export', { format: 'segments' });
      expect(readFileSync(path).toString('base64')).toBe(again.dataBase64);
      await expect(exportToFile(fx.t.project.db, { format: 'segments' }, join(fx.t.dir, 'no-such-folder', 'x.csv'))).rejects.toThrow(/no-such-folder.*cannot write/);
      await expect(exportToFile(fx.t.project.db, { format: 'segments', filter: { code: 'nonexistent' } }, join(fx.t.dir, 'bad.csv'))).rejects.toThrow(/No code/);
      expect(() => readFileSync(join(fx.t.dir, 'bad.csv'))).toThrow();
    } finally {
      await fx.t.close();
    }
  });

  it('runs `marginalia export` with filters, and exits 2 on a wrong flag', async () => {
    const fx = await codedSample();
    try {
      await fx.t.session.setProject(null);
      const lines: string[] = [];
      const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
      const out = join(fx.t.dir, 'm.csv');
      const code = await main(['export', fx.t.path, '--format', 'matrix', '--measure', 'presence', '--rollup', '--out', out, '--coder', 'ben'], io);
      expect(code, lines.join('\n')).toBe(0);
      const rows = parse(readFileSync(out, 'utf8'), { columns: true }) as Record<string, string>[];
      expect(rows.filter((r) => r.attribution === '1')).toHaveLength(1);
      expect(rows.filter((r) => r.casualties === '1')).toHaveLength(0);
      expect(await main(['export', fx.t.path, '--format', 'xlsx', '--out', out], io)).toBe(2);
      expect(lines.at(-1)).toMatch(/--format must be one of/);
    } finally {
      await fx.t.close();
    }
  });
});

describe('segments table of a project larger than one read-ahead of documents', () => {
  it('exports every segment once in document order, and its preview finds rows past the first 5,000 documents', async () => {
    const t = await openTestProject({ sample: false, coder: 'ana' });
    try {
      const coder = await t.session.coder();
      const code = await t.call('codes.create', { name: 'casualties' });
      // 12,000 documents; only those from 5,200 on are coded, every third one; sort_order
      // ties in threes, so the read-ahead must page by (sort_order, id), not sort_order alone.
      const ids: string[] = [];
      await t.project.db.transaction(async (tx) => {
        const added = await addDocuments(tx, Array.from({ length: 12_000 }, (_, i) => ({ name: `d${i}`, text: `article ${i} text`, importedBy: coder.id })));
        for (const a of added) if (a.status === 'imported') ids.push(a.id);
        await tx.run(`UPDATE documents SET sort_order = sort_order / 3`);
        const now = new Date().toISOString();
        for (let i = 5200; i < ids.length; i += 3)
          await tx.run(`INSERT INTO segments (id, document_id, code_id, coder_id, start, end, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 7, ?, ?)`, [
            `seg-${String(i).padStart(5, '0')}`,
            ids[i]!,
            code.id,
            coder.id,
            now,
            now,
          ]);
      });
      const expected = (await t.project.db.read((r) =>
        r.all<{ id: string }>(`SELECT s.id FROM segments s JOIN documents d ON d.id = s.document_id ORDER BY d.sort_order, d.id, s.start, s.end, s.id`),
      )).map((s) => s.id);
      expect(expected).toHaveLength(2267);

      const path = join(t.dir, 'segments.csv');
      const out = await exportToFile(t.project.db, { format: 'segments' }, path);
      const rows = parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''), { columns: true }) as Array<Record<string, string>>;
      expect(out.rows).toBe(expected.length);
      expect(rows.map((r) => r.segment_id)).toEqual(expected);

      const preview = await t.call('exchange.preview', { format: 'segments', limit: 20 });
      expect(preview.rows.map((r) => r[0])).toEqual(expected.slice(0, 20));
    } finally {
      await t.close();
    }
  });
});

describe('segments of a long transcript', () => {
  it('export with their exact coded text, emoji counted as one character, in the file and the preview', async () => {
    const t = await openTestProject({ sample: false, coder: 'ana' });
    try {
      const coder = await t.session.coder();
      const code = await t.call('codes.create', { name: 'rhetoric' });
      // Over 100,000 code points: sliced outside SQL. Emoji make code points and UTF-16 differ.
      const text = Array.from({ length: 3000 }, (_, i) => `Line ${i} 😀 said the witness, "again".`).join('\n');
      const added = await t.project.db.transaction((tx) => addDocuments(tx, [{ name: 'transcript', text, importedBy: coder.id }]));
      const documentId = (added[0] as { id: string }).id;
      const length = [...text].length;
      expect(length).toBeGreaterThan(100_000);
      const spans: Array<[number, number]> = [[0, 12], [50_000, 50_041], [length - 30, length]];
      for (const [start, end] of spans) await t.call('segments.create', { documentId, codeId: code.id, start, end });
      const path = join(t.dir, 'segments.csv');
      await exportToFile(t.project.db, { format: 'segments' }, path);
      const rows = parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''), { columns: true }) as Array<Record<string, string>>;
      const expected = spans.map(([s, e]) => sliceCodePoints(text, s, e));
      expect(rows.map((r) => r.text)).toEqual(expected);
      expect(expected[1]).toContain('😀');
      const preview = await t.call('exchange.preview', { format: 'segments', limit: 3 });
      const at = preview.columns.indexOf('text');
      expect(preview.rows.map((r) => r[at])).toEqual(expected);
    } finally {
      await t.close();
    }
  });
});
