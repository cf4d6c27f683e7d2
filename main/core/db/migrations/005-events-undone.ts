import type { Sqlite } from '../sqlite';

/**
 * Version 5: an index on the events log's undone state. Every action clears the redo stack
 * (`UPDATE events SET undone = 2 WHERE undone = 1`) and Undo and Redo look for the latest
 * and earliest entries in a state; without the index each of these read the whole log,
 * 154 ms per change at a million entries.
 */
export async function up(db: Sqlite): Promise<void> {
  await db.exec(`CREATE INDEX IF NOT EXISTS events_undone ON events(undone, seq);`);
}
