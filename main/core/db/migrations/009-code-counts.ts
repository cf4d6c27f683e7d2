import type { Sqlite } from '../sqlite';

/**
 * Version 9: the codebook's counts, maintained. `codes.list` shows per code how many segments
 * and in how many documents; counting them on every call was one pass over the (code,
 * document, coder) index: 0.43 s at a million segments, paid after every coding because the
 * codebook refreshes. Triggers on `segments` now keep two small tables as writes happen, in
 * the same transaction, whoever writes (coding, undo, merge, import, consensus):
 *
 * - `code_coder_counts`: per code and coder, segments and distinct documents. Blind rounds
 *   shadow it like `segments` (core/team/blind.ts), so a coder's counts never include work
 *   hidden from them.
 * - `code_counts`: per code, over every coder but the consensus layer (the codebook's default
 *   scope: the consensus layer's segments are copies of coders' work), segments and distinct
 *   documents. A coder renamed to or from "consensus" rebuilds it.
 *
 * A document's first segment of a code (by that coder, or by anyone) is found by one look-up
 * in the (code, document, coder) index of migration 6, so each write costs a few index steps.
 */
const CONSENSUS = `(SELECT id FROM main.coders WHERE name = 'consensus')`;

/** Whether another segment of (code, document[, coder]) is left, `self` excluded. */
const others = (row: 'new' | 'old', byCoder: boolean) =>
  `EXISTS (SELECT 1 FROM main.segments x WHERE x.code_id = ${row}.code_id AND x.document_id = ${row}.document_id
           AND ${byCoder ? `x.coder_id = ${row}.coder_id` : `x.coder_id NOT IN ${CONSENSUS}`} AND x.id <> ${row}.id)`;

export const add = (row: 'new') => `
    INSERT OR IGNORE INTO code_coder_counts (code_id, coder_id, segments, documents) VALUES (${row}.code_id, ${row}.coder_id, 0, 0);
    UPDATE code_coder_counts SET segments = segments + 1, documents = documents + (NOT ${others(row, true)})
      WHERE code_id = ${row}.code_id AND coder_id = ${row}.coder_id;
    INSERT OR IGNORE INTO code_counts (code_id, segments, documents)
      SELECT ${row}.code_id, 0, 0 WHERE ${row}.coder_id NOT IN ${CONSENSUS};
    UPDATE code_counts SET segments = segments + 1, documents = documents + (NOT ${others(row, false)})
      WHERE code_id = ${row}.code_id AND ${row}.coder_id NOT IN ${CONSENSUS};`;

export const remove = (row: 'old') => `
    UPDATE code_coder_counts SET segments = segments - 1, documents = documents - (NOT ${others(row, true)})
      WHERE code_id = ${row}.code_id AND coder_id = ${row}.coder_id;
    UPDATE code_counts SET segments = segments - 1, documents = documents - (NOT ${others(row, false)})
      WHERE code_id = ${row}.code_id AND ${row}.coder_id NOT IN ${CONSENSUS};`;

/** Recounts both tables from the segments: the migration's first fill, and after a coder is renamed. */
export const RECOUNT_ALL = `
    DELETE FROM code_counts;
    INSERT INTO code_counts (code_id, segments, documents)
      SELECT code_id, sum(n), count(*) FROM (
        SELECT code_id, document_id, count(*) AS n FROM main.segments
        WHERE coder_id NOT IN ${CONSENSUS} GROUP BY code_id, document_id)
      GROUP BY code_id;`;

export async function up(db: Sqlite): Promise<void> {
  await db.exec(`
    CREATE TABLE code_coder_counts (
      code_id TEXT NOT NULL,
      coder_id TEXT NOT NULL,
      segments INTEGER NOT NULL,
      documents INTEGER NOT NULL,
      PRIMARY KEY (code_id, coder_id)
    ) WITHOUT ROWID;
    CREATE TABLE code_counts (
      code_id TEXT PRIMARY KEY,
      segments INTEGER NOT NULL,
      documents INTEGER NOT NULL
    ) WITHOUT ROWID;

    INSERT INTO code_coder_counts (code_id, coder_id, segments, documents)
      SELECT code_id, coder_id, sum(n), count(*) FROM (
        SELECT code_id, coder_id, document_id, count(*) AS n FROM main.segments GROUP BY code_id, document_id, coder_id)
      GROUP BY code_id, coder_id;
    ${RECOUNT_ALL}

    CREATE TRIGGER segments_count_insert AFTER INSERT ON segments BEGIN ${add('new')}
    END;
    CREATE TRIGGER segments_count_delete AFTER DELETE ON segments BEGIN ${remove('old')}
    END;
    CREATE TRIGGER segments_count_update AFTER UPDATE OF code_id, document_id, coder_id ON segments BEGIN ${remove('old')} ${add('new')}
    END;
    CREATE TRIGGER coders_count_rename AFTER UPDATE OF name ON coders
      WHEN (old.name = 'consensus') <> (new.name = 'consensus') BEGIN ${RECOUNT_ALL}
    END;
    CREATE TRIGGER codes_count_delete AFTER DELETE ON codes BEGIN
      DELETE FROM code_coder_counts WHERE code_id = old.id;
      DELETE FROM code_counts WHERE code_id = old.id;
    END;
  `);
}
