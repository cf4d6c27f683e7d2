import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { killDuringOpen } from '../helpers/kill-open';
import { onUpgraded, projectFileAtSchema } from '../helpers/old-schema';
import { tempDir } from '../helpers/project';
import { openProjectDb } from '../../main/core/db/open';
import { deleteDocument, listDocuments, setAttributes } from '../../main/core/documents/documents';
import { createSegment, listSegments, updateSegment } from '../../main/core/coding/segments';
import { redo, undo } from '../../main/core/events/undo';
import type { ProjectDb } from '../../main/core/db/project-db';

const T0 = '2024-01-01T00:00:00Z'; // another program's form: kept as text
const T1 = '2025-01-08T12:00:00.123Z'; // the app's own (toISOString): stored as milliseconds
const T2 = '2025-02-09T08:30:45.000Z';
const UUID = '0a4fe68e-0255-4869-919e-b53fad977251';
const GUID = '30044417-E83B-4849-8D96-656D6C1C8BBE'; // a REFI-QDA GUID in capitals: read back as written

/** The segments as a v14 project held them: every kind of id and time the upgrade stores apart. */
const SEGMENTS = [
  [GUID, 'd1', 'c1', 'k1', 0, 4, T0, T0],
  [UUID, 'd1', 'c1', 'k1', 5, 11, T1, T1],
  ['s3', 'd2', 'c1', 'k2', 0, 6, T1, T2],
  ['s4', 'd2', 'c1', 'k2', 7, 10, T0, T1],
];
const COLUMNS = ['id', 'document_id', 'code_id', 'coder_id', 'start', 'end', 'created_at', 'updated_at'];
const rows = (list: typeof SEGMENTS) => list.map((s) => Object.fromEntries(COLUMNS.map((c, i) => [c, s[i]])));
const sql = (v: string | number) => (typeof v === 'number' ? String(v) : `'${v}'`);
const VALUES = [
  { document_id: 'd1', variable_id: 'v1', value: 'BBC' },
  { document_id: 'd1', variable_id: 'v2', value: '2024-05-01' },
  { document_id: 'd2', variable_id: 'v1', value: 'Reuters' },
];
const bySegmentId = (a: Record<string, unknown>, b: Record<string, unknown>) => String(a.id).localeCompare(String(b.id));

/** A project as version 14 wrote it, its last action (setting d2's date) still undoable. */
async function projectAtVersion14(path: string): Promise<void> {
  const old = await projectFileAtSchema(path, 14);
  await old.exec(`
    INSERT INTO coders (id, name, created_at) VALUES ('k1', 'anna', '${T0}'), ('k2', 'ben', '${T0}');
    INSERT INTO documents (id, name, text, text_sha256, length, imported_at, sort_order) VALUES
      ('d1', 'Article', 'Five people were killed.', 'x', 24, '${T0}', 1),
      ('d2', 'Other', 'Nobody was hurt.', 'y', 16, '${T0}', 2);
    INSERT INTO variables (id, name, type, sort_order) VALUES ('v1', 'outlet', 'text', 1), ('v2', 'date', 'date', 2);
    INSERT INTO document_values (document_id, variable_id, value) VALUES
      ${[...VALUES, { document_id: 'd2', variable_id: 'v2', value: '2024-06-02' }].map((v) => `('${v.document_id}', '${v.variable_id}', '${v.value}')`).join(', ')};
    INSERT INTO codes (id, name, color, created_at) VALUES ('c1', 'casualties', '#d1495b', '${T0}');
    INSERT INTO segments (id, document_id, code_id, coder_id, start, end, created_at, updated_at) VALUES
      ${SEGMENTS.map((s) => `(${s.map(sql).join(', ')})`).join(',\n      ')};
    INSERT INTO events (action_id, at, coder_id, kind, summary, changes, undone) VALUES ('a1', '${T1}', 'k1', 'documents.attributes', 'Set date',
      '${JSON.stringify([{ table: 'document_values', key: { document_id: 'd2', variable_id: 'v2' }, before: null, after: { document_id: 'd2', variable_id: 'v2', value: '2024-06-02' } }])}', 0);
  `);
  await old.close();
}


const segments = (db: ProjectDb) => db.read((r) => r.all<Record<string, unknown>>(`SELECT * FROM segments`)).then((s) => s.sort(bySegmentId));
const values = (db: ProjectDb) => db.read((r) => r.all(`SELECT * FROM document_values ORDER BY document_id, variable_id`));

describe('migration 15 (lean-keys): attribute values by keys, segment ids and times stored small, read back as written', () => {
  it('upgrades a version-14 project keeping every id, time and attribute to the character, and the undo of its last action', () =>
    onUpgraded(projectAtVersion14, async (db) => {
      expect(await segments(db)).toEqual(rows(SEGMENTS).sort(bySegmentId));
      expect(await values(db)).toEqual([...VALUES, { document_id: 'd2', variable_id: 'v2', value: '2024-06-02' }]);
      // Stored small only where the text comes back the same: the app's UUIDs and times.
      const stored = await db.read((r) =>
        r.all(`SELECT id, typeof(stored_id) AS id_as, typeof(created_at) AS created_as, typeof(updated_at) AS updated_as FROM segment_rows ORDER BY id`),
      );
      expect(stored).toEqual([
        { id: UUID, id_as: 'blob', created_as: 'integer', updated_as: 'null' },
        { id: GUID, id_as: 'text', created_as: 'text', updated_as: 'null' },
        { id: 's3', id_as: 'text', created_as: 'integer', updated_as: 'integer' },
        { id: 's4', id_as: 'text', created_as: 'text', updated_as: 'integer' },
      ]);
      // A segment is still found by its id through its index, not by reading them all.
      const plan = await db.read((r) => r.all<{ detail: string }>(`EXPLAIN QUERY PLAN SELECT * FROM segments WHERE id = ?`, [UUID]));
      expect(plan.map((p) => p.detail).join('\n')).toContain('segments_id');
      expect((await db.read((r) => listSegments(r, { documentId: 'd1' }))).map((s) => [s.id, s.text])).toEqual([
        [GUID, 'Five'],
        [UUID, 'people'],
      ]);

      // Ctrl+Z of the attribute set before the upgrade, and Ctrl+Shift+Z.
      await undo(db);
      expect(await values(db)).toEqual(VALUES);
      await redo(db);
      expect(await values(db)).toEqual([...VALUES, { document_id: 'd2', variable_id: 'v2', value: '2024-06-02' }]);
      const docs = await db.read((r) => listDocuments(r));
      expect(docs.map((d) => [d.name, d.attributes])).toEqual([
        ['Article', { outlet: 'BBC', date: '2024-05-01' }],
        ['Other', { outlet: 'Reuters', date: '2024-06-02' }],
      ]);
    }));

  it('changes, clears and undoes attributes and segments after the upgrade, every row back as it was', () =>
    onUpgraded(projectAtVersion14, async (db) => {
      const before = { segments: await segments(db), values: await values(db) };
      await db.action({ kind: 'documents.attributes', summary: 'Attributes', coderId: 'k1' }, (tx) =>
        setAttributes(tx, 'd1', { outlet: 'AP', date: null, author: 'Kim' }),
      );
      const d1 = await db.read((r) =>
        r.all(`SELECT v.name, dv.value FROM document_values dv JOIN variables v ON v.id = dv.variable_id WHERE dv.document_id = 'd1' ORDER BY v.name`),
      );
      expect(d1).toEqual([
        { name: 'author', value: 'Kim' },
        { name: 'outlet', value: 'AP' },
      ]);
      let id = '';
      await db.action({ kind: 'segments.create', summary: 'Code', coderId: 'k1' }, async (tx) => {
        id = await createSegment(tx, { documentId: 'd2', codeId: 'c1', coderId: 'k1', start: 0, end: 6 });
      });
      await db.action({ kind: 'segments.update', summary: 'Resize', coderId: 'k1' }, (tx) => updateSegment(tx, UUID, { start: 6 }));
      const created = (await segments(db)).find((s) => s.id === id)!;
      expect(created.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(created.updated_at).toBe(created.created_at);
      expect((await segments(db)).find((s) => s.id === UUID)).toMatchObject({ start: 6, created_at: T1 });
      for (let i = 0; i < 3; i++) await undo(db);
      expect({ segments: await segments(db), values: await values(db) }).toEqual(before);
      for (let i = 0; i < 3; i++) await redo(db);
      expect((await segments(db)).find((s) => s.id === id)).toEqual(created);
      expect((await segments(db)).find((s) => s.id === UUID)).toMatchObject({ start: 6, created_at: T1 });
    }));

  it('refuses an attribute value for a document or variable that does not exist, and a document that still has values, as the foreign keys did', () =>
    onUpgraded(projectAtVersion14, async (db) => {
      for (const [document, variable] of [
        ['gone', 'v1'],
        ['d1', 'gone'],
      ]) {
        const write = db.transaction((tx) => tx.insert('document_values', { document_id: document!, variable_id: variable!, value: 'x' }));
        await expect(write).rejects.toThrow(/FOREIGN KEY constraint failed/);
      }
      await expect(db.transaction((tx) => tx.run(`DELETE FROM documents WHERE id = 'd2'`))).rejects.toThrow(/FOREIGN KEY constraint failed/);
      await expect(db.transaction((tx) => tx.insert('document_values', { document_id: 'd1', variable_id: 'v1', value: 'again' }))).rejects.toThrow(/UNIQUE constraint failed/);
      // Deleting the document through the app takes its segments and values with it, and undo brings all back.
      await db.action({ kind: 'documents.delete', summary: 'Delete', coderId: 'k1' }, (tx) => deleteDocument(tx, 'd2'));
      expect(await values(db)).toEqual(VALUES.filter((v) => v.document_id === 'd1'));
      expect((await segments(db)).map((s) => s.id)).toEqual([UUID, GUID].sort());
      await undo(db);
      expect(await values(db)).toEqual([...VALUES, { document_id: 'd2', variable_id: 'v2', value: '2024-06-02' }]);
      expect(await segments(db)).toEqual(rows(SEGMENTS).sort(bySegmentId));
    }));

  it('a kill during the upgrade leaves the version-14 project whole, and the next open upgrades it', async () => {
    const { dir, cleanup } = tempDir();
    try {
      // Enough rows that the upgrade takes a while: 20,000 segments and 6,000 attribute values.
      const original = join(dir, 'v14.marginalia');
      const old = await projectFileAtSchema(original, 14);
      await old.exec(`
        INSERT INTO coders (id, name, created_at) VALUES ('k1', 'anna', '${T0}');
        INSERT INTO codes (id, name, color, created_at) VALUES ('c1', 'casualties', '#d1495b', '${T0}');
        INSERT INTO variables (id, name, type, sort_order) VALUES ('v1', 'outlet', 'text', 1), ('v2', 'date', 'date', 2), ('v3', 'author', 'text', 3);
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
          INSERT INTO documents (id, name, text, text_sha256, length, imported_at, sort_order)
          SELECT 'd' || i, 'Article ' || i, 'Five people were killed in the town.', 'x' || i, 36, '${T0}', i FROM n;
        INSERT INTO document_values (document_id, variable_id, value) SELECT d.id, v.id, v.name || d.sort_order FROM documents d, variables v;
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9)
          INSERT INTO segments (id, document_id, code_id, coder_id, start, end, created_at, updated_at)
          SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-8' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
                 d.id, 'c1', 'k1', n.i, n.i + 20, '${T1}', '${T2}' FROM documents d, n;
      `);
      await old.close();
      const read = async (path: string) => {
        const db = await openProjectDb(path);
        try {
          return await db.read(async (r) => ({
            version: (await r.get<{ user_version: number }>('PRAGMA user_version'))!.user_version,
            segments: await r.all(`SELECT * FROM segments ORDER BY id`),
            values: await r.all(`SELECT * FROM document_values ORDER BY document_id, variable_id`),
          }));
        } finally {
          await db.close();
        }
      };
      // What an upgrade that is never interrupted gives.
      copyFileSync(original, join(dir, 'expected.marginalia'));
      const expected = await read(join(dir, 'expected.marginalia'));
      expect(expected.version).toBe(15);
      expect(expected.segments).toHaveLength(20_000);

      let killedMidway = 0;
      for (const after of [0, 100, 250, 500]) {
        const path = join(dir, `killed-${after}.marginalia`);
        copyFileSync(original, path);
        if (await killDuringOpen(path, after)) killedMidway++;
        expect(await read(path)).toEqual(expected);
      }
      // At least one kill landed before the upgrade finished, or this test proves nothing.
      expect(killedMidway).toBeGreaterThan(0);
    } finally {
      cleanup();
    }
  }, 120_000);
});
