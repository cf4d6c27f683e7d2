import { describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';

describe('the API boundary', () => {
  it('rejects unknown methods, wrong types and bad ids with the field named', async () => {
    const t = await openTestProject({ sample: true });
    try {
      expect(await t.callRaw('documents.drop', {})).toEqual({ ok: false, error: { code: 'invalid_input', message: 'Unknown method "documents.drop".' } });
      const wrongType = await t.callRaw('segments.create', { documentId: 'x', codeId: 'y', start: 'a', end: 3 });
      expect(wrongType.ok).toBe(false);
      if (!wrongType.ok) {
        expect(wrongType.error.code).toBe('invalid_input');
        expect(wrongType.error.message).toMatch(/documentId: must be an id/);
        expect(wrongType.error.message).toMatch(/start: must be a number/);
      }
      const extra = await t.callRaw('codes.create', { name: 'x', evil: true });
      expect(extra.ok).toBe(false);
    } finally {
      await t.close();
    }
  });

  it('rejects start > end, offsets past the end and unknown ids, saying which', async () => {
    const t = await openTestProject({ sample: true });
    try {
      const [doc] = await t.call('documents.list', {});
      const [code] = await t.call('codes.list', {});
      const backwards = await t.callRaw('segments.create', { documentId: doc!.id, codeId: code!.id, start: 10, end: 5 });
      expect(backwards).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/^end: must be greater than start/) } });
      const past = await t.callRaw('segments.create', { documentId: doc!.id, codeId: code!.id, start: 0, end: doc!.length + 1 });
      expect(past).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining(`past the end of "${doc!.name}", which has ${doc!.length} characters`) } });
      const unknownDoc = await t.callRaw('segments.create', { documentId: '00000000-0000-4000-8000-000000000000', codeId: code!.id, start: 0, end: 1 });
      expect(unknownDoc).toMatchObject({ ok: false, error: { code: 'not_found' } });
      // Nothing was written by the failed calls.
      expect(await t.call('segments.list', {})).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('keeps code names unique among siblings, case-insensitively, and says so', async () => {
    const t = await openTestProject({ sample: true });
    try {
      const codes = await t.call('codes.list', {});
      const attribution = codes.find((c) => c.path === 'attribution')!;
      const r = await t.callRaw('codes.create', { name: 'Blames Russia', parentId: attribution.id });
      expect(r).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringContaining('already exists under "attribution"') } });
      // The same name under another parent is fine.
      await t.call('codes.create', { name: 'blames Russia', parentId: codes.find((c) => c.path === 'rhetoric')!.id });
    } finally {
      await t.close();
    }
  });

  it('searches with FTS5 and lists each hit in context, at its code-point offsets', async () => {
    const t = await openTestProject({ sample: true });
    try {
      const page = await t.call('search.hits', { query: 'phosphorus' });
      expect(page.total_documents).toBe(1);
      const hit = page.hits[0]!;
      expect(hit.hit.toLowerCase()).toBe('phosphorus');
      const doc = await t.call('documents.get', { id: hit.document_id });
      expect([...doc.text].slice(hit.start, hit.end).join('').toLowerCase()).toBe('phosphorus');
      // What would be an FTS5 syntax error is a worded error about the query, never SQLite's.
      await expect(t.call('search.hits', { query: 'AND ( "unbalanced' })).rejects.toThrow(/invalid_input: query: /);
    } finally {
      await t.close();
    }
  });
});

describe('coders', () => {
  it('renames a coder so two people who share a name can be told apart, undoably', async () => {
    const t = await openTestProject({ sample: true, coder: 'anna' });
    try {
      const [doc] = await t.call('documents.list', {});
      const [code] = await t.call('codes.list', {});
      await t.call('segments.create', { documentId: doc!.id, codeId: code!.id, start: 0, end: 5 });
      const me = await t.call('coders.current', {});
      await t.call('coders.rename', { id: me.id, name: 'anna (Kyiv)' });
      expect((await t.call('coders.current', {})).id).toBe(me.id);
      expect((await t.call('segments.list', {}))[0]!.coder_name).toBe('anna (Kyiv)');
      await t.call('project.undo', {});
      expect((await t.call('coders.list', {})).map((c) => c.name)).toEqual(['anna']);
      expect((await t.call('coders.current', {})).id).toBe(me.id);
      const empty = await t.callRaw('coders.rename', { id: me.id, name: '  ' });
      expect(empty).toMatchObject({ ok: false, error: { message: expect.stringContaining('name: must not be empty') } });
    } finally {
      await t.close();
    }
  });
});

describe('codebook and coding, with undo and redo', () => {
  it('undoes and redoes a merge of two codes, segments included', async () => {
    const t = await openTestProject({ sample: true });
    try {
      const [doc] = await t.call('documents.list', {});
      const codes = await t.call('codes.list', {});
      const death = codes.find((c) => c.path === 'casualties/death toll')!;
      const injured = codes.find((c) => c.path === 'casualties/injured count')!;
      await t.call('segments.create', { documentId: doc!.id, codeId: death.id, start: 0, end: 10 });
      await t.call('segments.create', { documentId: doc!.id, codeId: injured.id, start: 20, end: 30 });
      await t.call('segments.create', { documentId: doc!.id, codeId: injured.id, start: 0, end: 10, memo: 'on the duplicate' });
      const memoOnDuplicate = async () => (await t.call('memos.list', { kind: 'segment' })).some((m) => m.text === 'on the duplicate');
      expect(await memoOnDuplicate()).toBe(true);
      const merged = await t.call('codes.merge', { sourceId: injured.id, targetId: death.id });
      expect(merged).toEqual({ moved: 1, duplicates: 1 });
      // The duplicate goes with its memo; undo brings both back.
      expect(await memoOnDuplicate()).toBe(false);
      expect((await t.call('codes.list', {})).some((c) => c.id === injured.id)).toBe(false);
      expect(await t.call('project.historyState', {})).toMatchObject({ undo: 'Merge code casualties/injured count into casualties/death toll' });

      await t.call('project.undo', {});
      const after = await t.call('segments.list', {});
      expect(after.map((s) => [s.code_id, s.start, s.end]).sort()).toEqual(
        [
          [death.id, 0, 10],
          [injured.id, 20, 30],
          [injured.id, 0, 10],
        ].sort(),
      );
      expect((await t.call('codes.list', {})).find((c) => c.id === injured.id)?.path).toBe('casualties/injured count');
      expect(await memoOnDuplicate()).toBe(true);

      await t.call('project.redo', {});
      expect((await t.call('segments.list', {})).every((s) => s.code_id === death.id)).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('deletes a code with its subcodes and segments, and says how many before', async () => {
    const t = await openTestProject({ sample: true });
    try {
      const [doc] = await t.call('documents.list', {});
      const codes = await t.call('codes.list', {});
      const attribution = codes.find((c) => c.path === 'attribution')!;
      const russia = codes.find((c) => c.path === 'attribution/blames Russia')!;
      await t.call('segments.create', { documentId: doc!.id, codeId: russia.id, start: 5, end: 50, memo: 'clear blame' });
      await t.call('segments.create', { documentId: doc!.id, codeId: attribution.id, start: 60, end: 70 });
      expect(await t.call('codes.deleteImpact', { id: attribution.id })).toEqual({ codes: 5, segments: 2 });
      await t.call('codes.delete', { id: attribution.id });
      expect((await t.call('codes.list', {})).filter((c) => c.path.startsWith('attribution'))).toEqual([]);
      expect(await t.call('memos.list', {})).toEqual([]);
      await t.call('project.undo', {});
      expect((await t.call('codes.list', {})).filter((c) => c.path.startsWith('attribution'))).toHaveLength(5);
      const segs = await t.call('segments.list', {});
      expect(segs.map((s) => s.memo).sort()).toEqual(['', 'clear blame']);
    } finally {
      await t.close();
    }
  });

  it('moves a code, refusing to move it under its own subcode', async () => {
    const t = await openTestProject({ sample: true });
    try {
      const codes = await t.call('codes.list', {});
      const rhetoric = codes.find((c) => c.path === 'rhetoric')!;
      const loaded = codes.find((c) => c.path === 'rhetoric/loaded label')!;
      const casualties = codes.find((c) => c.path === 'casualties')!;
      const bad = await t.callRaw('codes.move', { id: rhetoric.id, parentId: loaded.id });
      expect(bad).toMatchObject({ ok: false, error: { message: expect.stringContaining('cannot move under itself') } });
      await t.call('codes.move', { id: loaded.id, parentId: casualties.id, index: 0 });
      const after = await t.call('codes.list', {});
      expect(after.find((c) => c.id === loaded.id)!.path).toBe('casualties/loaded label');
      expect(after.filter((c) => c.parent_id === casualties.id)[0]!.id).toBe(loaded.id);
    } finally {
      await t.close();
    }
  });
});
