import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { tempBeside, tempFolder } from '../files/temp-files';
import { basename, dirname, join } from 'node:path';
import { inspectProjectFile, openProjectDb } from '../db/open';
import type { ProjectDb, Reader, Tx } from '../db/project-db';
import { MarginaliaError } from '../errors';
import { COLOR_RE, PALETTE, listCodes } from '../codebook/codebook';
import { codePointLength, normaliseText, sha256 } from '../text/normalise';
import { decodeValue, encodeValue, ensureVariable, type VariableType } from '../documents/documents';
import { lexicalFromPlain } from '../coding/segments';

// ---------------------------------------------------------------------------------------
// What the colleague's file holds, read once into memory (the file is closed afterwards).

interface TheirCoder {
  id: string;
  name: string;
  created_at: string;
}
interface TheirDocument {
  id: string;
  name: string;
  text: string;
  source_name: string | null;
  source_format: string | null;
  source_encoding: string | null;
  imported_at: string;
  imported_by: string | null;
}
interface TheirCode {
  id: string;
  parent_id: string | null;
  name: string;
  path: string;
  description: string;
  color: string;
  created_at: string;
}
interface TheirSegment {
  id: string;
  document_id: string;
  code_id: string;
  coder_id: string;
  start: number;
  end: number;
  created_at: string;
  updated_at: string;
}
interface TheirMemo {
  id: string;
  target_kind: string;
  target_id: string | null;
  author_id: string | null;
  title: string;
  content: string;
  text: string;
  created_at: string;
  updated_at: string;
}
interface TheirValue {
  document_id: string;
  name: string;
  type: VariableType;
  value: string;
}

/** A colleague's project, read into memory. */
export interface OtherProject {
  file: string;
  name: string;
  coders: TheirCoder[];
  documents: TheirDocument[];
  codes: TheirCode[];
  /** Codes whose parent chain does not reach the top (a damaged file): not merged. */
  unreachableCodes: number;
  segments: TheirSegment[];
  memos: TheirMemo[];
  values: TheirValue[];
}

/**
 * Reads a colleague's project file without changing it. The file is untrusted: it is checked
 * to be a Marginalia project, then copied to a private temporary folder and opened there, so
 * that even the schema upgrade an older file needs never touches the original.
 */
export async function readOtherProject(path: string, displayName: string = basename(path)): Promise<OtherProject> {
  try {
    inspectProjectFile(path);
  } catch (err) {
    if (err instanceof MarginaliaError) throw new MarginaliaError(err.code, err.message.replace(basename(path), displayName));
    throw err;
  }
  const dir = tempFolder('merge');
  let db: ProjectDb | null = null;
  try {
    const copy = join(dir, 'other.marginalia');
    copyFileSync(path, copy);
    // A file copied while its program still had it open keeps recent changes in the WAL.
    if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
    db = await openProjectDb(copy);
    return await db.read(async (r) => ({
      file: displayName,
      name: (await r.get<{ value: string }>(`SELECT value FROM project WHERE key = 'name'`))?.value ?? displayName,
      coders: await r.all<TheirCoder>(`SELECT id, name, created_at FROM coders ORDER BY created_at, id`),
      documents: await r.all<TheirDocument>(
        `SELECT id, name, text, source_name, source_format, source_encoding, imported_at, imported_by FROM documents ORDER BY sort_order, name`,
      ),
      ...(await readCodes(r)),
      segments: await r.all<TheirSegment>(`SELECT id, document_id, code_id, coder_id, start, end, created_at, updated_at FROM segments ORDER BY document_id, start, id`),
      memos: await r.all<TheirMemo>(`SELECT id, target_kind, target_id, author_id, title, content, text, created_at, updated_at FROM memos ORDER BY created_at, id`),
      values: await r.all<TheirValue>(
        `SELECT dv.document_id, v.name, v.type, dv.value FROM document_values dv JOIN variables v ON v.id = dv.variable_id`,
      ),
    }));
  } catch (err) {
    if (err instanceof MarginaliaError) throw err;
    throw new MarginaliaError('not_a_project', `${displayName} could not be read as a Marginalia project (${(err as Error).message}). Nothing was merged.`);
  } finally {
    await db?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function readCodes(r: Reader): Promise<{ codes: TheirCode[]; unreachableCodes: number }> {
  const tree = await listCodes(r);
  const all = await r.get<{ n: number }>(`SELECT count(*) AS n FROM codes`);
  const created = new Map((await r.all<{ id: string; created_at: string }>(`SELECT id, created_at FROM codes`)).map((c) => [c.id, c.created_at]));
  return {
    codes: tree.map((c) => ({ id: c.id, parent_id: c.parent_id, name: c.name, path: c.path, description: c.description, color: c.color, created_at: created.get(c.id) ?? '' })),
    unreachableCodes: (all?.n ?? 0) - tree.length,
  };
}

// ---------------------------------------------------------------------------------------
// The plan: what a merge would do, shown as the preview and then carried out.

/** One item in the preview lists. */
export interface MergeItem {
  id: string;
  label: string;
  /** What a person should know about this item ("named "x" here"). */
  note?: string;
}

export type MergeChoice = 'keep-mine' | 'take-theirs' | 'add' | 'skip';

export interface MergeConflict {
  /** Stable key for the choice: "code:<their id>" or "document:<their id>". */
  id: string;
  kind: 'code' | 'document';
  label: string;
  detail: string;
  choices: { value: MergeChoice; label: string }[];
  default: MergeChoice;
}

export interface MergeCounts {
  documents: number;
  codes: number;
  coders: number;
  segments: number;
  memos: number;
  attributes: number;
}

export interface MergePreview {
  source: { file: string; project_name: string };
  add: { counts: MergeCounts; documents: MergeItem[]; codes: MergeItem[]; coders: MergeItem[] };
  existing: { counts: MergeCounts; documents: MergeItem[]; codes: MergeItem[]; coders: MergeItem[] };
  conflicts: MergeConflict[];
  /** Coders of the other file who share a name with a different coder here: kept as two. */
  same_name_coders: { name: string; their_id: string; our_id: string }[];
  /** Things left out, and why (damaged rows, documents skipped). */
  skipped: string[];
}

export interface MergeResult extends MergePreview {
  /** File name of the backup made before merging, beside the project. */
  backup: string;
  applied: true;
}

type Choices = Readonly<Record<string, string>>;

const zeroCounts = (): MergeCounts => ({ documents: 0, codes: 0, coders: 0, segments: 0, memos: 0, attributes: 0 });

interface Plan {
  preview: MergePreview;
  coders: TheirCoder[];
  codes: { their: TheirCode; parentId: string | null }[];
  codeUpdates: { id: string; description: string; color: string }[];
  documents: { their: TheirDocument; id: string; text: string; length: number; hash: string }[];
  values: { documentId: string; name: string; type: VariableType; value: string }[];
  segments: (TheirSegment & { ourDocumentId: string; ourCodeId: string })[];
  memos: (TheirMemo & { ourTargetId: string | null })[];
}

const validColor = (c: string, i: number) => (COLOR_RE.test(c) ? c.toLowerCase() : PALETTE[i % PALETTE.length]!);

/**
 * Works out what merging `other` into the project would do, given the user's choices
 * (defaults where none is given). Reads only; `applyPlan` writes.
 */
export async function planMerge(r: Reader, other: OtherProject, choices: Choices = {}): Promise<Plan> {
  const preview: MergePreview = {
    source: { file: other.file, project_name: other.name },
    add: { counts: zeroCounts(), documents: [], codes: [], coders: [] },
    existing: { counts: zeroCounts(), documents: [], codes: [], coders: [] },
    conflicts: [],
    same_name_coders: [],
    skipped: [],
  };
  const plan: Plan = { preview, coders: [], codes: [], codeUpdates: [], documents: [], values: [], segments: [], memos: [] };
  if (other.unreachableCodes > 0) preview.skipped.push(`${other.unreachableCodes} code(s) of ${other.file} whose parent is missing or circular were left out.`);

  // Coders: by id only. A same-named coder with another id is another person.
  const ourCoders = await r.all<{ id: string; name: string }>(`SELECT id, name FROM coders`);
  const ourCoderIds = new Set(ourCoders.map((c) => c.id));
  const theirCoderIds = new Set(other.coders.map((c) => c.id));
  for (const c of other.coders) {
    if (ourCoderIds.has(c.id)) {
      preview.existing.coders.push({ id: c.id, label: c.name });
      continue;
    }
    plan.coders.push(c);
    preview.add.coders.push({ id: c.id, label: c.name });
    const twin = ourCoders.find((o) => o.name.trim().toLowerCase() === c.name.trim().toLowerCase());
    if (twin) {
      preview.same_name_coders.push({ name: c.name, their_id: c.id, our_id: twin.id });
      preview.add.coders[preview.add.coders.length - 1]!.note = `another coder here is also named "${twin.name}"; they stay two coders (rename one to tell them apart)`;
    }
  }

  // Codes: by id, then by path (the same name under the matched parent), parents first.
  const ourCodes = await r.all<{ id: string; parent_id: string | null; name: string; description: string; color: string }>(
    `SELECT id, parent_id, name, description, color FROM codes`,
  );
  const ourCodeById = new Map(ourCodes.map((c) => [c.id, c]));
  const ourPaths = new Map((await listCodes(r)).map((c) => [c.id, c.path]));
  const codeMap = new Map<string, string>();
  const addedNames = new Set<string>();
  for (const tc of other.codes) {
    const parentId = tc.parent_id === null ? null : (codeMap.get(tc.parent_id) ?? null);
    const byId = ourCodeById.get(tc.id);
    const siblingKey = `${parentId ?? ''}\u0000${tc.name.trim().toLowerCase()}`;
    const byPath = byId ? undefined : ourCodes.find((c) => (c.parent_id ?? '') === (parentId ?? '') && c.name.trim().toLowerCase() === tc.name.trim().toLowerCase());
    const ours = byId ?? byPath;
    if (!ours) {
      if (addedNames.has(siblingKey)) {
        preview.skipped.push(`Code "${tc.path}" of ${other.file} has the same name as a sibling; left out.`);
        continue;
      }
      addedNames.add(siblingKey);
      codeMap.set(tc.id, tc.id);
      plan.codes.push({ their: tc, parentId });
      preview.add.codes.push({ id: tc.id, label: tc.path });
      continue;
    }
    codeMap.set(tc.id, ours.id);
    const ourPath = ourPaths.get(ours.id) ?? ours.name;
    preview.existing.codes.push({ id: ours.id, label: ourPath, ...(ourPath.toLowerCase() !== tc.path.toLowerCase() ? { note: `"${tc.path}" in ${other.file}` } : {}) });
    const theirColor = tc.color.toLowerCase();
    if (ours.description !== tc.description || ours.color.toLowerCase() !== theirColor) {
      const key = `code:${tc.id}`;
      const differences: string[] = [];
      if (ours.description !== tc.description) differences.push(`description here "${ours.description}", theirs "${tc.description}"`);
      if (ours.color.toLowerCase() !== theirColor) differences.push(`colour here ${ours.color}, theirs ${tc.color}`);
      preview.conflicts.push({
        id: key,
        kind: 'code',
        label: ourPath,
        detail: differences.join('; '),
        choices: [
          { value: 'keep-mine', label: 'Keep mine' },
          { value: 'take-theirs', label: 'Take theirs' },
        ],
        default: 'keep-mine',
      });
      if (choices[key] === 'take-theirs') {
        plan.codeUpdates.push({ id: ours.id, description: tc.description, color: COLOR_RE.test(tc.color) ? theirColor : ours.color });
      }
    }
  }

  // Documents: by the hash of their normalised text, whatever they are called.
  const ourDocs = await r.all<{ id: string; name: string; text_sha256: string }>(`SELECT id, name, text_sha256 FROM documents`);
  const ourByHash = new Map<string, { id: string; name: string }>();
  for (const d of ourDocs) if (!ourByHash.has(d.text_sha256)) ourByHash.set(d.text_sha256, d);
  const ourDocIds = new Set(ourDocs.map((d) => d.id));
  const docMap = new Map<string, string>();
  const docLength = new Map<string, number>();
  const segCount = new Map<string, number>();
  for (const s of other.segments) segCount.set(s.document_id, (segCount.get(s.document_id) ?? 0) + 1);
  const addedHashes = new Set<string>();
  for (const td of other.documents) {
    const text = normaliseText(td.text);
    if (text !== td.text || text.trim() === '') {
      preview.skipped.push(`Document "${td.name}" of ${other.file} has text that was not stored by Marginalia's rules; left out with its codings.`);
      continue;
    }
    const hash = sha256(text);
    const length = codePointLength(text);
    docLength.set(td.id, length);
    const ours = ourByHash.get(hash);
    if (ours) {
      docMap.set(td.id, ours.id);
      preview.existing.documents.push({ id: ours.id, label: ours.name, ...(ours.name !== td.name ? { note: `named "${td.name}" in ${other.file}` } : {}) });
      continue;
    }
    if (addedHashes.has(hash)) {
      preview.skipped.push(`Document "${td.name}" of ${other.file} repeats the text of another of its documents; left out.`);
      continue;
    }
    const key = `document:${td.id}`;
    const n = segCount.get(td.id) ?? 0;
    preview.conflicts.push({
      id: key,
      kind: 'document',
      label: td.name,
      detail: `not in this project (${length} characters, ${n} coded segment${n === 1 ? '' : 's'} in ${other.file})`,
      choices: [
        { value: 'add', label: 'Add it' },
        { value: 'skip', label: 'Skip it and its codings' },
      ],
      default: 'add',
    });
    if (choices[key] === 'skip') {
      preview.skipped.push(`Document "${td.name}" and its ${n} segment(s) were skipped by choice.`);
      continue;
    }
    addedHashes.add(hash);
    // Ids are kept so that merging the same file again recognises everything.
    const id = ourDocIds.has(td.id) ? randomUUID() : td.id;
    docMap.set(td.id, id);
    plan.documents.push({ their: td, id, text, length, hash });
    preview.add.documents.push({ id, label: td.name });
  }

  // Attributes: added documents bring theirs; matched ones gain only values missing here.
  const ourValues = new Set(
    (await r.all<{ document_id: string; name: string }>(`SELECT dv.document_id, lower(v.name) AS name FROM document_values dv JOIN variables v ON v.id = dv.variable_id`)).map(
      (v) => `${v.document_id}\u0000${v.name}`,
    ),
  );
  for (const v of other.values) {
    const docId = docMap.get(v.document_id);
    if (!docId || ourValues.has(`${docId}\u0000${v.name.toLowerCase()}`)) continue;
    plan.values.push({ documentId: docId, name: v.name, type: v.type, value: v.value });
  }
  preview.add.counts.attributes = plan.values.length;

  // Segments: by id; an identical segment under another id is the same coding too.
  const ourSegIds = new Set((await r.all<{ id: string }>(`SELECT id FROM segments`)).map((s) => s.id));
  const ourSegKeys = new Set(
    (await r.all<{ k: string }>(`SELECT document_id || ':' || code_id || ':' || coder_id || ':' || start || ':' || end AS k FROM segments`)).map((s) => s.k),
  );
  let damaged = 0;
  let skippedSegs = 0;
  const segmentIds = new Set<string>(ourSegIds);
  for (const s of other.segments) {
    const ourDoc = docMap.get(s.document_id);
    if (!ourDoc) {
      skippedSegs++;
      continue;
    }
    const len = docLength.get(s.document_id) ?? 0;
    const ourCode = codeMap.get(s.code_id);
    const valid = Number.isInteger(s.start) && Number.isInteger(s.end) && s.start >= 0 && s.end > s.start && s.end <= len && theirCoderIds.has(s.coder_id);
    if (!valid || !ourCode) {
      damaged++;
      continue;
    }
    const key = `${ourDoc}:${ourCode}:${s.coder_id}:${s.start}:${s.end}`;
    if (ourSegIds.has(s.id) || ourSegKeys.has(key)) {
      preview.existing.counts.segments++;
      continue;
    }
    ourSegKeys.add(key);
    segmentIds.add(s.id);
    plan.segments.push({ ...s, ourDocumentId: ourDoc, ourCodeId: ourCode });
  }
  if (damaged > 0) preview.skipped.push(`${damaged} segment(s) of ${other.file} point outside their document or to a missing code or coder; left out.`);
  if (skippedSegs > 0) preview.skipped.push(`${skippedSegs} segment(s) of ${other.file} belong to documents that are not merged.`);

  // Memos: by id, with their author; a memo whose target is not merged stays out.
  const ourMemoIds = new Set((await r.all<{ id: string }>(`SELECT id FROM memos`)).map((m) => m.id));
  for (const m of other.memos) {
    if (ourMemoIds.has(m.id)) {
      preview.existing.counts.memos++;
      continue;
    }
    let target: string | null | undefined;
    if (m.target_kind === 'project') target = null;
    else if (m.target_kind === 'document') target = m.target_id ? docMap.get(m.target_id) : undefined;
    else if (m.target_kind === 'code') target = m.target_id ? codeMap.get(m.target_id) : undefined;
    else if (m.target_kind === 'segment') target = m.target_id && segmentIds.has(m.target_id) ? m.target_id : undefined;
    if (target === undefined) continue;
    const author = m.author_id !== null && (theirCoderIds.has(m.author_id) || ourCoderIds.has(m.author_id)) ? m.author_id : null;
    plan.memos.push({ ...m, author_id: author, ourTargetId: target });
  }

  preview.add.counts.coders = plan.coders.length;
  preview.add.counts.codes = plan.codes.length;
  preview.add.counts.documents = plan.documents.length;
  preview.add.counts.segments = plan.segments.length;
  preview.add.counts.memos = plan.memos.length;
  preview.existing.counts.coders = preview.existing.coders.length;
  preview.existing.counts.codes = preview.existing.codes.length;
  preview.existing.counts.documents = preview.existing.documents.length;
  return plan;
}

function isLexicalJson(s: string): boolean {
  try {
    const v = JSON.parse(s) as { root?: unknown };
    return typeof v === 'object' && v !== null && typeof v.root === 'object';
  } catch {
    return false;
  }
}

/** Writes a plan inside the caller's transaction (one undoable action). */
async function applyPlan(tx: Tx, plan: Plan): Promise<void> {
  for (const c of plan.coders) await tx.insert('coders', { id: c.id, name: c.name.trim() || 'coder', created_at: c.created_at });
  let i = 0;
  for (const { their, parentId } of plan.codes) {
    const order = await tx.get<{ n: number }>(`SELECT ifnull(max(sort_order), 0) + 1 AS n FROM codes WHERE ifnull(parent_id, '') = ifnull(?, '')`, [parentId]);
    await tx.insert('codes', {
      id: their.id,
      parent_id: parentId,
      name: their.name.trim() || 'unnamed code',
      description: their.description,
      color: validColor(their.color, i++),
      // Shortcuts are personal: a merged code never takes one of ours.
      shortcut: null,
      sort_order: order?.n ?? 1,
      created_at: their.created_at || new Date().toISOString(),
    });
  }
  for (const u of plan.codeUpdates) await tx.update('codes', { id: u.id }, { description: u.description, color: u.color });
  for (const d of plan.documents) {
    const order = await tx.get<{ n: number }>(`SELECT ifnull(max(sort_order), 0) + 1 AS n FROM documents`);
    const importer = d.their.imported_by && (await tx.get(`SELECT 1 FROM coders WHERE id = ?`, [d.their.imported_by])) ? d.their.imported_by : null;
    await tx.insert('documents', {
      id: d.id,
      name: d.their.name.trim() || 'Untitled',
      text: d.text,
      text_sha256: d.hash,
      length: d.length,
      source_name: d.their.source_name,
      source_format: d.their.source_format,
      source_encoding: d.their.source_encoding,
      imported_at: d.their.imported_at,
      imported_by: importer,
      sort_order: order?.n ?? 1,
    });
  }
  for (const v of plan.values) {
    const variable = await ensureVariable(tx, v.name, v.type);
    let encoded: string | null;
    try {
      encoded = encodeValue(variable, decodeValue(v.type, v.value));
    } catch {
      // Their value does not fit our variable's type: keep it out rather than store nonsense.
      continue;
    }
    if (encoded !== null) await tx.insert('document_values', { document_id: v.documentId, variable_id: variable.id, value: encoded });
  }
  for (const s of plan.segments) {
    await tx.insert('segments', {
      id: s.id,
      document_id: s.ourDocumentId,
      code_id: s.ourCodeId,
      coder_id: s.coder_id,
      start: s.start,
      end: s.end,
      created_at: s.created_at,
      updated_at: s.updated_at,
    });
  }
  for (const m of plan.memos) {
    await tx.insert('memos', {
      id: m.id,
      target_kind: m.target_kind,
      target_id: m.ourTargetId,
      author_id: m.author_id,
      title: m.title,
      content: isLexicalJson(m.content) ? m.content : lexicalFromPlain(m.text),
      text: m.text,
      created_at: m.created_at,
      updated_at: m.updated_at,
    });
  }
}

/** `<project>.backup-<timestamp>.marginalia` beside the project, never overwriting one. */
export function backupPath(projectPath: string, now = new Date()): string {
  const stem = basename(projectPath).replace(/\.marginalia$/i, '');
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let candidate = join(dirname(projectPath), `${stem}.backup-${stamp}.marginalia`);
  for (let n = 2; existsSync(candidate); n++) candidate = join(dirname(projectPath), `${stem}.backup-${stamp}-${n}.marginalia`);
  return candidate;
}

/**
 * A complete, consistent copy of the open project (SQLite VACUUM INTO writes a fresh
 * database from one read snapshot, WAL included). Returns the backup's path.
 */
export async function backupProject(db: ProjectDb, projectPath: string): Promise<string> {
  const target = backupPath(projectPath);
  // Written under a temporary name and renamed: a merge killed mid-backup never leaves a
  // partial file that looks like a backup.
  const tmp = tempBeside(target, 'backing-up');
  try {
    await db.copyTo(tmp);
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new MarginaliaError('io', `Could not write the backup ${basename(target)} beside the project (${(err as Error).message}); nothing was merged. Check there is free space and the folder is writable.`);
  }
  return target;
}

export async function previewMerge(db: ProjectDb, other: OtherProject, choices: Choices = {}): Promise<MergePreview> {
  return (await db.read((r) => planMerge(r, other, choices))).preview;
}

/**
 * Merges a colleague's project: backup first, then one undoable action. The plan is worked
 * out again inside the transaction, so what is written matches the project as it is now.
 */
export async function applyMerge(db: ProjectDb, projectPath: string, other: OtherProject, choices: Choices, coderId: string | null): Promise<MergeResult> {
  for (const [key, value] of Object.entries(choices)) {
    const ok = key.startsWith('code:') ? value === 'keep-mine' || value === 'take-theirs' : key.startsWith('document:') ? value === 'add' || value === 'skip' : false;
    if (!ok) throw new MarginaliaError('invalid_input', `choices.${key}: "${value}" is not a choice here (codes: keep-mine or take-theirs; documents: add or skip).`);
  }
  const backup = await backupProject(db, projectPath);
  const preview = await db.action({ kind: 'team.merge', summary: `Merge ${other.file}`, coderId }, async (tx) => {
    const plan = await planMerge(tx, other, choices);
    await applyPlan(tx, plan);
    return plan.preview;
  });
  return { ...preview, backup: basename(backup), applied: true };
}
