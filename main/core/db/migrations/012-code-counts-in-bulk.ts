import type { Sqlite } from '../sqlite';
import { add, remove } from './009-code-counts';

/**
 * Version 12: a segment moved to another code is counted per row, unless many move at once.
 * Migration 9's trigger keeps the codebook's counts one row at a time, four index probes and
 * six statements each, some 25 µs a row: a third of the CPU time of moving a code's 20,000
 * segments to another at a million segments (0.5 s of 1.5 s). A bulk move (a merge, its undo and redo) now puts the one row of
 * `code_counts_deferred` in place while it moves segments between codes; the trigger then
 * leaves the counts of a changed code alone, and the mover recounts the codes it moved
 * segments from and to, along the (code, document, coder) index, before the row goes and
 * within the same transaction (core/codebook/code-counts.ts). Inserts and deletes, and updates
 * that keep the code, are counted per row as before.
 *
 * The flag is only ever held inside a write transaction, so no reader sees it (a blind
 * round's views need not shadow it), and a crash or a failure rolls it back with the move.
 */
export async function up(db: Sqlite): Promise<void> {
  await db.exec(`
    CREATE TABLE code_counts_deferred (
      held INTEGER PRIMARY KEY CHECK (held = 1)
    );
    DROP TRIGGER segments_count_update;
    CREATE TRIGGER segments_count_update AFTER UPDATE OF code_id, document_id, coder_id ON segments
      WHEN old.code_id = new.code_id OR NOT EXISTS (SELECT 1 FROM code_counts_deferred) BEGIN ${remove('old')} ${add('new')}
    END;
  `);
}
