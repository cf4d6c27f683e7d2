import type { Sqlite } from '../sqlite';

/**
 * Version 7: document sets. A set is a named group of documents (by hand, from a search or
 * from an attribute filter) that scopes retrieval, agreement, exports and the document list,
 * and travels in REFI-QDA as <Set>. Members are rows of their own so that adding one document
 * to a set of 10,000 logs one row for undo, not the whole set.
 *
 * And two indexes documents are read through when only their order, name and length are
 * wanted: in order (the matrix export, the crosstab views) and by id (a segment's document in
 * the analyses' passages). A document's row holds its whole text before those columns, so
 * without them a table of 100,000 documents, or a passage list, read every text to learn names.
 */
export async function up(db: Sqlite): Promise<void> {
  await db.exec(`
    CREATE TABLE document_sets (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL CHECK (length(trim(name)) > 0),
      description TEXT NOT NULL DEFAULT '',
      created_at TEXT NOT NULL,
      created_by TEXT REFERENCES coders(id)
    );
    CREATE UNIQUE INDEX document_sets_name ON document_sets(name COLLATE NOCASE);

    CREATE TABLE document_set_members (
      set_id TEXT NOT NULL REFERENCES document_sets(id),
      document_id TEXT NOT NULL REFERENCES documents(id),
      PRIMARY KEY (set_id, document_id)
    ) WITHOUT ROWID;
    -- Deleting a document removes its memberships: found through this index.
    CREATE INDEX document_set_members_document ON document_set_members(document_id);

    CREATE INDEX IF NOT EXISTS documents_order_summary ON documents(sort_order, id, name, length);
    CREATE INDEX IF NOT EXISTS documents_id_summary ON documents(id, sort_order, name, length);
  `);
}
