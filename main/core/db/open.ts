import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { MarginaliaError } from '../errors';
import { Sqlite } from './sqlite';
import { ProjectDb } from './project-db';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';

/** PRAGMA application_id of every Marginalia project: "MRGN". */
export const APPLICATION_ID = 0x4d52474e;

const SQLITE_MAGIC = 'SQLite format 3\0';

function readHeader(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(100);
    const n = readSync(fd, buf, 0, 100, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks, without writing a byte, that `path` is a Marginalia project this version can open.
 * The SQLite header holds application_id at offset 68 and user_version at offset 60.
 */
export function inspectProjectFile(path: string): { version: number } {
  const name = basename(path);
  if (!existsSync(path)) throw new MarginaliaError('not_found', `${name}: no such file. Check the path, or create a project with "marginalia new".`);
  if (!statSync(path).isFile()) throw new MarginaliaError('not_a_project', `${name} is a folder, not a Marginalia project file.`);
  const header = readHeader(path);
  if (header.length < 100 || header.subarray(0, 16).toString('latin1') !== SQLITE_MAGIC) {
    throw new MarginaliaError('not_a_project', `${name} is not a Marginalia project (not an SQLite file). Open a .marginalia file, or import this file instead.`);
  }
  const appId = header.readUInt32BE(68);
  const version = header.readUInt32BE(60);
  if (appId !== APPLICATION_ID) {
    throw new MarginaliaError('not_a_project', `${name} is an SQLite database but not a Marginalia project. It was left untouched.`);
  }
  if (version > SCHEMA_VERSION) {
    throw new MarginaliaError(
      'newer_version',
      `${name} was saved by a newer Marginalia (schema ${version}; this one reads up to ${SCHEMA_VERSION}). Update Marginalia to open it; the file was left untouched.`,
    );
  }
  return { version };
}

async function configure(sqlite: Sqlite): Promise<void> {
  await sqlite.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
}

async function migrate(sqlite: Sqlite, from: number): Promise<void> {
  for (const m of MIGRATIONS) {
    if (m.version <= from) continue;
    await sqlite.exec('BEGIN IMMEDIATE');
    try {
      await m.up(sqlite);
      await sqlite.exec(`PRAGMA user_version = ${m.version}`);
      await sqlite.exec('COMMIT');
    } catch (err) {
      await sqlite.exec('ROLLBACK').catch(() => undefined);
      throw new MarginaliaError('internal', `Upgrading the project to schema ${m.version} (${m.name}) failed and was rolled back: ${(err as Error).message}`);
    }
  }
}

/** Opens an existing project, upgrading its schema when it is older. */
export async function openProjectDb(path: string): Promise<ProjectDb> {
  const { version } = inspectProjectFile(path);
  const sqlite = await Sqlite.open(path);
  try {
    await configure(sqlite);
    await migrate(sqlite, version);
  } catch (err) {
    await sqlite.close().catch(() => undefined);
    throw err;
  }
  return new ProjectDb(sqlite);
}

/** Creates a new, empty project file. Refuses to overwrite an existing file. */
export async function createProjectDb(path: string): Promise<ProjectDb> {
  if (existsSync(path)) {
    throw new MarginaliaError('conflict', `${basename(path)} already exists. Choose another name, or open it instead.`);
  }
  const sqlite = await Sqlite.open(path, { create: true });
  try {
    await sqlite.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
    await configure(sqlite);
    await migrate(sqlite, 0);
  } catch (err) {
    await sqlite.close().catch(() => undefined);
    throw err;
  }
  return new ProjectDb(sqlite);
}
