import { describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';
import { addDocuments } from '../../main/core/documents/documents';
import { main } from '../../main/cli';

const TEXT = [
  'Officials blamed a false flag. Nobody agreed. Another false flag was named!',
  'A quiet paragraph about nothing.',
  '  The false flag claim spread 😀 fast. Then it stopped.',
].join('\n');

async function projectWithText() {
  const t = await openTestProject();
  const coder = await t.session.coder();
  await t.project.db.action({ kind: 't', summary: 't', coderId: coder.id }, (tx) => addDocuments(tx, [{ name: 'claims', text: TEXT, importedBy: coder.id }]));
  const { id: codeId } = await t.call('codes.create', { name: 'false flag claim', parentId: null });
  const [doc] = await t.call('documents.list', {});
  return { t, codeId, doc: doc!, coder };
}

const cps = (s: string) => [...s];
/** Code-point span of the first occurrence of `part` in TEXT. */
function spanOf(part: string): { start: number; end: number } {
  const start = cps(TEXT.slice(0, TEXT.indexOf(part))).length;
  return { start, end: start + cps(part).length };
}

describe('autocode', () => {
  it('codes each hit, sentence or paragraph once, previewed first, as one undoable action', async () => {
    const { t, codeId } = await projectWithText();
    try {
      const coded = async () => (await t.call('segments.list', { codeId })).map((s) => s.text).sort();
      const base = { query: '"false flag"', codeId };

      const preview = await t.call('autocode.preview', { ...base, extend: 'sentence' });
      expect(preview).toMatchObject({ hits: 3, segments: 3, documents: 1, already_coded: 0 });
      expect(await coded()).toEqual([]);

      const applied = await t.call('autocode.apply', { ...base, extend: 'sentence' });
      expect(applied).toMatchObject({ hits: 3, segments: 3, documents: 1 });
      expect(await coded()).toEqual(['Another false flag was named!', 'Officials blamed a false flag.', 'The false flag claim spread 😀 fast.']);
      const history = await t.call('project.historyState', {});
      expect(history.undo).toBe('Autocode “"false flag"” with false flag claim (sentence)');

      // Run again: everything is already coded by this coder, nothing is added.
      expect(await t.call('autocode.preview', { ...base, extend: 'sentence' })).toMatchObject({ segments: 0, already_coded: 3 });
      // Hits inside those sentences count as coded too.
      expect(await t.call('autocode.preview', { ...base, extend: 'hit' })).toMatchObject({ hits: 3, segments: 0, already_coded: 3 });

      // One undo takes back all three.
      await t.call('project.undo', {});
      expect(await coded()).toEqual([]);
      await t.call('project.redo', {});
      expect((await coded()).length).toBe(3);
      await t.call('project.undo', {});

      // Paragraphs: two hits in the first paragraph make one segment; leading spaces are left out.
      await t.call('autocode.apply', { ...base, extend: 'paragraph' });
      expect(await coded()).toEqual([TEXT.split('\n')[0], TEXT.split('\n')[2]!.trim()].sort());
      await t.call('project.undo', {});

      // A chosen subset: only the third hit (the line after the emoji), coded exactly.
      const page = await t.call('search.hits', { query: '"false flag"' });
      const third = page.hits[2]!;
      expect({ start: third.start, end: third.end }).toEqual({ start: spanOf('false flag claim').start, end: spanOf('false flag claim').start + 10 });
      const subset = await t.call('autocode.apply', { ...base, extend: 'hit', hits: [{ documentId: third.document_id, start: third.start, end: third.end }] });
      expect(subset).toMatchObject({ hits: 1, segments: 1 });
      const [seg] = await t.call('segments.list', { codeId });
      expect(seg).toMatchObject({ start: third.start, end: third.end, text: 'false flag' });

      // A hit that is no longer one is refused with a reason, and nothing is written.
      await expect(
        t.call('autocode.apply', { ...base, extend: 'hit', hits: [{ documentId: third.document_id, start: 0, end: 9 }] }),
      ).rejects.toThrow(/1 of the chosen hits are no longer hits/);
      expect((await coded()).length).toBe(1);
    } finally {
      await t.close();
    }
  });

  it('codes for the current coder only, leaving other coders’ codings out of the skip', async () => {
    const { t, codeId } = await projectWithText();
    try {
      await t.call('autocode.apply', { query: 'nobody', codeId, extend: 'sentence' });
      await t.call('coders.setCurrent', { name: 'second coder' });
      expect(await t.call('autocode.preview', { query: 'nobody', codeId, extend: 'sentence' })).toMatchObject({ segments: 1, already_coded: 0 });
      const applied = await t.call('autocode.apply', { query: 'nobody', codeId, extend: 'sentence' });
      expect(applied.segments).toBe(1);
      const segs = await t.call('segments.list', { codeId });
      expect(segs.map((s) => [s.coder_name, s.text]).sort()).toEqual([
        ['second coder', 'Nobody agreed.'],
        ['tester', 'Nobody agreed.'],
      ]);
    } finally {
      await t.close();
    }
  });

  it('marginalia autocode: --dry-run says what it would do, then applies; undo takes it back', async () => {
    const { t } = await projectWithText();
    const path = t.path;
    await t.session.setProject(null);
    try {
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
      expect(await main(['autocode', path, '"false flag"', '--code', 'false flag claim', '--extend', 'paragraph', '--dry-run'], io)).toBe(0);
      expect(out.at(-1)).toBe('Would code 2 segments in 1 document with false flag claim (3 hits, extended to the paragraph). Run again without --dry-run to apply.');
      expect(await main(['autocode', path, '"false flag"', '--code', 'false flag claim', '--extend', 'paragraph', '--json'], io)).toBe(0);
      expect(JSON.parse(out.slice(1).join('\n'))).toMatchObject({ dry_run: false, segments: 2, documents: 1, hits: 3 });
      expect(await main(['autocode', path, 'flag', '--code', 'false flag claim', '--extend', 'word'], io)).toBe(2);
      expect(err.at(-1)).toMatch(/--extend must be hit, sentence or paragraph/);
      expect(await main(['undo', path], io)).toBe(0);
      out.length = 0;
      expect(await main(['segments', path, '--json'], io)).toBe(0);
      expect(JSON.parse(out.join('\n'))).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
