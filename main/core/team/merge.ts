import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, renameSync, rmSync } from 'node:fs';
import { tempBeside, tempFolder } from '../files/temp-files';
import { basename, dirname, join } from 'node:path';
import { inspectProjectFile, openProjectDb } from '../db/open';
import type { ProjectDb, Reader, Tx } from '../db/project-db';
import { MarginaliaError } from '../errors';
import { COLOR_RE, PALETTE, createCode, describeCode, firstFreeName, listCodes, recolorCode, repairCodeName } from '../codebook/codebook';
import { createCoder, type NewCoder } from '../coders/coders';
import { createSegments, spanProblem, type NewSegment, type SegmentRecord } from '../coding/segments';
import { addDocuments, decodeValue, encodeValue, ensureVariable, type VariableType } from '../documents/documents';
import { createMemos, emptyMemoProblem, type MemoTargetKind, type NewMemo } from '../memos/memos';
import { addToSet, createSet } from '../documents/sets';
import { pruneMergeBackups } from '../project/backup';
import { mapOffset, normaliseWithMap } from '../exchange/offset-map';
import { codePointLength, countUncarried, sha256 } from '../text/normalise';

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
/** Their segments as stored. */
type TheirSegment = SegmentRecord;
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
/** A document set of theirs, with its members (their document ids). */
interface TheirSet {
  id: string;
  name: string;
  description: string;
  created_at: string;
  members: string[];
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
  sets: TheirSet[];
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
    db = await openProjectDb(copy, { backgroundCheckOver: Infinity });
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
      sets: await readSets(r),
    }));
  } catch (err) {
    if (err instanceof MarginaliaError) throw err;
    throw new MarginaliaError('not_a_project', `${displayName} could not be read as a Marginalia project (${(err as Error).message}). Nothing was merged.`);
  } finally {
    await db?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function readSets(r: Reader): Promise<TheirSet[]> {
  const sets = await r.all<Omit<TheirSet, 'members'>>(`SELECT id, name, description, created_at FROM document_sets ORDER BY name COLLATE NOCASE, id`);
  const members = new Map<string, string[]>(sets.map((x) => [x.id, []]));
  for (const m of await r.all<{ set_id: string; document_id: string }>(`SELECT set_id, document_id FROM document_set_members`)) members.get(m.set_id)?.push(m.document_id);
  return sets.map((x) => ({ ...x, members: members.get(x.id) ?? [] }));
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
  /** Document sets: new here (add), or theirs that match one here by id or name (existing). */
  sets: number;
  /** Documents put into a set (new sets' and existing sets' new members). */
  set_members: number;
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

const zeroCounts = (): MergeCounts => ({ documents: 0, codes: 0, coders: 0, segments: 0, memos: 0, attributes: 0, sets: 0, set_members: 0 });

interface PlannedCode {
  their: TheirCode;
  /** Their id, kept: merging the same file again recognises the code. */
  id: string;
  /** The name it gets here: their name under the code name rules, numbered if a sibling has it. */
  name: string;
  parentId: string | null;
  color: string;
  label: string;
}

interface PlannedDocument {
  their: TheirDocument;
  id: string;
  importedBy: string | null;
}

interface Plan {
  preview: MergePreview;
  coders: NewCoder[];
  codes: PlannedCode[];
  codeUpdates: { id: string; description: string; color: string | null }[];
  documents: PlannedDocument[];
  values: { documentId: string; name: string; type: VariableType; value: string }[];
  segments: (NewSegment & { id: string })[];
  memos: (NewMemo & { id: string })[];
  sets: PlannedSet[];
}

interface PlannedSet {
  /** The set here their set joins, or null for a new set (created with `id`). */
  existingId: string | null;
  id: string;
  name: string;
  description: string;
  /** Our document ids (before the write's own id changes) not yet in the set. */
  members: string[];
}

/** What a coder their file saved without a name is called here. */
const UNNAMED_CODER = 'Unnamed coder';

const validColor = (c: string, i: number) => (COLOR_RE.test(c) ? c.toLowerCase() : PALETTE[i % PALETTE.length]!);

const MEMO_KINDS: readonly string[] = ['project', 'document', 'code', 'segment'] satisfies MemoTargetKind[];

/** How one of their documents reads here: its text under the import rules, and the way offsets move. */
interface TheirText {
  name: string;
  /** Code points of the text as their file stores it: their segments' offsets count these. */
  storedLength: number;
  text: string;
  length: number;
  hash: string;
  /** Their offset → ours. Identity for a text stored by Marginalia's rules. */
  at: (offset: number) => number;
  /** Control characters the import rules removed or made line breaks. */
  removedControls: number;
}

function theirText(td: TheirDocument, isHere: (hash: string) => boolean): TheirText {
  const storedLength = codePointLength(td.text);
  const storedHash = sha256(td.text);
  // A text this project holds exactly is that document, offsets and all. (Normalising is not
  // a no-op on every stored text: one that itself begins with U+FEFF would lose it.)
  if (isHere(storedHash)) {
    return { name: td.name, storedLength, text: td.text, length: storedLength, hash: storedHash, at: (offset) => offset, removedControls: 0 };
  }
  // Otherwise normalised exactly as an import would, with a map so their codings keep their words.
  const mapped = normaliseWithMap(td.text);
  // normaliseWithMap counts positions after a BOM; their offsets count the BOM itself.
  const bom = td.text.startsWith('\uFEFF') ? 1 : 0;
  return {
    name: td.name,
    storedLength,
    text: mapped.text,
    length: codePointLength(mapped.text),
    hash: sha256(mapped.text),
    at: (offset) => mapOffset(mapped, Math.max(0, offset - bom)),
    removedControls: countUncarried(td.text),
  };
}

/** Things left out, counted by reason, each with one example for the report. */
class LeftOut {
  private readonly reasons = new Map<string, { n: number; example: string }>();
  add(reason: string, example: string): void {
    const r = this.reasons.get(reason);
    if (r) r.n++;
    else this.reasons.set(reason, { n: 1, example });
  }
  messages(what: string, file: string): string[] {
    return [...this.reasons].map(([reason, { n, example }]) => `${n} ${what} of ${file} ${reason}; left out (for example ${example}).`);
  }
}

/**
 * Works out what merging `other` into the project would do, given the user's choices
 * (defaults where none is given). Reads only; `applyPlan` writes. Every row is held here to
 * the rules the core functions apply when `applyPlan` writes it (name rules, span checks,
 * duplicate rules), using the same rule functions, so the preview says what will happen.
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
  const plan: Plan = { preview, coders: [], codes: [], codeUpdates: [], documents: [], values: [], segments: [], memos: [], sets: [] };
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
    // A coder needs a name; one saved without is still a person whose codings count.
    const name = c.name.trim() || UNNAMED_CODER;
    plan.coders.push({ id: c.id, name, createdAt: c.created_at });
    const item: MergeItem = { id: c.id, label: name };
    if (name !== c.name.trim()) item.note = `had no name in ${other.file}`;
    preview.add.coders.push(item);
    const twin = ourCoders.find((o) => o.name.trim().toLowerCase() === name.toLowerCase());
    if (twin) {
      preview.same_name_coders.push({ name, their_id: c.id, our_id: twin.id });
      item.note = `another coder here is also named "${twin.name}"; they stay two coders (rename one to tell them apart)`;
    }
  }

  // Codes: by id, then by path (the same name under the matched parent), parents first. Their
  // names pass the codebook's name rules first: "/" and empty names are repaired, and a code
  // whose name a sibling here already has (in another case, or taken by another of their
  // codes) is numbered, as the codebook keeps sibling names unique regardless of case.
  const ourCodes = await r.all<{ id: string; parent_id: string | null; name: string; description: string; color: string }>(
    `SELECT id, parent_id, name, description, color FROM codes`,
  );
  const ourCodeById = new Map(ourCodes.map((c) => [c.id, c]));
  const ourPaths = new Map((await listCodes(r)).map((c) => [c.id, c.path]));
  const theirIds = new Set(other.codes.map((c) => c.id));
  // Our codes their file has under the same id: they are those codes, and no other of theirs.
  const claimed = new Set(ourCodes.filter((c) => theirIds.has(c.id)).map((c) => c.id));
  const siblings = new Map<string, Set<string>>();
  const siblingNames = (parentId: string | null): Set<string> => {
    let names = siblings.get(parentId ?? '');
    if (!names) {
      names = new Set(ourCodes.filter((c) => (c.parent_id ?? '') === (parentId ?? '')).map((c) => c.name.toLowerCase()));
      siblings.set(parentId ?? '', names);
    }
    return names;
  };
  const codeMap = new Map<string, string>();
  const addedPaths = new Map<string, string>();
  for (const tc of other.codes) {
    const parentId = tc.parent_id === null ? null : (codeMap.get(tc.parent_id) ?? null);
    const repaired = repairCodeName(tc.name);
    const byId = ourCodeById.get(tc.id);
    const byPath = byId
      ? undefined
      : ourCodes.find((c) => (c.parent_id ?? '') === (parentId ?? '') && !claimed.has(c.id) && c.name.toLowerCase() === repaired.name.toLowerCase());
    const ours = byId ?? byPath;
    if (!ours) {
      const names = siblingNames(parentId);
      const name = firstFreeName(repaired.name, (candidate) => names.has(candidate.toLowerCase()));
      names.add(name.toLowerCase());
      const parentPath = parentId === null ? '' : (ourPaths.get(parentId) ?? addedPaths.get(parentId) ?? '');
      const label = parentPath ? `${parentPath}/${name}` : name;
      addedPaths.set(tc.id, label);
      codeMap.set(tc.id, tc.id);
      plan.codes.push({ their: tc, id: tc.id, name, parentId, color: validColor(tc.color, plan.codes.length), label });
      const notes = repaired.repairs.map((x) => x.message);
      if (name !== repaired.name) notes.push(`a sibling code is already named "${repaired.name}" (names of sibling codes differ in more than case), so it is called "${name}"`);
      preview.add.codes.push({ id: tc.id, label, ...(notes.length ? { note: `"${tc.path}" in ${other.file}: ${notes.join('; ')}` } : {}) });
      continue;
    }
    claimed.add(ours.id);
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
        // A colour that is not one (a damaged file) leaves ours as it is.
        const color = COLOR_RE.test(tc.color) && theirColor !== ours.color.toLowerCase() ? theirColor : null;
        plan.codeUpdates.push({ id: ours.id, description: tc.description, color });
      }
    }
  }

  // Documents: by the hash of their text as an import would store it, whatever they are
  // called. A text stored by other rules (an older version kept control characters) is
  // normalised as at import, and its codings move with their words.
  const ourDocs = await r.all<{ id: string; name: string; text_sha256: string }>(`SELECT id, name, text_sha256 FROM documents`);
  const ourByHash = new Map<string, { id: string; name: string }>();
  for (const d of ourDocs) if (!ourByHash.has(d.text_sha256)) ourByHash.set(d.text_sha256, d);
  const ourDocIds = new Set(ourDocs.map((d) => d.id));
  const docMap = new Map<string, string>();
  const texts = new Map<string, TheirText>();
  const segCount = new Map<string, number>();
  for (const s of other.segments) segCount.set(s.document_id, (segCount.get(s.document_id) ?? 0) + 1);
  const addedHashes = new Set<string>();
  for (const td of other.documents) {
    const t = theirText(td, (hash) => ourByHash.has(hash));
    if (t.text.trim() === '') {
      preview.skipped.push(`Document "${td.name}" of ${other.file} has no text; left out with its codings.`);
      continue;
    }
    texts.set(td.id, t);
    const normalised =
      t.removedControls > 0
        ? `${t.removedControls} control character(s) its text held were removed, as at import; its codings were moved to match`
        : t.text !== td.text
          ? 'its text was normalised as at import (line ends, Unicode NFC); its codings were moved to match'
          : null;
    const ours = ourByHash.get(t.hash);
    if (ours) {
      docMap.set(td.id, ours.id);
      const notes = [...(ours.name !== td.name ? [`named "${td.name}" in ${other.file}`] : []), ...(normalised ? [normalised] : [])];
      preview.existing.documents.push({ id: ours.id, label: ours.name, ...(notes.length ? { note: notes.join('; ') } : {}) });
      continue;
    }
    if (addedHashes.has(t.hash)) {
      preview.skipped.push(`Document "${td.name}" of ${other.file} repeats the text of another of its documents; left out.`);
      continue;
    }
    const key = `document:${td.id}`;
    const n = segCount.get(td.id) ?? 0;
    preview.conflicts.push({
      id: key,
      kind: 'document',
      label: td.name,
      detail: `not in this project (${t.length} characters, ${n} coded segment${n === 1 ? '' : 's'} in ${other.file})`,
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
    addedHashes.add(t.hash);
    // Ids are kept so that merging the same file again recognises everything.
    const id = ourDocIds.has(td.id) ? randomUUID() : td.id;
    docMap.set(td.id, id);
    const importer = td.imported_by !== null && (ourCoderIds.has(td.imported_by) || theirCoderIds.has(td.imported_by)) ? td.imported_by : null;
    plan.documents.push({ their: td, id, importedBy: importer });
    preview.add.documents.push({ id, label: td.name.trim() || 'Untitled', ...(normalised ? { note: normalised } : {}) });
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

  // Segments: by id; an identical segment under another id is the same coding too (the
  // duplicate rule createSegments applies). Spans are checked against their text as stored,
  // then moved onto ours and checked again, by the coding screen's span rule.
  const ourSegs = await r.all<{ id: string; document_id: string; code_id: string; coder_id: string; start: number; end: number }>(
    `SELECT id, document_id, code_id, coder_id, start, end FROM segments ORDER BY created_at, id`,
  );
  const ourSegIds = new Set(ourSegs.map((s) => s.id));
  const codings = new Map<string, string>();
  for (const s of ourSegs) {
    const key = codingKey(s.document_id, s.code_id, s.coder_id, s.start, s.end);
    if (!codings.has(key)) codings.set(key, s.id);
  }
  // Their segment id → the segment it is here (added or already there), for memos on it.
  const segMap = new Map<string, string>();
  const leftOutSegments = new LeftOut();
  let notMerged = 0;
  for (const s of other.segments) {
    const ourDoc = docMap.get(s.document_id);
    const t = texts.get(s.document_id);
    if (!ourDoc || !t) {
      notMerged++;
      continue;
    }
    const ourCode = codeMap.get(s.code_id);
    if (!ourCode || !theirCoderIds.has(s.coder_id)) {
      leftOutSegments.add('name a code or coder their file does not have', `[${s.start}, ${s.end}) in "${t.name}"`);
      continue;
    }
    const theirs = spanProblem({ name: t.name, length: t.storedLength }, s.start, s.end);
    if (theirs) {
      leftOutSegments.add('are not passages of their documents', theirs.message);
      continue;
    }
    const start = t.at(s.start);
    const end = t.at(s.end);
    if (spanProblem({ name: t.name, length: t.length }, start, end)) {
      leftOutSegments.add('cover only characters that the import rules remove', `[${s.start}, ${s.end}) in "${t.name}"`);
      continue;
    }
    const key = codingKey(ourDoc, ourCode, s.coder_id, start, end);
    const same = ourSegIds.has(s.id) ? s.id : codings.get(key);
    if (same !== undefined) {
      segMap.set(s.id, same);
      preview.existing.counts.segments++;
      continue;
    }
    codings.set(key, s.id);
    segMap.set(s.id, s.id);
    plan.segments.push({ id: s.id, documentId: ourDoc, codeId: ourCode, coderId: s.coder_id, start, end, createdAt: s.created_at, updatedAt: s.updated_at });
  }
  preview.skipped.push(...leftOutSegments.messages('segment(s)', other.file));
  if (notMerged > 0) preview.skipped.push(`${notMerged} segment(s) of ${other.file} belong to documents that are not merged.`);

  // Memos: by id, with their author; a memo whose target is not merged stays out.
  const ourMemoIds = new Set((await r.all<{ id: string }>(`SELECT id FROM memos`)).map((m) => m.id));
  const leftOutMemos = new LeftOut();
  for (const m of other.memos) {
    if (ourMemoIds.has(m.id)) {
      preview.existing.counts.memos++;
      continue;
    }
    const kind = MEMO_KINDS.includes(m.target_kind) ? (m.target_kind as MemoTargetKind) : null;
    const targets = kind === 'document' ? docMap : kind === 'code' ? codeMap : kind === 'segment' ? segMap : null;
    const target = kind === 'project' ? null : m.target_id && targets ? targets.get(m.target_id) : undefined;
    const example = `"${m.title || m.text.slice(0, 40)}"`;
    if (target === undefined) {
      leftOutMemos.add(`are on a ${kind ?? 'thing'} that is not merged`, example);
      continue;
    }
    if (emptyMemoProblem(m)) {
      leftOutMemos.add('have neither text nor a title', `the memo on a ${kind}`);
      continue;
    }
    const author = m.author_id !== null && (theirCoderIds.has(m.author_id) || ourCoderIds.has(m.author_id)) ? m.author_id : null;
    plan.memos.push({
      id: m.id,
      kind: kind!,
      targetId: target,
      authorId: author,
      title: m.title,
      text: m.text,
      content: m.content,
      createdAt: m.created_at,
      updatedAt: m.updated_at,
    });
  }
  preview.skipped.push(...leftOutMemos.messages('memo(s)', other.file));

  // Document sets: by id, else by name (a set called "RT" here is their "RT"); members follow
  // their documents onto ours, and only documents merged or already here join.
  const ourSets = await r.all<{ id: string; name: string }>(`SELECT id, name FROM document_sets`);
  const ourSetById = new Map(ourSets.map((x) => [x.id, x]));
  const ourSetByName = new Map(ourSets.map((x) => [x.name.trim().toLowerCase(), x]));
  for (const ts of other.sets) {
    const name = ts.name.trim();
    if (!name) continue;
    const ours = ourSetById.get(ts.id) ?? ourSetByName.get(name.toLowerCase()) ?? null;
    const already = new Set(
      ours ? (await r.all<{ document_id: string }>(`SELECT document_id FROM document_set_members WHERE set_id = ?`, [ours.id])).map((m) => m.document_id) : [],
    );
    const members = [...new Set(ts.members.map((d) => docMap.get(d)).filter((d): d is string => d !== undefined && !already.has(d)))];
    if (ours) {
      preview.existing.counts.sets++;
      if (members.length === 0) continue;
    }
    plan.sets.push({ existingId: ours?.id ?? null, id: ts.id, name, description: ts.description, members });
    preview.add.counts.set_members += members.length;
  }
  preview.add.counts.sets = plan.sets.filter((x) => x.existingId === null).length;

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

const codingKey = (documentId: string, codeId: string, coderId: string, start: number, end: number): string =>
  `${documentId}\u0000${codeId}\u0000${coderId}\u0000${start}\u0000${end}`;

/** What the core functions refused while writing, taken out of the "to add" report. */
function refusedWhileWriting(preview: MergePreview, what: keyof MergeCounts, items: MergeItem[] | null, id: string, message: string): void {
  preview.add.counts[what]--;
  if (items) {
    const i = items.findIndex((x) => x.id === id);
    if (i >= 0) items.splice(i, 1);
  }
  preview.skipped.push(message);
}

/**
 * Writes a plan inside the caller's transaction (one undoable action), every row through
 * the core function the UI's handlers use: createCoder, createCode, describeCode and
 * recolorCode, addDocuments, createSegments (duplicates skipped), createMemos. The plan
 * already holds every row to their rules; should one still refuse a row, it is left out
 * and the report says so, rather than the row being written raw. Ids a core function had to
 * change are followed into the rows that point at them.
 */
async function applyPlan(tx: Tx, plan: Plan): Promise<void> {
  const { preview } = plan;
  const file = preview.source.file;
  for (const c of plan.coders) await createCoder(tx, c);

  const codeIds = new Map<string, string>();
  for (const c of plan.codes) {
    try {
      const id = await createCode(tx, {
        id: c.id,
        name: c.name,
        parentId: c.parentId === null ? null : (codeIds.get(c.parentId) ?? c.parentId),
        color: c.color,
        description: c.their.description,
        // Shortcuts are personal: a merged code never takes one of ours.
        shortcut: null,
        createdAt: c.their.created_at,
      });
      codeIds.set(c.id, id);
    } catch (err) {
      if (!(err instanceof MarginaliaError)) throw err;
      refusedWhileWriting(preview, 'codes', preview.add.codes, c.id, `Code "${c.label}" of ${file} was left out with its codings: ${err.message}`);
    }
  }
  for (const u of plan.codeUpdates) {
    await describeCode(tx, u.id, u.description);
    if (u.color !== null) await recolorCode(tx, u.id, u.color);
  }

  const docIds = new Map<string, string>();
  const added = await addDocuments(
    tx,
    plan.documents.map((d) => ({
      id: d.id,
      name: d.their.name,
      text: d.their.text,
      sourceName: d.their.source_name,
      sourceFormat: d.their.source_format,
      sourceEncoding: d.their.source_encoding,
      importedAt: d.their.imported_at,
      importedBy: d.importedBy,
    })),
  );
  for (const [i, result] of added.entries()) {
    const d = plan.documents[i]!;
    if (result.status === 'imported') docIds.set(d.id, result.id);
    else if (result.status === 'duplicate') {
      docIds.set(d.id, result.duplicateOf.id);
      refusedWhileWriting(preview, 'documents', preview.add.documents, d.id, `Document "${d.their.name}" of ${file} has the text of "${result.duplicateOf.name}" here; its codings went to that one.`);
    } else refusedWhileWriting(preview, 'documents', preview.add.documents, d.id, `Document "${d.their.name}" of ${file} was left out with its codings: ${result.reason}`);
  }
  const docId = (id: string) => docIds.get(id) ?? id;

  for (const v of plan.values) {
    const variable = await ensureVariable(tx, v.name, v.type);
    let encoded: string | null;
    try {
      encoded = encodeValue(variable, decodeValue(v.type, v.value));
    } catch {
      // Their value does not fit our variable's type: keep it out rather than store nonsense.
      continue;
    }
    if (encoded !== null) await tx.insert('document_values', { document_id: docId(v.documentId), variable_id: variable.id, value: encoded });
  }

  const segments = plan.segments.map((s) => ({ ...s, documentId: docId(s.documentId), codeId: codeIds.get(s.codeId) ?? s.codeId }));
  const written = await createSegments(tx, segments, { duplicates: 'skip' });
  const segIds = new Map<string, string>();
  const refusedSegments = new LeftOut();
  for (const [i, result] of written.entries()) {
    const s = segments[i]!;
    if (result.status === 'refused') {
      preview.add.counts.segments--;
      refusedSegments.add('were refused by the coding rules', result.error.message);
      continue;
    }
    segIds.set(s.id, result.id);
    if (result.status === 'duplicate') {
      preview.add.counts.segments--;
      preview.existing.counts.segments++;
    }
  }
  preview.skipped.push(...refusedSegments.messages('segment(s)', file));

  const memos = plan.memos.map((m) => {
    const ids = m.kind === 'document' ? docIds : m.kind === 'code' ? codeIds : m.kind === 'segment' ? segIds : null;
    return { ...m, targetId: m.targetId === null || !ids ? m.targetId : (ids.get(m.targetId) ?? m.targetId) };
  });
  const refusedMemos = new LeftOut();
  for (const result of await createMemos(tx, memos)) {
    if (result.status === 'created') continue;
    preview.add.counts.memos--;
    refusedMemos.add('were refused by the memo rules', result.error.message);
  }
  preview.skipped.push(...refusedMemos.messages('memo(s)', file));

  for (const ps of plan.sets) {
    const id = ps.existingId ?? (await createSet(tx, { id: ps.id, name: ps.name, description: ps.description, createdBy: null }));
    await addToSet(tx, id, ps.members.map(docId));
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
  // Backups of merges before the last few go: each is a full copy of the project.
  pruneMergeBackups(projectPath);
  return { ...preview, backup: basename(backup), applied: true };
}
