import { Sqlite } from '../../main/core/db/sqlite';
import { APPLICATION_ID } from '../../main/core/db/open';
import { MIGRATIONS } from '../../main/core/db/migrations';

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
