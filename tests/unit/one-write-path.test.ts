import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openTestProject } from '../helpers/project';
import { Project } from '../../main/core/project/project';
import { Sqlite } from '../../main/core/db/sqlite';
import { createSegments, listSegments } from '../../main/core/coding/segments';
import { addDocuments } from '../../main/core/documents/documents';
import { createMemos } from '../../main/core/memos/memos';
import { repairCodeName } from '../../main/core/codebook/codebook';
import { sha256 } from '../../main/core/text/normalise';

type TestProject = Awaited<ReturnType<typeof openTestProject>>;

const T0 = '2024-03-01T10:00:00.000Z';

/**
 * A colleague's project as another machine or version may have written it: a real project
 * file, then rows written straight into it with SQLite, past every rule of the app.
 */
async function colleagueFile(dir: string, write: (db: Sqlite) => Promise<void>): Promise<string> {
  const path = join(dir, `ben-${randomUUID().slice(0, 8)}.marginalia`);
  const p = await Project.create(path, { name: "Ben's copy" });
  await p.close();
  const db = await Sqlite.open(path);
  try {
    await write(db);
  } finally {
    await db.close();
  }
  return path;
}

interface RawDoc {
  id: string;
  name: string;
  text: string;
}
const rawDoc = (db: Sqlite, d: RawDoc) =>
  db.run(`INSERT INTO documents (id, name, text, text_sha256, length, imported_at, sort_order) VALUES (?, ?, ?, 'not checked', ?, ?, 1)`, [
    d.id,
    d.name,
    d.text,
    Array.from(d.text).length,
    T0,
  ]);
const rawCode = (db: Sqlite, id: string, name: string, parentId: string | null = null) =>
  db.run(`INSERT INTO codes (id, parent_id, name, color, created_at) VALUES (?, ?, ?, '#2e86ab', ?)`, [id, parentId, name, T0]);
const rawSegment = (db: Sqlite, s: { id?: string; documentId: string; codeId: string; coderId: string; start: number; end: number }) =>
  db.run(`INSERT INTO segments (id, document_id, code_id, coder_id, start, end, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
    s.id ?? randomUUID(),
    s.documentId,
    s.codeId,
    s.coderId,
    s.start,
    s.end,
    T0,
    T0,
  ]);

const BEN = randomUUID();
const rawBen = (db: Sqlite) => db.run(`INSERT INTO coders (id, name, created_at) VALUES (?, 'ben', ?)`, [BEN, T0]);

describe('one write path: a merged row gets the treatment the UI would give it', () => {
  let t: TestProject;

  beforeEach(async () => {
    t = await openTestProject({ coder: 'anna' });
  });
  afterEach(async () => {
    await t.close();
  });

  const upload = (path: string) => ({ fileName: 'ben.marginalia', dataBase64: readFileSync(path).toString('base64') });
  async function merge(path: string) {
    const preview = await t.call('team.mergePreview', upload(path));
    const result = await t.call('team.mergeApply', { uploadId: preview.uploadId, choices: {} });
    return { preview, result };
  }

  it('leaves out a segment past the end of its document and says so, as the coding screen refuses one', async () => {
    const doc = randomUUID();
    const code = randomUUID();
    const path = await colleagueFile(t.dir, async (db) => {
      await rawBen(db);
      await rawDoc(db, { id: doc, name: 'Short report', text: 'Two people were injured.' });
      await rawCode(db, code, 'casualties');
      await rawSegment(db, { documentId: doc, codeId: code, coderId: BEN, start: 0, end: 3 });
      await rawSegment(db, { documentId: doc, codeId: code, coderId: BEN, start: 4, end: 400 });
    });
    const { preview, result } = await merge(path);
    expect(preview.add.counts.segments).toBe(1);
    expect(preview.skipped.join('\n')).toContain('400 is past the end of "Short report", which has 24 characters');
    expect(result.add.counts.segments).toBe(1);
    const segs = await t.call('segments.list', {});
    expect(segs.map((s) => [s.start, s.end, s.text])).toEqual([[0, 3, 'Two']]);
    // The UI refuses the same span.
    const ui = await t.callRaw('segments.create', { documentId: segs[0]!.document_id, codeId: segs[0]!.code_id, start: 4, end: 400 });
    expect(ui.ok).toBe(false);
  });

  it('renames a code whose name holds "/", which the codebook refuses, and reports it', async () => {
    const ui = await t.callRaw('codes.create', { name: 'blame/Russia' });
    expect(ui.ok).toBe(false);
    const doc = randomUUID();
    const code = randomUUID();
    const path = await colleagueFile(t.dir, async (db) => {
      await rawBen(db);
      await rawDoc(db, { id: doc, name: 'Statement', text: 'Officials blamed Russia for the strike.' });
      await rawCode(db, code, 'blame/Russia');
      await rawSegment(db, { documentId: doc, codeId: code, coderId: BEN, start: 10, end: 23 });
    });
    const { preview } = await merge(path);
    expect(preview.add.codes).toEqual([expect.objectContaining({ id: code, label: 'blame-Russia', note: expect.stringContaining('"/" separates levels') })]);
    const codes = await t.call('codes.list', {});
    expect(codes.map((c) => c.path)).toEqual(['blame-Russia']);
    const segs = await t.call('segments.list', { codeId: code });
    expect(segs.map((s) => s.text)).toEqual(['blamed Russia']);
  });

  it('keeps two sibling codes that differ only in case apart, numbering the second, instead of dropping its codings', async () => {
    const doc = randomUUID();
    const upper = randomUUID();
    const lower = randomUUID();
    const path = await colleagueFile(t.dir, async (db) => {
      // Only a file written past the codebook's rules can hold both.
      await db.exec('DROP INDEX codes_sibling_name');
      await rawBen(db);
      await rawDoc(db, { id: doc, name: 'Claims', text: 'Kyiv blamed Moscow; Moscow blamed Kyiv.' });
      await rawCode(db, upper, 'Blame');
      await rawCode(db, lower, 'blame');
      await rawSegment(db, { documentId: doc, codeId: upper, coderId: BEN, start: 0, end: 18 });
      await rawSegment(db, { documentId: doc, codeId: lower, coderId: BEN, start: 20, end: 39 });
    });
    const { preview, result } = await merge(path);
    expect(preview.add.codes.map((c) => c.label).sort()).toEqual(['Blame', 'blame (2)']);
    expect(preview.add.codes.find((c) => c.label === 'blame (2)')!.note).toContain('differ in more than case');
    expect(result.add.counts.segments).toBe(2);
    const codes = await t.call('codes.list', {});
    expect(codes.map((c) => [c.name, c.segment_count]).sort()).toEqual([
      ['Blame', 1],
      ['blame (2)', 1],
    ]);
    // The UI would refuse the clash the same way the merge avoided it.
    const ui = await t.callRaw('codes.create', { name: 'BLAME' });
    expect(ui.ok).toBe(false);
    // Merging again recognises both codes by id and adds nothing.
    const again = await t.call('team.mergePreview', upload(path));
    expect(again.add.counts).toEqual({ documents: 0, codes: 0, coders: 0, segments: 0, memos: 0, attributes: 0, sets: 0, set_members: 0 });
    await t.call('team.mergeCancel', { uploadId: again.uploadId });
  });

  it('stores a document whose text holds NUL as an import would, and moves its codings with their words', async () => {
    const raw = 'Kyiv\u0000 report:\r\nfive people were killed.';
    const doc = randomUUID();
    const code = randomUUID();
    const path = await colleagueFile(t.dir, async (db) => {
      await rawBen(db);
      await rawDoc(db, { id: doc, name: 'Old import', text: raw });
      await rawCode(db, code, 'casualties');
      // "five people" as their file counts it: after the NUL and the CR.
      const start = Array.from(raw).indexOf('f');
      await rawSegment(db, { documentId: doc, codeId: code, coderId: BEN, start, end: start + 11 });
    });
    const { preview } = await merge(path);
    expect(preview.add.documents).toEqual([expect.objectContaining({ label: 'Old import', note: expect.stringContaining('1 control character(s)') })]);
    const [merged] = await t.call('documents.list', {});
    const text = await t.call('documents.get', { id: merged!.id });
    expect(text.text).toBe('Kyiv report:\nfive people were killed.');
    expect((await t.call('segments.list', {})).map((s) => s.text)).toEqual(['five people']);

    // The same text through the function every importer stores documents with is the same
    // document. (A .txt file holding NUL is refused earlier, as a binary file; a merged text
    // is known to be text, so only the text rules apply.)
    const again = await t.project.db.transaction((tx) => addDocuments(tx, [{ name: 'again', text: raw, importedBy: null }]));
    expect(again).toEqual([{ status: 'duplicate', duplicateOf: { id: merged!.id, name: 'Old import' } }]);
  });

  it('matches a NUL-holding text to the same document already here, landing the coding on the same words', async () => {
    const clean = 'Kyiv report: five people were killed.';
    await t.call('import.files', { files: [{ name: 'kyiv.txt', dataBase64: Buffer.from(clean).toString('base64') }] });
    const [ours] = await t.call('documents.list', {});
    const raw = 'Kyiv report:\u0000 five people were killed.';
    const doc = randomUUID();
    const code = randomUUID();
    const path = await colleagueFile(t.dir, async (db) => {
      await rawBen(db);
      await rawDoc(db, { id: doc, name: 'Kyiv (Ben)', text: raw });
      await rawCode(db, code, 'casualties');
      const start = Array.from(raw).indexOf('f');
      await rawSegment(db, { documentId: doc, codeId: code, coderId: BEN, start, end: start + 11 });
    });
    const { preview } = await merge(path);
    expect(preview.add.counts.documents).toBe(0);
    expect(preview.existing.documents).toEqual([expect.objectContaining({ id: ours!.id, note: expect.stringContaining('control character') })]);
    const segs = await t.call('segments.list', {});
    expect(segs.map((s) => [s.document_id, s.text])).toEqual([[ours!.id, 'five people']]);
  });

  it('recognises a text this project holds exactly, even one that begins with U+FEFF, without normalising it again', async () => {
    const text = '\uFEFFKeep the mark.';
    const ours = randomUUID();
    await t.project.db.transaction((tx) =>
      tx.run(`INSERT INTO documents (id, name, text, text_sha256, length, imported_at, sort_order) VALUES (?, 'Marked', ?, ?, 16, ?, 1)`, [ours, text, sha256(text), T0]),
    );
    const code = randomUUID();
    const path = await colleagueFile(t.dir, async (db) => {
      await rawBen(db);
      await rawDoc(db, { id: randomUUID(), name: 'Marked', text });
      await rawCode(db, code, 'marks');
      await rawSegment(db, { documentId: (await db.get<{ id: string }>('SELECT id FROM documents'))!.id, codeId: code, coderId: BEN, start: 1, end: 5 });
    });
    const { preview } = await merge(path);
    expect(preview.add.counts.documents).toBe(0);
    expect(preview.existing.documents.map((d) => d.id)).toEqual([ours]);
    expect((await t.call('segments.list', {})).map((s) => [s.document_id, s.text])).toEqual([[ours, 'Keep']]);
  });

  it('counts a coding already here, or repeated in their file, as the same coding instead of doubling it', async () => {
    const { id: code } = await t.call('codes.create', { name: 'casualties' });
    await t.call('import.files', { files: [{ name: 'a.txt', dataBase64: Buffer.from('Three soldiers died near Bakhmut.').toString('base64') }] });
    const [doc] = await t.call('documents.list', {});
    await t.call('segments.create', { documentId: doc!.id, codeId: code, start: 0, end: 14 });
    const anna = (await t.call('coders.current', {})).id;
    const sharedCopy = join(t.dir, 'shared.marginalia');
    await t.project.db.read(() => t.project.db.sqlite.run('VACUUM INTO ?', [sharedCopy]));
    const path = sharedCopy;
    const db = await Sqlite.open(path);
    await rawBen(db);
    // Anna's coding again under another id, and Ben's coding twice.
    await rawSegment(db, { documentId: doc!.id, codeId: code, coderId: anna, start: 0, end: 14 });
    await rawSegment(db, { documentId: doc!.id, codeId: code, coderId: BEN, start: 15, end: 19 });
    await rawSegment(db, { documentId: doc!.id, codeId: code, coderId: BEN, start: 15, end: 19 });
    await db.close();
    const { preview, result } = await merge(path);
    expect(preview.add.counts.segments).toBe(1);
    expect(preview.existing.counts.segments).toBe(3); // anna's twice, ben's repeat once
    expect(result.add.counts.segments).toBe(1);
    const segs = await t.call('segments.list', {});
    expect(segs.map((s) => [s.coder_name, s.text])).toEqual([
      ['anna', 'Three soldiers'],
      ['ben', 'died'],
    ]);
  });

  it('leaves out memos with neither text nor a title, and names a coder saved without a name', async () => {
    const doc = randomUUID();
    const nameless = randomUUID();
    const path = await colleagueFile(t.dir, async (db) => {
      await rawBen(db);
      await db.run(`INSERT INTO coders (id, name, created_at) VALUES (?, '   ', ?)`, [nameless, T0]);
      await rawDoc(db, { id: doc, name: 'Note', text: 'A short note.' });
      for (const text of ['', 'Worth a second look.']) {
        await db.run(`INSERT INTO memos (id, target_kind, target_id, author_id, title, content, text, created_at, updated_at) VALUES (?, 'document', ?, ?, '', '', ?, ?, ?)`, [
          randomUUID(),
          doc,
          BEN,
          text,
          T0,
          T0,
        ]);
      }
    });
    const { preview } = await merge(path);
    expect(preview.add.counts.memos).toBe(1);
    expect(preview.skipped.join('\n')).toContain('1 memo(s) of ben.marginalia have neither text nor a title');
    expect(preview.add.coders.map((c) => c.label).sort()).toEqual(['Unnamed coder', 'ben']);
    const memos = await t.call('memos.list', { kind: 'document' });
    expect(memos.map((m) => [m.text, m.author_name])).toEqual([['Worth a second look.', 'ben']]);
    // Stored as an editor state the memo editor can open, not the empty content it came with.
    expect(JSON.parse(memos[0]!.content)).toHaveProperty('root');
  });

  it("refuses to copy a chosen coder's segment that is not a passage of its document into the consensus", async () => {
    const { id: code } = await t.call('codes.create', { name: 'casualties' });
    await t.call('import.files', { files: [{ name: 'a.txt', dataBase64: Buffer.from('Five people were killed in Kharkiv on Monday.').toString('base64') }] });
    const [doc] = await t.call('documents.list', {});
    const anna = (await t.call('coders.current', {})).id;
    // A segment an older version let through: it runs past the end of the text.
    await t.project.db.transaction((tx) =>
      tx.run(`INSERT INTO segments (id, document_id, code_id, coder_id, start, end, created_at, updated_at) VALUES (?, ?, ?, ?, 30, 90, ?, ?)`, [
        randomUUID(),
        doc!.id,
        code,
        anna,
        T0,
        T0,
      ]),
    );
    const ben = (await t.call('coders.setCurrent', { name: 'ben' })).id;
    await t.call('segments.create', { documentId: doc!.id, codeId: code, start: 0, end: 11 });
    const r = await t.callRaw('team.resolve', { documentId: doc!.id, codeId: code, start: 30, end: 45, chosenCoderId: anna, reason: 'Kharkiv counts.' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('90 is past the end of "a"');
    const consensus = (await t.call('coders.list', {})).find((c) => c.name === 'consensus');
    expect(consensus ? await t.call('segments.list', { coderIds: [consensus.id] }) : []).toEqual([]);
    // A sound choice is still copied, once, however often it is settled.
    await t.call('team.resolve', { documentId: doc!.id, codeId: code, start: 0, end: 11, chosenCoderId: ben, reason: 'The count.' });
    await t.call('team.resolve', { documentId: doc!.id, codeId: code, start: 0, end: 11, chosenCoderId: ben, reason: 'Still the count.' });
    const id = (await t.call('coders.list', {})).find((c) => c.name === 'consensus')!.id;
    expect((await t.call('segments.list', { coderIds: [id] })).map((s) => s.text)).toEqual(['Five people']);
  });
});

describe('the core write functions imports call', () => {
  let t: TestProject;
  let doc: string;
  let code: string;
  let coder: string;

  beforeEach(async () => {
    t = await openTestProject({ coder: 'anna' });
    code = (await t.call('codes.create', { name: 'casualties' })).id;
    await t.call('import.files', { files: [{ name: 'a.txt', dataBase64: Buffer.from('x'.repeat(5000)).toString('base64') }] });
    doc = (await t.call('documents.list', {}))[0]!.id;
    coder = (await t.call('coders.current', {})).id;
  });
  afterEach(async () => {
    await t.close();
  });

  it('createSegments: keeps duplicates by default (the coding screen), skips them on request, and can ignore an import’s own rows', async () => {
    const seg = { documentId: doc, codeId: code, coderId: coder, start: 1, end: 5 };
    const [first, kept] = await t.project.db.transaction((tx) => createSegments(tx, [seg, seg]));
    expect([first!.status, kept!.status]).toEqual(['created', 'created']);
    const own = new Set([first, kept].map((r) => (r!.status === 'created' ? r!.id : '')));
    const [skipped] = await t.project.db.transaction((tx) => createSegments(tx, [seg], { duplicates: 'skip' }));
    expect(skipped!.status).toBe('duplicate');
    expect(own.has(skipped!.status === 'duplicate' ? skipped!.id : '')).toBe(true);
    // An import's own segments are no reason to skip another: the file holds that coding twice.
    const [again, twice] = await t.project.db.transaction((tx) => createSegments(tx, [seg, seg], { duplicates: 'skip', ownSegments: own }));
    expect([again!.status, twice!.status]).toEqual(['created', 'created']);
    expect(own.size).toBe(4);
    // Yet a coding the project had before the import is not doubled.
    const other = { ...seg, start: 2 };
    await t.project.db.transaction((tx) => createSegments(tx, [other]));
    const [before] = await t.project.db.transaction((tx) => createSegments(tx, [other], { duplicates: 'skip', ownSegments: own }));
    expect(before!.status).toBe('duplicate');
  });

  it('createSegments: refuses each bad row with the coding screen’s message and writes the rest, keeping given ids and times', async () => {
    const id = randomUUID();
    const results = await t.project.db.transaction((tx) =>
      createSegments(tx, [
        { documentId: doc, codeId: code, coderId: coder, start: 10, end: 5001 },
        { documentId: doc, codeId: randomUUID(), coderId: coder, start: 1, end: 2 },
        { documentId: doc, codeId: code, coderId: randomUUID(), start: 1, end: 2 },
        { documentId: doc, codeId: code, coderId: coder, start: 2.5, end: 4 },
        { id, documentId: doc, codeId: code, coderId: coder, start: 7, end: 9, createdAt: T0, updatedAt: '2024-03-02T00:00:00.000Z' },
      ]),
    );
    const messages = results.map((r) => (r.status === 'refused' ? r.error.message : r.status));
    expect(messages[0]).toContain('end: 5001 is past the end of "a", which has 5000 characters');
    expect(messages[1]).toMatch(/^No code with id/);
    expect(messages[2]).toMatch(/^No coder with id/);
    expect(messages[3]).toContain('start: must be a whole number');
    expect(results[4]).toEqual({ status: 'created', id });
    const [row] = await t.project.db.read((r) => listSegments(r, { ids: [id] }));
    expect([row!.created_at, row!.updated_at]).toEqual([T0, '2024-03-02T00:00:00.000Z']);
  });

  it('createSegments: 2,000 segments cost one insert each and a bounded number of look-ups, never one per row', async () => {
    const segs = Array.from({ length: 2000 }, (_, i) => ({ documentId: doc, codeId: code, coderId: coder, start: i, end: i + 3, id: randomUUID() }));
    const counts = await t.project.db.transaction(async (tx) => {
      const get = vi.spyOn(tx, 'get');
      const all = vi.spyOn(tx, 'all');
      const results = await createSegments(tx, segs, { duplicates: 'skip' });
      expect(results.every((r) => r.status === 'created')).toBe(true);
      return { lookUps: get.mock.calls.length + all.mock.calls.length, inserts: tx.changes.length };
    });
    expect(counts.inserts).toBe(2000);
    expect(counts.lookUps).toBeLessThan(40);
  });

  it('createMemos: refuses a memo on a missing target or by an unknown author, keeps ids and times, makes editor content from text', async () => {
    const id = randomUUID();
    const results = await t.project.db.transaction((tx) =>
      createMemos(tx, [
        { kind: 'document', targetId: randomUUID(), authorId: coder, text: 'lost' },
        { kind: 'document', targetId: doc, authorId: randomUUID(), text: 'by nobody' },
        { kind: 'project', targetId: doc, authorId: coder, text: 'project memos have no target' },
        { id, kind: 'code', targetId: code, authorId: coder, text: 'Count the dead, not the injured.', content: 'not json', createdAt: T0 },
      ]),
    );
    expect(results.map((r) => r.status)).toEqual(['refused', 'refused', 'refused', 'created']);
    const [memo] = await t.call('memos.list', { kind: 'code' });
    expect([memo!.id, memo!.created_at, memo!.updated_at, memo!.author_name]).toEqual([id, T0, T0, 'anna']);
    expect(JSON.parse(memo!.content).root.children[0].children[0].text).toBe('Count the dead, not the injured.');
  });

  it('repairCodeName: what the codebook would refuse becomes a name it accepts', async () => {
    expect(repairCodeName('  war /  peace ')).toEqual({ name: 'war - peace', repairs: [{ kind: 'slash', message: expect.stringContaining('"war / peace" became "war - peace"') }] });
    expect(repairCodeName(' \t ').name).toBe('Unnamed code');
    for (const raw of ['a/b', '', ' x/ /y ']) {
      const r = await t.callRaw('codes.create', { name: repairCodeName(raw).name });
      expect(r.ok).toBe(true);
    }
  });
});
