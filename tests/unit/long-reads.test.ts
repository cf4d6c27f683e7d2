import { describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';

describe('long reads on their own connection', () => {
  it('a count that takes long never holds up coding: reads and writes finish meanwhile, and it reads one snapshot', async () => {
    const t = await openTestProject({ sample: true });
    try {
      const [doc] = await t.call('documents.list', {});
      const code = (await t.call('codes.list', {})).find((c) => c.path === 'casualties')!;
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const order: string[] = [];
      const long = t.project.db.readLong(async (r) => {
        const before = (await r.get<{ n: number }>(`SELECT count(*) AS n FROM segments`))!.n;
        order.push('long started');
        await gate;
        const after = (await r.get<{ n: number }>(`SELECT count(*) AS n FROM segments`))!.n;
        order.push('long done');
        return { before, after };
      });
      await expect.poll(() => order.includes('long started')).toBe(true);
      // While the long read waits, the coding screen codes and reads as usual.
      await t.call('segments.create', { documentId: doc!.id, codeId: code.id, start: 0, end: 10 });
      order.push('coded');
      expect((await t.call('segments.list', {})).length).toBe(1);
      order.push('read');
      release();
      // The long read saw the project as it was when it began.
      expect(await long).toEqual({ before: 0, after: 0 });
      expect(order).toEqual(['long started', 'coded', 'read', 'long done']);
      // The next long read sees the coding.
      expect(await t.project.db.readLong((r) => r.get<{ n: number }>(`SELECT count(*) AS n FROM segments`))).toEqual({ n: 1 });
    } finally {
      await t.close();
    }
  });

  it('closing the project stops a long read still running, and the reads queued behind it, instead of waiting for them', async () => {
    const t = await openTestProject({ sample: true });
    // Counting to ten billion would take SQLite minutes: only the interruption ends it in time.
    const endless = t.project.db.readLong((r) => r.get(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000000000) SELECT count(*) FROM n`));
    const queued = t.project.db.readLong((r) => r.get(`SELECT count(*) AS n FROM documents`));
    const outcome = Promise.allSettled([endless, queued]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await t.close();
    const [first, second] = await outcome;
    expect(first.status).toBe('rejected');
    expect(second).toMatchObject({ status: 'rejected', reason: { message: expect.stringMatching(/was closed before this could be read/) } });
  });

  it('the project closes whole (its WAL folded in) after long reads, and a failed long read leaves the next one working', async () => {
    const t = await openTestProject({ sample: true });
    try {
      await expect(t.project.db.readLong((r) => r.all(`SELECT * FROM no_such_table`))).rejects.toThrow(/no_such_table/);
      expect(await t.project.db.readLong((r) => r.get<{ n: number }>(`SELECT count(*) AS n FROM documents`))).toEqual({ n: 5 });
      const page = await t.call('search.hits', { query: 'Kostiantynivka' });
      expect(page.total_hits).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
    const { existsSync, statSync } = await import('node:fs');
    const wal = `${t.project.path}-wal`;
    expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
  });
});
