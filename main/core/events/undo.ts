import type { ProjectDb, Reader, RowChange, Tx } from '../db/project-db';
import { MarginaliaError } from '../errors';
import { codeMoves, withCodesRecounted } from '../codebook/code-counts';

export interface HistoryState {
  /** What Undo would undo ("Create code casualties"), or null. */
  undo: string | null;
  redo: string | null;
}

export interface HistoryEntry {
  seq: number;
  at: string;
  coder_name: string | null;
  kind: string;
  summary: string;
  undone: boolean;
}

export async function historyState(r: Reader): Promise<HistoryState> {
  const u = await r.get<{ summary: string }>(`SELECT summary FROM events WHERE undone = 0 ORDER BY seq DESC LIMIT 1`);
  const d = await r.get<{ summary: string }>(`SELECT summary FROM events WHERE undone = 1 ORDER BY seq ASC LIMIT 1`);
  return { undo: u?.summary ?? null, redo: d?.summary ?? null };
}

export function listHistory(r: Reader, limit = 200): Promise<HistoryEntry[]> {
  return r.all<HistoryEntry>(
    `SELECT e.seq, e.at, k.name AS coder_name, e.kind, e.summary, e.undone <> 0 AS undone
     FROM events e LEFT JOIN coders k ON k.id = e.coder_id ORDER BY e.seq DESC LIMIT ?`,
    [limit],
  );
}

/** Undo is linear: a blind coder must not undo (nor learn of) a hidden coder's action. */
function refuseHidden(coderId: string | null, hidden: readonly string[], what: 'undo' | 'redo'): void {
  if (coderId && hidden.includes(coderId)) {
    throw new MarginaliaError('conflict', `The next change to ${what} was made by another coder of the open reliability round, whose work is hidden from you. ${what === 'undo' ? 'Undo' : 'Redo'} is unavailable until the round is closed.`);
  }
}

/**
 * Re-applies an action's changes; segments moved between codes in bulk (a merge) are counted in
 * bulk. Returns the documents of the segments it touched (documentsOf), looked up while the
 * move still holds its pages in memory: afterwards the cache is small again, and reading
 * 20,000 segments back from the WAL took 0.9–1.1 s of a 100k project's 2.4 s undo.
 */
async function applyCounted(tx: Tx, changes: readonly RowChange[], direction: 'undo' | 'redo'): Promise<string[]> {
  const { codeIds, moves } = codeMoves(changes);
  return withCodesRecounted(tx, codeIds, moves, async () => {
    await tx.applyAll(changes, direction);
    return documentsOf(tx, changes);
  });
}

/** Whether any change logged an inserted row by its key alone: undoing it reads the rest back into the change. */
const readsRowsBack = (changes: readonly RowChange[]): boolean => changes.some((c) => c.omitted?.length);

/** An action undone or redone: its summary, and its kind ("segment.delete"), which says what it touched. */
export interface Stepped {
  summary: string;
  kind: string;
  /** The documents whose segments it added, removed or changed: whose counts moved. */
  documentIds: string[];
}

/**
 * The documents of the segments among an action's changes. Applying them has read back the
 * rows an insert kept only the key of, so a segment's row is at hand on one side or the
 * other; one that is not (an old log) is looked up, and a segment gone on both sides is
 * left out (its document's count is then reloaded, not patched).
 */
async function documentsOf(tx: Tx, changes: readonly RowChange[]): Promise<string[]> {
  const ids = new Set<string>();
  const unknown: string[] = [];
  for (const c of changes) {
    if (c.table !== 'segments') continue;
    const doc = c.after?.document_id ?? c.before?.document_id;
    if (typeof doc === 'string') ids.add(doc);
    else if (typeof c.key.id === 'string') unknown.push(c.key.id);
  }
  // A merge's moves name only the code: their documents are looked up 500 ids to a statement,
  // not one query per segment (20,000 of them took 3.3 s).
  for (let i = 0; i < unknown.length; i += 500) {
    const chunk = unknown.slice(i, i + 500);
    const rows = await tx.all<{ document_id: string }>(`SELECT DISTINCT document_id FROM segments WHERE id IN (${chunk.map(() => '?').join(', ')})`, chunk);
    for (const r of rows) ids.add(r.document_id);
  }
  return [...ids];
}

/**
 * Undoes the latest action that is not undone: its row changes are reversed, last first,
 * in one transaction.
 */
export function undo(db: ProjectDb, hiddenCoderIds: readonly string[] = []): Promise<Stepped> {
  return db.transaction(async (tx) => {
    const ev = await tx.get<{ seq: number; summary: string; kind: string; changes: string; coder_id: string | null }>(
      `SELECT seq, summary, kind, changes, coder_id FROM events WHERE undone = 0 ORDER BY seq DESC LIMIT 1`,
    );
    if (!ev) throw new MarginaliaError('not_found', 'Nothing to undo.');
    refuseHidden(ev.coder_id, hiddenCoderIds, 'undo');
    const changes = JSON.parse(ev.changes) as RowChange[];
    const readBack = readsRowsBack(changes);
    const documentIds = await applyCounted(tx, [...changes].reverse(), 'undo');
    // Stored again when undoing an insert read back the row the log had kept only the key of,
    // for redo; otherwise the log is as it was (a merge's is megabytes, rewritten for nothing).
    if (readBack) await tx.run(`UPDATE events SET undone = 1, changes = ? WHERE seq = ?`, [JSON.stringify(changes), ev.seq]);
    else await tx.run(`UPDATE events SET undone = 1 WHERE seq = ?`, [ev.seq]);
    return { summary: ev.summary, kind: ev.kind, documentIds };
  });
}

/** Redoes the earliest undone action that a new action has not superseded. */
export function redo(db: ProjectDb, hiddenCoderIds: readonly string[] = []): Promise<Stepped> {
  return db.transaction(async (tx) => {
    const ev = await tx.get<{ seq: number; summary: string; kind: string; changes: string; coder_id: string | null }>(
      `SELECT seq, summary, kind, changes, coder_id FROM events WHERE undone = 1 ORDER BY seq ASC LIMIT 1`,
    );
    if (!ev) throw new MarginaliaError('not_found', 'Nothing to redo.');
    refuseHidden(ev.coder_id, hiddenCoderIds, 'redo');
    const changes = JSON.parse(ev.changes) as RowChange[];
    const documentIds = await applyCounted(tx, changes, 'redo');
    await tx.run(`UPDATE events SET undone = 0 WHERE seq = ?`, [ev.seq]);
    return { summary: ev.summary, kind: ev.kind, documentIds };
  });
}
