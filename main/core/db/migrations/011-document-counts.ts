import type { Sqlite } from '../sqlite';

/**
 * Version 11: each document's segment count, maintained, for the document list sorted by
 * segment count. Counting every document's segments to sort the list was 0.5 s at 100,000
 * documents; the counts are now kept by triggers as writes happen (like the codebook's,
 * migration 9) over every coder but the consensus layer (the list's default scope), one row
 * per document, zero included, and read along an index in either direction. A blind round
 * shadows the table with a recount of the visible segments (core/team/blind.ts), and the list
 * does not use it then.
 */
const CONSENSUS = `(SELECT id FROM main.coders WHERE name = 'consensus')`;

export const RECOUNT_DOCUMENTS = `
    DELETE FROM document_counts;
    INSERT INTO document_counts (document_id, segments)
      SELECT d.id, (SELECT count(*) FROM main.segments s WHERE s.document_id = d.id AND s.coder_id NOT IN ${CONSENSUS}) FROM main.documents d;`;

const step = (row: 'new' | 'old', by: '+' | '-') =>
  `UPDATE document_counts SET segments = segments ${by} 1 WHERE document_id = ${row}.document_id AND ${row}.coder_id NOT IN ${CONSENSUS};`;

export async function up(db: Sqlite): Promise<void> {
  await db.exec(`
    CREATE TABLE document_counts (
      document_id TEXT PRIMARY KEY,
      segments INTEGER NOT NULL
    ) WITHOUT ROWID;
    ${RECOUNT_DOCUMENTS}
    CREATE INDEX document_counts_ascending ON document_counts(segments, document_id);
    CREATE INDEX document_counts_descending ON document_counts(segments DESC, document_id);

    CREATE TRIGGER documents_count_insert AFTER INSERT ON documents BEGIN
      INSERT OR IGNORE INTO document_counts (document_id, segments) VALUES (new.id, 0);
    END;
    CREATE TRIGGER documents_count_delete AFTER DELETE ON documents BEGIN
      DELETE FROM document_counts WHERE document_id = old.id;
    END;
    CREATE TRIGGER segments_document_count_insert AFTER INSERT ON segments BEGIN ${step('new', '+')}
    END;
    CREATE TRIGGER segments_document_count_delete AFTER DELETE ON segments BEGIN ${step('old', '-')}
    END;
    CREATE TRIGGER segments_document_count_update AFTER UPDATE OF document_id, coder_id ON segments BEGIN ${step('old', '-')} ${step('new', '+')}
    END;
    CREATE TRIGGER coders_document_count_rename AFTER UPDATE OF name ON coders
      WHEN (old.name = 'consensus') <> (new.name = 'consensus') BEGIN ${RECOUNT_DOCUMENTS}
    END;
  `);
}
