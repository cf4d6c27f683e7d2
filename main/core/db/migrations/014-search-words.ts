import type { Sqlite } from '../sqlite';
import { FTS_TOKENIZE_SQL } from '../../search/tokenizer';

/**
 * Version 14: the search index splits words where the search's matcher does (search/tokenizer.ts).
 * unicode61 took every emoji newer than its Unicode table for a letter, so "Kyiv🙂" was one word
 * of the index and a search for Kyiv missed it, and it split Devanagari and Arabic words at their
 * vowel signs. FTS5 cannot change a table's tokenizer: the table is made again, with the same
 * external content (documents) and the same triggers of migration 1, which name it and so keep
 * it in step from the next write on, and filled from the documents by FTS5's 'rebuild'.
 *
 * The tokenizer is the one of this version's list; a later list needs a migration of its own.
 */
export async function up(db: Sqlite): Promise<void> {
  await db.exec(`
    DROP TABLE documents_fts;
    CREATE VIRTUAL TABLE documents_fts USING fts5(
      name, text, content = 'documents', content_rowid = 'rowid',
      ${FTS_TOKENIZE_SQL}
    );
    INSERT INTO documents_fts (documents_fts) VALUES ('rebuild');
  `);
}
