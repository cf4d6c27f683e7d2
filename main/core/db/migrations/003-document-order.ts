import type { Sqlite } from '../sqlite';

/**
 * Version 3: an index on documents.sort_order. Adding a document asks for max(sort_order);
 * without the index SQLite reads every document's row, text included, so a 10,000-article
 * import slowed to minutes. With it the lookup is one index probe.
 */
export async function up(db: Sqlite): Promise<void> {
  await db.exec(`CREATE INDEX IF NOT EXISTS documents_sort_order ON documents(sort_order);`);
}
