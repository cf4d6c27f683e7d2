import type { Sqlite } from '../sqlite';

/**
 * Version 10: a leaner file. Ids are UUID text (36 bytes), and every index on segments holds
 * them again: at 10,000 articles and 100,000 segments the segments and their five indexes took
 * 66 MB, more than the 38 MB of text. Two of those indexes said what the others already say:
 *
 * - `segments_document` (document, start) and `segments_coding` (document, code, coder, start,
 *   end) become one, `segments_coding` on (document, start, end, code, coder). It answers
 *   "this document's segments in order" as the first did, and "is this coding already here"
 *   (equality on all five columns, in any order) and the matrix and co-occurrence reads
 *   (document first, every column in the index) as the second did.
 * - `segments_coder` (coder) goes: nothing reads segments by coder alone but a whole-project
 *   pass (agreement, a blind round's view), for which reading the table is as quick, and each
 *   held a copy of a UUID per segment.
 *
 * And `document_values` becomes a WITHOUT ROWID table keyed by (document, variable): its rows
 * were stored twice, in the table and in the primary key's index.
 *
 * The freed pages are given back to the file system by a VACUUM after the upgrade (open.ts).
 */
export async function up(db: Sqlite): Promise<void> {
  await db.exec(`
    DROP INDEX IF EXISTS segments_document;
    DROP INDEX IF EXISTS segments_coder;
    DROP INDEX IF EXISTS segments_coding;
    CREATE INDEX segments_coding ON segments(document_id, start, end, code_id, coder_id);

    CREATE TABLE document_values_lean (
      document_id TEXT NOT NULL REFERENCES documents(id),
      variable_id TEXT NOT NULL REFERENCES variables(id),
      value TEXT NOT NULL,
      PRIMARY KEY (document_id, variable_id)
    ) WITHOUT ROWID;
    INSERT INTO document_values_lean (document_id, variable_id, value) SELECT document_id, variable_id, value FROM document_values
      ORDER BY document_id, variable_id;
    DROP TABLE document_values;
    ALTER TABLE document_values_lean RENAME TO document_values;
    CREATE INDEX document_values_variable ON document_values(variable_id, value, document_id);
  `);
}
