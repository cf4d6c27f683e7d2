import type { Sqlite } from '../sqlite';

/**
 * Version 4: an index on the columns that make two segments the same coding (document,
 * code, coder, start, end). Merge, REFI-QDA import and consensus ask, for every segment
 * they write, whether that coding is already in the project; without the index each
 * question read every segment of the document (or, for a code-wide question, the table),
 * so a merge of 20,000 codings grew quadratic. Not unique: a coder may apply a code to the
 * same span twice, and older files hold such pairs.
 */
export async function up(db: Sqlite): Promise<void> {
  await db.exec(`CREATE INDEX IF NOT EXISTS segments_coding ON segments(document_id, code_id, coder_id, start, end);`);
}
