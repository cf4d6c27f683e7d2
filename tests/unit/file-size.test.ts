import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { killDuringCompaction, killDuringOpen } from '../helpers/kill-open';
import { openTestProject, tempDir } from '../helpers/project';
import { projectFileAtSchema } from '../helpers/old-schema';
import { SCHEMA_VERSION } from '../../main/core/db/migrations';
import { compactionWanted, openProjectDb } from '../../main/core/db/open';
import { Project } from '../../main/core/project/project';
import { Sqlite } from '../../main/core/db/sqlite';
import { Session } from '../../main/api/session';
import { dispatch } from '../../main/api/dispatch';
import type { Input, Method, Output } from '../../main/api/contract';

const T0 = '2024-01-01T00:00:00Z';
const DOCS = 300;
const SEGMENTS_PER_DOC = 20;

/** Document i's text: about 1.5 KB; every fifth mentions Kostiantynivka twice, after an emoji (an astral code point). */
function textOf(i: number): string {
  const body = Array.from({ length: 24 }, (_, k) => `Sentence ${k} of article ${i} about the shelling of the market.`).join(' ');
  return i % 5 === 0 ? `😀 Kostiantynivka: ${body}\nAgain Kostiantynivka.` : body;
}

interface Old {
  path: string;
  docIds: string[];
  codeIds: string[];
  coderIds: string[];
  /** Segments of document 7 in the order the viewer lists them. */
  doc7: Array<{ id: string; start: number; end: number }>;
}

/** A project as the schema-9 app wrote it: 300 articles with two attributes each, 6,000 codings by two coders. */
async function projectAtSchema9(dir: string): Promise<Old> {
  const path = join(dir, 'v9.marginalia');
  const db = await projectFileAtSchema(path, 9);
  await db.exec('BEGIN');
  const coderIds = [randomUUID(), randomUUID()];
  const codeIds = [randomUUID(), randomUUID(), randomUUID()];
  const vars = [randomUUID(), randomUUID()];
  await db.run(`INSERT INTO coders (id, name, created_at) VALUES (?, 'anna', ?), (?, 'ben', ?)`, [coderIds[0]!, T0, coderIds[1]!, T0]);
  for (const [i, id] of codeIds.entries()) await db.run(`INSERT INTO codes (id, name, color, sort_order, created_at) VALUES (?, ?, '#d1495b', ?, ?)`, [id, `code ${i}`, i, T0]);
  await db.run(`INSERT INTO variables (id, name, type, sort_order) VALUES (?, 'outlet', 'text', 0), (?, 'date', 'date', 1)`, [vars[0]!, vars[1]!]);
  const docIds: string[] = [];
  const doc7: Old['doc7'] = [];
  for (let i = 0; i < DOCS; i++) {
    const id = randomUUID();
    docIds.push(id);
    const text = textOf(i);
    const length = [...text].length;
    await db.run(`INSERT INTO documents (id, name, text, text_sha256, length, imported_at, sort_order) VALUES (?, ?, ?, ?, ?, ?, ?)`, [id, `article ${i}`, text, `sha${i}`, length, T0, i + 1]);
    await db.run(`INSERT INTO document_values (document_id, variable_id, value) VALUES (?, ?, ?), (?, ?, ?)`, [id, vars[0]!, `Outlet ${i % 4}`, id, vars[1]!, `2024-03-${String((i % 28) + 1).padStart(2, '0')}`]);
    for (let k = 0; k < SEGMENTS_PER_DOC; k++) {
      const sid = randomUUID();
      const start = (k * 61) % (length - 40);
      const end = start + 10 + (k % 7) * 3;
      await db.run(`INSERT INTO segments (id, document_id, code_id, coder_id, start, end, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [sid, id, codeIds[k % 3]!, coderIds[k % 2]!, start, end, T0, T0]);
      if (i === 7) doc7.push({ id: sid, start, end });
    }
  }
  await db.exec('COMMIT');
  await db.close();
  doc7.sort((a, b) => a.start - b.start || a.end - b.end || (a.id < b.id ? -1 : 1));
  return { path, docIds, codeIds, coderIds, doc7 };
}

function caller(project: Project) {
  const session = new Session(project, 'anna');
  return async <M extends Method>(method: M, input: Input<M>): Promise<Output<M>> => {
    const r = await dispatch({ session }, method, input);
    if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
    return r.value as Output<M>;
  };
}

describe('the project file stays lean (migration 10)', () => {
  it('an upgraded project file is smaller, and every coding, attribute and search hit is as it was', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const old = await projectAtSchema9(dir);
      const before = statSync(old.path).size;

      const project = await Project.open(old.path);
      const call = caller(project);
      try {
        const version = await project.db.read((r) => r.get<{ user_version: number }>('PRAGMA user_version'));
        expect(version!.user_version).toBe(SCHEMA_VERSION);
        // The dropped indexes' pages were given back, not left free inside the file.
        const free = await project.db.read((r) => r.get<{ n: number }>('SELECT freelist_count AS n FROM pragma_freelist_count'));
        expect(free!.n).toBe(0);

        // A document's codings, in the viewer's order, with their text.
        const segs = await call('segments.list', { documentId: old.docIds[7]! });
        expect(segs.map((s) => [s.id, s.start, s.end])).toEqual(old.doc7.map((s) => [s.id, s.start, s.end]));
        const text7 = textOf(7);
        for (const s of segs) expect(s.text).toBe([...text7].slice(s.start, s.end).join(''));

        // Attributes.
        const summary = await call('documents.summary', { id: old.docIds[13]! });
        expect(summary.attributes).toEqual({ outlet: 'Outlet 1', date: '2024-03-14' });
        expect(summary.segment_count).toBe(SEGMENTS_PER_DOC);
        const byDate = await call('documents.page', { limit: 3, sort: 'attribute', attribute: 'date' });
        // The earliest date, 2024-03-01, is that of articles 0, 28, 56, …
        expect(byDate.documents.map((d) => Number(d.name.split(' ')[1]) % 28)).toEqual([0, 0, 0]);

        // Search: counts and the highlighted span in code points (after the emoji).
        const found = await call('search.hits', { query: 'Kostiantynivka', pageSize: 5 });
        expect([found.total_documents, found.total_hits]).toEqual([DOCS / 5, (DOCS / 5) * 2]);
        expect(found.hits[0]).toMatchObject({ document_id: old.docIds[0], start: 2, end: 16, hit: 'Kostiantynivka' });

        // The codebook's counts.
        const codes = await call('codes.list', {});
        expect(codes.map((c) => c.segment_count).reduce((a, b) => a + b, 0)).toBe(DOCS * SEGMENTS_PER_DOC);

        // A repeated coding is still found as one, through the index the duplicate rule reads.
        const plan = await project.db.read((r) =>
          r.all<{ detail: string }>(`EXPLAIN QUERY PLAN SELECT id FROM segments WHERE (document_id, code_id, coder_id, start, end) IN (VALUES (?, ?, ?, ?, ?))`, ['d', 'c', 'k', 0, 1]),
        );
        expect(plan.map((p) => p.detail).join('\n')).toContain('USING INDEX segments_coding');
        // And a document's segments come in order from an index, with no sort.
        const inOrder = await project.db.read((r) => r.all<{ detail: string }>(`EXPLAIN QUERY PLAN SELECT id FROM segments WHERE document_id = ? ORDER BY start, end`, ['d']));
        expect(inOrder.map((p) => p.detail).join('\n')).not.toContain('TEMP B-TREE');
      } finally {
        await project.close();
      }
      expect(existsSync(`${old.path}-wal`) ? statSync(`${old.path}-wal`).size : 0).toBe(0);
      const after = statSync(old.path).size;
      expect(after).toBeLessThan(before * 0.9);
    } finally {
      cleanup();
    }
  });

  it('after the upgrade, deleting a document and undoing it brings back its attributes, codings and search hits; redo removes them again', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const old = await projectAtSchema9(dir);
      const project = await Project.open(old.path);
      const call = caller(project);
      try {
        const id = old.docIds[10]!;
        const word = { query: 'Kostiantynivka', pageSize: 1 };
        const summary = await call('documents.summary', { id });
        await call('documents.delete', { id });
        expect((await call('search.hits', word)).total_documents).toBe(DOCS / 5 - 1);
        await call('project.undo', {});
        expect(await call('documents.summary', { id })).toEqual(summary);
        expect((await call('segments.list', { documentId: id })).length).toBe(SEGMENTS_PER_DOC);
        expect((await call('search.hits', word)).total_documents).toBe(DOCS / 5);
        expect((await call('documents.get', { id })).text).toBe(textOf(10));
        await call('project.redo', {});
        expect((await call('search.hits', word)).total_documents).toBe(DOCS / 5 - 1);
        const left = await project.db.read((r) => r.get<{ n: number }>(`SELECT count(*) AS n FROM document_values WHERE document_id = ?`, [id]));
        expect(left!.n).toBe(0);

        // Attributes still change and undo per value (the table is keyed by document and attribute).
        const other = old.docIds[11]!;
        await call('documents.setAttributes', { id: other, attributes: { outlet: 'Reuters' } });
        expect((await call('documents.summary', { id: other })).attributes.outlet).toBe('Reuters');
        await call('project.undo', {});
        expect((await call('documents.summary', { id: other })).attributes.outlet).toBe('Outlet 3');
      } finally {
        await project.close();
      }
    } finally {
      cleanup();
    }
  });

  it('the events log keeps an inserted row by its key: codings and imported documents are not copied into it, and undo then redo gives back every row exactly', async () => {
    const t = await openTestProject();
    try {
      const files = Array.from({ length: 20 }, (_, i) => ({ name: `a${i}.csv`, dataBase64: Buffer.from(`text,outlet\n"${textOf(i)}",Outlet ${i % 3}\n`).toString('base64') }));
      await t.call('import.files', { files });
      const code = await t.call('codes.create', { name: 'casualties', color: '#d1495b' });
      const docs = (await t.call('documents.page', { limit: 20 })).documents;
      for (let k = 0; k < 300; k++) await t.call('segments.create', { documentId: docs[k % 20]!.id, codeId: code.id, start: k % 200, end: (k % 200) + 1 + (k % 17) });
      const logged = await t.project.db.read((r) => r.get<{ n: number; bytes: number }>(`SELECT count(*) AS n, sum(length(changes)) AS bytes FROM events WHERE kind = 'segment.create'`));
      expect(logged!.n).toBe(300);
      // A coding's row is about 400 bytes of JSON; its key about 160.
      expect(logged!.bytes / logged!.n).toBeLessThan(200);
      const imported = await t.project.db.read((r) => r.get<{ bytes: number }>(`SELECT sum(length(changes)) AS bytes FROM events WHERE kind LIKE 'document%'`));
      const text = await t.project.db.read((r) => r.get<{ bytes: number }>(`SELECT sum(length(CAST(text AS BLOB))) AS bytes FROM documents`));
      expect(imported!.bytes).toBeLessThan(text!.bytes / 2);

      const snapshot = () =>
        t.project.db.read(async (r) => ({
          documents: await r.all(`SELECT * FROM documents ORDER BY id`),
          values: await r.all(`SELECT * FROM document_values ORDER BY document_id, variable_id`),
          segments: await r.all(`SELECT * FROM segments ORDER BY id`),
        }));
      const whole = await snapshot();
      // Undo every action (the codings one by one, the code, the import), then redo them all.
      const actions = (await t.project.db.read((r) => r.get<{ n: number }>(`SELECT count(*) AS n FROM events`)))!.n;
      for (let i = 0; i < actions; i++) await t.call('project.undo', {});
      expect((await snapshot()).documents).toEqual([]);
      for (let i = 0; i < actions; i++) await t.call('project.redo', {});
      expect(await snapshot()).toEqual(whole);
      expect((await t.call('search.hits', { query: 'Kostiantynivka' })).total_documents).toBe(4);
    } finally {
      await t.close();
    }
  });

  it('an upgrade that frees little is not followed by a rewrite of the file', async () => {
    const { dir, cleanup } = tempDir();
    try {
      // A schema-9 project with documents and a few codings: the upgrade rebuilds their small
      // indexes and table (migrations 10 and 13), freeing a few pages.
      const path = join(dir, 'small.marginalia');
      const db = await projectFileAtSchema(path, 9);
      await db.exec(`INSERT INTO coders (id, name, created_at) VALUES ('k1', 'ana', '${T0}'); INSERT INTO codes (id, name, color, created_at) VALUES ('c1', 'casualties', '#d1495b', '${T0}');`);
      for (let i = 0; i < 50; i++) {
        const text = textOf(i).repeat(4);
        const id = randomUUID();
        await db.run(`INSERT INTO documents (id, name, text, text_sha256, length, imported_at, sort_order) VALUES (?, ?, ?, ?, ?, ?, ?)`, [id, `a${i}`, text, 'x', [...text].length, T0, i]);
        for (let k = 0; k < 4; k++) {
          await db.run(`INSERT INTO segments (id, document_id, code_id, coder_id, start, end, created_at, updated_at) VALUES (?, ?, 'c1', 'k1', ?, ?, ?, ?)`, [randomUUID(), id, k, k + 5, T0, T0]);
        }
      }
      await db.close();
      const project = await Project.open(path);
      try {
        const free = await project.db.read((r) => r.get<{ n: number; pages: number }>('SELECT (SELECT freelist_count FROM pragma_freelist_count) AS n, (SELECT page_count FROM pragma_page_count) AS pages'));
        // The few freed pages stay inside the file, to be reused; under a twentieth of it.
        expect(free!.n).toBeGreaterThan(0);
        expect(free!.n * 20).toBeLessThan(free!.pages);
        expect((await caller(project)('search.hits', { query: 'Kostiantynivka' })).total_documents).toBe(10);
      } finally {
        await project.close();
      }
    } finally {
      cleanup();
    }
  });

  it('a large upgraded file with a quarter or more free is compacted, when the disk has room for the rewrite', () => {
    // The 100,000-article bench project after its upgrade to schema 15: 1,430 MB, 488 MB free.
    const bench = { pages: 349_085, free: 119_131, pageSize: 4096, diskFree: 70e9, tempFree: 70e9, sameDisk: true };
    expect(compactionWanted(bench)).toBe(true);
    // A tenth free: worth it in a small file, not in a large one (a rewrite of a gigabyte for 140 MB).
    expect(compactionWanted({ ...bench, free: 34_000 })).toBe(false);
    expect(compactionWanted({ ...bench, pages: 34_000, free: 3_400 })).toBe(true);
    // The rewrite needs the temporary copy and the -wal (twice the 942 MB in use): with less, the file is left as it is.
    expect(compactionWanted({ ...bench, diskFree: 1.5e9, tempFree: 1.5e9 })).toBe(false);
    expect(compactionWanted({ ...bench, diskFree: 2.2e9, tempFree: 2.2e9 })).toBe(true);
    // SQLite's temporary folder on another, fuller disk.
    expect(compactionWanted({ ...bench, tempFree: 0.5e9, sameDisk: false })).toBe(false);
    expect(compactionWanted({ ...bench, diskFree: 1.2e9, tempFree: 1.2e9, sameDisk: false })).toBe(true);
  });

  it('a kill at any moment of the upgrade and its compaction leaves a project that opens whole, with every coding, and compacted', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const old = await projectAtSchema9(dir);
      const read = async (path: string) => {
        const db = await openProjectDb(path, { backgroundCheckOver: Infinity });
        try {
          return await db.read(async (r) => ({
            version: (await r.get<{ user_version: number }>('PRAGMA user_version'))!.user_version,
            check: (await r.get<{ quick_check: string }>('PRAGMA quick_check'))!.quick_check,
            documents: (await r.get<{ n: number }>('SELECT count(*) AS n FROM documents'))!.n,
            segments: await r.all(`SELECT id, document_id, code_id, coder_id, start, end FROM segments ORDER BY id`),
          }));
        } finally {
          await db.close();
        }
      };
      copyFileSync(old.path, join(dir, 'expected.marginalia'));
      const expected = await read(join(dir, 'expected.marginalia'));
      expect(expected).toMatchObject({ version: SCHEMA_VERSION, check: 'ok', documents: DOCS });
      expect(expected.segments).toHaveLength(DOCS * SEGMENTS_PER_DOC);

      let killedMidway = 0;
      for (const after of [0, 150, 300, 600, 900]) {
        const path = join(dir, `killed-${after}.marginalia`);
        copyFileSync(old.path, path);
        if (await killDuringOpen(path, after)) killedMidway++;
        // Opened again, it is upgraded (again, or still), with every coding.
        expect(await read(path)).toEqual(expected);
      }
      // At least one kill landed before the upgrade finished, or this test proves nothing.
      expect(killedMidway).toBeGreaterThan(0);

      // Killed during the compaction that follows the upgrade: the file is upgraded but still
      // holds the pages the upgrade freed; the next open compacts it, and the one after does not.
      const path = join(dir, 'killed-compacting.marginalia');
      copyFileSync(old.path, path);
      expect(await killDuringCompaction(path)).toBe(true);
      const raw = await Sqlite.open(path, { readonly: true });
      const killed = (await raw.get<{ version: number; pages: number; free: number }>(
        'SELECT (SELECT user_version FROM pragma_user_version) AS version, (SELECT page_count FROM pragma_page_count) AS pages, (SELECT freelist_count FROM pragma_freelist_count) AS free',
      ))!;
      await raw.close();
      expect(killed.version).toBe(SCHEMA_VERSION);
      expect(killed.free * 20).toBeGreaterThanOrEqual(killed.pages);
      const sizes = async () => {
        const db = await openProjectDb(path, { backgroundCheckOver: Infinity });
        try {
          return await db.read(async (r) => (await r.get<{ pages: number; free: number }>('SELECT (SELECT page_count FROM pragma_page_count) AS pages, (SELECT freelist_count FROM pragma_freelist_count) AS free'))!);
        } finally {
          await db.close();
        }
      };
      const reopened = await sizes();
      expect(reopened.free).toBe(0);
      expect(reopened.pages).toBeLessThan(killed.pages - killed.free / 2);
      expect(await read(path)).toEqual(expected);
      expect(await sizes()).toEqual(reopened);
      // A file sparse for another reason than an upgrade (here a table dropped) is not rewritten
      // at open: only the compaction an upgrade owes is.
      const writer = await Sqlite.open(path);
      await writer.exec(`CREATE TABLE scratch (b BLOB); INSERT INTO scratch SELECT zeroblob(4000) FROM (SELECT 1 FROM segment_rows LIMIT 1000); DROP TABLE scratch;`);
      await writer.close();
      const sparse = await sizes();
      expect(sparse.free * 4).toBeGreaterThanOrEqual(sparse.pages);
      expect(await sizes()).toEqual(sparse);
    } finally {
      cleanup();
    }
  }, 120_000);
});
