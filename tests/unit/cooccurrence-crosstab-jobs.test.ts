import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisProject } from '../helpers/analysis-project';
import { cooccurrence, type Cooccurrence } from '../../main/core/analysis/cooccurrence';
import { crosstab, type Crosstab, type CrosstabOptions } from '../../main/core/analysis/crosstab';

type P = Awaited<ReturnType<typeof analysisProject>>;
let p: P;

beforeAll(async () => {
  p = await analysisProject(20261203, 30);
});
afterAll(() => p?.close());

async function finished<T>(progress: () => Promise<{ finished: boolean } & T>): Promise<T> {
  for (;;) {
    const j = await progress();
    if (j.finished) return j;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('co-occurrence and crosstabs a round of documents at a time', () => {
  it('count the same matrix in rounds of 7 documents as in one, with progress only growing to every document and matrices so far marked partial', async () => {
    for (const unit of ['overlap', 'document', 'paragraph'] as const) {
      for (const filter of [undefined, { coders: ['ana'] }]) {
        const whole = await p.project.db.read((r) => cooccurrence(r, { unit, filter }));
        const progress: Array<[number, number]> = [];
        const partials: Cooccurrence[] = [];
        const rounds = await p.project.db.read((r) =>
          cooccurrence(r, { unit, filter }, { roundDocuments: 7, onProgress: (d, t) => progress.push([d, t]), onPartial: (x) => partials.push(x) }),
        );
        expect(rounds).toEqual(whole);
        expect(whole.cells.length).toBeGreaterThan(0);
        expect(progress.length).toBeGreaterThan(1);
        const [, total] = progress[0]!;
        expect(progress.at(-1)).toEqual([total, total]);
        expect(progress.map(([d]) => d)).toEqual(progress.map(([d]) => d).sort((a, b) => a - b));
        expect(partials.length).toBe(progress.length - 1);
        for (const x of partials) expect(x.partial!.done).toBeLessThan(x.partial!.total);
        // A partial matrix never counts more than the whole.
        const last = partials.at(-1)!;
        for (const c of last.cells) expect(c.count).toBeLessThanOrEqual(whole.cells.find((w) => w.a === c.a && w.b === c.b)!.count);
      }
    }
  });

  it('add up attribute values in rounds of 7 documents to the same table as in one (outlet, month, share, per coder)', async () => {
    const cases: CrosstabOptions[] = [
      { by: { kind: 'attribute', name: 'outlet' } },
      { by: { kind: 'attribute', name: 'date', bucket: 'month' }, measure: 'share' },
      { by: { kind: 'attribute', name: 'outlet' }, measure: 'presence', rollup: true, filter: { coders: ['ana'] } },
    ];
    for (const options of cases) {
      const whole = await p.project.db.read((r) => crosstab(r, options));
      const partials: Crosstab[] = [];
      const rounds = await p.project.db.read((r) => crosstab(r, options, { roundDocuments: 7, onPartial: (t) => partials.push(t) }));
      expect(rounds).toEqual(whole);
      expect(whole.columns.length).toBeGreaterThan(1);
      expect(partials.length).toBe(4);
      expect(partials.map((t) => t.partial)).toEqual([7, 14, 21, 28].map((done) => ({ done, total: 30 })));
    }
  });

  it('run in the background through the API with the same answer, stop when cancelled, and name a job that does not exist', async () => {
    const direct = await p.call('analysis.cooccurrence', { unit: 'paragraph' });
    const started = await p.call('analysis.cooccurrenceStart', { unit: 'paragraph' });
    const done = await finished(() => p.call('analysis.cooccurrenceProgress', { jobId: started.jobId }));
    expect(done).toMatchObject({ result: direct, error: null, cancelled: false, done: done.total });

    const table = await p.call('analysis.crosstab', { by: { kind: 'attribute', name: 'outlet' } });
    const job = await p.call('analysis.crosstabStart', { by: { kind: 'attribute', name: 'outlet' } });
    expect((await finished(() => p.call('analysis.crosstabProgress', { jobId: job.jobId }))).result).toEqual(table);

    const stopped = await p.call('analysis.cooccurrenceStart', { unit: 'overlap' });
    expect(await p.call('analysis.cancel', { jobId: stopped.jobId })).toEqual({ cancelled: true });
    expect(await finished(() => p.call('analysis.cooccurrenceProgress', { jobId: stopped.jobId }))).toMatchObject({ cancelled: true, result: null, error: null });

    const unknown = await p.callRaw('analysis.cancel', { jobId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.ok).toBe(false);
    const badCoder = await p.callRaw('analysis.cooccurrenceStart', { unit: 'overlap', filter: { coders: ['nobody'] } });
    expect(badCoder.ok).toBe(false);
  });
});
