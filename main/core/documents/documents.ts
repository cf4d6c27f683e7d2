import { coderCondition, type CoderChoice } from '../coders/scope';
import { hiddenCoders } from '../team/blind-scope';
import { randomUUID } from 'node:crypto';
import type { Reader, Row, Tx } from '../db/project-db';
import { MarginaliaError, invalid, notFound } from '../errors';
import type { SqlValue } from '../db/sqlite';
import { existingIds } from '../db/in-chunks';
import { codePointLength, countUncarried, normaliseText, sha256 } from '../text/normalise';

export type VariableType = 'text' | 'number' | 'date' | 'boolean';
export type AttributeValue = string | number | boolean | null;

export interface Variable {
  id: string;
  name: string;
  type: VariableType;
}

export interface DocumentSummary {
  id: string;
  name: string;
  length: number;
  text_sha256: string;
  source_name: string | null;
  source_format: string | null;
  source_encoding: string | null;
  imported_at: string;
  imported_by: string | null;
  segment_count: number;
  attributes: Record<string, AttributeValue>;
}

export interface DocumentText {
  id: string;
  name: string;
  text: string;
  length: number;
}

interface DocumentRow extends Omit<DocumentSummary, 'attributes'> {}

export function listVariables(r: Reader): Promise<Variable[]> {
  return r.all<Variable>(`SELECT id, name, type FROM variables ORDER BY sort_order, name COLLATE NOCASE`);
}

/** Turns a stored value (always text) back into its typed form. */
export function decodeValue(type: VariableType, raw: string): AttributeValue {
  if (type === 'number') return Number(raw);
  if (type === 'boolean') return raw === 'true';
  return raw;
}

/** Checks and canonicalises one attribute value for storage, naming the field when it is wrong. */
export function encodeValue(variable: Pick<Variable, 'name' | 'type'>, value: AttributeValue): string | null {
  if (value === null || value === '') return null;
  const field = `attribute "${variable.name}"`;
  switch (variable.type) {
    case 'number': {
      const n = typeof value === 'number' ? value : Number(String(value).trim());
      if (!Number.isFinite(n)) throw invalid(field, `"${value}" is not a number.`);
      return String(n);
    }
    case 'boolean': {
      if (typeof value === 'boolean') return String(value);
      const s = String(value).trim().toLowerCase();
      if (['true', 'yes', '1', 'y'].includes(s)) return 'true';
      if (['false', 'no', '0', 'n'].includes(s)) return 'false';
      throw invalid(field, `"${value}" is not true or false.`);
    }
    case 'date': {
      const s = String(value).trim();
      if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(Date.parse(`${s}T00:00:00Z`))) {
        throw invalid(field, `"${value}" is not a date in the form YYYY-MM-DD.`);
      }
      return s;
    }
    default:
      return String(value);
  }
}

/** `segment_count` covers the chosen coders: by default every coder but the consensus layer (see CoderChoice). */
export async function listDocuments(r: Reader, options: CoderChoice & { setId?: string } = {}): Promise<DocumentSummary[]> {
  const who = await coderCondition(r, options);
  // A document set as the list's filter: its members only.
  const inSet = options.setId ? `WHERE d.id IN (SELECT document_id FROM document_set_members WHERE set_id = ?)` : '';
  const rows = await r.all<DocumentRow>(
    `
    SELECT d.id, d.name, d.length, d.text_sha256, d.source_name, d.source_format, d.source_encoding,
           d.imported_at, d.imported_by,
           (SELECT count(*) FROM segments s WHERE s.document_id = d.id AND ${who.sql}) AS segment_count
    FROM documents d ${inSet} ORDER BY d.sort_order, d.name COLLATE NOCASE`,
    options.setId ? [...who.params, options.setId] : who.params,
  );
  const values = await r.all<{ document_id: string; name: string; type: VariableType; value: string }>(`
    SELECT dv.document_id, v.name, v.type, dv.value
    FROM document_values dv JOIN variables v ON v.id = dv.variable_id ORDER BY v.sort_order, v.name`);
  const attrs = new Map<string, Record<string, AttributeValue>>();
  for (const v of values) {
    let a = attrs.get(v.document_id);
    if (!a) attrs.set(v.document_id, (a = Object.create(null) as Record<string, AttributeValue>));
    a[v.name] = decodeValue(v.type, v.value);
  }
  return rows.map((d) => ({ ...d, attributes: attrs.get(d.id) ?? {} }));
}

/** How the windowed document list is ordered: import order, name, segment count, or an attribute's value. */
export type DocumentSort = 'order' | 'name' | 'segments' | 'attribute';

/** Where a page ends: the sort key and id of its last row. Pass it back as `after` for the next page. */
export interface DocumentCursor {
  key: string | number | null;
  id: string;
}

export interface DocumentPageOptions extends CoderChoice {
  sort?: DocumentSort;
  /** With sort 'attribute': the attribute's name. Documents without a value come last. */
  attribute?: string;
  descending?: boolean;
  /** Only documents whose name contains this (case-insensitive). */
  filter?: string;
  /** Only documents of this document set. */
  setId?: string;
  /** Rows after this cursor (keyset: stable while rows before it are added or removed). */
  after?: DocumentCursor | null;
  /** Rows from this position, when no cursor is at hand (a jump of the scrollbar). */
  offset?: number;
  limit?: number;
}

export interface DocumentPage {
  documents: DocumentSummary[];
  /** Documents that match the filter, on every page. */
  total: number;
  /** Position of the first row in the whole ordered list, for a page asked by offset; null for one asked by cursor. */
  offset: number | null;
  /** Pass as `after` for the next page; null after the last. */
  next: DocumentCursor | null;
}

interface PageRow extends DocumentRow {
  sort_key: string | number | null;
}


/**
 * One window of the document list with the total, sorted and filtered as the screen asks:
 * the attributes and segment counts of its rows only. The sort key is a column or one indexed
 * look-up per document, and ties (equal names, equal values, missing values) are broken by id,
 * so a cursor always names one place in the order.
 */
export async function pageDocuments(r: Reader, options: DocumentPageOptions = {}): Promise<DocumentPage> {
  const who = await coderCondition(r, options);
  const limit = Math.max(1, Math.min(options.limit ?? 100, 1000));
  const { where, whereParams } = listConditions(options);
  const total = (await r.get<{ n: number }>(`SELECT count(*) AS n FROM documents d ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`, whereParams))?.n ?? 0;
  const after = options.after ?? null;
  const offset = after ? null : Math.max(0, options.offset ?? 0);
  const keys =
    options.sort === 'attribute'
      ? await attributeWindow(r, options.attribute, { where, whereParams, after, offset, limit, descending: !!options.descending })
      : await keyWindow(r, options.sort ?? 'order', who, { where, whereParams, after, offset, limit, descending: !!options.descending }, options);
  // The window's ids come from the sort key alone (an index walk for order, name and an
  // attribute); then the rows of those ids: a document's row holds its whole text.
  const byId = new Map(
    (
      await r.all<DocumentRow>(
        `SELECT d.id, d.name, d.length, d.text_sha256, d.source_name, d.source_format, d.source_encoding, d.imported_at, d.imported_by
         FROM documents d WHERE d.id IN (${keys.map(() => '?').join(', ')})`,
        keys.map((w) => w.id),
      )
    ).map((d) => [d.id, d]),
  );
  const rows: PageRow[] = keys.flatMap((w) => {
    const d = byId.get(w.id);
    return d ? [{ ...d, sort_key: w.sort_key }] : [];
  });
  const documents = await withCountsAndAttributes(r, rows, who);
  const last = rows[rows.length - 1];
  return { documents, total, offset, next: last && rows.length === limit ? { key: last.sort_key, id: last.id } : null };
}

/** The list's conditions on documents `d`: the name filter and the document set, as `pageDocuments` applies them. */
function listConditions(options: Pick<DocumentPageOptions, 'filter' | 'setId'>): { where: string[]; whereParams: SqlValue[] } {
  const where: string[] = [];
  const whereParams: SqlValue[] = [];
  const filter = options.filter?.trim();
  if (filter) {
    where.push(`d.name LIKE ? ESCAPE '\\'`);
    whereParams.push(`%${filter.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (options.setId) {
    where.push(`d.id IN (SELECT document_id FROM document_set_members WHERE set_id = ?)`);
    whereParams.push(options.setId);
  }
  return { where, whereParams };
}

/**
 * The ids of the documents the list shows under these options: all of them, or those at
 * some positions of its order (what a researcher selected with Shift, by position), without
 * reading any row's text. What a selection of "every document matching the filter" names.
 */
export async function listedDocumentIds(
  r: Reader,
  options: Omit<DocumentPageOptions, 'after' | 'offset' | 'limit'>,
  ranges?: ReadonlyArray<{ offset: number; limit: number }>,
): Promise<string[]> {
  const { where, whereParams } = listConditions(options);
  if (!ranges) {
    const rows = await r.all<{ id: string }>(`SELECT d.id FROM documents d ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`, whereParams);
    return rows.map((x) => x.id);
  }
  const who = await coderCondition(r, options);
  const out: string[] = [];
  for (const range of ranges) {
    const w: WindowSpec = { where, whereParams, after: null, offset: range.offset, limit: range.limit, descending: !!options.descending };
    const keys = options.sort === 'attribute' ? await attributeWindow(r, options.attribute, w) : await keyWindow(r, options.sort ?? 'order', who, w, options);
    for (const k of keys) out.push(k.id);
  }
  return out;
}

interface WindowSpec {
  where: string[];
  whereParams: SqlValue[];
  after: DocumentCursor | null;
  offset: number | null;
  limit: number;
  descending: boolean;
}
type KeyRow = { id: string; sort_key: string | number | null };

/**
 * Whether a segment-count order can walk the maintained counts (migration 11): they cover the
 * default scope (every coder but the consensus layer) and no coder is hidden by a blind round.
 */
async function countsMaintainedFor(r: Reader, choice: CoderChoice): Promise<boolean> {
  if (choice.coderIds?.length || choice.consensus) return false;
  return (await hiddenCoders(r)).size === 0;
}

/** A window in segment-count order read along the maintained counts' index, in either direction. */
async function countWindow(r: Reader, w: WindowSpec): Promise<KeyRow[]> {
  const where = [...w.where];
  const params: SqlValue[] = [...w.whereParams];
  if (w.after) {
    where.push(`dc.segments ${w.descending ? '<=' : '>='} ? AND (dc.segments ${w.descending ? '<' : '>'} ? OR dc.document_id > ?)`);
    params.push(w.after.key, w.after.key, w.after.id);
  }
  const join = w.where.length ? 'JOIN documents d ON d.id = dc.document_id' : '';
  return r.all<KeyRow>(
    `SELECT dc.document_id AS id, dc.segments AS sort_key FROM document_counts dc ${join} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY dc.segments ${w.descending ? 'DESC' : 'ASC'}, dc.document_id LIMIT ? OFFSET ?`,
    [...params, w.limit, w.offset ?? 0],
  );
}

/** Ids and keys of a window in import order, name or segment-count order; keys never null. */
async function keyWindow(r: Reader, sort: Exclude<DocumentSort, 'attribute'>, who: { sql: string; params: SqlValue[] }, w: WindowSpec, choice: CoderChoice = {}): Promise<KeyRow[]> {
  if (sort === 'segments' && (await countsMaintainedFor(r, choice))) return countWindow(r, w);
  const key =
    sort === 'name' ? 'd.name COLLATE NOCASE' : sort === 'segments' ? `(SELECT count(*) FROM segments s WHERE s.document_id = d.id AND ${who.sql})` : 'd.sort_order';
  const params: SqlValue[] = sort === 'segments' ? [...who.params] : [];
  const where = [...w.where];
  params.push(...w.whereParams);
  if (w.after) {
    // Written as a range on the key and then the tie, so the index on the key is walked from the cursor.
    const k = sort === 'segments' ? 'sort_key' : key;
    where.push(`${k} ${w.descending ? '<=' : '>='} ? AND (${k} ${w.descending ? '<' : '>'} ? OR d.id > ?)`);
    params.push(w.after.key, w.after.key, w.after.id);
  }
  return r.all<KeyRow>(
    `SELECT d.id, ${key} AS sort_key FROM documents d ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY sort_key ${w.descending ? 'DESC' : 'ASC'}, d.id LIMIT ? OFFSET ?`,
    [...params, w.limit, w.offset ?? 0],
  );
}

/**
 * Ids and values of a window in the order of one attribute: documents with a value first,
 * read along the (variable, value) index, then those without one (key null) by id.
 */
async function attributeWindow(r: Reader, attribute: string | undefined, w: WindowSpec): Promise<KeyRow[]> {
  const variable = attribute ? await r.get<Variable>(`SELECT id, name, type FROM variables WHERE name = ? COLLATE NOCASE`, [attribute]) : undefined;
  if (!variable) throw invalid('attribute', `there is no attribute "${attribute ?? ''}" to sort by; choose one of the project's attributes.`);
  const value = variable.type === 'number' ? 'CAST(dv.value AS REAL)' : 'dv.value';
  const join = w.where.length ? 'JOIN documents d ON d.id = dv.document_id' : '';
  const out: KeyRow[] = [];
  let skip = w.offset ?? 0;
  if (!w.after || w.after.key !== null) {
    const where = [`dv.variable_id = ?`, ...w.where];
    const params: SqlValue[] = [variable.id, ...w.whereParams];
    if (w.after) {
      where.push(`(${value} ${w.descending ? '<' : '>'} ? OR (${value} = ? AND dv.document_id > ?))`);
      params.push(w.after.key, w.after.key, w.after.id);
    }
    out.push(
      ...(await r.all<KeyRow>(
        `SELECT dv.document_id AS id, ${value} AS sort_key FROM document_values dv ${join} WHERE ${where.join(' AND ')}
         ORDER BY sort_key ${w.descending ? 'DESC' : 'ASC'}, dv.document_id LIMIT ? OFFSET ?`,
        [...params, w.limit, skip],
      )),
    );
    if (out.length === w.limit) return out;
    if (skip > 0) {
      const n = await r.get<{ n: number }>(`SELECT count(*) AS n FROM document_values dv ${join} WHERE dv.variable_id = ? ${w.where.map((c) => `AND ${c}`).join(' ')}`, [variable.id, ...w.whereParams]);
      skip = Math.max(0, skip - (n?.n ?? 0));
    }
  }
  const where = [`NOT EXISTS (SELECT 1 FROM document_values dv WHERE dv.document_id = d.id AND dv.variable_id = ?)`, ...w.where];
  const params: SqlValue[] = [variable.id, ...w.whereParams];
  if (w.after?.key === null) {
    where.push('d.id > ?');
    params.push(w.after.id);
  }
  out.push(
    ...(await r.all<KeyRow>(`SELECT d.id, NULL AS sort_key FROM documents d WHERE ${where.join(' AND ')} ORDER BY d.id LIMIT ? OFFSET ?`, [
      ...params,
      w.limit - out.length,
      out.length > 0 ? 0 : skip,
    ])),
  );
  return out;
}

async function withCountsAndAttributes(r: Reader, rows: readonly PageRow[], who: { sql: string; params: SqlValue[] }): Promise<DocumentSummary[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((d) => d.id);
  const marks = ids.map(() => '?').join(', ');
  const counts = new Map(
    (
      await r.all<{ document_id: string; n: number }>(
        `SELECT s.document_id, count(*) AS n FROM segments s WHERE s.document_id IN (${marks}) AND ${who.sql} GROUP BY s.document_id`,
        [...ids, ...who.params],
      )
    ).map((c) => [c.document_id, c.n]),
  );
  const attrs = await attributesOf(r, ids);
  return rows.map(({ sort_key: _key, ...d }) => ({ ...d, segment_count: counts.get(d.id) ?? 0, attributes: attrs.get(d.id) ?? {} }));
}

/** The attributes of some documents, by document id. */
async function attributesOf(r: Reader, ids: readonly string[]): Promise<Map<string, Record<string, AttributeValue>>> {
  const out = new Map<string, Record<string, AttributeValue>>();
  if (ids.length === 0) return out;
  const values = await r.all<{ document_id: string; name: string; type: VariableType; value: string }>(
    `SELECT dv.document_id, v.name, v.type, dv.value
     FROM document_values dv JOIN variables v ON v.id = dv.variable_id
     WHERE dv.document_id IN (${ids.map(() => '?').join(', ')}) ORDER BY v.sort_order, v.name`,
    [...ids],
  );
  for (const v of values) {
    let a = out.get(v.document_id);
    if (!a) out.set(v.document_id, (a = Object.create(null) as Record<string, AttributeValue>));
    a[v.name] = decodeValue(v.type, v.value);
  }
  return out;
}

/** One document's summary (attributes and segment count of the chosen coders): what the properties panel shows. */
export async function documentSummary(r: Reader, idOrName: string, options: CoderChoice = {}): Promise<DocumentSummary> {
  const { id } = await resolveDocument(r, idOrName);
  const who = await coderCondition(r, options);
  const row = await r.get<PageRow>(
    `SELECT d.id, d.name, d.length, d.text_sha256, d.source_name, d.source_format, d.source_encoding, d.imported_at, d.imported_by, NULL AS sort_key
     FROM documents d WHERE d.id = ?`,
    [id],
  );
  if (!row) throw notFound('document', idOrName);
  const [summary] = await withCountsAndAttributes(r, [row], who);
  return summary!;
}

/** Finds a document by id, or by a name that is unique in the project. */
export async function resolveDocument(r: Reader, idOrName: string): Promise<{ id: string; name: string; length: number }> {
  const byId = await r.get<{ id: string; name: string; length: number }>(`SELECT id, name, length FROM documents WHERE id = ?`, [idOrName]);
  if (byId) return byId;
  const byName = await r.all<{ id: string; name: string; length: number }>(`SELECT id, name, length FROM documents WHERE name = ?`, [idOrName]);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) {
    throw new MarginaliaError('conflict', `${byName.length} documents are named "${idOrName}"; name one by its id (${byName.map((d) => d.id).join(', ')}).`);
  }
  throw notFound('document', idOrName);
}

export async function getDocumentText(r: Reader, idOrName: string): Promise<DocumentText> {
  const { id } = await resolveDocument(r, idOrName);
  const row = await r.get<DocumentText>(`SELECT id, name, text, length FROM documents WHERE id = ?`, [id]);
  if (!row) throw notFound('document', idOrName);
  return row;
}

export interface NewDocument {
  name: string;
  /** Raw text; normalised here, once. */
  text: string;
  sourceName?: string | null;
  sourceFormat?: string | null;
  sourceEncoding?: string | null;
  attributes?: Record<string, AttributeValue>;
  /** Declared types for attributes not yet in the project; text when absent. */
  attributeTypes?: Record<string, VariableType>;
  /** A coder of the project, or null. */
  importedBy: string | null;
  /** For imports that keep ids (merge, REFI-QDA): kept when no document has it yet. */
  id?: string;
  /** For imports that keep when the text first came in; now when absent. */
  importedAt?: string;
}

export type AddResult =
  /** `removedControls`: control characters normalisation removed or made line breaks (reported, never silent). */
  | { status: 'imported'; id: string; removedControls?: number }
  | { status: 'duplicate'; duplicateOf: { id: string; name: string } };
export type AddBatchResult = AddResult | { status: 'failed'; reason: string };

/**
 * Adds one document inside the caller's transaction. A document whose normalised text is
 * already in the project is not added again: the existing one is named instead.
 */
export async function addDocument(tx: Tx, doc: NewDocument): Promise<AddResult> {
  const [result] = await addDocuments(tx, [doc]);
  if (result!.status === 'failed') throw new MarginaliaError('invalid_input', `${doc.sourceName ?? doc.name}: ${result!.reason}`);
  return result!;
}

export interface AddDocumentsOptions {
  /**
   * 'skip' (the default): a document whose text is already in the project, or earlier in the
   * batch, is not added; the one there is named instead. 'keep': every document is added, for
   * an importer that has matched the project's documents itself and keeps two documents of
   * one file apart even when their texts are the same (REFI-QDA: two sources, two names).
   */
  duplicates?: 'skip' | 'keep';
}

/**
 * Adds many documents inside the caller's transaction, one result per document in order.
 * Everything that can be wrong with one document (no text, a bad attribute value) is found
 * before its row is written, so a failed document needs no savepoint and never stops the
 * others; duplicates are found with one query per batch, also among the batch itself.
 * A few statements per batch instead of five per document is what makes a 10,000-article
 * import fast: node-sqlite3 pays a thread hop for every statement.
 */
export async function addDocuments(tx: Tx, docs: readonly NewDocument[], options: AddDocumentsOptions = {}): Promise<AddBatchResult[]> {
  const prepared = docs.map((d) => {
    const text = normaliseText(d.text);
    return { d, text, hash: sha256(text), removedControls: countUncarried(d.text) };
  });
  const known = new Map<string, { id: string; name: string }>();
  const hashes = [...new Set(prepared.map((p) => p.hash))];
  for (let i = 0; i < hashes.length; i += 500) {
    const chunk = hashes.slice(i, i + 500);
    const rows = await tx.all<{ id: string; name: string; text_sha256: string }>(
      `SELECT id, name, text_sha256 FROM documents WHERE text_sha256 IN (${chunk.map(() => '?').join(',')}) ORDER BY sort_order`,
      chunk,
    );
    for (const r of rows) if (!known.has(r.text_sha256)) known.set(r.text_sha256, { id: r.id, name: r.name });
  }
  const usedIds = await existingIds(tx, 'documents', docs.flatMap((d) => (d.id ? [d.id] : [])));
  const importers = await existingIds(tx, 'coders', docs.flatMap((d) => (d.importedBy ? [d.importedBy] : [])));
  let order = (await tx.get<{ n: number }>(`SELECT ifnull(max(sort_order), 0) AS n FROM documents`))?.n ?? 0;
  const variables = new Map<string, Variable>();
  const variable = async (name: string, type: VariableType): Promise<Variable> => {
    const key = name.trim().toLowerCase();
    let v = variables.get(key);
    if (!v) variables.set(key, (v = await ensureVariable(tx, name, type)));
    return v;
  };
  const importedAt = new Date().toISOString();
  const results: AddBatchResult[] = [];
  // Written together after the checks, many rows to a statement: one statement per document
  // and per attribute value made an import of a million rows wait on SQLite most of its time.
  const documentRows: Row[] = [];
  const valueRows: Row[] = [];
  for (const { d, text, hash, removedControls } of prepared) {
    if (text.trim().length === 0) {
      results.push({ status: 'failed', reason: 'the document has no text.' });
      continue;
    }
    if (d.importedBy !== null && !importers.has(d.importedBy)) {
      results.push({ status: 'failed', reason: `imported by coder ${d.importedBy}, who is not in the project.` });
      continue;
    }
    const dup = options.duplicates === 'keep' ? undefined : known.get(hash);
    if (dup) {
      results.push({ status: 'duplicate', duplicateOf: dup });
      continue;
    }
    const values: { variable: Variable; value: string }[] = [];
    try {
      for (const [name, value] of Object.entries(d.attributes ?? {})) {
        const v = await variable(name, typeOf(d.attributeTypes, name));
        const encoded = encodeValue(v, value);
        if (encoded !== null) values.push({ variable: v, value: encoded });
      }
    } catch (err) {
      results.push({ status: 'failed', reason: (err as Error).message });
      continue;
    }
    const id = d.id && !usedIds.has(d.id) ? d.id : randomUUID();
    usedIds.add(id);
    const name = d.name.trim() || 'Untitled';
    documentRows.push({
      id,
      name,
      text,
      text_sha256: hash,
      length: codePointLength(text),
      source_name: d.sourceName ?? null,
      source_format: d.sourceFormat ?? null,
      source_encoding: d.sourceEncoding ?? null,
      imported_at: d.importedAt || importedAt,
      imported_by: d.importedBy,
      sort_order: ++order,
    });
    for (const v of values) valueRows.push({ document_id: id, variable_id: v.variable.id, value: v.value });
    known.set(hash, { id, name });
    results.push(removedControls > 0 ? { status: 'imported', id, removedControls } : { status: 'imported', id });
  }
  await tx.insertMany('documents', documentRows);
  await tx.insertMany('document_values', valueRows);
  return results;
}

/** The variable of this name, created with `type` when the project does not have it yet. */
export async function ensureVariable(tx: Tx, name: string, type: VariableType = 'text'): Promise<Variable> {
  const clean = name.trim();
  if (!clean) throw invalid('attribute', 'an attribute needs a name.');
  const existing = await tx.get<Variable>(`SELECT id, name, type FROM variables WHERE name = ? COLLATE NOCASE`, [clean]);
  if (existing) return existing;
  const order = await tx.get<{ n: number }>(`SELECT ifnull(max(sort_order), 0) + 1 AS n FROM variables`);
  const v: Variable = { id: randomUUID(), name: clean, type };
  await tx.insert('variables', { ...v, sort_order: order?.n ?? 1 });
  return v;
}

/**
 * The declared type of attribute `name`, 'text' when none is declared. An own-property
 * look-up: an attribute called "constructor" or "toString" must not find Object.prototype's.
 */
function typeOf(types: Record<string, VariableType> | undefined, name: string): VariableType {
  return types && Object.hasOwn(types, name) ? types[name]! : 'text';
}

/** Sets (or, with null or '', clears) attributes of one document. */
export async function setAttributes(
  tx: Tx,
  documentId: string,
  attributes: Record<string, AttributeValue>,
  types: Record<string, VariableType> = {},
): Promise<void> {
  for (const [name, value] of Object.entries(attributes)) {
    const variable = await ensureVariable(tx, name, typeOf(types, name));
    const encoded = encodeValue(variable, value);
    const key = { document_id: documentId, variable_id: variable.id };
    const had = await tx.get(`SELECT 1 FROM document_values WHERE document_id = ? AND variable_id = ?`, [documentId, variable.id]);
    if (encoded === null) {
      if (had) await tx.remove('document_values', key);
    } else if (had) {
      await tx.update('document_values', key, { value: encoded });
    } else {
      await tx.insert('document_values', { ...key, value: encoded });
    }
  }
}

export async function renameDocument(tx: Tx, id: string, name: string): Promise<void> {
  const clean = name.trim();
  if (!clean) throw invalid('name', 'a document needs a name.');
  if (!(await tx.update('documents', { id }, { name: clean }))) throw notFound('document', id);
}

/** Deletes a document with its segments, memos and attributes, as one undoable step. */
export async function deleteDocument(tx: Tx, id: string): Promise<void> {
  const doc = await tx.get(`SELECT 1 FROM documents WHERE id = ?`, [id]);
  if (!doc) throw notFound('document', id);
  const segs = await tx.all<{ id: string }>(`SELECT id FROM segments WHERE document_id = ?`, [id]);
  for (const s of segs) await tx.remove('memos', { target_kind: 'segment', target_id: s.id });
  await tx.remove('segments', { document_id: id });
  await tx.remove('memos', { target_kind: 'document', target_id: id });
  await tx.remove('document_values', { document_id: id });
  await tx.remove('document_set_members', { document_id: id });
  await tx.remove('documents', { id });
}
