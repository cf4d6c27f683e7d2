import type { Sqlite } from '../sqlite';
import { SEGMENT_COUNT_TRIGGERS, mustExist } from './013-segment-keys';

/**
 * Version 15: the project file within twice its text plus the search index (issue 13). Of a 10,000
 * document project's 107 MB, the text took 38 and the index 21; of the rest, the attribute values
 * (5.5 MB, each naming its document and variable by UUID text, twice with their index) and the
 * segments' two timestamps (48 bytes of ISO text a segment) were the largest parts that carry
 * little information. Now:
 *
 * - `variable_keys` gives each variable a small integer, as migration 13 did for documents, codes
 *   and coders; `document_value_rows` holds the values by document and variable key, with the
 *   (variable, value, document) index of migration 6 over the keys.
 * - `document_values` is a view with the old columns and INSTEAD OF triggers that write through
 *   it, so every read, the events log's undo and redo and merge work unchanged.
 * - `segment_rows` stores a timestamp as whole milliseconds since 1970 (6 bytes instead of 24)
 *   when it is one the app writes ('2025-01-08T12:00:00.000Z', what toISOString gives) and reads
 *   back exactly; any other text (a REFI-QDA file's '2024-01-01T00:00:00Z') is kept as it came.
 *   `updated_at` is null while it equals `created_at` (a segment never changed).
 * - `segment_rows` stores a segment's id as its 16 bytes when it is a UUID in the app's form
 *   (lowercase, dashed), else as the text; its `id` column is generated from them, and the unique
 *   index on it (36 bytes an entry, as the primary key's was) finds a segment by id as before,
 *   so the reads of migration 13 that join or filter the stored rows by id work unchanged.
 * - The `segments` view gives the ISO text and the ids back, byte for byte. The table is made
 *   again for these (a TEXT column would turn the numbers back into text), with its indexes and
 *   count triggers.
 * - `document_fingerprints` is a WITHOUT ROWID table: its rows are all key and signature, and
 *   a rowid table kept the key twice (0.45 MB at 10,000 documents).
 * - `documents_order_id` (sort_order, id) goes: `documents_order_summary` (sort_order, id, name,
 *   length) of migration 7 begins with the same columns and serves every walk in that order.
 *
 * Ids in the API, the events log and every export stay the UUID text.
 */

/** How the app writes a time (Date.toISOString). */
const ISO = `'%Y-%m-%dT%H:%M:%fZ'`;

/** The ISO text of a stored time: whole milliseconds since 1970, or the text itself. */
export const isoTime = (column: string) => `CASE WHEN typeof(${column}) = 'integer' THEN strftime(${ISO}, ${column} / 1000.0, 'unixepoch') ELSE ${column} END`;

/**
 * How a time given as text (`value`: a column or a named value, read twice) is stored: as whole
 * milliseconds when they give the same text back, else as the text.
 */
export function storedTime(value: string): string {
  const ms = `CAST(round((julianday(${value}) - 2440587.5) * 86400000.0) AS INTEGER)`;
  return `CASE WHEN strftime(${ISO}, ${ms} / 1000.0, 'unixepoch') = ${value} THEN ${ms} ELSE ${value} END`;
}

/** A segment's id as the app writes them (lowercase dashed UUID) from its 16 stored bytes. */
const uuidText = (bytes: string) =>
  `lower(substr(hex(${bytes}), 1, 8) || '-' || substr(hex(${bytes}), 9, 4) || '-' || substr(hex(${bytes}), 13, 4) || '-' || substr(hex(${bytes}), 17, 4) || '-' || substr(hex(${bytes}), 21))`;

/** How an id (`value`, read several times) is stored: as its 16 bytes when they give the same text back, else as the text. */
export function storedId(value: string): string {
  const bytes = `unhex(replace(${value}, '-', ''))`;
  return `CASE WHEN length(${value}) = 36 AND ${uuidText(bytes)} = ${value} THEN ${bytes} ELSE ${value} END`;
}

/** How `updated_at` is stored: null while it is `created_at` (both as given, text). */
export const storedUpdated = (updated: string, created: string) => `nullif(${storedTime(updated)}, ${storedTime(created)})`;

const key = (table: string, id: string) => `(SELECT key FROM main.${table} WHERE id = ${id})`;

export async function up(db: Sqlite): Promise<void> {
  await db.exec(`
    CREATE TABLE variable_keys (
      key INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE
    );
    INSERT INTO variable_keys (id) SELECT id FROM variables ORDER BY rowid;
    CREATE TRIGGER variable_keys_insert AFTER INSERT ON variables BEGIN
      INSERT INTO variable_keys (id) VALUES (new.id);
    END;
    CREATE TRIGGER variable_keys_delete AFTER DELETE ON variables BEGIN
      DELETE FROM variable_keys WHERE id = old.id;
    END;

    -- Staged in TEMP tables, so the new rows reuse the pages the old tables free (migration 13).
    CREATE TEMP TABLE document_values_staged AS
      SELECT d.key AS document_key, v.key AS variable_key, x.value AS value
      FROM main.document_values x JOIN main.document_keys d ON d.id = x.document_id JOIN main.variable_keys v ON v.id = x.variable_id;
    DROP TABLE document_values;
    CREATE TEMP TABLE segment_rows_staged AS SELECT * FROM main.segment_rows ORDER BY rowid;
    DROP VIEW segments;
    DROP TABLE segment_rows;

    CREATE TABLE document_value_rows (
      document_key INTEGER NOT NULL REFERENCES document_keys(key),
      variable_key INTEGER NOT NULL REFERENCES variable_keys(key),
      value TEXT NOT NULL,
      PRIMARY KEY (document_key, variable_key)
    ) WITHOUT ROWID;
    INSERT INTO document_value_rows (document_key, variable_key, value)
      SELECT document_key, variable_key, value FROM temp.document_values_staged ORDER BY document_key, variable_key;
    DROP TABLE temp.document_values_staged;
    CREATE INDEX document_values_variable ON document_value_rows(variable_key, value, document_key);

    CREATE VIEW document_values AS
      SELECT d.id AS document_id, v.id AS variable_id, r.value AS value
      FROM document_value_rows r JOIN document_keys d ON d.key = r.document_key JOIN variable_keys v ON v.key = r.variable_key;
    CREATE TRIGGER document_values_insert INSTEAD OF INSERT ON document_values BEGIN
      ${mustExist('document_keys', 'new.document_id')}
      ${mustExist('variable_keys', 'new.variable_id')}
      INSERT INTO document_value_rows (document_key, variable_key, value)
        VALUES (${key('document_keys', 'new.document_id')}, ${key('variable_keys', 'new.variable_id')}, new.value);
    END;
    CREATE TRIGGER document_values_delete INSTEAD OF DELETE ON document_values BEGIN
      DELETE FROM document_value_rows
        WHERE document_key = ${key('document_keys', 'old.document_id')} AND variable_key = ${key('variable_keys', 'old.variable_id')};
    END;
    CREATE TRIGGER document_values_update INSTEAD OF UPDATE ON document_values BEGIN
      ${mustExist('document_keys', 'new.document_id', 'new.document_id IS NOT old.document_id')}
      ${mustExist('variable_keys', 'new.variable_id', 'new.variable_id IS NOT old.variable_id')}
      UPDATE document_value_rows
        SET value = new.value, document_key = ${key('document_keys', 'new.document_id')}, variable_key = ${key('variable_keys', 'new.variable_id')}
        WHERE document_key = ${key('document_keys', 'old.document_id')} AND variable_key = ${key('variable_keys', 'old.variable_id')};
    END;

    -- No declared type on the stored id and times: a TEXT column would store bytes and numbers as text again.
    CREATE TABLE segment_rows (
      stored_id NOT NULL,
      id TEXT GENERATED ALWAYS AS (CASE WHEN typeof(stored_id) = 'blob' THEN ${uuidText('stored_id')} ELSE stored_id END) VIRTUAL,
      document_key INTEGER NOT NULL REFERENCES document_keys(key),
      code_key INTEGER NOT NULL REFERENCES code_keys(key),
      coder_key INTEGER NOT NULL REFERENCES coder_keys(key),
      start INTEGER NOT NULL,
      end INTEGER NOT NULL,
      created_at NOT NULL,
      updated_at,
      CHECK (start >= 0 AND start < end)
    );
    INSERT INTO segment_rows (stored_id, document_key, code_key, coder_key, start, end, created_at, updated_at)
      SELECT ${storedId('id')}, document_key, code_key, coder_key, start, end, ${storedTime('created_at')}, ${storedUpdated('updated_at', 'created_at')}
      FROM temp.segment_rows_staged ORDER BY rowid;
    DROP TABLE temp.segment_rows_staged;
    CREATE UNIQUE INDEX segments_id ON segment_rows(id);
    CREATE INDEX segments_coding ON segment_rows(document_key, start, end, code_key, coder_key);
    CREATE INDEX segments_code_document ON segment_rows(code_key, document_key, coder_key);

    CREATE VIEW segments AS
      SELECT s.id AS id, d.id AS document_id, c.id AS code_id, k.id AS coder_id, s.start AS start, s.end AS end,
             ${isoTime('s.created_at')} AS created_at, ${isoTime('ifnull(s.updated_at, s.created_at)')} AS updated_at
      FROM segment_rows s JOIN document_keys d ON d.key = s.document_key JOIN code_keys c ON c.key = s.code_key
        JOIN coder_keys k ON k.key = s.coder_key;

    CREATE TRIGGER segments_insert INSTEAD OF INSERT ON segments BEGIN
      ${mustExist('document_keys', 'new.document_id')}
      ${mustExist('code_keys', 'new.code_id')}
      ${mustExist('coder_keys', 'new.coder_id')}
      INSERT INTO segment_rows (stored_id, document_key, code_key, coder_key, start, end, created_at, updated_at)
        VALUES (${storedId('new.id')}, ${key('document_keys', 'new.document_id')}, ${key('code_keys', 'new.code_id')}, ${key('coder_keys', 'new.coder_id')},
                new.start, new.end, ${storedTime('new.created_at')}, ${storedUpdated('new.updated_at', 'new.created_at')});
    END;
    CREATE TRIGGER segments_delete INSTEAD OF DELETE ON segments BEGIN
      DELETE FROM segment_rows WHERE id = old.id;
    END;
    -- As migration 13's: a key is written only when its id changes, so that only a change of
    -- code, document or coder runs the count triggers.
    CREATE TRIGGER segments_update INSTEAD OF UPDATE ON segments BEGIN
      ${mustExist('document_keys', 'new.document_id', 'new.document_id IS NOT old.document_id')}
      ${mustExist('code_keys', 'new.code_id', 'new.code_id IS NOT old.code_id')}
      ${mustExist('coder_keys', 'new.coder_id', 'new.coder_id IS NOT old.coder_id')}
      UPDATE segment_rows SET start = new.start, end = new.end, created_at = ${storedTime('new.created_at')},
          updated_at = ${storedUpdated('new.updated_at', 'new.created_at')}
        WHERE id = old.id;
      UPDATE segment_rows SET code_key = ${key('code_keys', 'new.code_id')}
        WHERE id = new.id AND new.code_id IS NOT old.code_id;
      UPDATE segment_rows SET document_key = ${key('document_keys', 'new.document_id')}
        WHERE id = new.id AND new.document_id IS NOT old.document_id;
      UPDATE segment_rows SET coder_key = ${key('coder_keys', 'new.coder_id')}
        WHERE id = new.id AND new.coder_id IS NOT old.coder_id;
    END;

    ${SEGMENT_COUNT_TRIGGERS}

    CREATE TEMP TABLE document_fingerprints_staged AS SELECT document_id, signature, shingles FROM main.document_fingerprints;
    DROP TABLE document_fingerprints;
    CREATE TABLE document_fingerprints (
      document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
      signature BLOB,
      shingles INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO document_fingerprints (document_id, signature, shingles)
      SELECT document_id, signature, shingles FROM temp.document_fingerprints_staged ORDER BY document_id;
    DROP TABLE temp.document_fingerprints_staged;

    DROP INDEX documents_order_id;
  `);
}
