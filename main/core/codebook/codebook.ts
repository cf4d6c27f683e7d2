import { coderCondition, type CoderChoice } from '../coders/scope';
import { hiddenCoders } from '../team/blind-scope';
import { withCodesRecounted } from './code-counts';
import { codeKey } from '../coding/segment-rows';
import type { SqlValue } from '../db/sqlite';
import { randomUUID } from 'node:crypto';
import type { Reader, Row, Tx } from '../db/project-db';
import { MarginaliaError, invalid, notFound } from '../errors';

export interface Code {
  id: string;
  parent_id: string | null;
  name: string;
  description: string;
  color: string;
  shortcut: number | null;
  sort_order: number;
  /** Names from the top-level theme down, joined with "/": "attribution/false-flag claim". */
  path: string;
  depth: number;
  segment_count: number;
  document_count: number;
}

/** A palette that stays readable as a tint and a stripe; new codes take the next free colour. */
export const PALETTE = ['#d1495b', '#2e86ab', '#f4a259', '#5b8e7d', '#8d6a9f', '#c4a000', '#3d5a80', '#e56b6f', '#6a994e', '#9c6644'];

export const COLOR_RE = /^#[0-9a-fA-F]{6}$/;

interface CodeRow {
  id: string;
  parent_id: string | null;
  name: string;
  description: string;
  color: string;
  shortcut: number | null;
  sort_order: number;
  segment_count: number;
  document_count: number;
}

/**
 * The codebook as a flat list in tree order (each parent before its children).
 *
 * Counts cover the chosen coders (`coderId`: one coder; see CoderChoice): by default every
 * coder but the consensus layer. Blind rounds are enforced by the read scope (core/team/blind.ts).
 * They are read from counts the writes maintain (countsSource), joined to the codes.
 * `counts: false` skips them (zeros): what finding a code by id or path needs.
 */
export async function listCodes(r: Reader, options: CoderChoice & { coderId?: string; counts?: boolean } = {}): Promise<Code[]> {
  let rows: CodeRow[];
  if (options.counts === false) {
    rows = await r.all<CodeRow>(
      `SELECT id, parent_id, name, description, color, shortcut, sort_order, 0 AS segment_count, 0 AS document_count
       FROM codes ORDER BY sort_order, name COLLATE NOCASE`,
    );
  } else {
    const counts = await countsSource(r, options.coderId ? { coderIds: [options.coderId] } : options);
    rows = await r.all<CodeRow>(
      `SELECT c.id, c.parent_id, c.name, c.description, c.color, c.shortcut, c.sort_order,
              ifnull(n.segments, 0) AS segment_count, ifnull(n.documents, 0) AS document_count
       FROM codes c LEFT JOIN (${counts.sql}) n ON n.code_id = c.id
       ORDER BY c.sort_order, c.name COLLATE NOCASE`,
      counts.params,
    );
  }
  const children = new Map<string | null, CodeRow[]>();
  for (const row of rows) {
    const list = children.get(row.parent_id) ?? [];
    list.push(row);
    children.set(row.parent_id, list);
  }
  const out: Code[] = [];
  const walk = (parent: string | null, prefix: string, depth: number) => {
    for (const row of children.get(parent) ?? []) {
      const path = prefix ? `${prefix}/${row.name}` : row.name;
      out.push({ ...row, path, depth });
      walk(row.id, path, depth + 1);
    }
  };
  walk(null, '', 0);
  return out;
}

/**
 * Where a choice of coders' counts per code come from (`code_id, segments, documents`). The
 * counts are maintained by triggers (migration 9): every coder but the consensus layer in
 * `code_counts`, one coder's in `code_coder_counts` (shadowed in a blind round, so a hidden
 * coder contributes nothing). Documents are distinct documents, which cannot be added up over
 * coders: several coders chosen, or the default scope while a blind round hides some, are
 * counted by one pass over the (code, document, coder) index instead.
 */
async function countsSource(r: Reader, choice: CoderChoice): Promise<{ sql: string; params: SqlValue[] }> {
  const hidden = await hiddenCoders(r);
  if (!choice.coderIds?.length && !choice.consensus && hidden.size === 0) return { sql: `SELECT code_id, segments, documents FROM code_counts`, params: [] };
  const who = await coderCondition(r, choice, 'x');
  const chosen = await r.all<{ coder_id: string }>(`SELECT x.coder_id FROM (SELECT id AS coder_id FROM coders) x WHERE ${who.sql}`, who.params);
  const ids = chosen.map((c) => c.coder_id).filter((id) => !hidden.has(id));
  if (ids.length <= 1) {
    return { sql: `SELECT code_id, segments, documents FROM code_coder_counts WHERE coder_id IN (${ids.map(() => '?').join(', ') || 'NULL'})`, params: ids };
  }
  // Grouped by code and document first, in the index's order, so counting the documents needs
  // no set of distinct ids per code.
  return {
    sql: `SELECT code_id, sum(n) AS segments, count(*) AS documents FROM (
            SELECT x.code_id, x.document_id, count(*) AS n FROM segments x WHERE ${who.sql} GROUP BY x.code_id, x.document_id)
          GROUP BY code_id`,
    params: who.params,
  };
}

/** Finds a code by id or by its path ("attribution/blames Russia"); names compare case-insensitively. */
export async function resolveCode(r: Reader, idOrPath: string, options: { counts?: boolean } = {}): Promise<Code> {
  const codes = await listCodes(r, { counts: options.counts ?? false });
  const found =
    codes.find((c) => c.id === idOrPath) ?? codes.find((c) => c.path.toLowerCase() === idOrPath.trim().toLowerCase().replace(/\s*\/\s*/g, '/'));
  if (!found) throw notFound('code', idOrPath);
  return found;
}

/** Ids of a code and all its descendants. */
export async function descendantIds(r: Reader, codeId: string): Promise<string[]> {
  const rows = await r.all<{ id: string }>(
    `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT c.id FROM codes c JOIN sub ON c.parent_id = sub.id) SELECT id FROM sub`,
    [codeId],
  );
  return rows.map((x) => x.id);
}

async function assertNameFree(r: Reader, parentId: string | null, name: string, exceptId?: string): Promise<void> {
  const clash = await r.get<{ id: string }>(
    `SELECT id FROM codes WHERE ifnull(parent_id, '') = ifnull(?, '') AND name = ? COLLATE NOCASE AND id <> ?`,
    [parentId, name, exceptId ?? ''],
  );
  if (clash) {
    const where = parentId ? `under "${(await r.get<{ name: string }>(`SELECT name FROM codes WHERE id = ?`, [parentId]))?.name}"` : 'at the top level';
    throw new MarginaliaError('conflict', `name: a code named "${name}" already exists ${where}. Code names must be unique among siblings; choose another name or merge the codes.`);
  }
}

function cleanName(name: string): string {
  const clean = collapseSpaces(name);
  if (!clean) throw invalid('name', 'a code needs a name.');
  if (clean.includes('/')) throw invalid('name', `"${clean}" contains "/", which separates levels in a code path; use another character.`);
  return clean;
}

const collapseSpaces = (name: string): string => name.trim().replace(/\s+/g, ' ');

/** What an imported code without a usable name is called. */
export const UNNAMED_CODE = 'Unnamed code';

/** One change `repairCodeName` made, by kind (for a report that groups them) and in words. */
export interface CodeNameRepair {
  kind: 'no-name' | 'slash';
  message: string;
}

/**
 * The code name rules applied by repair rather than refusal, for codes that arrive from
 * other files (merge, REFI-QDA import) where there is nobody to ask: spaces collapsed as
 * the codebook does, an empty name becomes "Unnamed code", and "/" (which separates levels
 * in a code path) becomes "-". `repairs` says what was changed, for the import's report.
 * The result always passes `createCode`'s name check.
 */
export function repairCodeName(raw: string): { name: string; repairs: CodeNameRepair[] } {
  const repairs: CodeNameRepair[] = [];
  let name = collapseSpaces(raw);
  if (!name) {
    name = UNNAMED_CODE;
    repairs.push({ kind: 'no-name', message: `it had no name, so it is called "${UNNAMED_CODE}"` });
  }
  if (name.includes('/')) {
    const written = name;
    name = name.replace(/\//g, '-');
    repairs.push({ kind: 'slash', message: `"/" separates levels of a code path, so "${written}" became "${name}"` });
  }
  return { name, repairs };
}

/**
 * `name`, or else the first of "name (2)", "name (3)"… that is not `taken`. Sibling code names
 * are unique regardless of case, so a code that arrives beside a sibling of the same name
 * (differing in case only, say) is numbered rather than merged into it or lost.
 */
export function firstFreeName(name: string, taken: (candidate: string) => boolean): string {
  if (!taken(name)) return name;
  for (let n = 2; ; n++) {
    const candidate = `${name} (${n})`;
    if (!taken(candidate)) return candidate;
  }
}

async function nextColor(r: Reader): Promise<string> {
  const used = new Set((await r.all<{ color: string }>(`SELECT color FROM codes`)).map((c) => c.color.toLowerCase()));
  return PALETTE.find((c) => !used.has(c)) ?? PALETTE[used.size % PALETTE.length]!;
}

export interface NewCode {
  name: string;
  parentId?: string | null;
  color?: string;
  description?: string;
  shortcut?: number | null;
  /** For imports that keep ids (REFI-QDA, merge): kept when no code has it yet. */
  id?: string;
  /** For imports that keep when a code was made; now when absent. */
  createdAt?: string;
}

export async function createCode(tx: Tx, input: NewCode): Promise<string> {
  const name = cleanName(input.name);
  const parentId = input.parentId ?? null;
  if (parentId && !(await tx.get(`SELECT 1 FROM codes WHERE id = ?`, [parentId]))) throw notFound('parent code', parentId);
  await assertNameFree(tx, parentId, name);
  if (input.color !== undefined && !COLOR_RE.test(input.color)) throw invalid('color', `"${input.color}" is not a colour like #2e86ab.`);
  if (input.shortcut != null) await releaseShortcut(tx, input.shortcut);
  const order = await tx.get<{ n: number }>(`SELECT ifnull(max(sort_order), 0) + 1 AS n FROM codes WHERE ifnull(parent_id, '') = ifnull(?, '')`, [parentId]);
  // As for every kept id: a taken one means another code, so this one gets a new id (returned).
  const id = input.id && !(await tx.get(`SELECT 1 FROM codes WHERE id = ?`, [input.id])) ? input.id : randomUUID();
  await tx.insert('codes', {
    id,
    parent_id: parentId,
    name,
    description: input.description ?? '',
    color: (input.color ?? (await nextColor(tx))).toLowerCase(),
    shortcut: input.shortcut ?? null,
    sort_order: order?.n ?? 1,
    created_at: input.createdAt || new Date().toISOString(),
  });
  return id;
}

async function requireCode(r: Reader, id: string): Promise<{ id: string; parent_id: string | null; name: string }> {
  const code = await r.get<{ id: string; parent_id: string | null; name: string }>(`SELECT id, parent_id, name FROM codes WHERE id = ?`, [id]);
  if (!code) throw notFound('code', id);
  return code;
}

export async function renameCode(tx: Tx, id: string, name: string): Promise<void> {
  const code = await requireCode(tx, id);
  const clean = cleanName(name);
  await assertNameFree(tx, code.parent_id, clean, id);
  await tx.update('codes', { id }, { name: clean });
}

export async function recolorCode(tx: Tx, id: string, color: string): Promise<void> {
  await requireCode(tx, id);
  if (!COLOR_RE.test(color)) throw invalid('color', `"${color}" is not a colour like #2e86ab.`);
  await tx.update('codes', { id }, { color: color.toLowerCase() });
}

export async function describeCode(tx: Tx, id: string, description: string): Promise<void> {
  await requireCode(tx, id);
  await tx.update('codes', { id }, { description });
}

/** A digit shortcut belongs to one code; giving it to another takes it from the first. */
async function releaseShortcut(tx: Tx, shortcut: number): Promise<void> {
  const holder = await tx.get<{ id: string }>(`SELECT id FROM codes WHERE shortcut = ?`, [shortcut]);
  if (holder) await tx.update('codes', { id: holder.id }, { shortcut: null });
}

export async function setShortcut(tx: Tx, id: string, shortcut: number | null): Promise<void> {
  await requireCode(tx, id);
  if (shortcut !== null) await releaseShortcut(tx, shortcut);
  await tx.update('codes', { id }, { shortcut });
}

/**
 * Moves a code under a new parent (null: top level) at a position among its new siblings.
 * A code cannot move under itself or its own descendants.
 */
export async function moveCode(tx: Tx, id: string, parentId: string | null, index?: number): Promise<void> {
  const code = await requireCode(tx, id);
  if (parentId) {
    await requireCode(tx, parentId);
    if ((await descendantIds(tx, id)).includes(parentId)) {
      throw invalid('parent', `"${code.name}" cannot move under itself or one of its own subcodes.`);
    }
  }
  await assertNameFree(tx, parentId, code.name, id);
  const siblings = await tx.all<{ id: string }>(
    `SELECT id FROM codes WHERE ifnull(parent_id, '') = ifnull(?, '') AND id <> ? ORDER BY sort_order, name COLLATE NOCASE`,
    [parentId, id],
  );
  const at = Math.max(0, Math.min(index ?? siblings.length, siblings.length));
  const order = [...siblings.slice(0, at).map((s) => s.id), id, ...siblings.slice(at).map((s) => s.id)];
  for (let i = 0; i < order.length; i++) {
    const sid = order[i]!;
    const patch: Row = sid === id ? { parent_id: parentId, sort_order: i + 1 } : { sort_order: i + 1 };
    const current = await tx.get<{ parent_id: string | null; sort_order: number }>(`SELECT parent_id, sort_order FROM codes WHERE id = ?`, [sid]);
    if (current && (current.sort_order !== i + 1 || (sid === id && current.parent_id !== parentId))) await tx.update('codes', { id: sid }, patch);
  }
}

/** Deletes a code, its subcodes, their segments and memos. Returns how many segments went. */
export async function deleteCode(tx: Tx, id: string): Promise<{ codes: number; segments: number }> {
  await requireCode(tx, id);
  const ids = await descendantIds(tx, id);
  let segments = 0;
  for (const cid of ids) {
    const segs = await tx.all<{ id: string }>(`SELECT id FROM segments WHERE code_id = ?`, [cid]);
    for (const s of segs) await tx.remove('memos', { target_kind: 'segment', target_id: s.id });
    segments += await tx.remove('segments', { code_id: cid });
    await tx.remove('memos', { target_kind: 'code', target_id: cid });
  }
  // Children before parents, so no row ever points at a deleted parent.
  for (const cid of [...ids].reverse()) await tx.remove('codes', { id: cid });
  return { codes: ids.length, segments };
}

/** What deleting would remove, for the confirmation. */
export async function deleteImpact(r: Reader, id: string): Promise<{ codes: number; segments: number }> {
  await requireCode(r, id);
  const ids = await descendantIds(r, id);
  const row = await r.get<{ n: number }>(`SELECT count(*) AS n FROM segments WHERE code_id IN (${ids.map(() => '?').join(',')})`, ids);
  return { codes: ids.length, segments: row?.n ?? 0 };
}

/**
 * Merges `sourceId` into `targetId`: segments, memos and subcodes move to the target, then
 * the source is deleted. A segment that would duplicate one the target already has (same
 * document, coder and span) is dropped instead of doubled.
 */
export async function mergeCode(tx: Tx, sourceId: string, targetId: string): Promise<{ moved: number; duplicates: number }> {
  if (sourceId === targetId) throw invalid('target', 'a code cannot be merged into itself.');
  const source = await requireCode(tx, sourceId);
  await requireCode(tx, targetId);
  if ((await descendantIds(tx, sourceId)).includes(targetId)) {
    throw invalid('target', `"${source.name}" cannot be merged into one of its own subcodes.`);
  }
  // A segment the target already has (same document, coder and span) is a duplicate and goes;
  // the others move. Both found in one pass over the source's segments, and moved a few
  // hundred to a statement, their counts kept in bulk (code-counts.ts): merging 20,000
  // segments is a few dozen statements, not one per segment.
  const held = await tx.get<{ n: number }>(`SELECT ifnull(sum(segments), 0) AS n FROM code_coder_counts WHERE code_id = ?`, [sourceId]);
  const { movedIds, duplicateIds } = await withCodesRecounted(tx, [sourceId, targetId], held?.n ?? 0, async () => {
    // On the stored rows and their integer keys (migration 13): the view would look each key up.
    const [sourceKey, targetKey] = [await codeKey(tx, sourceId), await codeKey(tx, targetId)];
    const segments = await tx.all<{ id: string; duplicate: number }>(
      `SELECT s.id, EXISTS (
         SELECT 1 FROM segment_rows t WHERE t.code_key = ? AND t.document_key = s.document_key AND t.coder_key = s.coder_key AND t.start = s.start AND t.end = s.end) AS duplicate
       FROM segment_rows s WHERE s.code_key = ?`,
      [targetKey ?? null, sourceKey ?? null],
    );
    const duplicateIds = segments.filter((s) => s.duplicate).map((s) => s.id);
    const movedIds = segments.filter((s) => !s.duplicate).map((s) => s.id);
    await tx.removeIn('memos', 'target_id', duplicateIds, { target_kind: 'segment' });
    await tx.removeIn('segments', 'id', duplicateIds);
    for (let i = 0; i < movedIds.length; i += 500) {
      const chunk = movedIds.slice(i, i + 500);
      await tx.run(`UPDATE segment_rows SET code_key = ? WHERE id IN (${chunk.map(() => '?').join(', ')})`, [targetKey ?? null, ...chunk]);
      // Logged as Tx.update logs one row, so undo and redo see each segment move.
      for (const id of chunk) tx.changes.push({ table: 'segments', key: { id }, before: { code_id: sourceId }, after: { code_id: targetId } });
    }
    return { movedIds, duplicateIds };
  });
  let moved = movedIds.length;
  let duplicates = duplicateIds.length;
  const memos = await tx.all<{ id: string }>(`SELECT id FROM memos WHERE target_kind = 'code' AND target_id = ?`, [sourceId]);
  for (const m of memos) await tx.update('memos', { id: m.id }, { target_id: targetId });
  const children = await tx.all<{ id: string; name: string }>(`SELECT id, name FROM codes WHERE parent_id = ?`, [sourceId]);
  for (const child of children) {
    const clash = await tx.get<{ id: string }>(`SELECT id FROM codes WHERE parent_id = ? AND name = ? COLLATE NOCASE`, [targetId, child.name]);
    if (clash) {
      const r = await mergeCode(tx, child.id, clash.id);
      moved += r.moved;
      duplicates += r.duplicates;
    } else {
      await moveCode(tx, child.id, targetId);
    }
  }
  await tx.remove('codes', { id: sourceId });
  return { moved, duplicates };
}
