import { Sqlite } from '../../main/core/db/sqlite';
import { APPLICATION_ID } from '../../main/core/db/open';
import { MIGRATIONS } from '../../main/core/db/migrations';
import { openProjectDb } from '../../main/core/db/open';
import type { ProjectDb } from '../../main/core/db/project-db';
import { join } from 'node:path';
import { tempDir } from './project';

/**
 * A new project file as the app whose schema was `version` made it (migrations 1..version,
 * stamped with that version), open for a test to fill with that version's rows before the
 * current app opens and upgrades it.
 */
export async function projectFileAtSchema(path: string, version: number): Promise<Sqlite> {
  const db = await Sqlite.open(path, { create: true });
  await db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
  for (const m of MIGRATIONS.filter((m) => m.version <= version)) await m.up(db);
  await db.exec(`PRAGMA user_version = ${version}`);
  return db;
}

/**
 * Runs `test` on an old project that `make` writes at the path it is given, opened (so
 * upgraded) by the current app; then closes and removes it.
 */
export async function onUpgraded(make: (path: string) => Promise<void>, test: (db: ProjectDb) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'old.marginalia');
    await make(path);
    const db = await openProjectDb(path);
    try {
      await test(db);
    } finally {
      await db.close();
    }
  } finally {
    cleanup();
  }
}
