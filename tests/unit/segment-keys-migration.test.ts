import { describe, expect, it } from 'vitest';
import { onUpgraded, projectFileAtSchema } from '../helpers/old-schema';
import { listCodes, mergeCode } from '../../main/core/codebook/codebook';
import { listSegments } from '../../main/core/coding/segments';
import { redo, undo } from '../../main/core/events/undo';

const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-03-05T10:11:12.345Z';

/** The segments as a v12 project held them, every column, in a stable order. */
const SEGMENTS = [
  ['s1', 'd1', 'c1', 'k1', 0, 11, T0, T0],
  ['s2', 'd1', 'c2', 'k1', 5, 11, T0, T1],
  ['s3', 'd2', 'c2', 'k2', 0, 6, T1, T1],
  ['s4', 'd2', 'c2', 'k3', 0, 6, T0, T0],
  ['s5', 'd2', 'c1', 'k2', 7, 10, T1, T1],
];
const COLUMNS = ['id', 'document_id', 'code_id', 'coder_id', 'start', 'end', 'created_at', 'updated_at'];
const rows = (list: typeof SEGMENTS) => list.map((s) => Object.fromEntries(COLUMNS.map((c, i) => [c, s[i]])));
const sql = (v: string | number) => (typeof v === 'number' ? String(v) : `'${v}'`);

/** A project as version 12 wrote it: segments by two coders and the consensus layer, a memo on one, and its last action (the coding s5) still undoable. */
async function projectAtVersion12(path: string): Promise<void> {
  const old = await projectFileAtSchema(path, 12);
  await old.exec(`
    INSERT INTO coders (id, name, created_at) VALUES ('k1', 'anna', '${T0}'), ('k2', 'ben', '${T0}'), ('k3', 'consensus', '${T0}');
    INSERT INTO documents (id, name, text, text_sha256, length, imported_at, sort_order) VALUES
      ('d1', 'Article', 'Five people were killed.', 'x', 24, '${T0}', 1),
      ('d2', 'Other', 'Nobody was hurt.', 'y', 16, '${T0}', 2);
    INSERT INTO codes (id, name, color, created_at) VALUES ('c1', 'casualties', '#d1495b', '${T0}');
    INSERT INTO codes (id, parent_id, name, color, created_at) VALUES ('c2', 'c1', 'deaths', '#2e86ab', '${T0}');
    INSERT INTO segments (id, document_id, code_id, coder_id, start, end, created_at, updated_at) VALUES
      ${SEGMENTS.map((s) => `(${s.map(sql).join(', ')})`).join(',\n      ')};
    INSERT INTO memos (id, target_kind, target_id, author_id, content, text, created_at, updated_at)
      VALUES ('m1', 'segment', 's2', 'k1', '{}', 'Why killed', '${T0}', '${T0}');
    INSERT INTO events (action_id, at, coder_id, kind, summary, changes, undone) VALUES ('a1', '${T1}', 'k2', 'segments.create', 'Code "casualties"',
      '${JSON.stringify([{ table: 'segments', key: { id: 's5' }, before: null, after: { id: 's5' }, omitted: ['*'] }])}', 0);
  `);
  await old.close();
}


describe('migration 13 (segment-keys): segments stored with integer keys behind the same segments', () => {
  it('upgrades a version-12 project keeping every segment, count, memo and the undo of its last coding', () =>
    onUpgraded(projectAtVersion12, async (db) => {
      // Every column as it was, ids and timestamps to the character.
      expect(await db.read((r) => r.all(`SELECT * FROM segments ORDER BY id`))).toEqual(rows(SEGMENTS));
      // The codebook's counts (the consensus copy left out) and the stripes with their memo.
      const counts = (await db.read((r) => listCodes(r))).map((c) => [c.name, c.segment_count, c.document_count]);
      expect(counts).toEqual([
        ['casualties', 2, 2],
        ['deaths', 2, 2],
      ]);
      const d1 = await db.read((r) => listSegments(r, { documentId: 'd1' }));
      expect(d1.map((s) => [s.id, s.text])).toEqual([
        ['s1', 'Five people'],
        ['s2', 'people'],
      ]);

      // Ctrl+Z of the coding made before the upgrade, and Ctrl+Shift+Z.
      await undo(db);
      expect(await db.read((r) => r.all(`SELECT id FROM segments ORDER BY id`))).toEqual(['s1', 's2', 's3', 's4'].map((id) => ({ id })));
      expect((await db.read((r) => listCodes(r))).map((c) => c.segment_count)).toEqual([1, 2]);
      await redo(db);
      expect(await db.read((r) => r.all(`SELECT * FROM segments ORDER BY id`))).toEqual(rows(SEGMENTS));

      // A merge after the upgrade moves the stored rows, and its undo puts them back.
      await db.action({ kind: 'codes.merge', summary: 'Merge', coderId: 'k1' }, (tx) => mergeCode(tx, 'c2', 'c1'));
      expect(await db.read((r) => r.all(`SELECT id, code_id FROM segments ORDER BY id`))).toEqual(['s1', 's2', 's3', 's4', 's5'].map((id) => ({ id, code_id: 'c1' })));
      expect((await db.read((r) => listCodes(r))).map((c) => [c.name, c.segment_count, c.document_count])).toEqual([['casualties', 4, 2]]);
      await undo(db);
      expect(await db.read((r) => r.all(`SELECT * FROM segments ORDER BY id`))).toEqual(rows(SEGMENTS));
      expect((await db.read((r) => listCodes(r))).map((c) => [c.name, c.segment_count, c.document_count])).toEqual(counts);
    }));

  it('refuses a segment on a document, code or coder that does not exist, as the foreign keys did', () =>
    onUpgraded(projectAtVersion12, async (db) => {
      for (const [document, code, coder] of [
        ['gone', 'c1', 'k1'],
        ['d1', 'gone', 'k1'],
        ['d1', 'c1', 'gone'],
      ]) {
        const write = db.transaction((tx) =>
          tx.insert('segments', { id: 's9', document_id: document!, code_id: code!, coder_id: coder!, start: 0, end: 4, created_at: T1, updated_at: T1 }),
        );
        await expect(write).rejects.toThrow(/FOREIGN KEY constraint failed/);
      }
      await expect(db.transaction((tx) => tx.update('segments', { id: 's1' }, { code_id: 'gone' }))).rejects.toThrow(/FOREIGN KEY constraint failed/);
      // A document that still has segments cannot go, as before.
      await expect(db.transaction((tx) => tx.run(`DELETE FROM documents WHERE id = 'd1'`))).rejects.toThrow(/FOREIGN KEY constraint failed/);
      expect(await db.read((r) => r.all(`SELECT * FROM segments ORDER BY id`))).toEqual(rows(SEGMENTS));
    }));
});
