import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';
import { drawSample, seededRandom } from '../../main/core/team/rounds';
import { main } from '../../main/cli/index';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

type TestProject = Awaited<ReturnType<typeof openTestProject>>;

describe('disagreements, consensus and reliability rounds', () => {
  let t: TestProject;
  let doc: { id: string; length: number };
  let code: string;
  let anna: string;
  let ben: string;

  beforeEach(async () => {
    t = await openTestProject({ sample: true, coder: 'anna' });
    const docs = await t.call('documents.list', {});
    doc = docs[0]!;
    code = (await t.call('codes.list', {})).find((c) => c.path === 'casualties')!.id;
    anna = (await t.call('coders.current', {})).id;
    await t.call('segments.create', { documentId: doc.id, codeId: code, start: 0, end: 20 });
    await t.call('segments.create', { documentId: doc.id, codeId: code, start: 100, end: 120 });
    ben = (await t.call('coders.setCurrent', { name: 'ben' })).id;
    await t.call('segments.create', { documentId: doc.id, codeId: code, start: 10, end: 30 });
    await t.call('segments.create', { documentId: doc.id, codeId: code, start: 100, end: 120 });
  });

  afterEach(async () => {
    await t.close();
  });

  it('lists the passages the coders coded differently, in reading order', async () => {
    const d = await t.call('team.disagreements', { documentId: doc.id, coderIds: [anna, ben] });
    expect(d.map((x) => [x.start, x.end])).toEqual([
      [0, 10],
      [20, 30],
    ]);
    expect(d[0]!.coders.map((c) => [c.coder_name, c.coded])).toEqual([
      ['anna', true],
      ['ben', false],
    ]);
    expect(d[0]!.decision).toBeNull();
  });

  it("copies the chosen coder's coding to the consensus coder with a memo, undoably", async () => {
    const [first] = await t.call('team.disagreements', { documentId: doc.id, coderIds: [anna, ben] });
    const r = await t.call('team.resolve', { documentId: doc.id, codeId: code, start: first!.start, end: first!.end, chosenCoderId: anna, reason: 'The count starts in the headline.' });
    const consensus = (await t.call('coders.list', {})).find((c) => c.name === 'consensus')!;
    expect(r.consensus_coder_id).toBe(consensus.id);
    const segs = await t.call('segments.list', { coderIds: [consensus.id] });
    expect(segs.map((s) => [s.start, s.end])).toEqual([[0, 20]]);
    expect(segs[0]!.memo).toContain('The count starts in the headline.');
    const after = await t.call('team.disagreements', { documentId: doc.id, coderIds: [anna, ben] });
    expect(after[0]!.decision?.chosen_coder_name).toBe('anna');
    // Settling again differently replaces the consensus coding there.
    await t.call('team.resolve', { documentId: doc.id, codeId: code, start: 0, end: 10, chosenCoderId: null, reason: 'On reflection, not a count.' });
    expect(await t.call('segments.list', { coderIds: [consensus.id] })).toHaveLength(0);
    await t.call('project.undo', {});
    await t.call('project.undo', {});
    expect(await t.call('segments.list', { coderIds: [consensus.id] })).toHaveLength(0);
    expect((await t.call('team.disagreements', { documentId: doc.id, coderIds: [anna, ben] }))[0]!.decision).toBeNull();
  });

  it('refuses to settle without a reason, or with a coder who did not code there', async () => {
    const noReason = await t.callRaw('team.resolve', { documentId: doc.id, codeId: code, start: 0, end: 10, chosenCoderId: anna, reason: '  ' });
    expect(noReason.ok).toBe(false);
    const wrong = await t.callRaw('team.resolve', { documentId: doc.id, codeId: code, start: 0, end: 10, chosenCoderId: ben, reason: 'x' });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.error.message).toContain('ben did not code this passage');
  });

  it('draws a reproducible seeded sample, hides coders from each other while open, and keeps results on close', async () => {
    const ids = ['d', 'a', 'c', 'b', 'e'];
    expect(drawSample(ids, 3, 42)).toEqual(drawSample([...ids].reverse(), 3, 42));
    expect(new Set(drawSample(ids, 5, 7))).toEqual(new Set(ids));
    const rand = seededRandom(1);
    const xs = Array.from({ length: 1000 }, rand);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);

    const round = await t.call('team.rounds.create', { name: 'Pilot', sample: { kind: 'count', value: 2 }, seed: 1234, coderIds: [anna, ben], unit: 'char', threshold: 0.9 });
    expect(round.seed).toBe(1234);
    expect(round.documents).toHaveLength(2);
    const again = await t.call('team.rounds.create', { name: 'Same seed', sample: { kind: 'share', value: 0.4 }, seed: 1234, coderIds: [anna, ben], unit: 'char', threshold: 0.9 });
    expect(again.documents.map((d) => d.id)).toEqual(round.documents.map((d) => d.id));
    const vis = await t.call('team.visibleCoders', {}); // current coder is ben
    expect(vis.restricted).toBe(true);
    expect(vis.hidden_coder_ids).toEqual([anna]);
    expect(vis.visible_coder_ids).toContain(ben);

    await t.call('team.rounds.close', { id: round.id });
    const closed = await t.call('team.rounds.close', { id: again.id });
    expect(closed.status).toBe('closed');
    expect(closed.results!.overall.documents.map((d) => d.document_id).sort()).toEqual(round.documents.map((d) => d.id).sort());
    expect((await t.call('team.visibleCoders', {})).restricted).toBe(false);
    const listed = await t.call('team.rounds.list', {});
    expect(listed.map((r) => r.status)).toEqual(['closed', 'closed']);
    const tooMany = await t.callRaw('team.rounds.create', { name: 'Big', sample: { kind: 'count', value: 99 }, coderIds: [anna, ben] });
    expect(tooMany.ok).toBe(false);
    if (!tooMany.ok) expect(tooMany.error.message).toContain('asks for 99 documents but only 5');
  });

  it('computes agreement through the API and the command line, warning about a coder with no coding', async () => {
    const report = await t.call('team.agreement', { coderIds: [anna, ben], codeIds: [code], documentIds: [doc.id], unit: 'char', threshold: 0.9 });
    const c = report.codes[0]!;
    // anna [0,20)+[100,120), ben [10,30)+[100,120): both 30, one only 20.
    expect(c.counts.both).toBe(30);
    expect(c.counts.first_only + c.counts.second_only).toBe(20);
    expect(c.segments).toEqual({ total: 4, matched: 2 });
    expect(c.segment_agreement).toBe(50);
    const csv = await t.call('team.agreementCsv', { coderIds: [anna, ben], codeIds: [code], unit: 'document', threshold: 0.9 });
    const text = t.download(csv).toString('utf8');
    expect(text.split('\n')[0]).toContain('percent_agreement');
    expect(text).toMatch(/^overall,/m);

    await t.call('coders.setCurrent', { name: 'carol' });
    await t.session.setProject(null);
    const out: string[] = [];
    const err: string[] = [];
    const code0 = await main(['agreement', t.path, '--coders', 'anna,ben,carol', '--codes', 'casualties', '--json'], { out: (l) => out.push(l), err: (l) => err.push(l) });
    expect(code0).toBe(0);
    expect(err.join('\n')).toContain('warning: Coder "carol" has coded none');
    const json = JSON.parse(out.join('\n')) as { coders: { name: string }[]; unit: string; codes: { path: string; alpha: number | null; documents: unknown[] }[]; overall: { kappa_pooled: number | null } };
    expect(json.coders.map((x) => x.name)).toEqual(['anna', 'ben', 'carol']);
    expect(json.unit).toBe('char');
    expect(json.codes.map((x) => x.path)).toEqual(['casualties']);
    expect(json.codes[0]!.documents).toHaveLength(5);
    // The table for three coders names the kappa and marks unused codes without "either".
    const table: string[] = [];
    expect(await main(['agreement', t.path, '--coders', 'anna,ben,carol', '--codes', 'casualties,rhetoric'], { out: (l) => table.push(l), err: () => undefined })).toBe(0);
    expect(table.join('\n')).toContain("Light's kappa (mean of the 3 pairwise Cohen's kappas); Fleiss' kappa beside it");
    expect(table.find((l) => l.startsWith('rhetoric '))).toContain('[not used by any chosen coder]');
    expect(table.join('\n')).not.toMatch(/\beither\b/);
    // The CSV names the kappa on every row: Light's for three coders, Cohen's for two.
    const three = join(t.dir, 'three.csv');
    expect(await main(['agreement', t.path, '--coders', 'anna,ben,carol', '--codes', 'casualties', '--csv', three], { out: () => undefined, err: () => undefined })).toBe(0);
    const [header, ...rows] = readFileSync(three, 'utf8').trim().split(/\r?\n/);
    expect(header!.split(',').at(-1)).toBe('kappa_name');
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) expect(row.endsWith(`,Light's kappa (mean of the 3 pairwise Cohen's kappas)`), row).toBe(true);
    expect(text.trim().split(/\r?\n/).at(-1)!.endsWith(`,Cohen's kappa`)).toBe(true);
    const bad = await main(['agreement', t.path, '--coders', 'anna'], { out: () => undefined, err: (l) => err.push(l) });
    expect(bad).toBe(2);
  });
});
