import type { Sqlite } from '../sqlite';

/**
 * Version 13: segments keyed by integers. Every segment named its document, code and coder by
 * UUID text (36 bytes each), and its two indexes repeated all three: at a million segments the
 * segments took 558 MB of a 1.4 GB file, more than the documents' text. Now:
 *
 * - `document_keys`, `code_keys`, `coder_keys` give each document, code and coder a small
 *   integer, an explicit INTEGER PRIMARY KEY, so no VACUUM renumbers it (SQLite may renumber
 *   implicit rowids). Triggers on the three tables add and remove a key with the row; ids in
 *   the API, the events log and every export stay the UUID text.
 * - `segment_rows` holds the segments with those keys, and the indexes of migrations 6 and 10
 *   (same names, same columns) over them.
 * - `segments` is a view with the old columns, over `segment_rows` and the key tables, with
 *   INSTEAD OF triggers that write through it: every read, the events log's undo and redo
 *   (whose recorded changes name the table `segments` and its columns) and a blind round's TEMP
 *   views that shadow `segments` work unchanged. Paths that read or write many segments go to
 *   `segment_rows` directly (core/coding/segment-rows.ts).
 * - The count triggers of migrations 9, 11 and 12 move from `segments` to `segment_rows`.
 *
 * A segment that names a document, code or coder that does not exist is refused as before,
 * with SQLite's own "FOREIGN KEY constraint failed", so callers' messages do not change.
 */

/** The keys of the consensus layer's coder (none or one). */
export const CONSENSUS = `(SELECT k.key FROM main.coder_keys k JOIN main.coders c ON c.id = k.id WHERE c.name = 'consensus')`;

const codeId = (row: 'new' | 'old') => `(SELECT id FROM main.code_keys WHERE key = ${row}.code_key)`;
const coderId = (row: 'new' | 'old') => `(SELECT id FROM main.coder_keys WHERE key = ${row}.coder_key)`;
const documentId = (row: 'new' | 'old') => `(SELECT id FROM main.document_keys WHERE key = ${row}.document_key)`;

/** Whether another segment of (code, document[, coder]) is left, `self` excluded (migration 9's rule). */
const others = (row: 'new' | 'old', byCoder: boolean) =>
  `EXISTS (SELECT 1 FROM main.segment_rows x WHERE x.code_key = ${row}.code_key AND x.document_key = ${row}.document_key
           AND ${byCoder ? `x.coder_key = ${row}.coder_key` : `x.coder_key NOT IN ${CONSENSUS}`} AND x.rowid <> ${row}.rowid)`;

const add = `
    INSERT OR IGNORE INTO code_coder_counts (code_id, coder_id, segments, documents) VALUES (${codeId('new')}, ${coderId('new')}, 0, 0);
    UPDATE code_coder_counts SET segments = segments + 1, documents = documents + (NOT ${others('new', true)})
      WHERE code_id = ${codeId('new')} AND coder_id = ${coderId('new')};
    INSERT OR IGNORE INTO code_counts (code_id, segments, documents)
      SELECT ${codeId('new')}, 0, 0 WHERE new.coder_key NOT IN ${CONSENSUS};
    UPDATE code_counts SET segments = segments + 1, documents = documents + (NOT ${others('new', false)})
      WHERE code_id = ${codeId('new')} AND new.coder_key NOT IN ${CONSENSUS};`;

const remove = `
    UPDATE code_coder_counts SET segments = segments - 1, documents = documents - (NOT ${others('old', true)})
      WHERE code_id = ${codeId('old')} AND coder_id = ${coderId('old')};
    UPDATE code_counts SET segments = segments - 1, documents = documents - (NOT ${others('old', false)})
      WHERE code_id = ${codeId('old')} AND old.coder_key NOT IN ${CONSENSUS};`;

const documentStep = (row: 'new' | 'old', by: '+' | '-') =>
  `UPDATE document_counts SET segments = segments ${by} 1 WHERE document_id = ${documentId(row)} AND ${row}.coder_key NOT IN ${CONSENSUS};`;

/** Refuses a segment naming a `kind` (document, code, coder) that has no key, as the old foreign key did. */
export const mustExist = (table: string, id: string, when = '1') =>
  `SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed') WHERE ${when} AND NOT EXISTS (SELECT 1 FROM main.${table} WHERE id = ${id});`;

const keyTable = (table: string, keys: string, order: string) => `
    CREATE TABLE ${keys} (
      key INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE
    );
    INSERT INTO ${keys} (id) SELECT id FROM ${table} ${order};
    CREATE TRIGGER ${keys}_insert AFTER INSERT ON ${table} BEGIN
      INSERT INTO ${keys} (id) VALUES (new.id);
    END;
    CREATE TRIGGER ${keys}_delete AFTER DELETE ON ${table} BEGIN
      DELETE FROM ${keys} WHERE id = old.id;
    END;`;

/** The count triggers of migrations 9, 11 and 12 on the stored rows; migration 15 makes them again on its table. */
export const SEGMENT_COUNT_TRIGGERS = `
    CREATE TRIGGER segments_count_insert AFTER INSERT ON segment_rows BEGIN ${add}
    END;
    CREATE TRIGGER segments_count_delete AFTER DELETE ON segment_rows BEGIN ${remove}
    END;
    CREATE TRIGGER segments_count_update AFTER UPDATE OF code_key, document_key, coder_key ON segment_rows
      WHEN old.code_key = new.code_key OR NOT EXISTS (SELECT 1 FROM code_counts_deferred) BEGIN ${remove} ${add}
    END;
    CREATE TRIGGER segments_document_count_insert AFTER INSERT ON segment_rows BEGIN ${documentStep('new', '+')}
    END;
    CREATE TRIGGER segments_document_count_delete AFTER DELETE ON segment_rows BEGIN ${documentStep('old', '-')}
    END;
    CREATE TRIGGER segments_document_count_update AFTER UPDATE OF document_key, coder_key ON segment_rows BEGIN ${documentStep('old', '-')} ${documentStep('new', '+')}
    END;
`;

export async function up(db: Sqlite): Promise<void> {
  await db.exec(`
    ${keyTable('documents', 'document_keys', 'INDEXED BY documents_order_id ORDER BY sort_order, id')}
    ${keyTable('codes', 'code_keys', 'ORDER BY rowid')}
    ${keyTable('coders', 'coder_keys', 'ORDER BY rowid')}

    -- Staged in a TEMP table, so the new rows reuse the pages the old table frees: an upgrade
    -- that copied table to table would grow a file of a million segments by 160 MB.
    CREATE TEMP TABLE segment_rows_staged AS
      SELECT s.id AS id, d.key AS document_key, c.key AS code_key, k.key AS coder_key, s.start AS start, s.end AS end,
             s.created_at AS created_at, s.updated_at AS updated_at
      FROM document_keys d CROSS JOIN segments s ON s.document_id = d.id JOIN code_keys c ON c.id = s.code_id JOIN coder_keys k ON k.id = s.coder_id
      ORDER BY d.key, s.start;
    DROP TABLE segments;

    CREATE TABLE segment_rows (
      id TEXT NOT NULL PRIMARY KEY,
      document_key INTEGER NOT NULL REFERENCES document_keys(key),
      code_key INTEGER NOT NULL REFERENCES code_keys(key),
      coder_key INTEGER NOT NULL REFERENCES coder_keys(key),
      start INTEGER NOT NULL,
      end INTEGER NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      CHECK (start >= 0 AND start < end)
    );
    -- In document order, so a document's segments share pages.
    INSERT INTO segment_rows (id, document_key, code_key, coder_key, start, end, created_at, updated_at)
      SELECT id, document_key, code_key, coder_key, start, end, created_at, updated_at FROM temp.segment_rows_staged ORDER BY rowid;
    DROP TABLE temp.segment_rows_staged;
    CREATE INDEX segments_coding ON segment_rows(document_key, start, end, code_key, coder_key);
    CREATE INDEX segments_code_document ON segment_rows(code_key, document_key, coder_key);

    CREATE VIEW segments AS
      SELECT s.id AS id, d.id AS document_id, c.id AS code_id, k.id AS coder_id, s.start AS start, s.end AS end,
             s.created_at AS created_at, s.updated_at AS updated_at
      FROM segment_rows s JOIN document_keys d ON d.key = s.document_key JOIN code_keys c ON c.key = s.code_key
        JOIN coder_keys k ON k.key = s.coder_key;

    CREATE TRIGGER segments_insert INSTEAD OF INSERT ON segments BEGIN
      ${mustExist('document_keys', 'new.document_id')}
      ${mustExist('code_keys', 'new.code_id')}
      ${mustExist('coder_keys', 'new.coder_id')}
      INSERT INTO segment_rows (id, document_key, code_key, coder_key, start, end, created_at, updated_at)
        VALUES (new.id, (SELECT key FROM main.document_keys WHERE id = new.document_id), (SELECT key FROM main.code_keys WHERE id = new.code_id),
                (SELECT key FROM main.coder_keys WHERE id = new.coder_id), new.start, new.end, new.created_at, new.updated_at);
    END;
    CREATE TRIGGER segments_delete INSTEAD OF DELETE ON segments BEGIN
      DELETE FROM segment_rows WHERE id = old.id;
    END;
    -- A key is written only when its id changes, so that only a change of code, document or
    -- coder runs the count triggers, as an UPDATE OF those columns did.
    CREATE TRIGGER segments_update INSTEAD OF UPDATE ON segments BEGIN
      ${mustExist('document_keys', 'new.document_id', 'new.document_id IS NOT old.document_id')}
      ${mustExist('code_keys', 'new.code_id', 'new.code_id IS NOT old.code_id')}
      ${mustExist('coder_keys', 'new.coder_id', 'new.coder_id IS NOT old.coder_id')}
      UPDATE segment_rows SET start = new.start, end = new.end, created_at = new.created_at, updated_at = new.updated_at
        WHERE id = old.id;
      UPDATE segment_rows SET code_key = (SELECT key FROM main.code_keys WHERE id = new.code_id)
        WHERE id = new.id AND new.code_id IS NOT old.code_id;
      UPDATE segment_rows SET document_key = (SELECT key FROM main.document_keys WHERE id = new.document_id)
        WHERE id = new.id AND new.document_id IS NOT old.document_id;
      UPDATE segment_rows SET coder_key = (SELECT key FROM main.coder_keys WHERE id = new.coder_id)
        WHERE id = new.id AND new.coder_id IS NOT old.coder_id;
    END;

    ${SEGMENT_COUNT_TRIGGERS}
  `);
}
