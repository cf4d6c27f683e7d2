import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sentenceSplitter } from '../../main/core/team/agreement-sentences';
import { agreementFromProject, computeAgreement, type AgreementInput } from '../../main/core/team/agreement';
import { newSentenceSegmenter, unitRanges, unitsOf } from '../../main/core/team/units';
import { openTestProject } from '../helpers/project';
import { addDocument } from '../../main/core/documents/documents';

const segmenter = newSentenceSegmenter();
const split = sentenceSplitter(segmenter);
/** What the rest of the app calls a sentence: Intl.Segmenter's, within each paragraph, trimmed. */
const intl = (text: string) => [...unitRanges(text, segmenter)];
const fast = (text: string) => [...split(text)];

// The characters the fast path may classify itself (the others send a paragraph to Intl.Segmenter).
const TABLE: string[] = [];
for (const [from, to] of [
  [0x00, 0x24f],
  [0x370, 0x52f],
  [0x2000, 0x206f],
]) {
  for (let c = from!; c <= to!; c++) TABLE.push(String.fromCharCode(c));
}

const NEWS = [
  'Mr. Smith arrived in the U.S. on Jan. 5. He said: "We will stay." Then he left!',
  'Officials (e.g. the mayor) said 3.5 km of road was hit… Nobody knows why? «Всё ясно», — сказал он. Дальше.',
  '“Is it over?” she asked. ‘No.’ The strike hit at 10 p.m. local time.\r\nA second paragraph; short.',
  'Casualties rose 😀 again. The U.N. said so.\r\n\r\n  Indented line. Ends without a stop',
  'Тема: обстрел. Погибли 3 человека! Что дальше?\u00a0Неясно.\tTabs\tand\u00a0spaces . next',
  'A sentence... and more. Was it 1.5? Yes!!! OK.) (Maybe.) "Quoted." Lower after quote. next one',
  'Café déjà vu. Ελληνικά κείμενα. Δεύτερη πρόταση; ναι. e\u0301 combining. ZWJ 👩\u200d👩\u200d👧 family.',
];

describe('the fast sentence splitter', () => {
  it('splits real-looking news text (abbreviations, quotes, emoji, CRLF, Cyrillic, Greek) as Intl.Segmenter does', () => {
    for (const text of NEWS) expect(fast(text)).toEqual(intl(text));
    expect(fast(NEWS.join('\n'))).toEqual(intl(NEWS.join('\n')));
    expect(fast('')).toEqual([]);
    expect(fast(' \n\t\n')).toEqual([]);
  });

  it('agrees with Intl.Segmenter on every character it classifies, around terminators and quotes', () => {
    const contexts = (c: string) => [
      `Hi.${c}There`,
      `Hi. ${c}there`,
      `Hi. ${c} There`,
      `a${c}. B`,
      `A${c}.B`,
      `Hi.${c}3`,
      `Say "no.${c}" Then`,
      `Stop!${c} yes`,
      `Is it${c}? No.`,
      `x.${c}${c}a b`,
      `${c}.${c}`,
      `One. ${c}, two`,
    ];
    const wrong = TABLE.filter((c) => contexts(c).some((t) => JSON.stringify(fast(t)) !== JSON.stringify(intl(t))));
    expect(wrong.map((c) => `U+${c.charCodeAt(0).toString(16).padStart(4, '0')}`)).toEqual([]);
  });

  it('agrees with Intl.Segmenter on generated text', () => {
    const tricky = ['.', '.', '!', '?', ' ', ' ', ' ', '\n', '\r\n', 'a', 'b', 'A', 'B', 'Я', 'ж', '1', '"', "'", '(', ')', ',', ';', ':', '\u201c', '\u201d', '\u00a0', '\u2014', '\u2026', '«', '»', '\t', '😀', '\u0301', '\u200d'];
    const char = fc.oneof({ arbitrary: fc.constantFrom(...tricky), weight: 4 }, { arbitrary: fc.constantFrom(...TABLE), weight: 1 }, { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 1 });
    fc.assert(
      fc.property(fc.array(char, { maxLength: 30 }), (chars) => {
        const text = chars.join('');
        expect(fast(text)).toEqual(intl(text));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('agreement by sentence over a project', () => {
  it('gives, with and without worker threads (which decode the stored bytes), what the whole input with Intl.Segmenter sentences and paragraphs gives', async () => {
    const t = await openTestProject({ coder: 'ana' });
    try {
      const texts = [...NEWS, 'Only ben coded this. Second sentence.', 'Nobody coded this one. At all.'];
      await t.call('import.files', { files: texts.map((x, d) => ({ name: `d${d}.txt`, dataBase64: Buffer.from(x).toString('base64') })), keepDuplicates: true });
      const docs = await Promise.all((await t.call('documents.list', {})).map((d) => t.call('documents.get', { id: d.id })));
      const byName = new Map(docs.map((d) => [d.name.replace(/\.txt$/, ''), d]));
      const doc = (d: number) => byName.get(`d${d}`)!;
      const codes = [await t.call('codes.create', { name: 'theme' }), await t.call('codes.create', { name: 'other' })];
      const ana = await t.call('coders.current', {});
      const ben = await t.call('coders.setCurrent', { name: 'ben' });
      const segments: AgreementInput['segments'] = [];
      const code = async (coder: { id: string; name: string }, d: number, k: number, start: number, end: number) => {
        await t.call('coders.setCurrent', { name: coder.name });
        const id = doc(d).id;
        await t.call('segments.create', { documentId: id, codeId: codes[k]!.id, start, end });
        segments.push({ document_id: id, code_id: codes[k]!.id, coder_id: coder.id, start, end });
      };
      // Overlapping segments, segments across sentences, after emoji, one coder only.
      for (let d = 0; d < NEWS.length; d++) {
        const length = [...doc(d).text].length;
        await code(ana, d, 0, 0, Math.min(length, 30));
        await code(ana, d, 0, 10, Math.min(length, 60));
        await code(ben, d, 0, 5, Math.min(length, 25));
        await code(ben, d, 1, Math.max(0, length - 20), length);
        if (d % 2 === 0) await code(ana, d, 1, Math.max(0, length - 40), length - 5);
      }
      await code(ben, NEWS.length, 0, 0, 10);
      for (const unit of ['sentence', 'paragraph'] as const) {
        const whole: AgreementInput = {
          coders: [ana, ben].map((c) => ({ id: c.id, name: c.name })),
          codes: codes.map((c, k) => ({ id: c.id, path: ['theme', 'other'][k]! })),
          documents: texts.map((_, d) => {
            const length = [...doc(d).text].length;
            return { id: doc(d).id, name: doc(d).name, length, units: unitsOf(unit, doc(d).text, length) };
          }),
          segments,
          unit,
          threshold: 0.9,
        };
        const expected = computeAgreement(whole);
        const options = { coderIds: [ana.id, ben.id], documentIds: whole.documents.map((d) => d.id), unit };
        for (const progress of [{ workers: 0 }, { workers: 2, batchSize: 3 }]) {
          expect(await t.project.db.readLong((r) => agreementFromProject(r, options, progress))).toEqual(expected);
        }
        expect(expected.overall.units).toBeGreaterThan(unit === 'sentence' ? 40 : 15);
      }
    } finally {
      await t.close();
    }
  }, 60_000);

  it('gives the same report with worker threads for texts with emoji, blank lines and non-Latin letters, in batches SQLite reads in another order', async () => {
    const t = await openTestProject({ coder: 'ana' });
    try {
      const coder = await t.session.coder();
      // Ids that sort against the documents' order, so a batch's texts come back from SQLite (by id) in another order than the batch's.
      const texts = ['Zero width\u200b here. After it 😀 more.\n\nNext para.', '😀😀 Emoji first. Then text.', 'Plain one. Two.\n  \nThree.', 'Тема: обстрел. Погибли трое! Дальше.'];
      const ids: string[] = [];
      await t.project.db.action({ kind: 'test', summary: 'add', coderId: coder.id }, async (tx) => {
        for (const [i, text] of texts.entries()) {
          ids.push(`${(15 - i).toString(16).repeat(8)}-0000-4000-8000-000000000000`);
          expect(await addDocument(tx, { id: ids[i], name: `d${i}`, text, importedBy: coder.id })).toMatchObject({ status: 'imported', id: ids[i] });
        }
      });
      const code = await t.call('codes.create', { name: 'theme' });
      const ana = await t.call('coders.current', {});
      for (const id of ids) await t.call('segments.create', { documentId: id, codeId: code.id, start: 2, end: 12 });
      const ben = await t.call('coders.setCurrent', { name: 'ben' });
      for (const id of ids.slice(1)) await t.call('segments.create', { documentId: id, codeId: code.id, start: 8, end: 20 });
      for (const unit of ['sentence', 'paragraph'] as const) {
        const options = { coderIds: [ana.id, ben.id], unit };
        const expected = await t.project.db.readLong((r) => agreementFromProject(r, options, { workers: 0 }));
        expect(expected.overall.units).toBe(unit === 'sentence' ? 11 : 6);
        for (const batchSize of [2, 3]) expect(await t.project.db.readLong((r) => agreementFromProject(r, options, { workers: 2, batchSize }))).toEqual(expected);
      }
    } finally {
      await t.close();
    }
  }, 60_000);
});
