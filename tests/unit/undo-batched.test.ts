import { describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';

type T = Awaited<ReturnType<typeof openTestProject>>;

/** Every row of the tables a merge touches, in a fixed order. */
async function snapshot(t: T) {
  return t.project.db.read(async (r) => ({
    segments: await r.all(`SELECT * FROM segments ORDER BY id`),
    memos: await r.all(`SELECT * FROM memos ORDER BY id`),
    codes: await r.all(`SELECT * FROM codes ORDER BY id`),
  }));
}

describe('undo and redo of a large action', () => {
  it('bring back exactly the rows before and after merging hundreds of codings, duplicates and their memos included', async () => {
    const t = await openTestProject({ sample: true });
    try {
      const docs = await t.call('documents.list', {});
      const codes = await t.call('codes.list', {});
      const death = codes.find((c) => c.path === 'casualties/death toll')!;
      const injured = codes.find((c) => c.path === 'casualties/injured count')!;
      const spans: Array<[string, number, number]> = [];
      for (const d of docs) for (let s = 0; s + 12 < 1500; s += 13) spans.push([d.id, s, s + 12]);
      for (const [i, [documentId, start, end]] of spans.entries()) {
        await t.call('segments.create', { documentId, codeId: injured.id, start, end, ...(i % 7 === 0 ? { memo: `memo ${i}` } : {}) });
        // Every third span is coded with the target too: a duplicate the merge removes.
        if (i % 3 === 0) await t.call('segments.create', { documentId, codeId: death.id, start, end });
      }
      const before = await snapshot(t);
      const merged = await t.call('codes.merge', { sourceId: injured.id, targetId: death.id });
      expect(merged.duplicates).toBe(Math.ceil(spans.length / 3));
      expect(merged.moved).toBe(spans.length - merged.duplicates);
      const after = await snapshot(t);

      await t.call('project.undo', {});
      expect(await snapshot(t)).toEqual(before);
      await t.call('project.redo', {});
      expect(await snapshot(t)).toEqual(after);
      await t.call('project.undo', {});
      expect(await snapshot(t)).toEqual(before);
    } finally {
      await t.close();
    }
  });
});
