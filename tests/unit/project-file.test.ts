import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sqlite3 from 'sqlite3';
import { Project } from '../../main/core/project/project';
import { SCHEMA_VERSION } from '../../main/core/db/migrations';
import { APPLICATION_ID } from '../../main/core/db/open';
import { tempDir } from '../helpers/project';

function exec(path: string, sql: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(path, (err) => {
      if (err) return reject(err);
      db.exec(sql, (e) => db.close(() => (e ? reject(e) : resolve())));
    });
  });
}

describe('project files', () => {
  it('creates a WAL-mode file with foreign keys and the current schema version', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = await Project.create(join(dir, 'a.marginalia'), { name: 'A' });
      const row = await p.db.read(async (r) => ({
        journal: (await r.get<{ journal_mode: string }>('PRAGMA journal_mode'))!.journal_mode,
        fk: (await r.get<{ foreign_keys: number }>('PRAGMA foreign_keys'))!.foreign_keys,
        version: (await r.get<{ user_version: number }>('PRAGMA user_version'))!.user_version,
        app: (await r.get<{ application_id: number }>('PRAGMA application_id'))!.application_id,
      }));
      expect(row).toEqual({ journal: 'wal', fk: 1, version: SCHEMA_VERSION, app: APPLICATION_ID });
      await p.close();
    } finally {
      cleanup();
    }
  });

  it('refuses a file that is not SQLite and leaves it byte for byte untouched', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'notes.marginalia');
      writeFileSync(path, 'just some notes\n');
      await expect(Project.open(path)).rejects.toThrow(/notes\.marginalia is not a Marginalia project/);
      expect(readFileSync(path, 'utf8')).toBe('just some notes\n');
    } finally {
      cleanup();
    }
  });

  it('refuses an SQLite database of another program and does not modify it', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'other.db');
      await exec(path, 'CREATE TABLE t (x); INSERT INTO t VALUES (1);');
      const before = readFileSync(path);
      await expect(Project.open(path)).rejects.toThrow(/not a Marginalia project/);
      expect(readFileSync(path).equals(before)).toBe(true);
    } finally {
      cleanup();
    }
  });

  it('refuses a project from a newer version with a message saying to update, file untouched', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'new.marginalia');
      const p = await Project.create(path);
      await p.close();
      await exec(path, `PRAGMA user_version = ${SCHEMA_VERSION + 5}`);
      const before = readFileSync(path);
      await expect(Project.open(path)).rejects.toThrow(/newer Marginalia.*Update Marginalia/);
      expect(readFileSync(path).equals(before)).toBe(true);
    } finally {
      cleanup();
    }
  });

  it('upgrades a project at schema 0 with the application id set (the oldest possible file)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'old.marginalia');
      await exec(path, `PRAGMA application_id = ${APPLICATION_ID}; CREATE TABLE placeholder (x);`);
      const p = await Project.open(path);
      const v = await p.db.read((r) => r.get<{ user_version: number }>('PRAGMA user_version'));
      expect(v!.user_version).toBe(SCHEMA_VERSION);
      await p.close();
    } finally {
      cleanup();
    }
  });

  it('refuses to create over an existing file', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'x.marginalia');
      writeFileSync(path, 'keep me');
      await expect(Project.create(path)).rejects.toThrow(/already exists/);
      expect(readFileSync(path, 'utf8')).toBe('keep me');
    } finally {
      cleanup();
    }
  });
});
