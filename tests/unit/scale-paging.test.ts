import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openTestProject } from '../helpers/project';
import type { Input, Output } from '../../main/api/contract';

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A project of documents named and valued as given (null: no value), in that import order. */
async function projectWith(docs: Array<{ name: string; rank: number | null; outlet: string | null }>) {
  const t = await openTestProject();
  // One import per document keeps the import order; equal texts would be refused as duplicates.
  for (const [i, d] of docs.entries()) await t.call('import.files', { files: [{ name: `${d.name}.txt`, dataBase64: b64(`Text number ${i} of ${d.name}. It has words.`) }] });
  const all = await t.call('documents.list', {});
  expect(all.map((d) => d.name)).toEqual(docs.map((d) => d.name));
  for (const [i, d] of docs.entries()) {
    const attributes: Record<string, number | string> = {};
    if (d.rank !== null) attributes.rank = d.rank;
    if (d.outlet !== null) attributes.outlet = d.outlet;
    await t.call('documents.setAttributes', { id: all[i]!.id, attributes, types: { rank: 'number' } });
  }
  return { ...t, ids: all.map((d) => d.id) };
}

type PageInput = Input<'documents.page'>;

/** Walks every page by cursor; also checks each page against the same window asked by offset. */
async function walk(t: Awaited<ReturnType<typeof openTestProject>>, input: PageInput, limit: number) {
  const names: string[] = [];
  let after: PageInput['after'] = null;
  for (let guard = 0; guard < 100; guard++) {
    const page: Output<'documents.page'> = await t.call('documents.page', { ...input, limit, after });
    const byOffset = await t.call('documents.page', { ...input, limit, offset: names.length });
    expect(page.documents.map((d) => d.id)).toEqual(byOffset.documents.map((d) => d.id));
    expect(byOffset.offset).toBe(names.length);
    names.push(...page.documents.map((d) => d.name));
    if (!page.next) return { names, total: page.total };
    after = page.next;
  }
  throw new Error('more than 100 pages');
}

describe('documents.page: the windowed document list', () => {
  const docs = [
    { name: 'same', rank: 10, outlet: 'BBC' },
    { name: 'Beta', rank: 2, outlet: null },
    { name: 'same', rank: null, outlet: 'TASS' },
    { name: 'alpha', rank: 2, outlet: 'BBC' },
    { name: 'same', rank: 1, outlet: null },
    { name: 'gamma 100%', rank: null, outlet: 'Meduza' },
    { name: 'delta_x', rank: 33, outlet: 'bbc' },
  ];

  it('pages by cursor and by offset through every sort, ties and missing values included, each row once', async () => {
    const t = await projectWith(docs);
    try {
      for (const limit of [1, 2, 3, 100]) {
        const order = await walk(t, {}, limit);
        expect(order.total).toBe(7);
        expect(order.names).toEqual(docs.map((d) => d.name));

        const byName = await walk(t, { sort: 'name' }, limit);
        expect(byName.names).toEqual(['alpha', 'Beta', 'delta_x', 'gamma 100%', 'same', 'same', 'same']);

        // Numbers sort as numbers (2 before 10), documents without a value last in either direction.
        const byRank = await walk(t, { sort: 'attribute', attribute: 'rank' }, limit);
        expect(byRank.names.slice(0, 5)).toEqual(['same', ...(byRank.names[1] === 'Beta' ? ['Beta', 'alpha'] : ['alpha', 'Beta']), 'same', 'delta_x']);
        expect(new Set(byRank.names.slice(5))).toEqual(new Set(['same', 'gamma 100%']));
        const down = await walk(t, { sort: 'attribute', attribute: 'rank', descending: true }, limit);
        expect(down.names.slice(0, 2)).toEqual(['delta_x', 'same']);
        expect(down.names.slice(5)).toEqual(byRank.names.slice(5));

        const byOutlet = await walk(t, { sort: 'attribute', attribute: 'outlet' }, limit);
        // Text compares as stored: 'BBC' twice, then 'Meduza', 'TASS', then 'bbc'; then the two without.
        expect(byOutlet.names.slice(2)).toEqual(['gamma 100%', 'same', 'delta_x', ...byOutlet.names.slice(5)]);
        expect([...byOutlet.names.slice(0, 2)].sort()).toEqual(['alpha', 'same']);
        expect(byOutlet.names).toHaveLength(7);
      }
    } finally {
      await t.close();
    }
  });

  it('orders by the value with equal values and missing values in a fixed order, asked twice the same', async () => {
    const t = await projectWith(docs);
    try {
      const first = await t.call('documents.page', { sort: 'attribute', attribute: 'rank', limit: 100 });
      const values = first.documents.map((d) => d.attributes.rank ?? null);
      expect(values).toEqual([1, 2, 2, 10, 33, null, null]);
      const again = await t.call('documents.page', { sort: 'attribute', attribute: 'rank', limit: 100 });
      expect(again.documents.map((d) => d.id)).toEqual(first.documents.map((d) => d.id));
      // Each row carries its own attributes only, and no text.
      expect(first.documents[0]).not.toHaveProperty('text');
      expect(first.documents.find((d) => d.name === 'Beta')!.attributes).toEqual({ rank: 2 });
    } finally {
      await t.close();
    }
  });

  it('filters by name (% and _ taken literally) with the total of the filtered list, and sorts by segment count', async () => {
    const t = await projectWith(docs);
    try {
      const same = await t.call('documents.page', { filter: 'SAME', limit: 2 });
      expect(same.total).toBe(3);
      expect(same.documents.map((d) => d.name)).toEqual(['same', 'same']);
      expect((await t.call('documents.page', { filter: '100%' })).documents.map((d) => d.name)).toEqual(['gamma 100%']);
      expect((await t.call('documents.page', { filter: 'a_x' })).documents.map((d) => d.name)).toEqual(['delta_x']);
      expect((await t.call('documents.page', { filter: 'zzz' })).total).toBe(0);

      const { id: code } = await t.call('codes.create', { name: 'theme' });
      for (let i = 0; i < 3; i++) await t.call('segments.create', { documentId: t.ids[4]!, codeId: code, start: i, end: i + 4 });
      await t.call('segments.create', { documentId: t.ids[1]!, codeId: code, start: 0, end: 4 });
      const most = await t.call('documents.page', { sort: 'segments', descending: true, limit: 2 });
      expect(most.documents.map((d) => [d.id, d.segment_count])).toEqual([
        [t.ids[4], 3],
        [t.ids[1], 1],
      ]);
      const summary = await t.call('documents.summary', { id: t.ids[4]! });
      expect(summary.segment_count).toBe(3);
      expect(summary.attributes).toEqual({ rank: 1 });
    } finally {
      await t.close();
    }
  });

  it('refuses to sort by an attribute the project does not have, naming it', async () => {
    const t = await projectWith(docs.slice(0, 2));
    try {
      const r = await t.callRaw('documents.page', { sort: 'attribute', attribute: 'colour' });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(/attribute "colour"/);
    } finally {
      await t.close();
    }
  });
});

describe('segments.page: retrieval a page at a time', () => {
  it('walks every segment of a theme with its subcodes once, in document order, with the total on each page', async () => {
    const t = await projectWith([
      { name: 'one', rank: null, outlet: 'BBC' },
      { name: 'two', rank: null, outlet: 'TASS' },
      { name: 'three', rank: null, outlet: 'BBC' },
    ]);
    try {
      const { id: theme } = await t.call('codes.create', { name: 'theme' });
      const { id: sub } = await t.call('codes.create', { name: 'sub', parentId: theme });
      const { id: other } = await t.call('codes.create', { name: 'other' });
      // Equal spans in one document: the id breaks the tie.
      for (const [doc, code, start] of [[2, sub, 0], [0, theme, 5], [0, sub, 5], [1, other, 0], [0, theme, 1], [2, theme, 3]] as const) {
        await t.call('segments.create', { documentId: t.ids[doc]!, codeId: code, start, end: start + 4 });
      }
      const all = await t.call('segments.list', { codeId: theme, includeSubcodes: true });
      expect(all).toHaveLength(5);
      for (const limit of [1, 2, 5]) {
        const seen: string[] = [];
        let after = null as { order: number; documentId: string; start: number; end: number; id: string } | null;
        for (;;) {
          const page = await t.call('segments.page', { codeId: theme, includeSubcodes: true, limit, after, context: 3 });
          expect(page.total).toBe(5);
          seen.push(...page.segments.map((s) => s.id));
          for (const s of page.segments) expect(s.text).toHaveLength(4);
          if (!page.next) break;
          after = page.next;
        }
        expect(seen).toHaveLength(5);
        expect(new Set(seen).size).toBe(5);
        // Document order, then position.
        const docOrder = seen.map((id) => all.find((s) => s.id === id)!).map((s) => `${t.ids.indexOf(s.document_id)}:${String(s.start).padStart(3, '0')}`);
        expect(docOrder).toEqual([...docOrder].sort());
      }
      const bbc = await t.call('segments.page', { codeId: theme, includeSubcodes: true, attribute: 'outlet', value: 'bb' });
      expect(bbc.total).toBe(5);
      const tass = await t.call('segments.page', { attribute: 'outlet', value: 'tass' });
      expect(tass.segments.map((s) => s.code_name)).toEqual(['other']);
    } finally {
      await t.close();
    }
  });
});

describe('codes.list counts stay right through create, delete, merge, undo and redo', () => {
  it('matches a count of the stored segments after every step of random sequences', async () => {
    const t = await projectWith([
      { name: 'a', rank: null, outlet: null },
      { name: 'b', rank: null, outlet: null },
    ]);
    try {
      const codes: string[] = [];
      for (const name of ['c1', 'c2', 'c3']) codes.push((await t.call('codes.create', { name })).id);
      const expected = async () =>
        t.project.db.read((r) =>
          r.all<{ id: string; segments: number; documents: number }>(
            `SELECT c.id, (SELECT count(*) FROM segments WHERE code_id = c.id) AS segments, (SELECT count(DISTINCT document_id) FROM segments WHERE code_id = c.id) AS documents FROM codes c`,
          ),
        );
      const step = fc.oneof(
        fc.record({ op: fc.constant('create' as const), doc: fc.nat(1), code: fc.nat(2), start: fc.nat(20) }),
        fc.record({ op: fc.constant('delete' as const), pick: fc.nat(50) }),
        fc.record({ op: fc.constant('merge' as const), from: fc.nat(2), to: fc.nat(2) }),
        fc.record({ op: fc.constant('undo' as const) }),
        fc.record({ op: fc.constant('redo' as const) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(step, { maxLength: 12 }), async (steps) => {
          for (const s of steps) {
            const live = (await t.call('codes.list', {})).map((c) => c.id);
            try {
              if (s.op === 'create') {
                const code = live[s.code % live.length];
                if (code) await t.call('segments.create', { documentId: t.ids[s.doc]!, codeId: code, start: s.start, end: s.start + 3 });
              } else if (s.op === 'delete') {
                const segs = await t.call('segments.list', {});
                if (segs.length) await t.call('segments.delete', { id: segs[s.pick % segs.length]!.id });
              } else if (s.op === 'merge') {
                const [from, to] = [live[s.from % live.length], live[s.to % live.length]];
                if (from && to && from !== to && live.length > 1) await t.call('codes.merge', { sourceId: from, targetId: to });
              } else if (s.op === 'undo') await t.call('project.undo', {});
              else await t.call('project.redo', {});
            } catch (e) {
              // Nothing to undo or redo is a refusal, not a failure of the counts.
              if (!/undo|redo/i.test(String(e))) throw e;
            }
            const want = new Map((await expected()).map((c) => [c.id, c]));
            for (const c of await t.call('codes.list', {})) {
              expect([c.segment_count, c.document_count]).toEqual([want.get(c.id)!.segments, want.get(c.id)!.documents]);
            }
          }
        }),
        { numRuns: 15 },
      );
    } finally {
      await t.close();
    }
  });
});
