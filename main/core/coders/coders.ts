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

/**
 * The coder with this name, created on first use. Where a merge brought in a second coder
 * of the same name, the earliest one is the local one.
 */
export async function ensureCoder(db: ProjectDb, name: string): Promise<Coder> {
  const clean = name.trim();
  if (!clean) throw new MarginaliaError('invalid_input', 'coder: a coder needs a name.');
  return db.transaction(async (tx) => {
    const existing = await tx.get<Coder>(`SELECT id, name, created_at FROM coders WHERE name = ? ORDER BY created_at LIMIT 1`, [clean]);
    if (existing) return existing;
    const coder: Coder = { id: randomUUID(), name: clean, created_at: new Date().toISOString() };
    await tx.run(`INSERT INTO coders (id, name, created_at) VALUES (?, ?, ?)`, [coder.id, coder.name, coder.created_at]);
    return coder;
  });
}

/**
 * Renames a coder. Two coders may share a name (a merge keeps different people apart even
 * when they typed the same name); renaming is how the user tells them apart.
 */
export async function renameCoder(tx: Tx, id: string, name: string): Promise<void> {
  const clean = name.trim();
  if (!clean) throw new MarginaliaError('invalid_input', 'name: a coder needs a name.');
  if (!(await tx.update('coders', { id }, { name: clean }))) throw notFound('coder', id);
}
