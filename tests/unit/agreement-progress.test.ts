import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { agreementFromProject, agreementRowsFromProject, computeAgreement, type AgreementInput, type AgreementReport } from '../../main/core/team/agreement';
import { agreementCsv, writeAgreementCsv } from '../../main/core/team/agreement-csv';
import { StringSink } from '../../main/core/exchange/csv';
import { cohenKappa, countByCoders, krippendorffAlpha, meanDefined, pairCounts, percentAgreement, segmentMatch } from '../../main/core/team/statistics';
import { unitsOf, type AgreementUnit, type Span } from '../../main/core/team/units';
import { agreementJobsOf } from '../../main/api/handlers/team';
import { openTestProject } from '../helpers/project';
import { codedByTwo } from '../helpers/two-coders';

const UNITS: AgreementUnit[] = ['char', 'sentence', 'paragraph', 'document'];

/**
 * The reference: agreement computed the plain way, every (code, document, unit) looked at on
 * its own — a unit is coded by a coder when one of their segments overlaps it — and the
 * figures summed with no shortcut for the codes a document does not use.
 */
function reference(input: AgreementInput) {
  const m = input.coders.length;
  const pairs: [number, number][] = [];
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) pairs.push([i, j]);
  const unitsOfDoc = (d: AgreementInput['documents'][number]): Span[] => d.units ?? Array.from({ length: d.length }, (_, p) => ({ start: p, end: p + 1 }));
  const hist = (masks: number[]) => {
    const h = new Map<number, number>();
    for (const x of masks) h.set(x, (h.get(x) ?? 0) + 1);
    return h;
  };
  const cell = (codeId: string, doc: AgreementInput['documents'][number]) => {
    const segs = input.segments.filter((s) => s.code_id === codeId && s.document_id === doc.id);
    const masks = unitsOfDoc(doc).map((u) => input.coders.reduce((mask, c, i) => (segs.some((s) => s.coder_id === c.id && s.start < u.end && s.end > u.start) ? mask | (1 << i) : mask), 0));
    const raw = input.coders.map((c) => segs.filter((s) => s.coder_id === c.id));
    const seg = pairs.map(([i, j]) => segmentMatch(raw[i]!, raw[j]!, input.threshold));
    return { masks, used: segs.length > 0, seg, length: doc.length };
  };
  const figures = (cells: ReturnType<typeof cell>[]) => {
    const all = hist(cells.flatMap((c) => c.masks));
    const kappaPerPair = pairs.map(([i, j]) => {
      let weighted = 0;
      let weight = 0;
      for (const c of cells) {
        const k = cohenKappa(pairCounts(hist(c.masks), i, j));
        if (k !== null && c.length > 0) {
          weighted += k * c.length;
          weight += c.length;
        }
      }
      return { pooled: cohenKappa(pairCounts(all, i, j)), weighted: weight === 0 ? null : weighted / weight };
    });
    const total = cells.flatMap((c) => c.seg).reduce((s, x) => ({ total: s.total + x.total, matched: s.matched + x.matched }), { total: 0, matched: 0 });
    return {
      units: cells.reduce((n, c) => n + c.masks.length, 0),
      counts: pairCounts(all, 0, 1),
      percent_agreement: percentAgreement(all, m),
      kappa_pooled: meanDefined(kappaPerPair.map((k) => k.pooled)),
      kappa_weighted: meanDefined(kappaPerPair.map((k) => k.weighted)),
      alpha: krippendorffAlpha(countByCoders(all, m), m),
      segments: total,
    };
  };
  const byCode = input.codes.map((code) => input.documents.map((d) => cell(code.id, d)));
  const usedCodes = byCode.filter((cells) => cells.some((c) => c.used));
  return {
    codes: byCode.map((cells) => ({ used: cells.some((c) => c.used), ...figures(cells), documents: cells.map((c) => ({ units: c.masks.length, kappa: meanDefined(pairs.map(([i, j]) => cohenKappa(pairCounts(hist(c.masks), i, j)))) })) })),
    overall: {
      codes_used: usedCodes.length,
      ...figures(usedCodes.flat()),
      documents: input.documents.map((_, d) => {
        const cells = usedCodes.map((cs) => cs[d]!);
        const all = hist(cells.flatMap((c) => c.masks));
        return { units: cells.reduce((n, c) => n + c.masks.length, 0), percent_agreement: percentAgreement(all, m) };
      }),
    },
  };
}

/** The figures of a report the reference also gives, rounded so that the order of a float sum does not matter. */
function comparable(r: AgreementReport | ReturnType<typeof reference>) {
  const round = (v: number | null) => (v === null ? null : Math.round(v * 1e9) / 1e9);
  const fig = (x: { units: number; counts: unknown; percent_agreement: number | null; kappa_pooled: number | null; kappa_weighted: number | null; alpha: number | null; segments: unknown }) => ({
    units: x.units,
    counts: x.counts,
    percent_agreement: round(x.percent_agreement),
    kappa_pooled: round(x.kappa_pooled),
    kappa_weighted: round(x.kappa_weighted),
    alpha: round(x.alpha),
    segments: x.segments,
  });
  return {
    codes: r.codes.map((c) => ({ used: c.used, ...fig(c), documents: c.documents.map((d) => ({ units: d.units, kappa: round(d.kappa) })) })),
    overall: { codes_used: r.overall.codes_used, ...fig(r.overall), documents: r.overall.documents.map((d) => ({ units: d.units, percent_agreement: round(d.percent_agreement) })) },
  };
}

const WORDS = ['Hi', 'there', 'Mr.', 'Smith', 'said', '😀', 'no', 'U.S.', 'yes', '3.5', 'why', 'e.g.', '“Так.”', 'сказал', '(no.)', '\r\n', '…', 'a\u00a0b'];
const sentence = fc.tuple(fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 5 }), fc.constantFrom('.', '?', '!', '', '."')).map(([w, end]) => w.join(' ') + end);
const paragraph = fc.array(sentence, { minLength: 1, maxLength: 4 }).map((s) => s.join(' '));
const text = fc.array(paragraph, { minLength: 1, maxLength: 3 }).chain((ps) => fc.constantFrom('\n', '\n\n', ' \n  ').map((sep) => ps.join(sep)));

/** A generated project: texts, two or three coders, up to three codes, segments anywhere in the texts. */
const project = fc
  .record({
    texts: fc.array(text, { minLength: 1, maxLength: 6 }),
    coders: fc.integer({ min: 2, max: 3 }),
    codes: fc.integer({ min: 1, max: 3 }),
    unit: fc.constantFrom(...UNITS),
    threshold: fc.constantFrom(0.5, 0.9, 1),
    segments: fc.array(fc.record({ doc: fc.nat(), code: fc.nat(), coder: fc.nat(), at: fc.double({ min: 0, max: 1, noNaN: true }), size: fc.integer({ min: 1, max: 40 }) }), { maxLength: 24 }),
  })
  .map((p) => {
    const cps = p.texts.map((t) => [...t].length);
    return {
      ...p,
      segments: p.segments.map((s) => {
        const d = s.doc % p.texts.length;
        const start = Math.min(cps[d]! - 1, Math.floor(s.at * cps[d]!));
        return { doc: d, code: s.code % p.codes, coder: s.coder % p.coders, start, end: Math.min(cps[d]!, start + s.size) };
      }),
    };
  });

type Generated = typeof project extends fc.Arbitrary<infer T> ? T : never;

function inputOf(p: Generated): AgreementInput {
  const coders = Array.from({ length: p.coders }, (_, i) => ({ id: `coder-${i}`, name: `coder ${i}` }));
  const codes = Array.from({ length: p.codes }, (_, k) => ({ id: `code-${k}`, path: `code ${k}` }));
  return {
    coders,
    codes,
    documents: p.texts.map((t, d) => {
      const length = [...t].length;
      return { id: `doc-${d}`, name: `doc ${d}`, length, units: unitsOf(p.unit, t, length) };
    }),
    segments: p.segments.map((s) => ({ document_id: `doc-${s.doc}`, code_id: codes[s.code]!.id, coder_id: coders[s.coder]!.id, start: s.start, end: s.end })),
    unit: p.unit,
    threshold: p.threshold,
  };
}

describe('agreement computed document by document', () => {
  it('gives the figures of the plain computation on generated projects, every unit, two and three coders', () => {
    fc.assert(
      fc.property(project, (p) => {
        const input = inputOf(p);
        expect(comparable(computeAgreement(input))).toEqual(comparable(reference(input)));
      }),
      { numRuns: 300 },
    );
  });

  it('lists the first documents only when asked, with figures that still cover them all', () => {
    fc.assert(
      fc.property(project, fc.integer({ min: 0, max: 3 }), (p, rows) => {
        const input = inputOf(p);
        const full = computeAgreement(input);
        const short = computeAgreement(input, { documentRows: rows });
        const n = Math.min(rows, input.documents.length);
        expect(short.overall.documents_total).toBe(input.documents.length);
        expect(short.overall.documents).toEqual(full.overall.documents.slice(0, n));
        short.codes.forEach((c, k) => expect(c.documents).toEqual(full.codes[k]!.documents.slice(0, n)));
        const figures = (r: AgreementReport) => ({ ...r, codes: r.codes.map((c) => ({ ...c, documents: [] })), overall: { ...r.overall, documents: [] } });
        expect(figures(short)).toEqual(figures(full));
      }),
      { numRuns: 100 },
    );
  });

  it('reads a project in batches (sentences split on worker threads) and gets what the whole input gives', async () => {
    const t = await openTestProject({ coder: 'coder 0' });
    try {
      await fc.assert(
        fc.asyncProperty(project, async (p) => {
          // A fresh set of documents, codes and coders in the same project for each case.
          const run = Math.random().toString(36).slice(2, 8);
          const imported = await t.call('import.files', { files: p.texts.map((x, d) => ({ name: `${run}-${d}.txt`, dataBase64: Buffer.from(x).toString('base64') })), keepDuplicates: true });
          expect(imported.imported).toBe(p.texts.length);
          const docs = (await t.call('documents.list', {})).filter((d) => d.name.startsWith(`${run}-`));
          const texts = await Promise.all(docs.map((d) => t.call('documents.get', { id: d.id })));
          const codes = [];
          for (let k = 0; k < p.codes; k++) codes.push(await t.call('codes.create', { name: `${run} code ${k}` }));
          const coders = [];
          for (let i = 0; i < p.coders; i++) coders.push(await t.call('coders.setCurrent', { name: `${run} coder ${i}` }));
          // Named after their files, with or without the extension.
          const byName = new Map(texts.map((x) => [x.name.replace(/\.txt$/, ''), x]));
          const docOf = (d: number) => byName.get(`${run}-${d}`)!;
          const segments = [];
          for (const s of p.segments) {
            const doc = docOf(s.doc);
            const length = [...doc.text].length;
            if (s.start >= length) continue;
            const end = Math.min(s.end, length);
            await t.call('coders.setCurrent', { name: `${run} coder ${s.coder}` });
            await t.call('segments.create', { documentId: doc.id, codeId: codes[s.code]!.id, start: s.start, end });
            segments.push({ document_id: doc.id, code_id: codes[s.code]!.id, coder_id: coders[s.coder]!.id, start: s.start, end });
          }
          const options = { coderIds: coders.map((c) => c.id), codeIds: codes.map((c) => c.id), documentIds: p.texts.map((_, d) => docOf(d).id), unit: p.unit, threshold: p.threshold };
          const fromProject = await t.project.db.readLong((r) => agreementFromProject(r, options, { batchSize: 2, workers: 2 }));
          const whole: AgreementInput = {
            coders: coders.map((c) => ({ id: c.id, name: c.name })),
            codes: codes.map((c, k) => ({ id: c.id, path: `${run} code ${k}` })),
            documents: p.texts.map((_, d) => {
              const doc = docOf(d);
              const length = [...doc.text].length;
              return { id: doc.id, name: doc.name, length, units: unitsOf(p.unit, doc.text, length) };
            }),
            segments,
            unit: p.unit,
            threshold: p.threshold,
          };
          expect(fromProject).toEqual(computeAgreement(whole));
          expect(comparable(fromProject)).toEqual(comparable(reference(whole)));
          // The CSV made from rows kept as numbers (as the app downloads it) has the bytes of the report's own lists.
          for (const documentRows of [undefined, 1]) {
            const listed = await t.project.db.readLong((r) => agreementFromProject(r, { ...options, documentRows }));
            const kept = await t.project.db.readLong((r) => agreementRowsFromProject(r, { ...options, documentRows }, { batchSize: 2 }));
            const sink = new StringSink();
            writeAgreementCsv(kept.report, { delimiter: 'semicolon' }, sink, kept.rows);
            expect(sink.toString()).toBe(agreementCsv(listed, { delimiter: 'semicolon' }));
          }
        }),
        { numRuns: 12 },
      );
    } finally {
      await t.close();
    }
  }, 120_000);
});

describe('progress and cancel', () => {
  const projectOf = (documents: number) => codedByTwo(documents, (d) => `Article ${d}. It says things.\nA second paragraph.`, [0, 5], [2, 9]);

  it('reports documents done from 0 up to the total, never going back', async () => {
    const { t, coderIds } = await projectOf(9);
    try {
      const seen: [number, number][] = [];
      const report = await t.project.db.readLong((r) => agreementFromProject(r, { coderIds, unit: 'sentence' }, { batchSize: 2, onProgress: (done, total) => void seen.push([done, total]) }));
      expect(seen.map(([, total]) => total)).toEqual(seen.map(() => 9));
      expect(seen.map(([done]) => done)).toEqual([0, 2, 4, 6, 8, 9]);
      expect(report.overall.documents_total).toBe(9);
    } finally {
      await t.close();
    }
  });

  it('reads the whole project\'s codings a page of documents at a time and gets the same figures and CSV as in one page', async () => {
    const { t, coderIds } = await projectOf(9);
    try {
      for (const unit of ['document', 'sentence'] as const) {
        const onePage = await t.project.db.readLong((r) => agreementRowsFromProject(r, { coderIds, unit }));
        const csv = (kept: typeof onePage) => {
          const sink = new StringSink();
          writeAgreementCsv(kept.report, {}, sink, kept.rows);
          return sink.toString();
        };
        const expected = csv(onePage);
        // The rows are freed once written: writing them again is refused, never a wrong file.
        expect(() => csv(onePage)).toThrow(/written once and freed/);
        // Pages of 2 and 4 documents end within and after the coded ones (documents 1 to 6).
        for (const scanPage of [1, 2, 4]) {
          const paged = await t.project.db.readLong((r) => agreementRowsFromProject(r, { coderIds, unit }, { scanPage }));
          expect(paged.report).toEqual(onePage.report);
          expect(csv(paged)).toBe(expected);
        }
        // Every coded document is in it: ana's 4 segments and ben's 4.
        expect(onePage.report.overall.segments.total).toBe(8);
      }
    } finally {
      await t.close();
    }
  });

  it('stops when cancelled mid-way with a "cancelled" error, and the project reads on as before', async () => {
    const { t, coderIds } = await projectOf(9);
    try {
      let done = 0;
      const stopped = t.project.db.readLong((r) => agreementFromProject(r, { coderIds, unit: 'paragraph' }, { batchSize: 2, onProgress: (d) => void (done = d), isCancelled: () => done >= 4 }));
      await expect(stopped).rejects.toMatchObject({ code: 'cancelled', message: expect.stringMatching(/^Cancelled/) });
      expect(done).toBe(4);
      // The long-read connection is free again: the next computation runs to the end.
      const report = await t.project.db.readLong((r) => agreementFromProject(r, { coderIds, unit: 'paragraph' }));
      expect(report.overall.units).toBe(18);
    } finally {
      await t.close();
    }
  });

  it('runs as a job the UI polls: progress while it runs, Cancelled with no report, then a full run gives what team.agreement gives', async () => {
    const { t, coderIds } = await projectOf(6);
    const jobs = agreementJobsOf(t.session);
    // Hold the job after each batch of one document until the test lets it go on.
    let release: () => void = () => undefined;
    jobs.testHook = { batchSize: 1, beforeBatch: () => new Promise<void>((r) => (release = r)) };
    try {
      const started = await t.call('team.agreementStart', { coderIds, unit: 'sentence', documentRows: 2 });
      expect(started.finished).toBe(false);
      let state = await t.call('team.agreementProgress', { jobId: started.jobId });
      for (let i = 0; i < 500 && state.done < 1; i++) {
        await new Promise((r) => setTimeout(r, 10));
        state = await t.call('team.agreementProgress', { jobId: started.jobId });
      }
      expect(state).toMatchObject({ done: 1, total: 6, finished: false, cancelled: false, report: null });
      const cancelling = await t.call('team.agreementCancel', { jobId: started.jobId });
      expect(cancelling.cancelled).toBe(true);
      release();
      state = await jobs.wait(started.jobId);
      expect(state).toMatchObject({ finished: true, cancelled: true, error: null, report: null });
      expect(state.done).toBeLessThan(6);
      // Collected once, then forgotten: asking again says what to do.
      const again = await t.callRaw('team.agreementProgress', { jobId: started.jobId });
      expect(again.ok ? 'found' : again.error.message).toMatch(/Compute the agreement again/);

      jobs.testHook = null;
      const full = await t.call('team.agreementStart', { coderIds, unit: 'sentence', documentRows: 2 });
      const finished = await jobs.wait(full.jobId);
      expect(finished).toMatchObject({ done: 6, total: 6, finished: true, cancelled: false, error: null });
      expect(finished.report).toEqual(await t.call('team.agreement', { coderIds, unit: 'sentence', documentRows: 2 }));
      expect(finished.report!.overall.documents).toHaveLength(2);
      expect(finished.report!.overall.documents_total).toBe(6);
    } finally {
      release();
      jobs.testHook = null;
      await t.close();
    }
  });

  it('reports a failure in the job (a coder that does not exist) as its error, not as a report', async () => {
    const { t, coderIds } = await projectOf(3);
    try {
      const jobs = agreementJobsOf(t.session);
      const started = await t.call('team.agreementStart', { coderIds: [coderIds[0]!, '00000000-0000-4000-8000-000000000999'], unit: 'document' });
      const state = await jobs.wait(started.jobId);
      expect(state).toMatchObject({ finished: true, cancelled: false, report: null, error: { code: 'not_found' } });
    } finally {
      await t.close();
    }
  });
});
