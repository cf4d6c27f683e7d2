import { randomUUID } from 'node:crypto';
import type { Reader, Row, Tx } from '../db/project-db';
import { allInChunks, existingIds } from '../db/in-chunks';
import { MarginaliaError, invalid, notFound } from '../errors';
import { resolveFilter } from '../exchange/filter';
import { matchingDocumentIds } from '../search/search';
import { listedDocumentIds, type DocumentPageOptions } from './documents';

/** A named group of documents: a scope for the list, retrieval, agreement and exports. */
export interface DocumentSet {
  id: string;
  name: string;
  description: string;
  document_count: number;
  created_at: string;
}

/** Where a set's documents come from: chosen by hand, a search's matching documents, or an attribute filter. */
export interface SetSource {
  documentIds?: readonly string[];
  /** A search query, as typed in the search box; every document it matches. */
  query?: string;
  /** The query is a regular expression. */
  regex?: boolean;
  /** "outlet=RT" conditions, as exports take them: every document they hold for. */
  where?: readonly string[];
  /**
   * The document list as the screen filters and sorts it: every document it shows, or with
   * `ranges` those at these positions of its order (a selection made with Shift). Selecting
   * all of 100,000 documents sends this, not their ids.
   */
  list?: ListSelection;
  /** Documents left out of what the other sources name (unticked from a selection of all). */
  exceptIds?: readonly string[];
}

/** A selection in the document list, by its filter and positions rather than by ids. */
export interface ListSelection extends Omit<DocumentPageOptions, 'after' | 'offset' | 'limit'> {
  ranges?: ReadonlyArray<{ offset: number; limit: number }>;
}

export function listSets(r: Reader): Promise<DocumentSet[]> {
  return r.all<DocumentSet>(
    `SELECT s.id, s.name, s.description, s.created_at,
            (SELECT count(*) FROM document_set_members m WHERE m.set_id = s.id) AS document_count
     FROM document_sets s ORDER BY s.name COLLATE NOCASE, s.id`,
  );
}

/** A set by id, or by its name (names are unique, case aside). */
export async function resolveSet(r: Reader, idOrName: string): Promise<{ id: string; name: string }> {
  const found = await r.get<{ id: string; name: string }>(`SELECT id, name FROM document_sets WHERE id = ? OR name = ? COLLATE NOCASE ORDER BY id = ? DESC LIMIT 1`, [
    idOrName,
    idOrName.trim(),
    idOrName,
  ]);
  if (found) return found;
  const names = (await r.all<{ name: string }>(`SELECT name FROM document_sets ORDER BY name COLLATE NOCASE`)).map((s) => s.name);
  throw new MarginaliaError('not_found', `No document set "${idOrName}". ${names.length ? `Sets: ${names.join(', ')}.` : 'The project has no sets yet; make one with "set-add" or Analyse ▸ Document sets.'}`);
}

/**
 * The SQL condition "document `alias`.id is in the set", with its parameter. A subquery on
 * the members' primary key (set_id, document_id): one index range, whatever the project's size.
 */
export function inSetSql(setId: string, column = 'd.id'): { sql: string; params: string[] } {
  return { sql: `${column} IN (SELECT document_id FROM document_set_members WHERE set_id = ?)`, params: [setId] };
}

/** The ids of a set's documents, in the project's document order. */
export async function setDocumentIds(r: Reader, setId: string): Promise<string[]> {
  const rows = await r.all<{ id: string }>(
    `SELECT d.id FROM document_set_members m JOIN documents d ON d.id = m.document_id WHERE m.set_id = ? ORDER BY d.sort_order, d.id`,
    [setId],
  );
  return rows.map((x) => x.id);
}

async function checkName(r: Reader, name: string, except: string | null): Promise<string> {
  const clean = name.trim();
  if (!clean) throw invalid('name', 'a document set needs a name.');
  const same = await r.get<{ id: string; name: string }>(`SELECT id, name FROM document_sets WHERE name = ? COLLATE NOCASE`, [clean]);
  if (same && same.id !== except) throw new MarginaliaError('conflict', `A document set named "${same.name}" already exists. Choose another name, or add the documents to that set.`);
  return clean;
}

/** Creates an empty set; returns its id. */
export async function createSet(tx: Tx, input: { name: string; description?: string; createdBy: string | null; id?: string }): Promise<string> {
  const name = await checkName(tx, input.name, null);
  const id = input.id && !(await tx.get(`SELECT 1 FROM document_sets WHERE id = ?`, [input.id])) ? input.id : randomUUID();
  await tx.insert('document_sets', { id, name, description: input.description ?? '', created_at: new Date().toISOString(), created_by: input.createdBy });
  return id;
}

export async function renameSet(tx: Tx, id: string, name: string): Promise<void> {
  const clean = await checkName(tx, name, id);
  if (!(await tx.update('document_sets', { id }, { name: clean }))) throw notFound('document set', id);
}

/** Deletes a set and its memberships (never its documents). */
export async function deleteSet(tx: Tx, id: string): Promise<void> {
  if (!(await tx.get(`SELECT 1 FROM document_sets WHERE id = ?`, [id]))) throw notFound('document set', id);
  await tx.remove('document_set_members', { set_id: id });
  await tx.remove('document_sets', { id });
}

/** The documents a source names: chosen ids (each must exist), a search's matches, an attribute filter's documents. */
export async function documentsOf(r: Reader, source: SetSource): Promise<string[]> {
  const out = new Set<string>();
  if (source.documentIds?.length) {
    const known = await existingIds(r, 'documents', source.documentIds);
    const missing = source.documentIds.filter((id) => !known.has(id));
    if (missing.length) throw notFound('document', missing[0]!);
    for (const id of source.documentIds) out.add(id);
  }
  if (source.query !== undefined) {
    // Every matching document, not a page of hits: a set from a search holds all of them.
    for (const id of await matchingDocumentIds(r, { query: source.query, regex: source.regex })) out.add(id);
  }
  if (source.where?.length) {
    const f = await resolveFilter(r, { where: [...source.where] });
    const rows = await r.all<{ id: string }>(`SELECT d.id FROM documents d WHERE ${f.documentSql.join(' AND ')}`, f.documentParams);
    for (const x of rows) out.add(x.id);
  }
  if (source.list) {
    const { ranges, ...options } = source.list;
    if (options.setId && !(await r.get(`SELECT 1 FROM document_sets WHERE id = ?`, [options.setId]))) throw notFound('document set', options.setId);
    for (const id of await listedDocumentIds(r, options, ranges)) out.add(id);
  }
  for (const id of source.exceptIds ?? []) out.delete(id);
  return [...out];
}

/** Adds documents to a set (those already in it are left as they are); returns how many were added. */
export async function addToSet(tx: Tx, setId: string, documentIds: readonly string[]): Promise<number> {
  if (!(await tx.get(`SELECT 1 FROM document_sets WHERE id = ?`, [setId]))) throw notFound('document set', setId);
  // Many documents: the set's members in one range of its key; a few: looked up by id.
  const already = new Set(
    (documentIds.length > 5000
      ? await tx.all<{ document_id: string }>(`SELECT document_id FROM document_set_members WHERE set_id = ?`, [setId])
      : await allInChunks<{ document_id: string }>(tx, documentIds, (p) => `SELECT document_id FROM document_set_members WHERE set_id = '${setId.replace(/'/g, "''")}' AND document_id IN (${p})`)
    ).map((x) => x.document_id),
  );
  // In key order: each statement's rows land on neighbouring pages of the members' tree.
  const rows: Row[] = [...new Set(documentIds)]
    .filter((id) => !already.has(id))
    .sort()
    .map((document_id) => ({ set_id: setId, document_id }));
  await tx.insertMany('document_set_members', rows);
  return rows.length;
}

/** Takes documents out of a set; returns how many were in it. */
export async function removeFromSet(tx: Tx, setId: string, documentIds: readonly string[]): Promise<number> {
  if (!(await tx.get(`SELECT 1 FROM document_sets WHERE id = ?`, [setId]))) throw notFound('document set', setId);
  // Several hundred to a statement: taking a whole filtered list out of a set is a few hundred statements, not one per document.
  return tx.removeIn('document_set_members', 'document_id', [...new Set(documentIds)].sort(), { set_id: setId });
}
