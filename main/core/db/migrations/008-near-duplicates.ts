import type { Sqlite } from '../sqlite';

/**
 * Version 8: wire-story duplicates. A MinHash signature per document (core/analysis/minhash.ts)
 * and the pairs of documents whose texts are near-duplicates, with their estimated Jaccard
 * similarity (pairs at 0.5 or more are kept; the threshold a researcher chooses filters them).
 * Both are derived from the texts, never edited: they leave with their document (ON DELETE
 * CASCADE, also when an import is undone) and a document without a signature, e.g. one put
 * back by redo, is indexed the next time duplicates are looked at.
 */
export async function up(db: Sqlite): Promise<void> {
  await db.exec(`
    CREATE TABLE document_fingerprints (
      document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
      signature BLOB,
      shingles INTEGER NOT NULL
    );
    CREATE TABLE near_duplicates (
      document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
      other_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
      similarity REAL NOT NULL CHECK (similarity BETWEEN 0 AND 1),
      PRIMARY KEY (document_id, other_id),
      CHECK (document_id < other_id)
    ) WITHOUT ROWID;
    CREATE INDEX near_duplicates_other ON near_duplicates(other_id);
  `);
}
