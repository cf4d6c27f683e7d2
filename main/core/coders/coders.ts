import { randomUUID } from 'node:crypto';
import type { ProjectDb, Reader, Tx } from '../db/project-db';
import { MarginaliaError, notFound } from '../errors';

export interface Coder {
  id: string;
  name: string;
  created_at: string;
}

export function listCoders(r: Reader): Promise<Coder[]> {
  return r.all<Coder>(`SELECT id, name, created_at FROM coders ORDER BY name COLLATE NOCASE, created_at`);
}

/** Finds a coder by id, or by a name that is unique in the project. */
export async function resolveCoder(r: Reader, idOrName: string): Promise<Coder> {
  const byId = await r.get<Coder>(`SELECT id, name, created_at FROM coders WHERE id = ?`, [idOrName]);
  if (byId) return byId;
  const byName = await r.all<Coder>(`SELECT id, name, created_at FROM coders WHERE name = ?`, [idOrName]);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) {
    throw new MarginaliaError('conflict', `Two coders are named "${idOrName}"; name one by its id (${byName.map((c) => c.id).join(', ')}).`);
  }
  throw notFound('coder', idOrName);
}

/** The coder name rule: spaces at either end do not count, and a coder needs a name. */
function cleanCoderName(name: string, field = 'name'): string {
  const clean = name.trim();
  if (!clean) throw new MarginaliaError('invalid_input', `${field}: a coder needs a name.`);
  return clean;
}

export interface NewCoder {
  name: string;
  /** For merges and imports that keep ids: kept when no coder has it yet. */
  id?: string;
  createdAt?: string;
}

/**
 * Adds a coder inside the caller's transaction. Two coders may share a name (a merge keeps
 * different people apart even when they typed the same name), so a name is not checked for
 * uniqueness; finding a coder by name is `findOrCreateCoder`'s work.
 */
export async function createCoder(tx: Tx, input: NewCoder): Promise<Coder> {
  const name = cleanCoderName(input.name);
  const id = input.id && !(await tx.get(`SELECT 1 FROM coders WHERE id = ?`, [input.id])) ? input.id : randomUUID();
  const coder: Coder = { id, name, created_at: input.createdAt || new Date().toISOString() };
  await tx.insert('coders', { ...coder });
  return coder;
}

/**
 * The coder with this name, created on first use, inside the caller's transaction. Where a
 * merge brought in a second coder of the same name, the earliest one is the local one.
 */
export async function findOrCreateCoder(tx: Tx, name: string): Promise<Coder> {
  const clean = cleanCoderName(name, 'coder');
  const existing = await tx.get<Coder>(`SELECT id, name, created_at FROM coders WHERE name = ? ORDER BY created_at LIMIT 1`, [clean]);
  return existing ?? createCoder(tx, { name: clean });
}

/**
 * `findOrCreateCoder` for the session's current coder: a read when the coder exists (opening a
 * project must not wait for anything writes wait for, such as a large file's damage check),
 * a transaction of its own when they are new.
 */
export async function ensureCoder(db: ProjectDb, name: string): Promise<Coder> {
  const clean = cleanCoderName(name, 'coder');
  const existing = await db.read((r) => r.get<Coder>(`SELECT id, name, created_at FROM main.coders WHERE name = ? ORDER BY created_at LIMIT 1`, [clean]));
  return existing ?? db.transaction((tx) => findOrCreateCoder(tx, name));
}

/**
 * Renames a coder. Two coders may share a name (a merge keeps different people apart even
 * when they typed the same name); renaming is how the user tells them apart.
 */
export async function renameCoder(tx: Tx, id: string, name: string): Promise<void> {
  const clean = cleanCoderName(name);
  if (!(await tx.update('coders', { id }, { name: clean }))) throw notFound('coder', id);
}
