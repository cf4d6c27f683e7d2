import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync } from 'fflate';
import { Sqlite } from '../../main/core/db/sqlite';
import { MIGRATIONS, SCHEMA_VERSION } from '../../main/core/db/migrations';
import { APPLICATION_ID } from '../../main/core/db/open';
import { Project } from '../../main/core/project/project';
import { listSets } from '../../main/core/documents/sets';
import { openTestProject, tempDir } from '../helpers/project';
import { analysisProject } from '../helpers/analysis-project';
import { runCli } from '../helpers/cli';

const REFI = join(__dirname, '../../../shared/refi-qda');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function project(seed = 7) {
  const p = await analysisProject(seed);
  cleanups.push(() => p.close());
  return p;
}

const decode = (b64: string) => Buffer.from(b64, 'base64');

describe('migration 7: document sets', () => {
  it('upgrades a project written at the schema before it, keeps its data, and can then hold sets', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, 'old.marginalia');
    const db = await Sqlite.open(path, { create: true });
    await db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
    const previous = MIGRATIONS.filter((m) => m.version < MIGRATIONS.find((x) => x.name === 'document-sets')!.version);
    for (const m of previous) await m.up(db);
    await db.exec(`PRAGMA user_version = ${previous[previous.length - 1]!.version}`);
    await db.exec(`
      INSERT INTO coders (id, name, created_at) VALUES ('11111111-1111-4111-8111-111111111111', 'ana', '2024-01-01T00:00:00Z');
      INSERT INTO documents (id, name, text, text_sha256, length, imported_at, sort_order)
        VALUES ('22222222-2222-4222-8222-222222222222', 'Old article', 'Seventeen 😀 people were killed.', 'x', 31, '2024-01-01T00:00:00Z', 1);`);
    await db.close();

    const p = await Project.open(path);
    try {
      expect((await p.db.read((r) => r.get<{ user_version: number }>('PRAGMA user_version')))!.user_version).toBe(SCHEMA_VERSION);
      expect(await p.db.read(listSets)).toEqual([]);
      await p.db.action({ kind: 'test', summary: 'set', coderId: null }, async (tx) => {
        await tx.insert('document_sets', { id: '33333333-3333-4333-8333-333333333333', name: 'RT', description: '', created_at: 'now', created_by: null });
        await tx.insert('document_set_members', { set_id: '33333333-3333-4333-8333-333333333333', document_id: '22222222-2222-4222-8222-222222222222' });
      });
      expect((await p.db.read(listSets)).map((s) => [s.name, s.document_count])).toEqual([['RT', 1]]);
      // Members must be documents of the project.
      await expect(
        p.db.transaction((tx) => tx.run(`INSERT INTO document_set_members (set_id, document_id) VALUES ('33333333-3333-4333-8333-333333333333', 'nope')`)),
      ).rejects.toThrow(/FOREIGN KEY/);
    } finally {
      await p.close();
    }
  });
});

describe('document sets', () => {
  it('are made by hand, from a search and from an attribute filter, each one undoable step', async () => {
    const p = await project();
    const docs = await p.call('documents.list', {});
    const rt = docs.filter((d) => d.attributes.outlet === 'RT').map((d) => d.id);
    expect(rt.length).toBeGreaterThan(0);

    const byHand = await p.call('sets.create', { name: 'Picked', documentIds: [docs[0]!.id, docs[2]!.id, docs[0]!.id] });
    expect(byHand.added).toBe(2);
    const byWhere = await p.call('sets.create', { name: 'Outlet RT', where: ['outlet=RT'] });
    expect(await p.call('sets.members', { setId: byWhere.id })).toEqual(rt);

    const withWord = docs.filter((d) => d.id).map((d) => d.id);
    const texts = await Promise.all(withWord.map((id) => p.call('documents.get', { id })));
    const expectedSearch = texts.filter((d) => /\bministry\b/i.test(d.text)).map((d) => d.id);
    const bySearch = await p.call('sets.create', { name: 'Ministry', query: 'ministry' });
    expect(new Set(await p.call('sets.members', { setId: bySearch.id }))).toEqual(new Set(expectedSearch));

    // Adding documents already in a set keeps them once.
    expect((await p.call('sets.add', { setId: byHand.id, documentIds: [docs[0]!.id, docs[1]!.id] })).added).toBe(1);
    expect((await p.call('sets.list', {})).map((s) => [s.name, s.document_count])).toEqual([
      ['Ministry', expectedSearch.length],
      ['Outlet RT', rt.length],
      ['Picked', 3],
    ]);

    expect((await p.call('project.historyState', {})).undo).toMatch(/Add 2 documents to set Picked/);
    await p.call('project.undo', {});
    expect((await p.call('sets.members', { setId: byHand.id })).length).toBe(2);
    await p.call('project.redo', {});
    expect((await p.call('sets.members', { setId: byHand.id })).length).toBe(3);

    // Clear refusals, naming what is wrong.
    await expect(p.call('sets.create', { name: 'picked' })).rejects.toThrow(/A document set named "Picked" already exists/);
    await expect(p.call('sets.create', { name: 'X', where: ['colour=red'] })).rejects.toThrow(/no attribute "colour"/);
    await expect(p.call('sets.add', { setId: byHand.id, documentIds: ['00000000-0000-4000-8000-000000000001'] })).rejects.toThrow(/No document/);
    // A refused creation leaves nothing behind.
    expect((await p.call('sets.list', {})).length).toBe(3);
  });

  it('lose a deleted document and get it back when the deletion is undone; renaming and deleting a set is undoable', async () => {
    const p = await project();
    const docs = await p.call('documents.list', {});
    const { id } = await p.call('sets.create', { name: 'Two', documentIds: [docs[0]!.id, docs[1]!.id] });
    await p.call('documents.delete', { id: docs[0]!.id });
    expect(await p.call('sets.members', { setId: id })).toEqual([docs[1]!.id]);
    await p.call('project.undo', {});
    expect(await p.call('sets.members', { setId: id })).toEqual([docs[0]!.id, docs[1]!.id]);

    await p.call('sets.rename', { setId: id, name: 'Pair' });
    expect((await p.call('sets.list', {}))[0]!.name).toBe('Pair');
    await p.call('sets.delete', { setId: id });
    expect(await p.call('sets.list', {})).toEqual([]);
    expect((await p.call('documents.list', {})).length).toBe(docs.length);
    await p.call('project.undo', {});
    expect((await p.call('sets.list', {})).map((s) => [s.name, s.document_count])).toEqual([['Pair', 2]]);
  });

  it('scope the document list, retrieval, agreement and exports', async () => {
    const p = await project(11);
    const docs = await p.call('documents.list', {});
    const { id: setId } = await p.call('sets.create', { name: 'RT', where: ['outlet=RT'] });
    const members = new Set(await p.call('sets.members', { setId }));
    expect(members.size).toBeGreaterThan(1);
    expect(members.size).toBeLessThan(docs.length);

    expect((await p.call('documents.list', { setId })).map((d) => d.id)).toEqual(docs.filter((d) => members.has(d.id)).map((d) => d.id));
    const page = await p.call('documents.page', { setId, limit: 2 });
    expect(page.total).toBe(members.size);
    expect(page.documents.map((d) => d.id)).toEqual(docs.filter((d) => members.has(d.id)).slice(0, 2).map((d) => d.id));
    const byName = await p.call('documents.page', { setId, sort: 'name', limit: 1000 });
    expect(new Set(byName.documents.map((d) => d.id))).toEqual(members);

    const all = await p.call('segments.list', {});
    const scoped = await p.call('segments.list', { setId });
    expect(scoped.map((s) => s.id)).toEqual(all.filter((s) => members.has(s.document_id)).map((s) => s.id));
    expect(scoped.length).toBeGreaterThan(0);
    const segPage = await p.call('segments.page', { setId, limit: 1000 });
    expect(segPage.total).toBe(scoped.length);
    expect(segPage.segments.map((x) => x.id).sort()).toEqual(scoped.map((x) => x.id).sort());

    const [ana, ben] = p.coders;
    const bySet = await p.call('team.agreement', { coderIds: [ana!.id, ben!.id], setId, unit: 'char', threshold: 0.9 });
    const byIds = await p.call('team.agreement', { coderIds: [ana!.id, ben!.id], documentIds: [...members], unit: 'char', threshold: 0.9 });
    expect(bySet.overall.documents.map((d) => d.document_id).sort()).toEqual([...members].sort());
    expect(bySet.overall).toEqual(byIds.overall);

    const matrix = await p.call('exchange.export', { format: 'matrix', filter: { coders: ['ana'], set: 'rt' } });
    const rows = parse(decode(matrix.dataBase64).toString('utf8'), { columns: true }) as Record<string, string>[];
    expect(new Set(rows.map((r) => r.document_id))).toEqual(members);
    const segCsv = parse(decode((await p.call('exchange.export', { format: 'segments', filter: { set: setId } })).dataBase64).toString('utf8'), { columns: true }) as Record<string, string>[];
    expect(segCsv.every((r) => members.has(r.document_id!))).toBe(true);
    expect(segCsv.length).toBe(scoped.filter((s) => s.coder_name !== 'consensus').length);

    const bundle = unzipSync(decode((await p.call('exchange.export', { format: 'bundle', filter: { set: 'RT' } })).dataBase64));
    expect(strFromU8(bundle['README.txt']!)).toContain(`documents of the set "RT" (${members.size} documents)`);
    await expect(p.call('exchange.export', { format: 'matrix', filter: { set: 'nope' } })).rejects.toThrow(/no document set "nope". Sets: RT/);
  });

  it('travel in REFI-QDA: written as <Set>s the schema accepts and read back into sets of the same documents', async () => {
    const p = await project(3);
    const docs = await p.call('documents.list', {});
    await p.call('sets.create', { name: 'Picked & <quoted>', description: 'chosen by hand', documentIds: [docs[1]!.id, docs[4]!.id] });
    await p.call('sets.create', { name: 'Empty', documentIds: [] });
    const qdpx = decode((await p.call('exchange.export', { format: 'qdpx' })).dataBase64);
    const qde = unzipSync(new Uint8Array(qdpx))['project.qde']!;
    expect(strFromU8(qde)).toMatch(/<Sets>\s*<Set [^>]*name="Empty"/);
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    writeFileSync(join(dir, 'project.qde'), qde);
    execFileSync('xmllint', ['--noout', '--schema', join(REFI, 'Project-mrt2019.xsd'), join(dir, 'project.qde')], { stdio: 'pipe' });

    const other = await openTestProject({ coder: 'ben' });
    cleanups.push(() => other.close());
    const report = await other.call('exchange.import', { name: 'study.qdpx', dataBase64: qdpx.toString('base64') });
    expect(report.imported.sets).toBe(2);
    expect(report.dropped.find((d) => d.what === 'set')).toBeUndefined();
    const sets = await other.call('sets.list', {});
    expect(sets.map((s) => [s.name, s.description, s.document_count])).toEqual([
      ['Empty', '', 0],
      ['Picked & <quoted>', 'chosen by hand', 2],
    ]);
    const names = new Map((await other.call('documents.list', {})).map((d) => [d.id, d.name]));
    const picked = await other.call('sets.members', { setId: sets[1]!.id });
    expect(picked.map((id) => names.get(id))).toEqual([docs[1]!.name, docs[4]!.name]);

    // The same file again doubles nothing: the sets are found by name and already hold their documents.
    const again = await other.call('exchange.import', { name: 'study.qdpx', dataBase64: qdpx.toString('base64') });
    expect(again.imported.sets).toBe(0);
    expect((await other.call('sets.list', {})).map((s) => s.document_count)).toEqual([0, 2]);
  });

  it('are listed and filled from the command line', async () => {
    const p = await project(5);
    const path = p.path;
    await p.project.close();
    const docs = ['Article 1', 'Article 2'];
    expect((await runCli('set-add', path, 'Pair', '--doc', docs[0]!, '--doc', docs[1]!, '--coder', 'ana')).out).toMatch(/Made set "Pair": 2 of 2 matching documents added/);
    const byWhere = await runCli('set-add', path, 'RT', '--where', 'outlet=RT', '--json');
    expect(byWhere.code).toBe(0);
    const added = JSON.parse(byWhere.out) as { size: number };
    const listed = JSON.parse((await runCli('sets', path, '--json')).out) as Array<{ name: string; document_count: number }>;
    expect(listed.map((s) => [s.name, s.document_count])).toEqual([
      ['Pair', 2],
      ['RT', added.size],
    ]);
    const bad = await runCli('set-add', path, 'X');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/say which documents: --doc, --query or --where/);
    const out = join(p.dir, 'rt.csv');
    const exported = await runCli('export', path, '--format', 'documents', '--set', 'RT', '--out', out);
    expect(exported.code).toBe(0);
    expect(exported.out).toMatch(new RegExp(`${added.size} rows`));
  });
});
