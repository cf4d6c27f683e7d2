import { describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';
import { addDocuments } from '../../main/core/documents/documents';
import { main } from '../../main/cli';

/** The text between two code-point offsets, counted the way the API counts them. */
const cp = (text: string, start: number, end: number) => [...text].slice(start, end).join('');

describe('search over the sample', () => {
  it('finds phrases, OR, -word, prefixes, NEAR and regular expressions, every hit at its exact offsets', async () => {
    const t = await openTestProject({ sample: true });
    try {
      const texts = new Map<string, string>();
      for (const d of await t.call('documents.list', {})) texts.set(d.id, (await t.call('documents.get', { id: d.id })).text);
      const all = async (query: string, regex = false) => t.call('search.hits', { query, regex, pageSize: 500 });
      /** What an independent count over the texts gives: occurrences of a whole-word pattern. */
      const countIn = (re: RegExp) => [...texts.values()].map((x) => x.match(re)?.length ?? 0);

      const phrase = await all('"false flag"');
      const expected = countIn(/\bfalse[\s-]+flag\b/gi);
      expect(phrase.total_hits).toBe(expected.reduce((a, b) => a + b, 0));
      expect(phrase.total_documents).toBe(expected.filter((n) => n > 0).length);
      for (const h of phrase.hits) {
        expect(cp(texts.get(h.document_id)!, h.start, h.end)).toBe(h.hit);
        expect(h.hit.toLowerCase().replace(/\s+/, ' ')).toBe('false flag');
      }

      const either = await all('Russia OR Ukraine');
      const russia = countIn(/\brussia\b/gi);
      const ukraine = countIn(/\bukraine\b/gi);
      expect(either.total_hits).toBe(russia.reduce((a, b) => a + b, 0) + ukraine.reduce((a, b) => a + b, 0));
      expect(either.total_documents).toBe(russia.filter((n, i) => n + ukraine[i]! > 0).length);
      // Per-document counts add up to the total, and the lines are in document order.
      expect(either.documents.reduce((a, d) => a + d.hits, 0)).toBe(either.total_hits);
      expect(either.hits.map((h) => h.index)).toEqual(either.hits.map((_, i) => i));

      const blinken = countIn(/\bblinken\b/gi);
      expect(blinken.some((n) => n > 0)).toBe(true);
      const without = await all('Russia -Blinken');
      expect(without.total_documents).toBe(russia.filter((n, i) => n > 0 && blinken[i] === 0).length);
      expect(without.hits.every((h) => !/blinken/i.test(texts.get(h.document_id)!))).toBe(true);

      const prefix = await all('strik*');
      expect(prefix.total_hits).toBe(countIn(/\bstrik\w*/gi).reduce((a, b) => a + b, 0));
      expect(new Set(prefix.hits.map((h) => h.hit.toLowerCase())).size).toBeGreaterThan(0);
      expect(prefix.hits.every((h) => /^strik/i.test(h.hit))).toBe(true);

      const near = await all('Russia NEAR/5 Ukraine');
      const far = await all('Russia NEAR/0 Ukraine');
      expect(near.total_hits).toBeGreaterThan(far.total_hits);
      // Each NEAR hit is one line from one word to the other, at most 5 words between them.
      for (const h of near.hits) {
        expect(cp(texts.get(h.document_id)!, h.start, h.end)).toBe(h.hit);
        expect(h.hit).toMatch(/^(russia\b[\s\S]*\bukraine|ukraine\b[\s\S]*\brussia)$/i);
        expect(h.hit.match(/[\p{L}\p{N}]+/gu)!.length).toBeLessThanOrEqual(7);
      }

      const regex = await all('\\d+ (civilians|people)', true);
      const digits = countIn(/\d+ (civilians|people)/gi);
      expect(regex.total_hits).toBe(digits.reduce((a, b) => a + b, 0));
      expect(regex.total_hits).toBeGreaterThan(0);
      for (const h of regex.hits) expect(cp(texts.get(h.document_id)!, h.start, h.end)).toBe(h.hit);
      await expect(t.call('search.hits', { query: '(unclosed', regex: true })).rejects.toThrow(/regular expression is not valid/);

      // By attribute: only documents with that value.
      const lang = await t.call('search.hits', { query: 'Russia', attribute: { name: 'language', value: 'en' } });
      expect(lang.total_documents).toBeGreaterThan(0);
      expect((await t.call('search.hits', { query: 'Russia', attribute: { name: 'language', value: 'xx' } })).total_hits).toBe(0);
      await expect(t.call('search.hits', { query: 'Russia', attribute: { name: 'nope', value: 'x' } })).rejects.toThrow(/no document attribute is called "nope"/);

      // In a document set: only its documents.
      const two = either.documents.slice(0, 2);
      const { id: setId } = await t.call('sets.create', { name: 'two', documentIds: two.map((d) => d.document_id) });
      const inSet = await t.call('search.hits', { query: 'Russia OR Ukraine', setId });
      expect(inSet.documents.map((d) => [d.document_id, d.hits])).toEqual(two.map((d) => [d.document_id, d.hits]));
      expect(inSet.total_hits).toBe(two[0]!.hits + two[1]!.hits);

      // One document's hits, for next/previous in the viewer, are the same hits.
      const first = either.documents[0]!;
      const inDoc = await t.call('search.documentHits', { query: 'Russia OR Ukraine', documentId: first.document_id });
      expect(inDoc).toEqual(either.hits.filter((h) => h.document_id === first.document_id).map((h) => ({ start: h.start, end: h.end })));
    } finally {
      await t.close();
    }
  });
});

describe('hits in texts with emoji and line breaks', () => {
  it('gives code-point offsets that slice the stored text to the hit', async () => {
    const t = await openTestProject();
    try {
      const coder = await t.session.coder();
      await t.project.db.action({ kind: 't', summary: 't', coderId: coder.id }, (tx) =>
        addDocuments(tx, [
          { name: 'emoji', text: '😀😀 Strike on Kyiv 👩‍👩‍👧.\r\nA second strike 🚀 hit Kyiv again.', importedBy: coder.id },
          { name: 'accents', text: 'Le café était fermé; CAFE ouvert. Київ, київ.', importedBy: coder.id },
        ]),
      );
      const texts = new Map<string, string>();
      for (const d of await t.call('documents.list', {})) texts.set(d.name, (await t.call('documents.get', { id: d.id })).text);
      const page = await t.call('search.hits', { query: 'strike OR kyiv OR cafe OR київ', context: 3 });
      const found = page.hits.map((h) => [h.document_name, h.start, h.end, h.hit, h.before, h.after]);
      // Worked out by hand (and checked with Python, whose strings count code points).
      expect(found).toEqual([
        ['emoji', 3, 9, 'Strike', '😀😀 ', ' on'],
        ['emoji', 13, 17, 'Kyiv', 'on ', ' 👩\u200d'],
        ['emoji', 34, 40, 'strike', 'nd ', ' 🚀 '],
        ['emoji', 47, 51, 'Kyiv', 'it ', ' ag'],
        ['accents', 3, 7, 'café', 'Le ', ' ét'],
        ['accents', 21, 25, 'CAFE', 'é; ', ' ou'],
        ['accents', 34, 38, 'Київ', 't. ', ', к'],
        ['accents', 40, 44, 'київ', 'в, ', '.'],
      ]);
      for (const h of page.hits) expect(cp(texts.get(h.document_name)!, h.start, h.end)).toBe(h.hit);
      // CRLF was stored as LF: the offsets after the line break count one character for it.
      expect(texts.get('emoji')!.includes('\r')).toBe(false);
      const regex = await t.call('search.hits', { query: '🚀 hit', regex: true });
      expect(regex.hits.map((h) => [h.start, h.end])).toEqual([[41, 46]]);
    } finally {
      await t.close();
    }
  });
});

describe('paging', () => {
  it('lists every hit of 150 documents across pages, with totals, never capped at 100', async () => {
    const t = await openTestProject();
    try {
      const coder = await t.session.coder();
      await t.project.db.action({ kind: 't', summary: 't', coderId: coder.id }, (tx) =>
        addDocuments(
          tx,
          Array.from({ length: 150 }, (_, i) => ({
            name: `Article ${String(i).padStart(3, '0')}`,
            text: `Report ${i}. ${'A false flag operation, they said. '.repeat((i % 3) + 1)}Nothing else.`,
            importedBy: coder.id,
          })),
        ),
      );
      const expectedHits = Array.from({ length: 150 }, (_, i) => (i % 3) + 1).reduce((a, b) => a + b, 0);
      const first = await t.call('search.hits', { query: '"false flag"', pageSize: 100 });
      expect(first.total_documents).toBe(150);
      expect(first.total_hits).toBe(expectedHits);
      expect(first.pages).toBe(Math.ceil(expectedHits / 100));
      const seen: string[] = [];
      for (let page = 1; page <= first.pages; page++) {
        const p = await t.call('search.hits', { query: '"false flag"', pageSize: 100, page });
        expect(p.hits.length).toBe(page < first.pages ? 100 : expectedHits - 100 * (first.pages - 1));
        expect(p.hits[0]!.index).toBe((page - 1) * 100);
        for (const h of p.hits) seen.push(`${h.document_id}:${h.start}`);
        // A document cut by the page edge still shows its whole count.
        for (const d of p.documents) expect(d.hits).toBe(Number(d.document_name.slice(-3)) % 3 + 1);
      }
      expect(new Set(seen).size).toBe(expectedHits);
      const past = await t.call('search.hits', { query: '"false flag"', pageSize: 100, page: first.pages + 1 });
      expect(past.hits).toEqual([]);
      expect(past.total_hits).toBe(expectedHits);
    } finally {
      await t.close();
    }
  });
});

describe('marginalia search', () => {
  it('prints KWIC lines and totals, --json the page, and names a bad query', async () => {
    const t = await openTestProject({ sample: true });
    const path = t.path;
    await t.session.setProject(null);
    try {
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
      expect(await main(['search', path, 'Russia', 'OR', 'Ukraine'], io)).toBe(0);
      expect(out.at(-1)).toMatch(/^\d+ hits in \d+ documents\./);
      expect(out.some((l) => /\[(Russia|Ukraine)\]/i.test(l))).toBe(true);
      out.length = 0;
      expect(await main(['search', path, '"false flag"', '--json', '--page-size', '2'], io)).toBe(0);
      const json = JSON.parse(out.join('\n'));
      expect(json.hits.length).toBeLessThanOrEqual(2);
      expect(json.total_hits).toBeGreaterThanOrEqual(json.hits.length);
      expect(await main(['search', path, '--regex', '('], io)).toBe(1);
      expect(err.at(-1)).toMatch(/marginalia search: query: the regular expression is not valid/);
      expect(await main(['search', path, 'Russia OR'], io)).toBe(1);
      expect(err.at(-1)).toMatch(/OR at character 8 needs a word after it/);
    } finally {
      await t.close();
    }
  });
});
