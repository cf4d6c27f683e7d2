import { randomUUID } from 'node:crypto';
import { Sqlite, type SqlParams, type SqlValue, type RunResult } from './sqlite';
import { MarginaliaError } from '../errors';
import { describeFileError } from './file-errors';
import { storedId, storedTime, storedUpdated } from './migrations/015-lean-keys';

export type Row = Record<string, SqlValue>;

/** One row-level change inside an action: enough to undo it (before) and redo it (after). */
export interface RowChange {
  table: string;
  key: Row;
  before: Row | null;
  after: Row | null;
  /**
   * Columns of an inserted row left out of `after` because the row itself holds them; `*`:
   * every column but the key. Undoing the insert reads them back before deleting the row, so
   * redo still has them. Without this every imported text was stored twice, and every coding
   * (about 400 bytes of JSON) once more in the log.
   */
  omitted?: string[];
}

/**
 * An inserted row is logged by its key alone (RowChange.omitted `*`) where its table has a
 * one-column key: the row holds the rest until the insert is undone, and undo reads rows back
 * a few hundred to a statement. Tables keyed by two columns (attribute values, set members)
 * are logged whole: their rows are little more than the key, and undo deletes them one by one.
 */
const WHOLE_ROW = '*';

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
  document_sets: ['id'],
  document_set_members: ['set_id', 'document_id'],
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
 * The views over stored rows (migrations 13 and 15): each id column of another table stored as
 * its integer key in `keys`' table; `encoded` columns stored under `as` through `stored` (a
 * segment's id as its bytes, its times as milliseconds); the rest as they are.
 */
interface StoredView {
  rows: string;
  keys: Record<string, string>;
  plain: ReadonlySet<string>;
  encoded: Record<string, { as: string; stored: (value: string) => string }>;
}
const STORED_VIEWS: Record<string, StoredView> = {
  segments: {
    rows: 'segment_rows',
    keys: { document_id: 'document_keys', code_id: 'code_keys', coder_id: 'coder_keys' },
    plain: new Set(['start', 'end']),
    encoded: { id: { as: 'stored_id', stored: storedId }, created_at: { as: 'created_at', stored: storedTime }, updated_at: { as: 'updated_at', stored: storedTime } },
  },
  document_values: {
    rows: 'document_value_rows',
    keys: { document_id: 'document_keys', variable_id: 'variable_keys' },
    plain: new Set(['value']),
    encoded: {},
  },
};
const storedView = (table: string, cols: readonly string[]): StoredView | null => {
  const v = STORED_VIEWS[table];
  return v && cols.every((c) => c in v.keys || v.plain.has(c) || c in v.encoded) ? v : null;
};
const keyColumn = (c: string) => `"${c.replace(/_id$/, '_key')}"`;
const storedColumn = (v: StoredView, c: string) => (c in v.keys ? keyColumn(c) : c in v.encoded ? `"${v.encoded[c]!.as}"` : `"${c}"`);
/** `stored(value)` of one bound parameter (`?`), which a plain expression could not read several times. */
const ofParam = (stored: (value: string) => string) => `(SELECT ${stored('p')} FROM (SELECT ? AS p))`;

/**
 * How runs of updates and inserts of `segments` and `document_values` (views since migrations
 * 13 and 15) write the stored rows directly, each id column as its integer key: through the view
 * SQLite runs its INSTEAD OF trigger, a handful of statements, once per row, and redoing a merge
 * of 20,000 codings took four times as long. Null when a column is not one of the view's (the
 * view then refuses it). A missing document, code, coder or variable leaves its key null, which
 * the stored rows refuse.
 */
function storedColumns(table: string, cols: readonly string[]): { rows: string; set: string[] } | null {
  const v = storedView(table, cols);
  if (!v) return null;
  const set = cols.map((c) =>
    c in v.keys ? `${keyColumn(c)} = (SELECT key FROM main.${v.keys[c]} WHERE id = ?)` : c in v.encoded ? `${storedColumn(v, c)} = ${ofParam(v.encoded[c]!.stored)}` : `"${c}" = ?`,
  );
  // A segment's updated_at is stored null while it equals created_at: it keeps its time when created_at changes alone.
  if (table === 'segments' && cols.includes('created_at') && !cols.includes('updated_at')) set.push(`"updated_at" = ifnull("updated_at", "created_at")`);
  return { rows: v.rows, set };
}

/** The INSERT of rows given as `VALUES (…), …` in `cols`' order, each id looked up by a join rather than a subquery per value. */
function storedInsert(table: string, cols: readonly string[]): ((values: string) => string) | null {
  const v = storedView(table, cols);
  if (!v) return null;
  const value = (c: string) => `v.column${cols.indexOf(c) + 1}`;
  const joins = cols.flatMap((c, i) => (c in v.keys ? [`LEFT JOIN main.${v.keys[c]} k${i} ON k${i}.id = v.column${i + 1}`] : []));
  const select = cols.map((c, i) => {
    if (c in v.keys) return `k${i}.key`;
    if (table === 'segments' && c === 'updated_at' && cols.includes('created_at')) return storedUpdated(value(c), value('created_at'));
    return c in v.encoded ? v.encoded[c]!.stored(value(c)) : value(c);
  });
  return (values) => `INSERT INTO ${v.rows} (${cols.map((c) => storedColumn(v, c)).join(', ')})
    SELECT ${select.join(', ')} FROM (${values}) v ${joins.join(' ')}`;
}

/**
 * The stored rows and the condition that picks `n` rows by their key columns (bound in that
 * order, row by row) from them, each id as its integer key: a condition on the view's id columns
 * would read every row of the view to compare them.
 */
function storedKeys(table: string, keyCols: readonly string[], n: number): { rows: string; where: string } | null {
  const v = storedView(table, keyCols);
  if (!v) return null;
  if (keyCols.length === 1 && !(keyCols[0]! in v.keys)) return { rows: v.rows, where: `"${keyCols[0]}" IN (${Array(n).fill('?').join(', ')})` };
  const one = `(${keyCols.map(() => '?').join(', ')})`;
  const joins = keyCols.flatMap((c, i) => (c in v.keys ? [`JOIN main.${v.keys[c]} k${i} ON k${i}.id = v.column${i + 1}`] : []));
  const select = keyCols.map((c, i) => (c in v.keys ? `k${i}.key` : `v.column${i + 1}`));
  return {
    rows: v.rows,
    where: `(${keyCols.map((c) => (c in v.keys ? keyColumn(c) : `"${c}"`)).join(', ')}) IN (SELECT ${select.join(', ')} FROM (VALUES ${Array(n).fill(one).join(', ')}) v ${joins.join(' ')})`,
  };
}

/**
 * Read access to the project database. Handlers that only read get this; it cannot write.
 */
export class Reader {
  /**
   * `readOnlyConnection`: this connection never writes (the long-read one), so its
   * `data_version` moves with every change to the project, all made by other connections.
   */
  constructor(
    protected readonly sqlite: Sqlite,
    readonly readOnlyConnection = false,
  ) {}
  /** The connection this reads through, as an identity only: what a per-connection cache is keyed by. */
  get connection(): object {
    return this.sqlite;
  }
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
    this.log(table, row);
  }

  /** Records an inserted row for undo: by its key, the row itself keeping the rest (see WHOLE_ROW). */
  private log(table: string, row: Row): void {
    const key = keyOf(table, row);
    const byKey = Object.keys(key).length === 1 && Object.keys(row).some((c) => !(c in key));
    this.changes.push(byKey ? { table, key, before: null, after: { ...key }, omitted: [WHOLE_ROW] } : { table, key, before: null, after: { ...row } });
  }

  /**
   * Inserts rows of one shape, many to a statement, each logged as `insert` logs it. Every
   * statement costs node-sqlite3 a thread hop: an import of 40,000 codings pays for 400
   * statements rather than 40,000 (seconds of holding the write lock).
   */
  async insertMany(table: string, rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return;
    const cols = Object.keys(rows[0]!);
    // SQLite allows 32,766 parameters to a statement; stay well under it.
    const perStatement = Math.max(1, Math.min(100, Math.floor(3000 / cols.length)));
    const one = `(${cols.map(() => '?').join(', ')})`;
    // Segments and attribute values straight into the stored rows, not a trigger run per row (storedInsert).
    const into = storedInsert(table, cols);
    for (let i = 0; i < rows.length; i += perStatement) {
      const chunk = rows.slice(i, i + perStatement);
      const values = `VALUES ${chunk.map(() => one).join(', ')}`;
      await this.sqlite.run(
        into ? into(values) : `INSERT INTO ${table} (${cols.map((c) => `"${c}"`).join(', ')}) ${values}`,
        chunk.flatMap((row) => cols.map((c) => row[c] ?? null)),
      );
      for (const row of chunk) this.log(table, row);
    }
  }

  /** Updates one row by key; returns false when no such row exists. */
  async update(table: string, key: Row, patch: Row): Promise<boolean> {
    const where = whereKey(key);
    const cols = Object.keys(patch);
    // Only the changed columns are read and logged: renaming a 1 MB document logs its name,
    // not two copies of its text.
    const before = await this.sqlite.get<Row>(`SELECT ${cols.length ? cols.map((c) => `"${c}"`).join(', ') : '1 AS present'} FROM ${table} WHERE ${where.sql}`, where.params);
    if (!before) return false;
    if (cols.length === 0) return true;
    await this.sqlite.run(`UPDATE ${table} SET ${cols.map((c) => `"${c}" = ?`).join(', ')} WHERE ${where.sql}`, [
      ...cols.map((c) => patch[c] ?? null),
      ...where.params,
    ]);
    const after: Row = {};
    for (const c of cols) after[c] = patch[c] ?? null;
    this.changes.push({ table, key, before, after });
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

  /**
   * Deletes the rows whose `column` holds one of `values` (and that match `also`), several
   * hundred to a statement, recording each as `remove` does.
   */
  async removeIn(table: string, column: string, values: readonly SqlValue[], also: Row = {}): Promise<number> {
    const extra = whereKey(also);
    let n = 0;
    for (let i = 0; i < values.length; i += 500) {
      const chunk = values.slice(i, i + 500);
      const where = `"${column}" IN (${chunk.map(() => '?').join(', ')})${extra.sql ? ` AND ${extra.sql}` : ''}`;
      const params = [...chunk, ...extra.params];
      const rows = await this.sqlite.all<Row>(`SELECT * FROM ${table} WHERE ${where}`, params);
      if (rows.length === 0) continue;
      await this.sqlite.run(`DELETE FROM ${table} WHERE ${where}`, params);
      for (const row of rows) this.changes.push({ table, key: keyOf(table, row), before: row, after: null });
      n += rows.length;
    }
    return n;
  }

  /**
   * Re-applies recorded changes in order, forwards (redo) or backwards (undo; the caller
   * passes them last first). Runs of alike changes (deletes, inserts of the same columns,
   * updates setting the same values) go a few hundred to a statement, whatever their key:
   * undoing a merge of 20,000 codings, or 100,000 documents put in a set (a two-column key), is
   * dozens of statements, not one per row.
   */
  async applyAll(changes: readonly RowChange[], direction: 'undo' | 'redo'): Promise<void> {
    const shape = (c: RowChange): string | null => {
      const keyCols = Object.keys(c.key);
      // An insert logged by its key is undone in a run of deletes that reads the rows back first.
      if (keyCols.length === 0 || (c.omitted?.length && direction === 'redo')) return null;
      const target = direction === 'undo' ? c.before : c.after;
      const current = direction === 'undo' ? c.after : c.before;
      if (target === null) return `delete\u0000${c.table}\u0000${keyCols.join('\u0001')}`;
      if (current === null) return `insert\u0000${c.table}\u0000${Object.keys(target).join('\u0001')}`;
      return `update\u0000${c.table}\u0000${keyCols.join('\u0001')}\u0000${JSON.stringify(target)}`;
    };
    let i = 0;
    while (i < changes.length) {
      const first = changes[i]!;
      const kind = shape(first);
      let j = i + 1;
      if (kind) while (j < changes.length && j - i < 500 && shape(changes[j]!) === kind) j++;
      if (j - i === 1 || !kind) {
        await this.apply(first, direction);
        i = j;
        continue;
      }
      const run = changes.slice(i, j);
      const table = first.table;
      const keyCols = Object.keys(first.key);
      const keyOfChange = (key: Row) => keyCols.map((c) => key[c] ?? null);
      // One column: "id" IN (…); several: ("a", "b") IN (VALUES (…), …), both along the key's index.
      const inKeys =
        keyCols.length === 1
          ? `"${keyCols[0]}" IN (${run.map(() => '?').join(', ')})`
          : `(${keyCols.map((c) => `"${c}"`).join(', ')}) IN (VALUES ${run.map(() => `(${keyCols.map(() => '?').join(', ')})`).join(', ')})`;
      const keys = run.flatMap((c) => keyOfChange(c.key));
      const target = (direction === 'undo' ? first.before : first.after)!;
      if (kind.startsWith('delete')) {
        const unread = run.filter((c) => c.omitted?.length && c.after);
        if (unread.length) {
          const rows = await this.sqlite.all<Row>(`SELECT * FROM ${table} WHERE ${inKeys}`, keys);
          const byKey = new Map(rows.map((row) => [JSON.stringify(keyOfChange(row)), row]));
          for (const c of unread) {
            const kept = byKey.get(JSON.stringify(keyOfChange(c.key)));
            if (!kept) continue;
            c.after = { ...c.after, ...kept };
            delete c.omitted;
          }
        }
        // Segments and attribute values from the stored rows, by their keys, rather than a trigger run per row of the view.
        const stored = storedKeys(table, keyCols, run.length);
        await this.sqlite.run(stored ? `DELETE FROM ${stored.rows} WHERE ${stored.where}` : `DELETE FROM ${table} WHERE ${inKeys}`, keys);
      } else if (kind.startsWith('insert')) {
        const cols = Object.keys(target);
        const perStatement = Math.max(1, Math.min(100, Math.floor(3000 / cols.length)));
        const into = storedInsert(table, cols);
        const one = `(${cols.map(() => '?').join(', ')})`;
        for (let k = 0; k < run.length; k += perStatement) {
          const chunk = run.slice(k, k + perStatement).map((c) => (direction === 'undo' ? c.before : c.after)!);
          const values = `VALUES ${chunk.map(() => one).join(', ')}`;
          await this.sqlite.run(
            into ? into(values) : `INSERT INTO ${table} (${cols.map((c) => `"${c}"`).join(', ')}) ${values}`,
            chunk.flatMap((row) => cols.map((c) => row[c] ?? null)),
          );
        }
      } else {
        const cols = Object.keys(target);
        const stored = storedColumns(table, cols);
        const rows = stored && storedKeys(table, keyCols, run.length);
        await this.sqlite.run(
          stored && rows
            ? `UPDATE ${rows.rows} SET ${stored.set.join(', ')} WHERE ${rows.where}`
            : `UPDATE ${table} SET ${cols.map((c) => `"${c}" = ?`).join(', ')} WHERE ${inKeys}`,
          [...cols.map((c) => target[c] ?? null), ...keys],
        );
      }
      i = j;
    }
  }

  /**
   * Re-applies a recorded change forwards (redo) or backwards (undo). Undoing an insert whose
   * large columns were not logged reads them into `change.after` first: the caller stores the
   * change again, so that redo can put the row back whole.
   */
  async apply(change: RowChange, direction: 'undo' | 'redo'): Promise<void> {
    const k = whereKey(change.key);
    if (direction === 'undo' && change.omitted?.length && change.after) {
      const cols = change.omitted.includes(WHOLE_ROW) ? '*' : change.omitted.map((c) => `"${c}"`).join(', ');
      const kept = await this.sqlite.get<Row>(`SELECT ${cols} FROM ${change.table} WHERE ${k.sql}`, k.params);
      if (kept) {
        change.after = { ...change.after, ...kept };
        delete change.omitted;
      }
    }
    const target = direction === 'undo' ? change.before : change.after;
    const current = direction === 'undo' ? change.after : change.before;
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

/** How long the project stays idle after a write before the WAL is folded into the file. */
export const CHECKPOINT_IDLE_MS = 2000;

export interface ProjectDbOptions {
  /** The file's name, for messages ("study.marginalia: the disk is full…"). */
  fileName: string;
  /** The file's path, to tell a full disk from other I/O errors. */
  path?: string;
  /** Opened read-only: every write is refused with a message saying why. */
  readOnly: boolean;
  /** Why it was opened read-only when nobody asked (a read-only folder), for that message. */
  readOnlyReason?: string;
}

/**
 * SQL run around every read (never around a write): `enter` before it, `exit` after it. How
 * blind coding hides other coders' work from every read method at once (core/team/blind.ts).
 */
export interface ReadScope {
  enter: string;
  exit: string;
}
export type ReadScopeProvider = (sqlite: Sqlite) => Promise<ReadScope | null>;

/** Told when saving into the main file fails (a full disk) and again when it succeeds. */
export type SaveListener = (problem: MarginaliaError | null) => void;

/**
 * The open project database. All work goes through one queue: node-sqlite3 shares one
 * connection, and a transaction must not see another request's statements.
 *
 * Commits go to the WAL first; the project file on its own is only complete once the WAL
 * has been checkpointed into it. So the WAL is checkpointed (TRUNCATE) when the project has
 * been idle for CHECKPOINT_IDLE_MS after a write and again on close, and a checkpoint that
 * fails is reported, never passed over: the file a researcher copies is never silently stale.
 */
export class ProjectDb {
  private queue: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly saveListeners = new Set<SaveListener>();
  private closed = false;
  /** Why the last checkpoint failed, until one succeeds. */
  saveProblem: MarginaliaError | null = null;
  /** Set when SQLite reported the file damaged during this session: writes are refused from then on. */
  private damage: MarginaliaError | null = null;
  readonly fileName: string;
  private readonly path: string;
  readonly readOnly: boolean;
  private readonly readOnlyReason: string | undefined;
  private readScope: ReadScopeProvider | null = null;
  /** The second, read-only connection for long reads, once opened (null: none could be). */
  private long: Promise<Sqlite | null> | null = null;
  private longQueue: Promise<unknown> = Promise.resolve();
  /** The damage check still running in the background (holdWritesUntil), and its connection. */
  private intact: Promise<void> = Promise.resolve();
  private checker: Sqlite | null = null;
  /** Starts a damage check still waiting for its moment (holdWritesUntil's `after`) at once. */
  private startCheck: (() => void) | null = null;

  constructor(
    readonly sqlite: Sqlite,
    options: ProjectDbOptions = { fileName: 'project', readOnly: false },
  ) {
    this.fileName = options.fileName;
    this.path = options.path ?? options.fileName;
    this.readOnly = options.readOnly;
    this.readOnlyReason = options.readOnlyReason;
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work).catch((err: unknown) => {
      const described = describeFileError(err, this.path);
      if (described?.code === 'damaged') this.damage = described;
      throw described ?? err;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  read<T>(fn: (r: Reader) => Promise<T>): Promise<T> {
    return this.enqueue(async () => {
      const scope = this.readScope ? await this.readScope(this.sqlite) : null;
      if (!scope) return fn(new Reader(this.sqlite));
      // The queue runs one piece of work at a time, so no write ever runs under the scope.
      await this.sqlite.exec(scope.enter);
      try {
        return await fn(new Reader(this.sqlite));
      } finally {
        await this.sqlite.exec(scope.exit);
      }
    });
  }

  /**
   * A long read (every hit of a search counted, word frequencies, co-occurrence, …) on a
   * second, read-only connection with its own queue, so that the coding screen's requests and
   * writes never wait behind it. It reads one snapshot: the project as committed when it
   * began. The read scope (blind coding) applies as on the main connection. Where a second
   * connection cannot be opened (a project that is read-only, or closed), it is a plain read.
   */
  readLong<T>(fn: (r: Reader) => Promise<T>): Promise<T> {
    return this.longConnection().then((sqlite) => {
      if (!sqlite) return this.read(fn);
      const work = async () => {
        if (this.closed) throw new MarginaliaError('no_project', `${this.fileName} was closed before this could be read.`);
        const scope = this.readScope ? await this.readScope(sqlite) : null;
        if (scope) await sqlite.exec(scope.enter);
        await sqlite.exec('BEGIN');
        try {
          return await fn(new Reader(sqlite, true));
        } finally {
          await sqlite.exec('COMMIT').catch(() => undefined);
          if (scope) await sqlite.exec(scope.exit);
        }
      };
      const next = this.longQueue.then(work, work).catch((err: unknown) => {
        throw describeFileError(err, this.path) ?? err;
      });
      this.longQueue = next.catch(() => undefined);
      return next;
    });
  }

  private longConnection(): Promise<Sqlite | null> {
    if (this.readOnly || this.closed) return Promise.resolve(null);
    this.long ??= Sqlite.open(this.path, { readonly: true }).then(
      async (sqlite) => {
        await sqlite.exec('PRAGMA busy_timeout = 5000;');
        return sqlite;
      },
      () => null,
    );
    return this.long;
  }

  /** Decides, before each read, what it may see (blind coding); null: everything. */
  setReadScope(provider: ReadScopeProvider | null): void {
    this.readScope = provider;
  }

  /**
   * Checks the file for damage on a read-only connection of its own while the project is
   * already open for reading (core/db/open.ts: large files). Writes wait for the check, in
   * their place in the queue, and are refused with its message if it finds damage.
   *
   * The check starts `after` milliseconds (it reads the whole file: seconds of a core and of
   * the disk, which the first screen should not share), or at once when a write comes first.
   */
  holdWritesUntil(check: (sqlite: Sqlite) => Promise<void>, { after = 0 }: { after?: number } = {}): void {
    let start!: () => void;
    const due = new Promise<void>((done) => (start = done));
    const timer = after > 0 ? setTimeout(start, after) : null;
    timer?.unref();
    if (!timer) start();
    this.startCheck = () => {
      if (timer) clearTimeout(timer);
      this.startCheck = null;
      start();
    };
    // Closed before its moment came: there is nothing left to check for.
    this.intact = due.then(() => (this.closed ? undefined : this.runCheck(check)));
  }

  private runCheck(check: (sqlite: Sqlite) => Promise<void>): Promise<void> {
    return Sqlite.open(this.path, { readonly: true }).then(
      async (sqlite) => {
        this.checker = sqlite;
        try {
          await check(sqlite);
        } catch (err) {
          if (this.closed) return;
          this.damage = err instanceof MarginaliaError ? err : (describeFileError(err, this.path) ?? new MarginaliaError('damaged', `${this.fileName} could not be checked: ${(err as Error).message}`));
        } finally {
          this.checker = null;
          await sqlite.close().catch(() => undefined);
        }
      },
      // No second connection (a file being replaced under us): the writes find out themselves.
      () => undefined,
    );
  }

  /** Whether the file passed its damage check, once it has ended (at once for a file checked on opening). */
  async checkedIntact(): Promise<boolean> {
    await this.intact;
    return !this.damage;
  }

  /** Runs fn in one transaction; any throw rolls everything back. Not logged for undo. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const refusal = this.writeRefusal();
    if (refusal) return Promise.reject(refusal);
    // A write waits for the damage check: it starts now, if it was still waiting for its moment.
    this.startCheck?.();
    return this.enqueue(async () => {
      await this.intact;
      const damage = this.writeRefusal();
      if (damage) throw damage;
      await this.sqlite.exec('BEGIN IMMEDIATE');
      try {
        const tx = new Tx(this.sqlite);
        const result = await fn(tx);
        await this.sqlite.exec('COMMIT');
        this.scheduleCheckpoint();
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

  /** Why a write would be refused now, if it would. */
  private writeRefusal(): MarginaliaError | null {
    if (this.damage) return this.damage;
    if (this.readOnly) {
      return new MarginaliaError('io', this.readOnlyReason ?? `${this.fileName} is open read-only, so nothing can be changed. Export what you need, or open the file normally.`);
    }
    return null;
  }

  /** Hears about failed and recovered saves (the app shows them; the CLI fails on close). */
  onSave(listener: SaveListener): () => void {
    this.saveListeners.add(listener);
    return () => this.saveListeners.delete(listener);
  }

  private scheduleCheckpoint(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      this.checkpoint().catch(() => undefined);
    }, CHECKPOINT_IDLE_MS);
    // A command-line run does not wait for the timer: close() checkpoints anyway.
    this.idleTimer.unref();
  }

  /**
   * Folds the WAL into the project file and empties it, so the file alone is the whole
   * project. Throws (and tells the save listeners) when that fails, e.g. on a full disk; the
   * WAL then still holds every committed change, and the next checkpoint tries again.
   */
  checkpoint(): Promise<void> {
    if (this.readOnly) return Promise.resolve();
    return this.enqueue(async () => {
      let problem: MarginaliaError | null = null;
      try {
        const r = await this.sqlite.get<{ busy: number; log: number; checkpointed: number }>('PRAGMA wal_checkpoint(TRUNCATE)');
        // Another connection (a command line run beside the app) was reading: nothing failed,
        // the changes are committed in the WAL; try again when it is done.
        if (r && r.busy !== 0 && !this.closed) this.scheduleCheckpoint();
      } catch (err) {
        const described = describeFileError(err, this.path);
        const cause = described?.code === 'io' && /disk is full/.test(described.message) ? 'the disk is full' : `saving failed (${(err as Error).message})`;
        problem = new MarginaliaError(
          described?.code === 'damaged' ? 'damaged' : 'io',
          `${this.fileName}: ${cause}, so your latest changes could not be written into the project file itself. They are safe in ${this.fileName}-wal beside it: keep the two files together, and do not copy or send ${this.fileName} alone. Free some space; saving finishes with the next change or when the project is closed.`,
        );
      }
      const changed = (problem?.message ?? null) !== (this.saveProblem?.message ?? null);
      this.saveProblem = problem;
      if (changed || problem) for (const l of this.saveListeners) l(problem);
      if (problem) throw problem;
    });
  }

  /** A consistent single-file copy of the project as it is now, WAL included (VACUUM INTO a new file). */
  copyTo(target: string): Promise<void> {
    return this.enqueue(() => this.sqlite.run('VACUUM INTO ?', [target]).then(() => undefined));
  }

  /** Checkpoints (TRUNCATE) and closes; throws if the final checkpoint failed, after closing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    let problem: unknown = null;
    // Long reads finish first: the checkpoint that makes the file whole needs no reader.
    const long = this.long;
    this.long = null;
    // A damage check still running is stopped, one still waiting never starts: nothing will be written any more.
    this.startCheck?.();
    this.checker?.interrupt();
    await this.intact;
    if (long) {
      // A count still running is of no use to anyone once the project closes: stopped, not awaited.
      const sqlite = await long;
      sqlite?.interrupt();
      await this.longQueue;
      await sqlite?.close().catch(() => undefined);
    }
    if (!this.readOnly && !this.damage) await this.checkpoint().catch((err: unknown) => (problem = err));
    await this.enqueue(() => this.sqlite.close());
    if (problem) throw problem;
  }
}
