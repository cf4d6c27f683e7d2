import type { ProjectDb, Tx } from '../db/project-db';
import { createCode, firstFreeName } from '../codebook/codebook';
import { createCoder, findOrCreateCoder } from '../coders/coders';
import { addDocuments, encodeValue, ensureVariable, type AttributeValue, type NewDocument, type Variable, type VariableType } from '../documents/documents';
import { createSegments, type NewSegment } from '../coding/segments';
import { addToSet, createSet } from '../documents/sets';
import { createMemos, type MemoTargetKind, type NewMemo } from '../memos/memos';
import { existingIds } from '../db/in-chunks';
import { projectInfo } from '../project/info';
import { CodePointIndex, codePointLength } from '../text/normalise';
import { isZip } from '../import/limits';
import { readArchiveInSandbox } from '../sandbox/sandbox';
import { derivedGuid } from './xml';
import { describeMemos } from './refi-memos';
import {
  decodeXmlReferences,
  readExchange,
  replayTally,
  type FileCode,
  type FileCoding,
  type FileDocument,
  type FileProject,
  type Tally,
  type FileSet,
} from './qdpx-read';
import type { PositionUnit } from './offset-map';

export { decodeXmlReferences };

/** One kind of thing that was left out or changed on the way in, with how many. */
export interface ReportItem {
  what: string;
  count: number;
  detail: string;
}

/** One item of the file found in the project and used instead of a new one, and by what it was found. */
export interface ExchangeMatch {
  kind: 'coder' | 'code' | 'document' | 'set';
  /** Its name (a code: its path) in the file. */
  file: string;
  /** The name (path) of the project's item it matched. */
  project: string;
  by: 'id' | 'name' | 'path' | 'text';
}

/** What a REFI-QDA import brought in, matched to what the project had, converted or dropped. */
export interface ExchangeImportReport {
  file: string;
  format: 'qdpx' | 'qdc' | 'qde';
  /** The program that wrote the file, as it says ("ATLAS.ti for Windows 23.2.3"). */
  origin: string | null;
  projectName: string | null;
  /**
   * How the file's positions were read, when it mattered (a text with characters beyond
   * U+FFFF): as code points, the REFI-QDA unit, or as UTF-16 units, as NVivo writes them;
   * `reason` says why. Null when both readings agree.
   */
  positions: { unit: PositionUnit; reason: string } | null;
  imported: { coders: number; codes: number; documents: number; segments: number; memos: number; attributeValues: number; sets: number };
  /** Already in the project (by id, then name, path or text) and reused; each one is in `matches`. */
  matched: { coders: number; codes: number; documents: number };
  matches: ExchangeMatch[];
  converted: ReportItem[];
  dropped: ReportItem[];
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A GUID of the file as an id to keep: Marginalia's ids are UUIDs. */
const keptId = (guid: string): string | undefined => (UUID_RE.test(guid) ? guid : undefined);

export function isExchangeFile(path: string): boolean {
  return /\.(qdpx|qdc|qde)$/i.test(path);
}

function isoTime(value: string | undefined, fallback: string): string {
  if (!value) return fallback;
  const t = Date.parse(value);
  return Number.isNaN(t) ? fallback : new Date(t).toISOString();
}

class Report implements Tally {
  readonly r: ExchangeImportReport;
  constructor(file: string, format: ExchangeImportReport['format']) {
    this.r = {
      file,
      format,
      origin: null,
      projectName: null,
      positions: null,
      imported: { coders: 0, codes: 0, documents: 0, segments: 0, memos: 0, attributeValues: 0, sets: 0 },
      matched: { coders: 0, codes: 0, documents: 0 },
      matches: [],
      converted: [],
      dropped: [],
    };
  }
  private add(items: ReportItem[], what: string, detail: string, count = 1): void {
    if (count <= 0) return;
    const found = items.find((x) => x.what === what);
    if (found) found.count += count;
    else items.push({ what, count, detail });
  }
  dropped(what: string, detail: string, count = 1): void {
    this.add(this.r.dropped, what, detail, count);
  }
  converted(what: string, detail: string, count = 1): void {
    this.add(this.r.converted, what, detail, count);
  }
  match(m: ExchangeMatch): void {
    this.r.matches.push(m);
    this.r.matched[`${m.kind}s` as 'coders' | 'codes' | 'documents']++;
  }
}

const VARIABLE_TYPES: Record<string, VariableType> = { text: 'text', boolean: 'boolean', integer: 'number', float: 'number', date: 'date', datetime: 'text' };

/** Where a memo of the file lands in the project. */
interface Target {
  kind: MemoTargetKind;
  id: string | null;
}
const PROJECT: Target = { kind: 'project', id: null };
const targetKey = (t: Target): string => `${t.kind}:${t.id ?? ''}`;

/**
 * Writes what a FileProject holds through the core functions the app itself uses: coders by
 * createCoder, codes by createCode after the name rules, documents by addDocuments, segments
 * by createSegments with the duplicate rule, memos by createMemos. Each is matched to the
 * project first: by id, then by name (coders), path (codes) or text (documents).
 */
class Writer {
  private readonly coders = new Map<string, string>();
  private readonly codes = new Map<string, string>();
  /** File GUID → where it landed: a document, a segment, a code; absent when not imported. */
  private readonly targets = new Map<string, Target>();
  private readonly variables = new Map<string, Variable>();
  /** The project's id of each document of the file that was imported or matched. */
  private readonly docIds = new Map<FileDocument, string>();
  /** Documents this import added: no coding of the project can be on them yet. */
  private readonly added = new Set<string>();
  private readonly now = new Date().toISOString();
  private fallbackId: string | null = null;

  constructor(
    private readonly tx: Tx,
    private readonly report: Report,
    private readonly fallbackName: string,
  ) {}

  /** The person importing, for items the file attributes to no known user; added only when needed. */
  private async fallback(): Promise<string> {
    if (this.fallbackId) return this.fallbackId;
    const had = await this.tx.get(`SELECT 1 FROM coders WHERE name = ?`, [this.fallbackName.trim()]);
    const coder = await findOrCreateCoder(this.tx, this.fallbackName);
    if (!had) this.report.r.imported.coders++;
    return (this.fallbackId = coder.id);
  }

  private async coderOf(...guids: Array<string | undefined>): Promise<string> {
    for (const g of guids) {
      const id = g ? this.coders.get(g.trim().replace(/^\{|\}$/g, '').toLowerCase()) : undefined;
      if (id) return id;
    }
    return this.fallback();
  }

  /** Users: by id, then by the name of a coder the project had before this import. Two users of one file stay two coders. */
  async users(users: FileProject['users']): Promise<void> {
    const before = await this.tx.all<{ id: string; name: string }>(`SELECT id, name FROM coders ORDER BY created_at, id`);
    const byId = new Map(before.map((c) => [c.id, c]));
    for (const u of users) {
      const same = byId.get(u.guid);
      const named = same ? undefined : before.find((c) => c.name === u.name);
      const found = same ?? named;
      if (found) {
        this.coders.set(u.guid, found.id);
        this.report.match({ kind: 'coder', file: u.name, project: found.name, by: same ? 'id' : 'name' });
        continue;
      }
      const coder = await createCoder(this.tx, { id: keptId(u.guid), name: u.name });
      this.coders.set(u.guid, coder.id);
      this.report.r.imported.coders++;
    }
  }

  /**
   * Codes, parents first: by id, then by path (a sibling of the same name, case aside, that no
   * other code of the file has taken). Sibling names are unique regardless of case, so of two
   * codes of the file whose names differ only in case the later becomes "name (2)"; the same
   * numbering finds "name (2)" again when the file is imported twice.
   */
  async codeTree(codes: FileCode[], parentId: string | null, filePath: string, claimed: Set<string>): Promise<void> {
    const siblings = await this.tx.all<{ id: string; name: string }>(`SELECT id, name FROM codes WHERE ifnull(parent_id, '') = ifnull(?, '')`, [parentId]);
    const names = new Set(siblings.map((s) => s.name.toLowerCase()));
    /** Names (lower case) the file's codes hold under this parent. */
    const held = new Set<string>();
    for (const c of codes) {
      for (const r of c.repairs) {
        if (r.kind === 'no-name') this.report.converted('code without a name', `named "Unnamed code"`);
        else this.report.converted('code name with "/"', '"/" separates levels of a code path in Marginalia, so it became "-"');
      }
      const byId = c.guid && !claimed.has(c.guid) ? await this.tx.get<{ id: string; name: string }>(`SELECT id, name FROM codes WHERE id = ?`, [c.guid]) : undefined;
      const wanted = firstFreeName(c.name, (n) => held.has(n.toLowerCase()));
      const byPath = byId ? undefined : siblings.find((s) => s.name.toLowerCase() === wanted.toLowerCase() && !claimed.has(s.id));
      const found = byId ?? byPath;
      let id: string;
      let name: string;
      if (found) {
        id = found.id;
        name = found.name;
        this.report.match({ kind: 'code', file: filePath ? `${filePath}/${c.written}` : c.written, project: await this.pathOf(id), by: byId ? 'id' : 'path' });
      } else {
        name = firstFreeName(wanted, (n) => names.has(n.toLowerCase()));
        id = await createCode(this.tx, { id: keptId(c.guid), name, parentId, color: c.color, description: c.description });
        names.add(name.toLowerCase());
        this.report.r.imported.codes++;
      }
      // Numbered apart from a sibling of the file (or of the project) whose name differs only in case.
      if (!byId && (found ? wanted !== c.name : name !== c.name)) {
        this.report.converted('code whose name differs from a sibling only in case', `renamed (for example "${c.name}" to "${name}"), as sibling codes need names that differ in more than case`);
      }
      held.add(name.toLowerCase());
      claimed.add(id);
      if (c.guid) {
        this.codes.set(c.guid, id);
        this.targets.set(c.guid, { kind: 'code', id });
      }
      if (!c.codable) this.report.converted('code that is not codable', 'imported as an ordinary code (Marginalia lets any code be applied)');
      await this.codeTree(c.children, id, filePath ? `${filePath}/${c.written}` : c.written, claimed);
    }
  }

  private async pathOf(id: string): Promise<string> {
    const row = await this.tx.get<{ path: string }>(
      `WITH RECURSIVE up(id, parent_id, path) AS (SELECT id, parent_id, name FROM codes WHERE id = ?
         UNION ALL SELECT c.id, c.parent_id, c.name || '/' || up.path FROM codes c JOIN up ON c.id = up.parent_id)
       SELECT path FROM up WHERE parent_id IS NULL`,
      [id],
    );
    return row?.path ?? id;
  }

  async variableDefs(defs: FileProject['variables']): Promise<void> {
    for (const v of defs) {
      if (!v.name) continue;
      const type = VARIABLE_TYPES[v.declared] ?? 'text';
      if (v.declared === 'datetime') this.report.converted('DateTime variable', `"${v.name}" became a text attribute (Marginalia dates have no time of day)`);
      this.variables.set(v.guid, await ensureVariable(this.tx, v.name, type));
    }
  }

  /** A document's attribute values that fit their attributes; the others are reported and left out. */
  private attributesOf(doc: FileDocument, fromCases: FileDocument['values']): Record<string, AttributeValue> {
    const out: Record<string, AttributeValue> = Object.create(null) as Record<string, AttributeValue>;
    for (const v of [...fromCases, ...doc.values]) {
      const variable = this.variables.get(v.variableGuid);
      if (!variable) {
        this.report.dropped('attribute value', 'its variable is not declared in the file');
        continue;
      }
      // A text value is kept as written, spaces included; typed values are read without them.
      const raw = !v.tag ? '' : v.tag === 'TextValue' ? v.value : v.value.trim();
      const value = v.tag === 'DateValue' ? raw.slice(0, 10) : raw;
      try {
        encodeValue(variable, value);
        out[variable.name] = value;
      } catch (err) {
        this.report.dropped('attribute value', `a value did not fit its attribute's type (for example in "${doc.name}": ${(err as Error).message})`);
      }
    }
    return out;
  }

  /**
   * Documents: by id (the same text under the same id), then by text, each project document
   * taken by one document of the file at most; the rest are added, two of the file with the
   * same text as two documents.
   */
  async documents(file: FileProject): Promise<FileDocument[]> {
    const byId = new Map(
      (await this.inChunks<{ id: string; name: string; text_sha256: string }>(file.documents.map((d) => d.guid), `SELECT id, name, text_sha256 FROM documents WHERE id IN`)).map((d) => [d.id, d]),
    );
    const byHash = new Map<string, Array<{ id: string; name: string }>>();
    for (const d of await this.inChunks<{ id: string; name: string; text_sha256: string }>(file.documents.map((d) => d.hash), `SELECT id, name, text_sha256 FROM documents WHERE text_sha256 IN`, 'ORDER BY sort_order, id')) {
      byHash.set(d.text_sha256, [...(byHash.get(d.text_sha256) ?? []), d]);
    }
    const claimed = new Set<string>();
    const fresh: Array<{ doc: FileDocument; input: NewDocument }> = [];
    const kept: FileDocument[] = [];
    for (const d of file.documents) {
      const same = byId.get(d.guid);
      const found = same && same.text_sha256 === d.hash && !claimed.has(same.id) ? same : byHash.get(d.hash)?.find((x) => !claimed.has(x.id));
      if (found) {
        claimed.add(found.id);
        this.place(d, found.id);
        kept.push(d);
        this.report.match({ kind: 'document', file: d.name, project: found.name, by: found === same ? 'id' : 'text' });
        continue;
      }
      const attributes = this.attributesOf(d, file.caseValues.get(d.guid) ?? []);
      fresh.push({
        doc: d,
        input: {
          id: keptId(d.guid),
          name: d.name,
          text: d.raw,
          sourceName: d.name,
          sourceFormat: d.fromRichText ? 'qdpx (docx)' : d.kind === 'pdf' ? 'qdpx (pdf)' : 'qdpx',
          sourceEncoding: 'utf-8',
          attributes,
          importedBy: await this.coderOf(d.creatingUser),
          importedAt: isoTime(d.created, this.now),
        },
      });
    }
    const results = await addDocuments(this.tx, fresh.map((f) => f.input), { duplicates: 'keep' });
    for (const [i, result] of results.entries()) {
      const { doc, input } = fresh[i]!;
      if (result.status === 'imported') {
        this.place(doc, result.id);
        this.added.add(result.id);
        kept.push(doc);
        this.report.r.imported.documents++;
        this.report.r.imported.attributeValues += Object.values(input.attributes ?? {}).filter((v) => v !== '' && v !== null).length;
        if (result.removedControls) this.report.converted('control character', 'removed from a document text, as no export format can carry it (positions after it were moved to match)', result.removedControls);
      } else {
        const reason = result.status === 'failed' ? result.reason : `the same text as "${result.duplicateOf.name}"`;
        this.report.dropped('document refused', `it broke a rule of the project (for example "${doc.name}": ${reason})`);
        const codings = doc.selections.reduce((n, s) => n + s.codings.length, 0) + doc.whole.length;
        this.report.dropped('coding on a document not imported', 'its document could not be imported', codings);
      }
    }
    return kept;
  }

  /**
   * The file's sets of sources as document sets. A set whose name the project already has
   * receives the file's members (importing the same file twice doubles nothing); codes and
   * notes in a set, and sources that were not imported, are reported as dropped.
   */
  async sets(sets: FileSet[]): Promise<void> {
    const documentOf = new Map<string, string>();
    for (const [g, t] of this.targets) if (t.kind === 'document' && t.id) documentOf.set(g, t.id);
    for (const set of sets) {
      const name = set.name.trim() || 'Unnamed set';
      if (!set.name.trim()) this.report.converted('set without a name', 'named "Unnamed set"');
      const there = await this.tx.get<{ id: string }>(`SELECT id FROM document_sets WHERE name = ? COLLATE NOCASE`, [name]);
      const id = there?.id ?? (await createSet(this.tx, { name, description: set.description, createdBy: null, id: keptId(set.guid) }));
      const members = set.sources.flatMap((g) => documentOf.get(g) ?? []);
      if (set.sources.length > members.length) this.report.dropped('set member', 'its source was not imported', set.sources.length - members.length);
      if (set.others) this.report.dropped('code or memo in a set', 'Marginalia sets hold documents', set.others);
      await addToSet(this.tx, id, members);
      if (there) this.report.match({ kind: 'set', file: set.name, project: name, by: 'name' });
      else this.report.r.imported.sets++;
    }
  }

  private place(d: FileDocument, id: string): void {
    this.docIds.set(d, id);
    for (const g of [d.guid, ...d.aliases]) this.targets.set(g, { kind: 'document', id });
  }

  private async inChunks<T>(values: string[], sql: string, tail = ''): Promise<T[]> {
    const unique = [...new Set(values.filter(Boolean))];
    const out: T[] = [];
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500);
      out.push(...(await this.tx.all<T>(`${sql} (${chunk.map(() => '?').join(',')}) ${tail}`, chunk)));
    }
    return out;
  }

  /** Every coding of the documents imported or matched, written in batches, with the duplicate rule where it can apply. */
  async segments(docs: FileDocument[]): Promise<void> {
    const batch: NewSegment[] = [];
    /** For each segment of the batch: the selection (GUID) it came from and the coding's GUID. */
    const origin: Array<{ selection: string | null; coding: string }> = [];
    const outside = { n: 0, example: '' };
    for (const d of docs) {
      const documentId = this.docIds.get(d)!;
      for (const sel of d.selections) {
        if (!sel.span) {
          if (sel.codings.length && !outside.example) outside.example = `[${sel.startRaw}, ${sel.endRaw}) in "${d.name}"`;
          outside.n += sel.codings.length;
          continue;
        }
        for (const [i, coding] of sel.codings.entries()) {
          const seg = await this.segmentOf(coding, documentId, sel.span, sel.creatingUser, sel.created, sel.modified, i === 0 ? sel.guid : coding.guid);
          if (!seg) continue;
          batch.push(seg);
          origin.push({ selection: sel.guid, coding: coding.guid });
        }
      }
      if (d.whole.length) {
        this.report.converted('coding of a whole document', 'became a segment spanning the whole text', d.whole.length);
        const length = codePointLength(d.mapped.text);
        for (const coding of d.whole) {
          const seg = await this.segmentOf(coding, documentId, { start: 0, end: length }, d.creatingUser, d.created, d.modified, coding.guid);
          if (!seg) continue;
          batch.push(seg);
          origin.push({ selection: null, coding: coding.guid });
        }
      }
    }
    this.report.dropped('coding whose positions are outside its text', `its positions lie outside its text or enclose nothing (for example ${outside.example})`, outside.n);
    // Codings on documents this import added cannot repeat the project's, so only those on
    // documents it matched are checked against the project (a lookup per hundred codings).
    const onAdded = batch.map((seg) => this.added.has(seg.documentId));
    const own = new Set<string>();
    const fresh = await createSegments(this.tx, batch.filter((_, i) => onAdded[i]), { duplicates: 'keep', ownSegments: own });
    const checked = await createSegments(this.tx, batch.filter((_, i) => !onAdded[i]), { duplicates: 'skip', ownSegments: own });
    let f = 0;
    let c = 0;
    const results = onAdded.map((a) => (a ? fresh[f++]! : checked[c++]!));
    const refused = new Map<string, number>();
    for (const [i, result] of results.entries()) {
      const o = origin[i]!;
      if (result.status === 'refused') {
        refused.set(result.error.message, (refused.get(result.error.message) ?? 0) + 1);
        continue;
      }
      if (result.status === 'created') this.report.r.imported.segments++;
      else this.report.dropped('coding already in the project', 'the same code, coder and span were already coded; not doubled');
      const target: Target = { kind: 'segment', id: result.id };
      if (o.coding) this.targets.set(o.coding, target);
      if (o.selection && !this.targets.has(o.selection)) this.targets.set(o.selection, target);
    }
    for (const [message, n] of refused) this.report.dropped('coding refused', `it broke a rule of the coding screen (${message})`, n);
    // A selection without a segment (no code, or none that came in) stands for its document.
    for (const d of docs) for (const sel of d.selections) if (!this.targets.has(sel.guid)) this.targets.set(sel.guid, this.targets.get(d.guid)!);
  }

  private async segmentOf(
    coding: FileCoding,
    documentId: string,
    span: { start: number; end: number },
    creatingUser: string | undefined,
    created: string | undefined,
    modified: string | undefined,
    id: string,
  ): Promise<NewSegment | null> {
    const codeId = this.codes.get(coding.codeGuid);
    if (!codeId) {
      this.report.dropped('coding of a code not in the file', 'it refers to a code the file does not define');
      return null;
    }
    const createdAt = isoTime(coding.created ?? created, this.now);
    return {
      // The selection's GUID names the first segment, so a Marginalia round trip keeps segment ids.
      id: keptId(id),
      documentId,
      codeId,
      coderId: await this.coderOf(coding.creatingUser, creatingUser),
      start: span.start,
      end: span.end,
      createdAt,
      updatedAt: isoTime(modified, createdAt),
    };
  }

  /**
   * Memos: every Note, on what its first NoteRef (or else a Link from it) points at, and every
   * Description that other programs use as a memo: a selection's (on its segment, or on the
   * document for a passage without a code), a source's, the project's. A memo on something
   * not imported is kept on the project, titled with what it was about. A Description that
   * repeats the Notes on the same item (Marginalia writes both) is those Notes, not a memo more.
   */
  async memos(file: FileProject, docs: FileDocument[], projectDescription: string): Promise<void> {
    const memos: Array<NewMemo & { conversion?: [string, string] }> = [];
    const on = new Map<string, Array<{ title: string; text: string }>>();
    const linked = new Set<number>();
    const known = await existingIds(this.tx, 'memos', file.notes.map((n) => n.guid).filter((g) => UUID_RE.test(g)));
    for (const n of file.notes) {
      if (!n.text.trim() && !n.title.trim()) {
        this.report.dropped('memo without text', 'it has neither text nor a title');
        continue;
      }
      if (n.hasDescription) this.report.converted('memo with a description', 'the description became the last paragraph of the memo');
      let target: Target | undefined;
      let conversion: [string, string] | undefined;
      const owner = file.noteOwners.get(n.guid);
      if (owner === null) target = PROJECT;
      else if (owner !== undefined) {
        target = this.targets.get(owner);
        if (!target) {
          const lost = file.lost.get(owner);
          conversion = lost ? ['memo on an item not imported', 'kept as a project memo'] : ['memo without a target', 'it points at nothing Marginalia imported, so it became a project memo'];
        }
      } else {
        const i = file.links.findIndex((l, k) => !linked.has(k) && l.origin === n.guid && this.targets.has(l.target));
        if (i >= 0) {
          linked.add(i);
          target = this.targets.get(file.links[i]!.target);
          this.report.converted('link from a memo', 'the memo was attached to what it links to');
        } else if (file.links.some((l) => l.origin === n.guid && file.lost.has(l.target))) conversion = ['memo on an item not imported', 'kept as a project memo'];
        else conversion = ['memo without a target', 'became a project memo'];
      }
      target ??= PROJECT;
      const key = targetKey(target);
      on.set(key, [...(on.get(key) ?? []), { title: n.title, text: n.text }]);
      const id = keptId(n.guid);
      if (id && known.has(id) && (await this.tx.get(`SELECT 1 FROM memos WHERE id = ? AND text = ?`, [id, n.text]))) {
        this.report.dropped('memo already in the project', 'the same memo was imported before; not doubled');
        continue;
      }
      const created = isoTime(n.created, this.now);
      memos.push({
        kind: target.kind,
        targetId: target.id,
        authorId: await this.coderOf(n.creatingUser),
        title: n.title,
        text: n.text,
        id,
        createdAt: created,
        updatedAt: isoTime(n.modified, created),
        conversion,
      });
    }
    this.report.dropped('link', 'Marginalia has no links between items', file.links.length - linked.size);

    /** A Description on an item that holds exactly the Notes on it (or one of them) is not a memo more. */
    const covered = (target: Target, text: string): boolean => {
      const notes = on.get(targetKey(target)) ?? [];
      return notes.length > 0 && (text === describeMemos(notes) || notes.some((m) => m.text === text || describeMemos([m]) === text));
    };
    const fromDescriptions: typeof memos = [];
    const described = async (owner: string, target: Target, text: string, title: string, creatingUser: string | undefined, created: string | undefined, conversion?: [string, string]) => {
      if (covered(target, text)) return;
      const at = isoTime(created, this.now);
      // The id derives from the element and the text: importing the same file again finds it.
      const id = derivedGuid(`refi-description:${owner}:${text}`);
      fromDescriptions.push({ kind: target.kind, targetId: target.id, authorId: await this.coderOf(creatingUser), title, text, id, createdAt: at, updatedAt: at, conversion });
    };
    for (const d of docs) {
      const doc = this.targets.get(d.guid)!;
      for (const [i, text] of d.descriptions.entries()) await described(`${d.guid}:${i}`, doc, text, '', d.creatingUser, d.created);
      for (const sel of d.selections) {
        if (sel.description === null) {
          if (!sel.codings.length) this.report.dropped('selection without a code', 'Marginalia keeps coded passages; this one had no code and no comment');
          continue;
        }
        const seg = this.targets.get(sel.guid);
        if (seg && seg.kind === 'segment') await described(sel.guid, seg, sel.description, '', sel.creatingUser, sel.created);
        else {
          // A comment on a passage without a code: on the document, titled with the passage.
          const passage = sel.span ? passageOf(d.mapped.text, sel.span) : sel.name;
          await described(sel.guid, doc, sel.description, passage ? `“${passage}”` : '', sel.creatingUser, sel.created, [
            'comment on a passage without a code',
            'became a memo on its document, titled with the passage',
          ]);
        }
      }
    }
    for (const d of file.descriptions) {
      await described(d.owner ?? 'project', PROJECT, d.text, d.lost ? `On ${d.lost}` : '', d.creatingUser, d.created, ['memo on an item not imported', 'kept as a project memo']);
    }
    const there = await existingIds(this.tx, 'memos', fromDescriptions.map((m) => m.id!));
    for (const m of fromDescriptions) {
      if (there.has(m.id!)) this.report.dropped('memo already in the project', 'the same memo was imported before; not doubled');
      else memos.push(m);
    }
    if (file.projectDescription !== null) await this.projectMemo(file.projectDescription, on.get(targetKey(PROJECT)) ?? [], projectDescription, memos);

    const results = await createMemos(this.tx, memos);
    for (const [i, result] of results.entries()) {
      const m = memos[i]!;
      if (result.status === 'refused') {
        this.report.dropped('memo refused', `it broke a rule of the memo editor (${result.error.message})`);
        continue;
      }
      this.report.r.imported.memos++;
      if (m.conversion) this.report.converted(m.conversion[0], m.conversion[1]);
    }
  }

  /**
   * The project's Description: what Marginalia writes there is the project's own description
   * followed by its project memos; what another program writes there is its project memo.
   */
  private async projectMemo(description: string, notes: Array<{ title: string; text: string }>, ours: string, memos: NewMemo[]): Promise<void> {
    const memoPart = notes.length ? describeMemos(notes) : '';
    let own = description;
    if (memoPart && own === memoPart) return;
    if (memoPart && own.endsWith(`\n\n${memoPart}`)) own = own.slice(0, -memoPart.length - 2);
    if (!own.trim() || own === ours) return;
    const id = derivedGuid(`refi-description:project:${own}`);
    if (await this.tx.get(`SELECT 1 FROM memos WHERE id = ? OR (target_kind = 'project' AND text = ?)`, [id, own])) {
      this.report.dropped('memo already in the project', 'the same memo was imported before; not doubled');
      return;
    }
    this.report.converted('project description', 'became a project memo titled "Project description"');
    memos.push({ kind: 'project', targetId: null, authorId: null, title: 'Project description', text: own, id, createdAt: this.now });
  }
}

/** The first words of a passage, for a memo's title. */
function passageOf(text: string, span: { start: number; end: number }): string {
  const s = new CodePointIndex(text).slice(span.start, span.end).replace(/\s+/g, ' ').trim();
  const cps = Array.from(s);
  return cps.length > 60 ? `${cps.slice(0, 59).join('')}…` : s;
}

/**
 * Imports a REFI-QDA project (.qdpx), bare project XML (.qde) or codebook (.qdc) into the
 * open project, as one undoable action: it all comes in, or nothing does. `coderName` is
 * the person importing, credited with anything the file attributes to no user. The file is
 * read, its texts decoded and its positions placed before the write transaction begins.
 */
export async function importExchangeBytes(
  db: ProjectDb,
  bytes: Uint8Array,
  fileName: string,
  coderName: string,
): Promise<ExchangeImportReport> {
  // Inflated, parsed and read in the sandbox worker: a hostile archive meets the memory
  // ceiling and time limit there, not in the app, and only what the writer needs comes back.
  const read = await readExchange(await readArchiveInSandbox(bytes, fileName), fileName);
  const { file, codes } = read;
  const format: ExchangeImportReport['format'] = file ? (isZip(bytes) ? 'qdpx' : 'qde') : 'qdc';
  const report = new Report(fileName, format);
  report.r.origin = read.origin;
  report.r.projectName = read.projectName;
  replayTally(read.tally, report);
  if (file?.unit) {
    report.r.positions = { unit: file.unit.unit, reason: file.unit.reason };
    if (file.unit.unit === 'UTF-16 units') report.converted('positions in UTF-16 units', file.unit.reason, file.unit.changed);
  }
  if (read.codebookSets !== null) report.dropped('code set', 'Marginalia has no code sets', read.codebookSets);

  const actor = await db.read((r) => r.get<{ id: string }>(`SELECT id FROM coders WHERE name = ? ORDER BY created_at LIMIT 1`, [coderName]));
  await db.action({ kind: 'exchange.import', summary: `Import ${fileName}`, coderId: actor?.id ?? null }, async (tx) => {
    const w = new Writer(tx, report, coderName);
    if (file) await w.users(file.users);
    await w.codeTree(codes, null, '', new Set());
    if (!file) return;
    await w.variableDefs(file.variables);
    const docs = await w.documents(file);
    await w.segments(docs);
    await w.memos(file, docs, (await projectInfo(tx)).description);
    await w.sets(file.sets);
    report.dropped('graph', 'Marginalia has no graphs', file.counts.graphs);
  });
  return report.r;
}
