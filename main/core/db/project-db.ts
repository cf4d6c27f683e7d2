import { randomUUID } from 'node:crypto';
import { Sqlite, type SqlParams, type SqlValue, type RunResult } from './sqlite';

export type Row = Record<string, SqlValue>;

/** One row-level change inside an action: enough to undo it (before) and redo it (after). */
export interface RowChange {
  table: string;
  key: Row;
  before: Row | null;
  after: Row | null;
}

/** Tables whose rows the events log records, with their primary-key columns. */
export const TRACKED_TABLES: Record<string, readonly string[]> = {
  coders: ['id'],
  documents: ['id'],
  variables: ['id'],
  document_values: ['document_id', 'variable_id'],
  codes: ['id'],
  segments: ['id'],
  memos: ['id'],
  reliability_rounds: ['id'],
  consensus_decisions: ['id'],
};

function keyOf(table: string, row: Row): Row {
  const cols = TRACKED_TABLES[table];
  if (!cols) throw new Error(`Table ${table} is not tracked by the events log`);
  const key: Row = {};
  for (const c of cols) key[c] = row[c] ?? null;
  return key;
}

function whereKey(key: Row): { sql: string; params: SqlValue[] } {
  const cols = Object.keys(key);
  return { sql: cols.map((c) => `"${c}" = ?`).join(' AND '), params: cols.map((c) => key[c] ?? null) };
}

/**
 * Read access to the project database. Handlers that only read get this; it cannot write.
 */
export class Reader {
  constructor(protected readonly sqlite: Sqlite) {}
  get<T>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    return this.sqlite.get<T>(sql, params);
  }
  all<T>(sql: string, params: SqlParams = []): Promise<T[]> {
    return this.sqlite.all<T>(sql, params);
  }
  each<T>(sql: string, params: SqlParams, onRow: (row: T) => void): Promise<number> {
    return this.sqlite.each<T>(sql, params, onRow);
  }
}

/**
 * Write access inside one transaction. insert/update/remove record row changes so the
 * action can be undone and redone; `run` is for writes the log need not see (FTS, settings).
 */
export class Tx extends Reader {
  readonly changes: RowChange[] = [];

  run(sql: string, params: SqlParams = []): Promise<RunResult> {
    return this.sqlite.run(sql, params);
  }

  prepare(sql: string) {
    return this.sqlite.prepare(sql);
  }

  async insert(table: string, row: Row): Promise<void> {
    const cols = Object.keys(row);
    await this.sqlite.run(
      `INSERT INTO ${table} (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
      cols.map((c) => row[c] ?? null),
    );
    this.changes.push({ table, key: keyOf(table, row), before: null, after: { ...row } });
  }

  /** Updates one row by key; returns false when no such row exists. */
  async update(table: string, key: Row, patch: Row): Promise<boolean> {
    const where = whereKey(key);
    const before = await this.sqlite.get<Row>(`SELECT * FROM ${table} WHERE ${where.sql}`, where.params);
    if (!before) return false;
    const cols = Object.keys(patch);
    if (cols.length === 0) return true;
    await this.sqlite.run(`UPDATE ${table} SET ${cols.map((c) => `"${c}" = ?`).join(', ')} WHERE ${where.sql}`, [
      ...cols.map((c) => patch[c] ?? null),
      ...where.params,
    ]);
    this.changes.push({ table, key, before, after: { ...before, ...patch } });
    return true;
  }

  /** Deletes the rows matching `where` (column = value, all of them), recording each. */
  async remove(table: string, where: Row): Promise<number> {
    const w = whereKey(where);
    const rows = await this.sqlite.all<Row>(`SELECT * FROM ${table} WHERE ${w.sql}`, w.params);
    for (const row of rows) {
      const key = keyOf(table, row);
      const k = whereKey(key);
      await this.sqlite.run(`DELETE FROM ${table} WHERE ${k.sql}`, k.params);
      this.changes.push({ table, key, before: row, after: null });
    }
    return rows.length;
  }

  /** Re-applies a recorded change forwards (redo) or backwards (undo). */
  async apply(change: RowChange, direction: 'undo' | 'redo'): Promise<void> {
    const target = direction === 'undo' ? change.before : change.after;
    const current = direction === 'undo' ? change.after : change.before;
    const k = whereKey(change.key);
    if (target === null) {
      await this.sqlite.run(`DELETE FROM ${change.table} WHERE ${k.sql}`, k.params);
    } else if (current === null) {
      const cols = Object.keys(target);
      await this.sqlite.run(
        `INSERT INTO ${change.table} (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`,
        cols.map((c) => target[c] ?? null),
      );
    } else {
      const cols = Object.keys(target);
      await this.sqlite.run(`UPDATE ${change.table} SET ${cols.map((c) => `"${c}" = ?`).join(', ')} WHERE ${k.sql}`, [
        ...cols.map((c) => target[c] ?? null),
        ...k.params,
      ]);
    }
  }
}

/** What an action is, for the events log and the Edit menu ("Undo Create code casualties"). */
export interface ActionInfo {
  kind: string;
  summary: string;
  coderId: string | null;
}

/**
 * The open project database. All work goes through one queue: node-sqlite3 shares one
 * connection, and a transaction must not see another request's statements.
 */
export class ProjectDb {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly sqlite: Sqlite) {}

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  read<T>(fn: (r: Reader) => Promise<T>): Promise<T> {
    return this.enqueue(() => fn(new Reader(this.sqlite)));
  }

  /** Runs fn in one transaction; any throw rolls everything back. Not logged for undo. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      await this.sqlite.exec('BEGIN IMMEDIATE');
      try {
        const tx = new Tx(this.sqlite);
        const result = await fn(tx);
        await this.sqlite.exec('COMMIT');
        return result;
      } catch (err) {
        await this.sqlite.exec('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  /**
   * Runs fn as one undoable action: one transaction, its row changes appended to the
   * events log. A new action clears the redo stack, as every editor does.
   */
  action<T>(info: ActionInfo, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.transaction(async (tx) => {
      const result = await fn(tx);
      if (tx.changes.length > 0) {
        await tx.run(`UPDATE events SET undone = 2 WHERE undone = 1`);
        await tx.run(
          `INSERT INTO events (action_id, at, coder_id, kind, summary, changes, undone) VALUES (?, ?, ?, ?, ?, ?, 0)`,
          [randomUUID(), new Date().toISOString(), info.coderId, info.kind, info.summary, JSON.stringify(tx.changes)],
        );
      }
      return result;
    });
  }

  close(): Promise<void> {
    return this.enqueue(() => this.sqlite.close());
  }
}
