import sqlite3 from 'sqlite3';

/** A value SQLite can bind or return. */
export type SqlValue = string | number | bigint | Buffer | null;
export type SqlParams = readonly SqlValue[] | Record<string, SqlValue>;

export interface RunResult {
  changes: number;
  lastID: number;
}

/**
 * A promise wrapper over one node-sqlite3 connection. It does no locking of its own:
 * ProjectDb serialises work so that a transaction never interleaves with another request.
 */
export class Sqlite {
  private constructor(private readonly db: sqlite3.Database) {}

  /**
   * `immutable`: read a file SQLite may assume nobody changes, without the -shm it would
   * otherwise need beside it (a project in a read-only folder).
   */
  static open(path: string, options: { readonly?: boolean; create?: boolean; immutable?: boolean } = {}): Promise<Sqlite> {
    const mode = options.readonly
      ? sqlite3.OPEN_READONLY
      : sqlite3.OPEN_READWRITE | (options.create ? sqlite3.OPEN_CREATE : 0);
    const target = options.immutable ? `file:${path.replace(/\\/g, '/').split('/').map(encodeURIComponent).join('/')}?immutable=1` : path;
    return new Promise((resolve, reject) => {
      const db: sqlite3.Database = new sqlite3.Database(target, options.immutable ? mode | sqlite3.OPEN_URI : mode, (err) => {
        if (err) reject(err);
        else resolve(new Sqlite(db));
      });
    });
  }

  run(sql: string, params: SqlParams = []): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve({ changes: this.changes, lastID: this.lastID });
      });
    });
  }

  get<T>(sql: string, params: SqlParams = []): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      this.db.get(sql, params, (err: Error | null, row: T | undefined) => (err ? reject(err) : resolve(row)));
    });
  }

  all<T>(sql: string, params: SqlParams = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.db.all(sql, params, (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows)));
    });
  }

  /** Streams rows one at a time, so large exports never hold a whole table in memory. */
  each<T>(sql: string, params: SqlParams, onRow: (row: T) => void): Promise<number> {
    return new Promise((resolve, reject) => {
      let failure: unknown = null;
      this.db.each(
        sql,
        params,
        (err: Error | null, row: T) => {
          if (err) failure = err;
          else if (failure === null) {
            try {
              onRow(row);
            } catch (e) {
              failure = e;
            }
          }
        },
        (err: Error | null, count: number) => {
          if (err) reject(err);
          else if (failure !== null) reject(failure);
          else resolve(count);
        },
      );
    });
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => this.db.exec(sql, (err) => (err ? reject(err) : resolve())));
  }

  /** A prepared statement, for loops that run one statement many times. */
  prepare(sql: string): Promise<Statement> {
    return new Promise((resolve, reject) => {
      const stmt: sqlite3.Statement = this.db.prepare(sql, (err) => (err ? reject(err) : resolve(new Statement(stmt))));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((err) => (err ? reject(err) : resolve())));
  }

  /** Stops the statement running now, which then fails with SQLITE_INTERRUPT. */
  interrupt(): void {
    this.db.interrupt();
  }
}

export class Statement {
  constructor(private readonly stmt: sqlite3.Statement) {}

  run(params: SqlParams = []): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      this.stmt.run(params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) reject(err);
        else resolve({ changes: this.changes, lastID: this.lastID });
      });
    });
  }

  all<T>(params: SqlParams = []): Promise<T[]> {
    return new Promise((resolve, reject) => {
      this.stmt.all(params, (err: Error | null, rows: T[]) => (err ? reject(err) : resolve(rows)));
    });
  }

  finalize(): Promise<void> {
    return new Promise((resolve) => this.stmt.finalize(() => resolve()));
  }
}
