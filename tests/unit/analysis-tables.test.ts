import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { paragraphUnits } from '../../main/core/team/units';
import { paragraphSpans } from '../../main/core/analysis/cooccurrence';
import { random } from '../helpers/analysis-project';
import { analysisProject, type GeneratedSegment } from '../helpers/analysis-project';
import { runCli } from '../helpers/cli';
import { crosstab, crosstabCsv } from '../../main/core/analysis/crosstab';

type P = Awaited<ReturnType<typeof analysisProject>>;
let p: P;
let texts: Map<string, string>;

beforeAll(async () => {
  p = await analysisProject(20261202, 30);
  texts = new Map();
  for (const d of p.docs) texts.set(d.id, (await p.call('documents.get', { id: d.id })).text);
});
afterAll(() => p?.close());

const csvRows = (bytes: Buffer) => parse(bytes.toString('utf8'), { columns: true, bom: true }) as Record<string, string>[];

type Unit = 'overlap' | 'paragraph' | 'document';

/** Co-occurrence the slow, obvious way: every pair of segments, every unit, in JavaScript. */
function bruteForce(segments: GeneratedSegment[], unit: Unit, textOf: Map<string, string> = texts): { frequency: Map<string, number>; pairs: Map<string, number> } {
  const frequency = new Map<string, number>();
  const pairs = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);
  if (unit === 'overlap') {
    for (const s of segments) bump(frequency, s.code_id);
    for (let i = 0; i < segments.length; i++) {
      for (let j = i + 1; j < segments.length; j++) {
        const x = segments[i]!;
        const y = segments[j]!;
        if (x.document_id === y.document_id && x.coder_id === y.coder_id && x.code_id !== y.code_id && x.start < y.end && y.start < x.end) bump(pairs, pairKey(x.code_id, y.code_id));
      }
    }
    return { frequency, pairs };
  }
  const units = new Map<string, Set<string>>();
  for (const s of segments) {
    const keys =
      unit === 'document'
        ? [`${s.document_id}|${s.coder_id}`]
        : paragraphUnits(textOf.get(s.document_id)!)
            .map((para, i) => ({ para, i }))
            .filter(({ para }) => para.start < s.end && s.start < para.end)
            .map(({ i }) => `${s.document_id}|${s.coder_id}|${i}`);
    for (const k of keys) {
      if (!units.has(k)) units.set(k, new Set());
      units.get(k)!.add(s.code_id);
    }
  }
  for (const codes of units.values()) {
    const list = [...codes];
    for (const c of list) bump(frequency, c);
    for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) bump(pairs, pairKey(list[i]!, list[j]!));
  }
  return { frequency, pairs };
}

describe('code co-occurrence', () => {
  it('splits paragraphs as agreement does (lines trimmed of white space, in code points), without an index of the text', () => {
    const rnd = random(99);
    const parts = ['a', 'b', ' ', '\t', '\n', '\n\n', '\u00a0', '\u3000', '😀', '👩‍👩‍👧', 'é', '\r', '\ufeff'];
    for (let k = 0; k < 300; k++) {
      const text = Array.from({ length: Math.floor(rnd() * 40) }, () => parts[Math.floor(rnd() * parts.length)]).join('');
      expect(paragraphSpans(text), JSON.stringify(text)).toEqual(paragraphUnits(text));
    }
  });

  const scopes = [
    { label: 'all coders but the consensus layer', filter: undefined, coders: ['ana', 'ben'] },
    { label: 'one coder', filter: { coders: ['ben'] }, coders: ['ben'] },
    { label: 'the consensus layer', filter: { consensus: true }, coders: ['consensus'] },
  ] satisfies Array<{ label: string; filter: { coders?: string[]; consensus?: boolean } | undefined; coders: string[] }>;
  for (const unit of ['overlap', 'paragraph', 'document'] as const) {
    for (const scope of scopes) {
      it(`counts and Jaccard by ${unit}, ${scope.label}, equal a brute-force count over every pair`, async () => {
        const ids = new Set(p.coders.filter((c) => scope.coders.includes(c.name)).map((c) => c.id));
        const expected = bruteForce(p.segments.filter((s) => ids.has(s.coder_id)), unit);
        const got = await p.call('analysis.cooccurrence', { unit, ...(scope.filter ? { filter: scope.filter } : {}) });
        expect(got.unit).toBe(unit);
        expect(Object.fromEntries(got.codes.filter((c) => c.frequency > 0).map((c) => [c.id, c.frequency]))).toEqual(Object.fromEntries(expected.frequency));
        const gotPairs = Object.fromEntries(got.cells.map((c) => [[c.a, c.b].sort().join('|'), c.count]));
        expect(gotPairs).toEqual(Object.fromEntries(expected.pairs));
        expect(got.cells.length).toBeGreaterThan(0);
        for (const c of got.cells) {
          const fa = expected.frequency.get(c.a)!;
          const fb = expected.frequency.get(c.b)!;
          expect(c.jaccard).toBeCloseTo(c.count / (fa + fb - c.count), 6);
        }
      });
    }
  }

  it('is scoped by a document set, and its passages are exactly the pairs counted', async () => {
    const { id: setId } = await p.call('sets.create', { name: 'BBC', where: ['outlet=BBC'] });
    const members = new Set(await p.call('sets.members', { setId }));
    const ana = p.coders[0]!.id;
    const expected = bruteForce(p.segments.filter((s) => s.coder_id === ana && members.has(s.document_id)), 'overlap');
    const got = await p.call('analysis.cooccurrence', { unit: 'overlap', filter: { coders: ['ana'], set: 'BBC' } });
    expect(Object.fromEntries(got.cells.map((c) => [[c.a, c.b].sort().join('|'), c.count]))).toEqual(Object.fromEntries(expected.pairs));

    const all = await p.call('analysis.cooccurrence', { unit: 'overlap' });
    const cell = [...all.cells].sort((x, y) => y.count - x.count)[0]!;
    const passages = await p.call('analysis.cooccurrencePassages', { unit: 'overlap', a: cell.a, b: cell.b, limit: 1000 });
    expect(passages.length).toBe(cell.count);
    for (const x of passages) {
      expect(x.a[0]!.start < x.b[0]!.end && x.b[0]!.start < x.a[0]!.end).toBe(true);
      expect(x.a[0]!.text).toBe([...texts.get(x.document_id)!].slice(x.a[0]!.start, x.a[0]!.end).join(''));
    }
    for (const unit of ['paragraph', 'document'] as const) {
      const m = await p.call('analysis.cooccurrence', { unit });
      const c = [...m.cells].sort((x, y) => y.count - x.count)[0]!;
      const units = await p.call('analysis.cooccurrencePassages', { unit, a: c.a, b: c.b, limit: 1000 });
      expect(units.length).toBe(c.count);
      expect(units.every((u) => u.a.length > 0 && u.b.length > 0)).toBe(true);
    }
  });

  it('exports CSV through the CSV writer: formula-like code names neutralised, one row per pair', async () => {
    const file = await p.call('analysis.cooccurrenceCsv', { unit: 'document' });
    const rows = csvRows(p.download(file));
    const m = await p.call('analysis.cooccurrence', { unit: 'document' });
    expect(rows.length).toBe(m.cells.length);
    expect(rows.some((r) => r.code_a === `'=HYPERLINK("x")` || r.code_b === `'=HYPERLINK("x")`)).toBe(true);
    const cli = await runCli('cooccurrence', p.path, '--unit', 'document', '--json', '--read-only');
    expect(cli.code, cli.err).toBe(0);
    expect(JSON.parse(cli.out)).toEqual(m);
  });
});

describe('under blind coding', () => {
  it('co-occurrence, crosstabs and the matrix count only what the coder may see (the other coder and the consensus layer hidden)', async () => {
    const q = await analysisProject(4242, 12);
    try {
      const [ana, ben] = q.coders;
      await q.session.setCoder('lead');
      await q.call('team.rounds.create', { name: 'Blind', sample: { kind: 'share', value: 1 }, coderIds: [ana!.id, ben!.id], unit: 'char', threshold: 0.9 });
      await q.session.setCoder('ana');
      const texts = new Map<string, string>();
      for (const d of q.docs) texts.set(d.id, (await q.call('documents.get', { id: d.id })).text);
      const mine = q.segments.filter((x) => x.coder_id === ana!.id);
      const got = await q.call('analysis.cooccurrence', { unit: 'overlap' });
      expect(got.scope).toMatch(/ana/);
      expect(got.scope).not.toMatch(/ben/);
      expect(Object.fromEntries(got.cells.map((c) => [[c.a, c.b].sort().join('|'), c.count]))).toEqual(Object.fromEntries(bruteForce(mine, 'overlap').pairs));
      for (const unit of ['document', 'paragraph'] as const) {
        const m = await q.call('analysis.cooccurrence', { unit });
        expect(m.codes.reduce((a, c) => a + c.frequency, 0)).toBe([...bruteForce(mine, unit, texts).frequency.values()].reduce((a, b) => a + b, 0));
      }
      const t = await q.call('analysis.crosstab', { by: { kind: 'attribute', name: 'outlet' } });
      expect(t.cells.flat().reduce((a, b) => a + b, 0)).toBe(mine.length);
      const m = csvRows(Buffer.from((await q.call('exchange.export', { format: 'matrix' })).dataBase64, 'base64'));
      expect(m.length).toBe(q.docs.length);
    } finally {
      await q.close();
    }
  });
});

describe('crosstabs are the matrix export seen another way', () => {
  const matrix = async (measure: string, filter: Record<string, unknown>) =>
    csvRows(Buffer.from((await p.call('exchange.export', { format: 'matrix', measure: measure as 'count', filter })).dataBase64, 'base64'));

  for (const measure of ['count', 'presence', 'characters', 'share'] as const) {
    it(`code × document (${measure}) equals the matrix CSV read back, for one coder and, per coder, for all`, async () => {
      for (const filter of [{ coders: ['ana'] }, {}]) {
        const rows = await matrix(measure, filter);
        const t = await p.call('analysis.crosstab', { by: { kind: 'document' }, measure, filter, limit: 2000 });
        expect(t.total_columns).toBe(rows.length);
        expect(t.columns.length).toBe(rows.length);
        t.columns.forEach((col, j) => {
          const row = rows[j]!;
          expect(col.document_id).toBe(row.document_id);
          if (row.coder_id) expect(col.coder_id).toBe(row.coder_id);
          t.codes.forEach((code, i) => {
            const header = code.path.startsWith('=') ? `'${code.path}` : code.path;
            expect(t.cells[i]![j]).toBe(Number(row[header]));
          });
        });
      }
    });
  }

  it('code × outlet adds the matrix rows up per value; share is coded characters over all characters', async () => {
    const counts = await matrix('count', { coders: ['ana'] });
    const chars = await matrix('characters', { coders: ['ana'] });
    const presence = await matrix('presence', { coders: ['ana'] });
    const lengths = new Map(p.docs.map((d) => [d.id, d.length]));
    const outlets = [...new Set(counts.map((r) => r.outlet ?? ''))];
    for (const measure of ['count', 'presence', 'share'] as const) {
      const t = await p.call('analysis.crosstab', { by: { kind: 'attribute', name: 'Outlet' }, measure, filter: { coders: ['ana'] } });
      expect(new Set(t.columns.map((c) => c.value))).toEqual(new Set(outlets));
      expect(t.columns[t.columns.length - 1]!.label).toBe('(no value)');
      t.columns.forEach((col, j) => {
        const inGroup = (rows: Record<string, string>[]) => rows.filter((r) => (r.outlet ?? '') === col.value);
        expect(col.documents).toBe(inGroup(counts).length);
        t.codes.forEach((code, i) => {
          const h = code.path.startsWith('=') ? `'${code.path}` : code.path;
          const sum = (rows: Record<string, string>[]) => inGroup(rows).reduce((a, r) => a + Number(r[h]), 0);
          if (measure === 'count') expect(t.cells[i]![j]).toBe(sum(counts));
          if (measure === 'presence') expect(t.cells[i]![j]).toBe(sum(presence));
          if (measure === 'share') {
            const total = inGroup(chars).reduce((a, r) => a + lengths.get(r.document_id!)!, 0);
            expect(t.cells[i]![j]).toBeCloseTo(sum(chars) / total, 6);
          }
        });
      });
    }
  });

  it('downloads the whole crosstab by document as the CSV of the table the view shows, for every measure and percentage', async () => {
    for (const measure of ['count', 'presence', 'characters', 'share'] as const) {
      for (const percent of ['none', 'row', 'column'] as const) {
        // Every coder (a column per document and coder) and one coder (a column per document).
        for (const filter of [{}, { coders: ['ben'] }]) {
          const file = await p.call('analysis.crosstabCsv', { by: { kind: 'document' }, measure, percent, filter });
          const table = await p.project.db.read((r) => crosstab(r, { by: { kind: 'document' }, measure, filter }));
          expect(table.columns.length).toBeGreaterThan(25);
          expect(p.download(file).toString('utf8')).toBe(crosstabCsv(table, percent));
        }
      }
    }
    for (const options of [{ delimiter: 'semicolon', excel: true }, { delimiter: 'tab', raw: true }] as const) {
      const file = await p.call('analysis.crosstabCsv', { by: { kind: 'document' }, percent: 'row', ...options });
      const table = await p.project.db.read((r) => crosstab(r, { by: { kind: 'document' } }));
      expect(p.download(file).toString('utf8')).toBe(crosstabCsv(table, 'row', options));
    }
  });

  it('groups a date attribute by month, drills down to the coded segments of a cell, and exports row percentages', async () => {
    const t = await p.call('analysis.crosstab', { by: { kind: 'attribute', name: 'date', bucket: 'month' }, measure: 'count' });
    expect(t.columns.map((c) => c.value).every((v) => /^2024-0[1-4]$/.test(v!))).toBe(true);
    const i = t.codes.findIndex((c) => c.path === 'casualties/civilian');
    const j = t.row_totals[i]! > 0 ? t.cells[i]!.findIndex((v) => v > 0) : 0;
    const col = t.columns[j]!;
    const segs = await p.call('analysis.crosstabPassages', { by: { kind: 'attribute', name: 'date', bucket: 'month' }, codeId: t.codes[i]!.id, column: { document_id: null, value: col.value, coder_id: col.coder_id } });
    // Two coders: every column is one coder's (as matrix rows are); the cell's segments are that coder's, of documents dated in that month.
    expect(col.coder_name).toMatch(/^(ana|ben)$/);
    expect(col.label).toBe(`${col.value} (${col.coder_name})`);
    expect(segs.length).toBe(t.cells[i]![j]);
    expect(segs.every((s) => s.code_id === t.codes[i]!.id && s.coder_id === col.coder_id)).toBe(true);

    const file = await p.call('analysis.crosstabCsv', { by: { kind: 'attribute', name: 'outlet' }, percent: 'row', filter: { coders: ['ben'] } });
    const csv = p.download(file);
    const rows = csvRows(csv);
    const shown = await p.call('analysis.crosstab', { by: { kind: 'attribute', name: 'outlet' }, filter: { coders: ['ben'] } });
    for (const [k, code] of shown.codes.entries()) {
      const row = rows.find((r) => r.code_id === code.id)!;
      expect(row.code_path).toBe(code.path.startsWith('=') ? `'${code.path}` : code.path);
      shown.columns.forEach((c, j) => {
        const expected = shown.row_totals[k]! > 0 ? Math.round((shown.cells[k]![j]! / shown.row_totals[k]!) * 1000) / 10 : 0;
        expect(Number(row[c.label])).toBe(expected);
      });
    }
    const cli = await runCli('crosstab', p.path, '--by', 'outlet', '--coder', 'ben', '--csv', '--percent', 'row', '--read-only');
    expect(cli.code, cli.err).toBe(0);
    expect(cli.out).toBe(csv.toString('utf8').trimEnd().replace(/\r\n/g, '\n'));
    const bad = await runCli('crosstab', p.path, '--by', 'colour', '--read-only');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/no attribute "colour"\. Attributes: outlet, date/);
  });
});
