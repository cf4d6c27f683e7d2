import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';
import { Project } from '../../main/core/project/project';
import { Session } from '../../main/api/session';
import { dispatch } from '../../main/api/dispatch';
import { main } from '../../main/cli/index';
import type { Input, Method, Output } from '../../main/api/contract';

type TestProject = Awaited<ReturnType<typeof openTestProject>>;

/** Opens a project file as a given coder, with `call` through dispatch. */
async function openAs(path: string, coder: string) {
  const project = await Project.open(path);
  const session = new Session(project, coder);
  async function call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
    const r = await dispatch({ session }, method, input);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.value as Output<M>;
  }
  return { project, session, call, close: () => project.close() };
}

const fileHash = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('merging a colleague’s project', () => {
  let t: TestProject;
  let otherPath: string;
  let ids: { renamedDoc: string; foreignDoc: string; conflictCode: string; sharedCode: string; sameNameAnna: string };

  beforeEach(async () => {
    t = await openTestProject({ sample: true, coder: 'anna' });
    const docs = await t.call('documents.list', {});
    const codes = await t.call('codes.list', {});
    const casualties = codes.find((c) => c.path === 'casualties')!;
    // Anna codes something before sending a copy to Ben.
    await t.call('segments.create', { documentId: docs[0]!.id, codeId: casualties.id, start: 0, end: 10 });
    otherPath = join(t.dir, 'ben.marginalia');
    await t.project.db.read(() => t.project.db.sqlite.run('VACUUM INTO ?', [otherPath]));

    // Ben works on his copy.
    const ben = await openAs(otherPath, 'ben');
    await ben.call('documents.rename', { id: docs[1]!.id, name: 'Renamed by Ben' });
    await ben.call('segments.create', { documentId: docs[1]!.id, codeId: casualties.id, start: 5, end: 25 });
    const seg = await ben.call('segments.create', { documentId: docs[2]!.id, codeId: casualties.id, start: 0, end: 30 });
    await ben.call('memos.save', { kind: 'segment', targetId: seg.id, content: '', text: 'Ben thinks this counts.', title: '' });
    const attribution = codes.find((c) => c.path === 'attribution')!;
    await ben.call('codes.describe', { id: attribution.id, description: "Ben's new rule" });
    const newCode = await ben.call('codes.create', { name: 'denial', parentId: attribution.id });
    // A document only Ben has, coded by him.
    const foreign = await ben.project.db.transaction(async (tx) => {
      const { addDocument } = await import('../../main/core/documents/documents');
      const r = await addDocument(tx, { name: 'Ben only', text: 'A text only Ben imported. It has two sentences.', importedBy: null });
      return r.status === 'imported' ? r.id : '';
    });
    await ben.call('segments.create', { documentId: foreign, codeId: newCode.id, start: 2, end: 6 });
    // Another person called "anna" (a different id) in Ben's file.
    const sameNameAnna = randomUUID();
    await ben.project.db.transaction((tx) => tx.run(`INSERT INTO coders (id, name, created_at) VALUES (?, 'anna', ?)`, [sameNameAnna, new Date().toISOString()]));
    await ben.call('coders.setCurrent', { name: 'anna' }); // resolves to the original anna (earliest)
    await ben.close();
    ids = { renamedDoc: docs[1]!.id, foreignDoc: foreign, conflictCode: attribution.id, sharedCode: casualties.id, sameNameAnna };
  });

  afterEach(async () => {
    await t.close();
  });

  const upload = () => ({ fileName: 'ben.marginalia', dataBase64: readFileSync(otherPath).toString('base64') });

  it('previews what will be added, what exists and the conflicts without writing anything', async () => {
    const before = await t.call('project.info', {});
    const otherBefore = fileHash(otherPath);
    const p = await t.call('team.mergePreview', upload());
    expect(p.add.documents.map((d) => d.label)).toEqual(['Ben only']);
    expect(p.add.codes.map((c) => c.label)).toEqual(['attribution/denial']);
    expect(p.add.coders.map((c) => c.label).sort()).toEqual(['anna', 'ben']);
    expect(p.add.counts.segments).toBe(3);
    expect(p.add.counts.memos).toBe(1);
    expect(p.existing.counts.segments).toBe(1); // Anna's own segment came back
    const renamed = p.existing.documents.find((d) => d.id === ids.renamedDoc)!;
    expect(renamed.note).toContain('Renamed by Ben');
    const codeConflict = p.conflicts.find((c) => c.id === `code:${ids.conflictCode}`)!;
    expect(codeConflict.detail).toContain("Ben's new rule");
    expect(p.conflicts.find((c) => c.id === `document:${ids.foreignDoc}`)!.choices.map((c) => c.value)).toEqual(['add', 'skip']);
    expect(p.same_name_coders).toEqual([expect.objectContaining({ name: 'anna', their_id: ids.sameNameAnna })]);
    expect(await t.call('project.info', {})).toEqual(before);
    expect(fileHash(otherPath)).toBe(otherBefore);
    await t.call('team.mergeCancel', { uploadId: p.uploadId });
  });

  it('applies with the chosen resolutions, backs up first, keeps same-name coders apart, and adds nothing the second time', async () => {
    const p = await t.call('team.mergePreview', upload());
    const r = await t.call('team.mergeApply', { uploadId: p.uploadId, choices: { [`code:${ids.conflictCode}`]: 'take-theirs' } });
    expect(r.backup).toMatch(/^test\.backup-.+\.marginalia$/);
    expect(readdirSync(t.dir)).toContain(r.backup);

    const codes = await t.call('codes.list', {});
    expect(codes.find((c) => c.id === ids.conflictCode)!.description).toBe("Ben's new rule");
    expect(codes.some((c) => c.path === 'attribution/denial')).toBe(true);
    const coders = await t.call('coders.list', {});
    expect(coders.filter((c) => c.name === 'anna')).toHaveLength(2);
    const docs = await t.call('documents.list', {});
    expect(docs.map((d) => d.name)).toContain('Ben only');
    expect(docs.find((d) => d.id === ids.renamedDoc)!.name).not.toBe('Renamed by Ben'); // our name stays
    const benSegs = (await t.call('segments.list', {})).filter((s) => s.coder_name === 'ben');
    expect(benSegs).toHaveLength(3);
    const memos = await t.call('memos.list', { kind: 'segment' });
    expect(memos.map((m) => [m.text, m.author_name])).toContainEqual(['Ben thinks this counts.', 'ben']);

    // The backup is the project as it was before the merge.
    const backup = await Project.open(join(t.dir, r.backup));
    const backupSegs = await backup.db.read((rd) => rd.get<{ n: number }>(`SELECT count(*) AS n FROM segments`));
    await backup.close();
    expect(backupSegs!.n).toBe(1);

    const info = await t.call('project.info', {});
    const again = await t.call('team.mergePreview', upload());
    expect(again.add.counts).toEqual({ documents: 0, codes: 0, coders: 0, segments: 0, memos: 0, attributes: 0, sets: 0, set_members: 0 });
    await t.call('team.mergeApply', { uploadId: again.uploadId, choices: {} });
    expect(await t.call('project.info', {})).toEqual(info);
  });

  it('keeps the newest five merge backups beside the project, and leaves the daily ones and other files alone', async () => {
    const older = ['2026-01-05T10-00-00-000Z', '2026-02-05T10-00-00-000Z', '2026-03-05T10-00-00-000Z', '2026-04-05T10-00-00-000Z', '2026-05-05T10-00-00-000Z', '2026-06-05T10-00-00-000Z'];
    for (const stamp of older) writeFileSync(join(t.dir, `test.backup-${stamp}.marginalia`), 'old');
    const others = ['test.backup-auto-2026-01-01T00-00-00-000Z.marginalia', 'test.backup-notes.marginalia', 'other.backup-2026-01-01T00-00-00-000Z.marginalia'];
    for (const name of others) writeFileSync(join(t.dir, name), 'keep');
    const p = await t.call('team.mergePreview', upload());
    const r = await t.call('team.mergeApply', { uploadId: p.uploadId, choices: {} });
    const left = readdirSync(t.dir);
    expect(left.filter((f) => /^test\.backup-\d/.test(f)).sort()).toEqual([...older.slice(-4).map((s) => `test.backup-${s}.marginalia`), r.backup].sort());
    for (const name of others) expect(left).toContain(name);
  });

  it('is one undoable step', async () => {
    const before = await t.call('project.info', {});
    const codesBefore = await t.call('codes.list', {});
    const p = await t.call('team.mergePreview', upload());
    await t.call('team.mergeApply', { uploadId: p.uploadId, choices: { [`code:${ids.conflictCode}`]: 'take-theirs' } });
    expect((await t.call('project.historyState', {})).undo).toBe('Merge ben.marginalia');
    await t.call('project.undo', {});
    expect(await t.call('project.info', {})).toEqual(before);
    expect(await t.call('codes.list', {})).toEqual(codesBefore);
    await t.call('project.redo', {});
    expect((await t.call('project.info', {})).segments).toBe(before.segments + 3);
  });

  it('skips a foreign document and its codings when asked', async () => {
    const p = await t.call('team.mergePreview', upload());
    const r = await t.call('team.mergeApply', { uploadId: p.uploadId, choices: { [`document:${ids.foreignDoc}`]: 'skip' } });
    expect(r.add.counts.documents).toBe(0);
    expect(r.add.counts.segments).toBe(2);
    expect((await t.call('documents.list', {})).map((d) => d.name)).not.toContain('Ben only');
  });

  it('refuses a file that is not a Marginalia project, naming it, and leaves the project alone', async () => {
    const before = await t.call('project.info', {});
    const r = await t.callRaw('team.mergePreview', { fileName: 'notes.marginalia', dataBase64: Buffer.from('just some text, not SQLite at all '.repeat(10)).toString('base64') });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('not_a_project');
      expect(r.error.message).toContain('notes.marginalia');
    }
    expect(await t.call('project.info', {})).toEqual(before);
    expect(readdirSync(t.dir).filter((f) => f.includes('backup'))).toEqual([]);
  });

  it('merges from the command line with the same report, --dry-run writing nothing', async () => {
    await t.session.setProject(null);
    const lines: string[] = [];
    const errs: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => errs.push(l) };
    const coders = async () => {
      const p = await Project.open(t.path);
      const n = (await p.db.read((r) => r.get<{ n: number }>('SELECT count(*) AS n FROM coders')))!.n;
      await p.close();
      return n;
    };
    const codersBefore = await coders();
    expect(await main(['merge', t.path, otherPath, '--dry-run', '--coder', 'a-new-reviewer'], io)).toBe(0);
    // Not even the coder who asked for the preview is written.
    expect(await coders()).toBe(codersBefore);
    const text = lines.join('\n');
    expect(text).toContain('To add: 1 documents, 1 codes, 2 coders, 3 segments, 1 memos');
    expect(text).toContain(`[code:${ids.conflictCode}]`);
    expect(text).toContain('Nothing was written');
    lines.length = 0;
    expect(await main(['merge', t.path, otherPath, '--json', '--skip-new-documents'], io)).toBe(0);
    const report = JSON.parse(lines.join('\n')) as { add: { counts: { segments: number } }; backup: string };
    expect(report.add.counts.segments).toBe(2);
    expect(report.backup).toMatch(/backup/);
    errs.length = 0;
    writeFileSync(join(t.dir, 'junk.marginalia'), 'nope');
    expect(await main(['merge', t.path, join(t.dir, 'junk.marginalia')], io)).toBe(1);
    expect(errs.join('\n')).toContain('junk.marginalia');
  });
});

describe('merging brings the colleague’s document sets', () => {
  it('joins a set by id or by name, creates the others, puts in only merged documents, and undoes as one step', async () => {
    const t = await openTestProject({ sample: true, coder: 'anna' });
    try {
      const docs = await t.call('documents.list', {});
      const rt = await t.call('sets.create', { name: 'RT', documentIds: [docs[0]!.id] });
      await t.call('sets.create', { name: 'Wire', documentIds: [docs[4]!.id] });
      const otherPath = join(t.dir, 'ben.marginalia');
      await t.project.db.read(() => t.project.db.sqlite.run('VACUUM INTO ?', [otherPath]));
      // Anna makes "Eyewitness" after sending the copy; Ben makes his own "eyewitness" (another id).
      await t.call('sets.create', { name: 'Eyewitness', documentIds: [docs[1]!.id] });

      const ben = await openAs(otherPath, 'ben');
      await ben.call('sets.add', { setId: rt.id, documentIds: [docs[1]!.id, docs[2]!.id] });
      await ben.call('sets.create', { name: 'eyewitness', documentIds: [docs[1]!.id, docs[3]!.id] });
      const foreign = await ben.project.db.transaction(async (tx) => {
        const { addDocument } = await import('../../main/core/documents/documents');
        const r = await addDocument(tx, { name: 'Ben only', text: 'A wire story only Ben imported.', importedBy: null });
        return r.status === 'imported' ? r.id : '';
      });
      await ben.call('sets.create', { name: 'Ben picks', documentIds: [foreign, docs[2]!.id] });
      await ben.close();

      const upload = { fileName: 'ben.marginalia', dataBase64: readFileSync(otherPath).toString('base64') };
      const p = await t.call('team.mergePreview', upload);
      expect(p.add.counts.sets).toBe(1); // "Ben picks"
      expect(p.add.counts.set_members).toBe(2 + 1 + 2); // RT +2, Eyewitness +1 (docs[3]), Ben picks 2
      expect(p.existing.counts.sets).toBe(3); // RT by id, Wire by id, eyewitness by name
      const before = await t.call('sets.list', {});
      await t.call('team.mergeApply', { uploadId: p.uploadId, choices: {} });

      const sets = await t.call('sets.list', {});
      const byName = new Map(sets.map((x) => [x.name, x]));
      expect([...byName.keys()].sort()).toEqual(['Ben picks', 'Eyewitness', 'RT', 'Wire']);
      const names = async (name: string) => {
        const ids = await t.call('sets.members', { setId: byName.get(name)!.id });
        const all = await t.call('documents.list', {});
        return ids.map((id) => all.find((d) => d.id === id)!.name).sort();
      };
      expect(await names('RT')).toEqual([docs[0]!.name, docs[1]!.name, docs[2]!.name].sort());
      expect(await names('Eyewitness')).toEqual([docs[1]!.name, docs[3]!.name].sort());
      expect(await names('Ben picks')).toEqual(['Ben only', docs[2]!.name].sort());
      expect(await names('Wire')).toEqual([docs[4]!.name]);

      // The same file again adds nothing; undo takes the merge's sets back with it.
      expect((await t.call('team.mergePreview', upload)).add.counts).toMatchObject({ sets: 0, set_members: 0 });
      await t.call('project.undo', {});
      expect(await t.call('sets.list', {})).toEqual(before);
    } finally {
      await t.close();
    }
  });
});

describe('merging a REFI-QDA .qdpx', () => {
  it('merges through a temporary project, and the same file twice adds nothing', async () => {
    const { exportQdpx } = await import('../../main/core/exchange/qdpx-export');
    const t = await openTestProject({ sample: true, coder: 'anna' });
    try {
      const docs = await t.call('documents.list', {});
      const casualties = (await t.call('codes.list', {})).find((c) => c.path === 'casualties')!;
      // A colleague's project from the same sample, coded by "ben", sent as .qdpx.
      const ben = await openTestProject({ sample: true, coder: 'ben' });
      let bytes: Uint8Array;
      try {
        const benDocs = await ben.call('documents.list', {});
        const benCode = (await ben.call('codes.list', {})).find((c) => c.path === 'casualties')!;
        const target = benDocs.find((d) => d.text_sha256 === docs[0]!.text_sha256)!;
        await ben.call('segments.create', { documentId: target.id, codeId: benCode.id, start: 3, end: 33 });
        bytes = await ben.project.db.read((r) => exportQdpx(r));
      } finally {
        await ben.close();
      }
      const upload = { fileName: 'ben.qdpx', dataBase64: Buffer.from(bytes).toString('base64') };
      const p = await t.call('team.mergePreview', upload);
      expect(p.add.documents).toEqual([]); // same texts, matched by hash
      expect(p.existing.codes.map((c) => c.label)).toContain('casualties');
      expect(p.add.counts.segments).toBe(1);
      await t.call('team.mergeApply', { uploadId: p.uploadId, choices: {} });
      const segs = await t.call('segments.list', { codeId: casualties.id });
      expect(segs.map((s) => [s.coder_name, s.document_id, s.start, s.end])).toEqual([['ben', docs[0]!.id, 3, 33]]);
      const again = await t.call('team.mergePreview', upload);
      expect(again.add.counts).toEqual({ documents: 0, codes: 0, coders: 0, segments: 0, memos: 0, attributes: 0, sets: 0, set_members: 0 });
      await t.call('team.mergeCancel', { uploadId: again.uploadId });
    } finally {
      await t.close();
    }
  });
});
