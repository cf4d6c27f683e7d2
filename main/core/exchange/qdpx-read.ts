import { basename } from 'node:path';
import { strFromU8 } from 'fflate';
import { COLOR_RE, repairCodeName, type CodeNameRepair } from '../codebook/codebook';
import { MarginaliaError } from '../errors';
import { isZip, safeUnzip } from '../import/limits';
import { docxTextInSandbox } from '../sandbox/sandbox';
import { sha256 } from '../text/normalise';
import { parseXmlTree, XmlSyntaxError, XmlTreeReader } from './xml-read';
import { fitsEachUnit, hasAstral, mapOffset, normaliseWithMap, SourcePositions, type MappedText, type PositionUnit } from './offset-map';

/**
 * Reading a REFI-QDA file into plain data, before anything is written: the archive, the XML,
 * the texts, where each selection lies in the stored text, and what Marginalia cannot carry.
 * All of it happens outside the write transaction, so a large file holds the project's write
 * lock only for the writes themselves.
 */

export type Node = Record<string, unknown>;

const ARRAY_TAGS = new Set([
  'User', 'Code', 'Variable', 'Case', 'TextSource', 'PictureSource', 'PDFSource', 'AudioSource', 'VideoSource',
  'PlainTextSelection', 'PictureSelection', 'PDFSelection', 'AudioSelection', 'VideoSelection', 'TranscriptSelection', 'Transcript',
  'Coding', 'NoteRef', 'Note', 'VariableValue', 'SourceRef', 'Link', 'Set', 'Graph', 'Representation',
]);

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REFERENCE = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|([A-Za-z_][\w.-]*));/g;

/**
 * Replaces the references XML itself defines: the five predefined entities and character
 * references, decimal or hex, astral ones included (&#x1F600;). One pass, so "&amp;lt;"
 * becomes "&lt;", not "<". A reference to a code point that cannot be a character (&#0;, a
 * surrogate, past U+10FFFF) becomes U+FFFD; an undeclared name stays as it was written.
 */
export function decodeXmlReferences(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(REFERENCE, (ref, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (name !== undefined) return XML_ENTITIES[name] ?? ref;
    const cp = parseInt(hex ?? dec!, hex !== undefined ? 16 : 10);
    return cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\uFFFD' : String.fromCodePoint(cp);
  });
}

export const list = (n: unknown, key: string): Node[] => {
  if (!n || typeof n !== 'object') return [];
  const v = (n as Node)[key];
  return Array.isArray(v) ? (v as Node[]).filter((x) => x && typeof x === 'object') : v && typeof v === 'object' ? [v as Node] : [];
};
export const child = (n: unknown, key: string): Node | undefined => {
  const v = n && typeof n === 'object' ? (n as Node)[key] : undefined;
  if (Array.isArray(v)) return v.find((x): x is Node => !!x && typeof x === 'object');
  return v && typeof v === 'object' ? (v as Node) : undefined;
};
export const attr = (n: Node, key: string): string | undefined => (typeof n[key] === 'string' ? (n[key] as string) : undefined);
/** Text content of an element: a bare string, or "#text" beside attributes; '' for an empty element. */
export const textOf = (n: unknown, key: string): string | undefined => {
  const v = n && typeof n === 'object' ? (n as Node)[key] : undefined;
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Node)['#text'] === 'string') return (v as Node)['#text'] as string;
  if (v && typeof v === 'object') return '';
  return undefined;
};
/** GUIDs arrive as {ABC-…}, ABC-… or abc-…; they compare as bare lower case. */
export const guidOf = (g: string | undefined): string => (g ?? '').trim().replace(/^\{|\}$/g, '').toLowerCase();
/** A Description as a memo: its text as written, or null when it holds nothing. */
const descriptionOf = (n: Node): string | null => {
  const d = textOf(n, 'Description');
  return d !== undefined && d.trim() ? d : null;
};

/** The archive's files by lower-case name, for lenient lookups (Sources/ or sources/, any case). */
export interface Archive {
  qde: string | null;
  files: Map<string, Uint8Array>;
  /** The project XML already parsed (by the sandbox worker, which then leaves `qde` out). */
  root?: Node;
  /** The project already read (by the sandbox worker, which then leaves `qde`, `root` and `files` out). */
  read?: ExchangeRead;
}

const MAX_XML_BYTES = 100 * 1024 * 1024;

/**
 * UTF-8 for the texts in sources/: the BOM stays in, for normaliseWithMap to drop exactly
 * once. A decoder that drops it too would take a U+FEFF that begins the text itself (and
 * move every position after it).
 */
const keepBom = new TextDecoder('utf-8', { ignoreBOM: true });

export function readArchive(bytes: Uint8Array, file: string): Archive {
  if (!isZip(bytes)) return { qde: decodeUtf8(bytes, file), files: new Map() };
  const wanted = (name: string) => {
    const n = name.replace(/\\/g, '/');
    // Nothing is written to disk, but a name that climbs out of the archive is a sign of a hostile file: skip it.
    if (n.startsWith('/') || n.split('/').includes('..')) return false;
    return /\.qde$/i.test(n) || /(^|\/)sources\//i.test(n) || /\.(txt|docx)$/i.test(n);
  };
  const entries = safeUnzip(bytes, file, 'REFI-QDA project (.qdpx)', wanted);
  const files = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(entries)) files.set(name.replace(/\\/g, '/').toLowerCase(), data);
  // Any *.qde name; the shortest path wins when there are several (the one at the top).
  const qdeName = [...files.keys()].filter((n) => n.endsWith('.qde')).sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b))[0];
  if (!qdeName) throw new MarginaliaError('invalid_input', `${file}: has no project.qde inside, so it is not a REFI-QDA project; export it again from the other program as a REFI-QDA project (.qdpx).`);
  return { qde: decodeUtf8(files.get(qdeName)!, `${file}/${qdeName}`), files };
}

function decodeUtf8(bytes: Uint8Array, file: string): string {
  if (bytes.length > MAX_XML_BYTES) throw new MarginaliaError('too_large', `${file}: the project XML is larger than ${MAX_XML_BYTES / 1024 / 1024} MB and is refused.`);
  return strFromU8(bytes).replace(/^\uFEFF/, '');
}

export function parseXml(xml: string, file: string): Node {
  refuseEntities(xml, file);
  // A cut-off file (an element never closed) is refused, not half read.
  try {
    return parseXmlTree(xml, isArrayTag, decodeXmlReferences);
  } catch (err) {
    throw notWellFormed(err, file);
  }
}

const isArrayTag = (name: string) => ARRAY_TAGS.has(name);

function refuseEntities(xml: string, file: string): void {
  // REFI-QDA files never declare entities; refusing them shuts out entity-expansion bombs.
  if (/<!ENTITY/i.test(xml)) throw new MarginaliaError('invalid_input', `${file}: declares XML entities, which REFI-QDA files never need; it is refused for safety.`);
}

function notWellFormed(err: unknown, file: string): unknown {
  if (!(err instanceof XmlSyntaxError)) return err;
  return new MarginaliaError('invalid_input', `${file}: is not well-formed XML (${err.message}); export it again from the other program.`);
}

/** A file named by plainTextPath or richTextPath: internal://x.txt lives in sources/, other forms are looked up by file name. */
export function findInArchive(archive: Archive, path: string | undefined): Uint8Array | undefined {
  if (!path) return undefined;
  const m = /^internal:\/\/(.+)$/i.exec(path.trim());
  const name = (m ? m[1]! : path.trim().replace(/^[a-z]+:\/\//i, '')).replace(/\\/g, '/').toLowerCase();
  const direct = archive.files.get(`sources/${name}`) ?? archive.files.get(name);
  if (direct) return direct;
  const base = basename(name);
  for (const [k, v] of archive.files) if (basename(k) === base) return v;
  return undefined;
}

/** A text file of the archive as a memo's text: normalised like a document, as Marginalia stores texts from files. */
export function memoFile(archive: Archive, path: string | undefined): string | undefined {
  const file = findInArchive(archive, path);
  return file ? normaliseWithMap(keepBom.decode(file)).text : undefined;
}

/** One thing the report tells, by kind: what it is, how many, and what happened to them. */
export interface Tally {
  dropped(what: string, detail: string, count?: number): void;
  converted(what: string, detail: string, count?: number): void;
}

/** A Tally that keeps its calls, to be told to another in the same order (the report, in the app, of a file read in the worker). */
export class TallyLog implements Tally {
  readonly calls: Array<['dropped' | 'converted', string, string, number | undefined]> = [];
  dropped(what: string, detail: string, count?: number): void {
    this.calls.push(['dropped', what, detail, count]);
  }
  converted(what: string, detail: string, count?: number): void {
    this.calls.push(['converted', what, detail, count]);
  }
}

export function replayTally(calls: TallyLog['calls'], to: Tally): void {
  for (const [kind, what, detail, count] of calls) to[kind](what, detail, count);
}

// ---------------------------------------------------------------------------------------
// Codes

export interface FileCode {
  guid: string;
  /** As written in the file, and after the name rules (spaces, "/", empty). */
  written: string;
  name: string;
  repairs: CodeNameRepair[];
  color: string | undefined;
  description: string;
  codable: boolean;
  children: FileCode[];
}

/**
 * A colour as Marginalia stores one (#rrggbb), with what was changed: #rgb is spelt out,
 * the alpha of #RRGGBBAA and rgba(…) is dropped; anything else is no colour Marginalia can
 * read, and the codebook's next palette colour is used.
 */
export function colorOf(raw: string | undefined): { color: string | undefined; change: 'alpha' | 'unreadable' | null } {
  if (raw === undefined || raw.trim() === '') return { color: undefined, change: null };
  const c = raw.trim();
  if (COLOR_RE.test(c)) return { color: c.toLowerCase(), change: null };
  if (/^#[0-9a-fA-F]{3}$/.test(c)) return { color: `#${c[1]}${c[1]}${c[2]}${c[2]}${c[3]}${c[3]}`.toLowerCase(), change: null };
  if (/^#[0-9a-fA-F]{8}$/.test(c)) return { color: c.slice(0, 7).toLowerCase(), change: 'alpha' };
  const m = /^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(,\s*[\d.]+%?\s*)?\)$/i.exec(c);
  if (m && [m[1], m[2], m[3]].every((x) => Number(x) <= 255)) {
    const hex = [m[1], m[2], m[3]].map((x) => Number(x).toString(16).padStart(2, '0')).join('');
    return { color: `#${hex}`, change: m[4] ? 'alpha' : null };
  }
  return { color: undefined, change: 'unreadable' };
}

function readCodes(nodes: Node[], tally: Tally): FileCode[] {
  return nodes.map((c) => {
    const written = attr(c, 'name') ?? '';
    const { name, repairs } = repairCodeName(written);
    const { color, change } = colorOf(attr(c, 'color'));
    if (change === 'alpha') tally.converted('colour with transparency', 'Marginalia colours are opaque, so the transparency was dropped');
    if (change === 'unreadable') tally.converted('colour Marginalia cannot read', `replaced by a colour of the palette (for example "${attr(c, 'color')}" of "${written}")`);
    return {
      guid: guidOf(attr(c, 'guid')),
      written,
      name,
      repairs,
      color,
      // Kept as written: a description is the coding rule, and its spacing is the author's.
      description: textOf(c, 'Description') ?? '',
      codable: attr(c, 'isCodable') !== 'false',
      children: readCodes(list(c, 'Code'), tally),
    };
  });
}

// ---------------------------------------------------------------------------------------
// Sources

export interface FileCoding {
  guid: string;
  codeGuid: string;
  creatingUser?: string;
  created?: string;
}

export interface FileSelection {
  guid: string;
  /** The other program's label for the passage (often its first words). */
  name: string;
  startRaw: string | undefined;
  endRaw: string | undefined;
  /** In code points of the stored text; null when the positions lie outside the text. */
  span: { start: number; end: number } | null;
  codings: FileCoding[];
  description: string | null;
  creatingUser?: string;
  created?: string;
  modified?: string;
}

export interface FileDocument {
  /** The source's GUID (a PDF's own, not its representation's). */
  guid: string;
  /** Other GUIDs that name the same document (a PDF's representation). */
  aliases: string[];
  name: string;
  raw: string;
  mapped: MappedText;
  hash: string;
  fromRichText: boolean;
  kind: 'text' | 'pdf';
  values: Array<{ variableGuid: string; tag: string | undefined; value: string }>;
  descriptions: string[];
  selections: FileSelection[];
  /** Codings of the whole source. */
  whole: FileCoding[];
  creatingUser?: string;
  created?: string;
  modified?: string;
}

/** Something of the file Marginalia does not import, named for a memo that was on it. */
export interface LostItem {
  label: string;
}

export interface FileNote {
  guid: string;
  title: string;
  text: string;
  hasDescription: boolean;
  creatingUser?: string;
  created?: string;
  modified?: string;
}

/** A Description that is a memo, with the element it belongs to. */
export interface FileDescription {
  /** The GUID of the selection, source or other element it describes; null for the project. */
  owner: string | null;
  text: string;
  creatingUser?: string;
  created?: string;
  /** The element was not imported: the memo goes to the project, titled with this label. */
  lost?: string;
  /** The passage of a selection without a code (for the memo's title). */
  passage?: { document: string; name: string };
}

export interface FileProject {
  origin: string | null;
  name: string | null;
  users: Array<{ guid: string; name: string }>;
  codes: FileCode[];
  variables: Array<{ guid: string; name: string; declared: string }>;
  caseValues: Map<string, FileDocument['values']>;
  documents: FileDocument[];
  /** GUIDs of elements that will not be imported, with a label for memos on them. */
  lost: Map<string, LostItem>;
  notes: FileNote[];
  /** Note GUID → the GUID of the element whose NoteRef points at it first (document order), or null for the project. */
  noteOwners: Map<string, string | null>;
  /** Links from a Note to another element: origin → targets. */
  links: Array<{ origin: string; target: string }>;
  descriptions: FileDescription[];
  projectDescription: string | null;
  unit: { unit: PositionUnit; reason: string; changed: number } | null;
  counts: { sets: number; graphs: number };
  /** The file's <Set>s: their sources become document sets; codes and notes in a set have no place to go. */
  sets: FileSet[];
}

export interface FileSet {
  guid: string;
  name: string;
  description: string;
  /** GUIDs of the member sources. */
  sources: string[];
  /** Members that are codes or notes. */
  others: number;
}

const MEDIA: Record<string, { what: string; codings: string; selections: string[] }> = {
  PictureSource: { what: 'picture', codings: 'coding on a picture', selections: ['PictureSelection'] },
  AudioSource: { what: 'audio', codings: 'coding on audio', selections: ['AudioSelection'] },
  VideoSource: { what: 'video', codings: 'coding on video', selections: ['VideoSelection'] },
};

const codingsOf = (n: Node): FileCoding[] =>
  list(n, 'Coding').map((c) => ({
    guid: guidOf(attr(c, 'guid')),
    codeGuid: guidOf(attr(child(c, 'CodeRef') ?? {}, 'targetGUID')),
    creatingUser: attr(c, 'creatingUser'),
    created: attr(c, 'creationDateTime'),
  }));

/** Every GUID inside an element, the element's own included. */
function guidsWithin(n: unknown, out: string[] = []): string[] {
  if (Array.isArray(n)) for (const x of n) guidsWithin(x, out);
  else if (n && typeof n === 'object') {
    const g = (n as Node).guid;
    if (typeof g === 'string') out.push(guidOf(g));
    for (const [k, v] of Object.entries(n)) if (k !== 'guid' && typeof v === 'object') guidsWithin(v, out);
  }
  return out;
}

/**
 * NoteRefs in document order with the GUID of the element holding each (null: the project).
 * Keys come in the order the parser met them, which for a file in the schema's order is the
 * document order: a selection's NoteRefs before its source's, a code's before its subcodes'.
 */
function noteRefsInOrder(n: Node, owner: string | null, out: Array<[string, string | null]>): void {
  for (const [key, v] of Object.entries(n)) {
    if (!v || typeof v !== 'object') continue;
    const items = (Array.isArray(v) ? v : [v]).filter((x): x is Node => !!x && typeof x === 'object');
    if (key === 'NoteRef') {
      for (const ref of items) out.push([guidOf(attr(ref, 'targetGUID')), owner]);
      continue;
    }
    if (key === 'Notes' || key === 'Links' || key === 'Graphs') continue;
    for (const item of items) {
      const read = (item as Partial<ReadSource>)[READ_SOURCE];
      if (read) for (const [note, by] of read) out.push([note, by === OWNER_ABOVE ? owner : by]);
      else noteRefsInOrder(item, typeof item.guid === 'string' ? guidOf(item.guid) : owner, out);
    }
  }
}

/**
 * What stays in the tree of a source read while the XML was parsed: its NoteRefs (and the
 * GUID each is on), for noteRefsInOrder. OWNER_ABOVE: on the element that holds the source.
 */
const READ_SOURCE = Symbol('source read as it was parsed');
const OWNER_ABOVE = '\u0000above';
interface ReadSource {
  [READ_SOURCE]: Array<[string, string | null]>;
}

/** Sources the reader takes as they close, not after the parse. */
const SOURCE_KINDS = new Set(['TextSource', 'PDFSource', 'PictureSource', 'AudioSource', 'VideoSource']);
/** Characters of XML parsed between two rounds of reading the sources that closed in them. */
const PIECE = 256 * 1024;
/** Thrown by a reader in the sandbox worker at a source whose text is a Word file (see readArchiveForImport). */
const NEEDS_WORD = new Error('a source needs its Word text');

class FileReader {
  private readonly lost = new Map<string, LostItem>();
  private readonly descriptions: FileDescription[] = [];
  private readonly documents: FileDocument[] = [];
  /** Where each document's positions are read. */
  private readonly positions = new Map<FileDocument, SourcePositions>();
  /** What the sources read while the XML was parsed told, told to `tally` when read() comes to the sources. */
  private readonly early = new TallyLog();
  /** The kind of source read while parsing (the first kind of the file: read() takes the kinds in the file's order). */
  private earlyKind: string | null = null;
  constructor(
    private readonly archive: Archive,
    private readonly file: string,
    private tally: Tally,
    /** Reading in the sandbox worker, which cannot ask itself for a Word text: such a source throws NEEDS_WORD. */
    private readonly inWorker = false,
  ) {}

  /**
   * Parses the project XML a piece at a time and reads each source of the file's first kind as
   * soon as it closes, leaving in the tree only what read() needs of it (its NoteRefs): the
   * tree of a project with 40,000 codings is never whole. Answers the tree, for read(). A
   * source whose text is in a Word file throws NEEDS_WORD (after any XML error).
   */
  async parse(): Promise<Node> {
    const xml = this.archive.qde ?? '';
    refuseEntities(xml, this.file);
    const due: Node[] = [];
    const tree = new XmlTreeReader(xml, isArrayTag, decodeXmlReferences, (local, value, ancestors) => {
      // A source of the root <Project>'s first <Sources> (child() reads only the first).
      if (ancestors.length !== 2 || ancestors[0]!.local !== 'Project' || ancestors[1]!.local !== 'Sources' || ancestors[0]!.node.Sources !== undefined) return undefined;
      if (!SOURCE_KINDS.has(local) || !value || typeof value !== 'object') return undefined;
      if ((this.earlyKind ??= local) !== local) return undefined;
      due.push(value as Node);
      const node = value as Node;
      const refs: Array<[string, string | null]> = [];
      noteRefsInOrder(node, typeof node.guid === 'string' ? guidOf(node.guid) : OWNER_ABOVE, refs);
      return { [READ_SOURCE]: refs } satisfies ReadSource;
    });
    const realTally = this.tally;
    this.tally = this.early;
    let failure: unknown = null;
    try {
      for (let at = 0; at < tree.source.length; ) {
        at = Math.min(tree.source.length, at + PIECE);
        tree.write(at);
        // Once the text is known to be bad, or a source failed, only the XML's verdict is still wanted.
        for (const s of due.splice(0)) if (failure === null && !tree.failed) await this.source(this.earlyKind!, s).catch((err: unknown) => (failure = err));
      }
      const root = tree.finish();
      if (failure !== null) throw failure;
      return root;
    } catch (err) {
      throw notWellFormed(err, this.file);
    } finally {
      this.tally = realTally;
    }
  }

  /** One source of the file, by kind. */
  private async source(kind: string, s: Node): Promise<void> {
    if (kind === 'TextSource') await this.textSource(s);
    else if (kind === 'PDFSource') await this.pdf(s);
    else if (MEDIA[kind]) this.media(kind, s);
  }

  private loseAll(n: Node, label: string): void {
    for (const g of guidsWithin(n)) if (!this.lost.has(g)) this.lost.set(g, { label });
  }

  private describeLost(n: Node, label: string): void {
    const d = descriptionOf(n);
    if (d !== null) this.descriptions.push({ owner: guidOf(attr(n, 'guid')) || null, text: d, lost: label, creatingUser: attr(n, 'creatingUser'), created: attr(n, 'creationDateTime') });
  }

  /** The text of a source: inline, by plainTextPath, or from the .docx at richTextPath. */
  private async sourceText(s: Node, name: string): Promise<{ raw: string; fromRichText: boolean } | { missing: boolean }> {
    const inline = textOf(s, 'PlainTextContent');
    if (inline && inline.trim()) return { raw: inline, fromRichText: false };
    const plain = findInArchive(this.archive, attr(s, 'plainTextPath'));
    const plainText = plain ? keepBom.decode(plain) : undefined;
    if (plainText && plainText.replace(/^\uFEFF/, '').trim()) return { raw: plainText, fromRichText: false };
    const rich = findInArchive(this.archive, attr(s, 'richTextPath'));
    if (rich && /\.docx$/i.test(attr(s, 'richTextPath') ?? '')) {
      if (this.inWorker) throw NEEDS_WORD;
      // Read in the sandbox worker, like every file from outside (a .docx is a zip mammoth inflates).
      const text = await docxTextInSandbox(rich, `${this.file}: ${attr(s, 'richTextPath')} of "${name}"`);
      if (text.trim()) {
        this.tally.converted('document from Word', 'the text was taken from the .docx because the file had no plain text for it');
        return { raw: text, fromRichText: true };
      }
    }
    return { missing: !!attr(s, 'plainTextPath') && !plain };
  }

  private selectionsOf(s: Node): FileSelection[] {
    return list(s, 'PlainTextSelection').map((sel) => ({
      guid: guidOf(attr(sel, 'guid')),
      name: attr(sel, 'name') ?? '',
      startRaw: attr(sel, 'startPosition'),
      endRaw: attr(sel, 'endPosition'),
      span: null,
      codings: codingsOf(sel),
      description: descriptionOf(sel),
      creatingUser: attr(sel, 'creatingUser'),
      created: attr(sel, 'creationDateTime'),
      modified: attr(sel, 'modifiedDateTime'),
    }));
  }

  /** A text source, or a PDF's representation (`pdf`: the PDFSource, whose name and GUID the document takes). */
  private async textSource(s: Node, pdf?: Node): Promise<void> {
    const own = pdf ?? s;
    const guid = guidOf(attr(own, 'guid'));
    const name = (attr(own, 'name') ?? '').trim() || guid || 'Untitled';
    const owners = pdf ? [pdf, s] : [s];
    const selections = this.selectionsOf(s);
    const whole = owners.flatMap(codingsOf);
    const got = await this.sourceText(s, name);
    if ('missing' in got) {
      if (pdf) this.tally.dropped('PDF without a text representation', 'Marginalia imports a PDF as the text of its representation, and it had none', 1);
      else if (got.missing) this.tally.dropped('document whose text file is missing', `its text file is not in the archive (for example "${name}": ${attr(s, 'plainTextPath')})`);
      else this.tally.dropped('document without text', `it has no text, neither plain text nor Word text (for example "${name}")`);
      const codings = selections.reduce((n, sel) => n + sel.codings.length, 0) + whole.length;
      this.tally.dropped('coding on a document not imported', 'its document could not be imported', codings);
      const label = `"${name}" (not imported)`;
      for (const o of owners) this.describeLost(o, label);
      for (const sel of selections) {
        if (sel.description !== null) this.descriptions.push({ owner: sel.guid, text: sel.description, lost: `${label}${sel.name ? `, passage "${sel.name}"` : ''}`, creatingUser: sel.creatingUser, created: sel.created });
      }
      for (const o of owners) this.loseAll(o, label);
      return;
    }
    const mapped = normaliseWithMap(got.raw);
    const values = owners.flatMap((o) =>
      list(o, 'VariableValue').map((vv) => {
        const tag = VALUE_TAGS.find((t) => textOf(vv, t) !== undefined);
        return { variableGuid: guidOf(attr(child(vv, 'VariableRef') ?? {}, 'targetGUID')), tag, value: tag ? textOf(vv, tag)! : '' };
      }),
    );
    const doc: FileDocument = {
      guid,
      aliases: pdf ? [guidOf(attr(s, 'guid'))].filter((g) => g && g !== guid) : [],
      name,
      raw: got.raw,
      mapped,
      hash: sha256(mapped.text),
      fromRichText: got.fromRichText,
      kind: pdf ? 'pdf' : 'text',
      values,
      descriptions: owners.map(descriptionOf).filter((d): d is string => d !== null),
      selections,
      whole,
      creatingUser: attr(own, 'creatingUser') ?? attr(s, 'creatingUser'),
      created: attr(own, 'creationDateTime') ?? attr(s, 'creationDateTime'),
      modified: attr(own, 'modifiedDateTime'),
    };
    this.positions.set(doc, new SourcePositions(got.raw.startsWith('\uFEFF') ? got.raw.slice(1) : got.raw));
    if (pdf) this.tally.converted('PDF', 'imported as the text of its plain-text representation, under the PDF\'s name');
    // Selections of other kinds where the schema has none (a lenient reading of a stray one).
    for (const o of owners) this.strayMedia(o, name);
    if (got.fromRichText && selections.length) {
      this.tally.converted('selection on Word text', 'positions were applied to the text taken from the .docx and may be shifted', selections.length);
    }
    this.documents.push(doc);
  }

  private strayMedia(s: Node, name: string): void {
    for (const m of Object.values(MEDIA)) {
      for (const tag of m.selections) {
        for (const sel of list(s, tag)) {
          this.tally.dropped(m.codings, 'Marginalia codes text only', codingsOf(sel).length);
          this.describeLost(sel, `${m.what} region of "${name}" (not imported)`);
          this.loseAll(sel, `${m.what} region of "${name}" (not imported)`);
        }
      }
    }
  }

  private media(kind: string, s: Node): void {
    const m = MEDIA[kind]!;
    const name = attr(s, 'name') ?? guidOf(attr(s, 'guid'));
    const label = `${m.what} "${name}" (not imported)`;
    this.tally.dropped(m.what, 'Marginalia codes text only', 1);
    this.tally.dropped(m.codings, 'Marginalia codes text only', codingsOf(s).length);
    this.describeLost(s, label);
    for (const tag of m.selections) {
      for (const sel of list(s, tag)) {
        this.tally.dropped(m.codings, 'Marginalia codes text only', codingsOf(sel).length);
        this.describeLost(sel, `${label}${attr(sel, 'name') ? `, "${attr(sel, 'name')}"` : ''}`);
      }
    }
    for (const t of list(s, 'Transcript')) {
      this.tally.dropped('transcript', 'transcripts of audio and video are not imported (import the transcript as a text instead)', 1);
      this.describeLost(t, `transcript "${attr(t, 'name') ?? name}" (not imported)`);
      for (const ts of list(t, 'TranscriptSelection')) {
        this.tally.dropped('coding on a transcript', 'transcripts of audio and video are not imported', codingsOf(ts).length);
        this.describeLost(ts, `transcript "${attr(t, 'name') ?? name}" (not imported)`);
      }
    }
    this.loseAll(s, label);
  }

  private async pdf(s: Node): Promise<void> {
    const rep = child(s, 'Representation');
    const mirrored = new Set(rep ? list(rep, 'PlainTextSelection').map((sel) => guidOf(attr(sel, 'guid'))) : []);
    const name = attr(s, 'name') ?? '';
    for (const sel of list(s, 'PDFSelection')) {
      const g = guidOf(attr(sel, 'guid'));
      // ATLAS.ti writes a PDF quotation twice: as a region of a page and as a selection of the
      // representation's text with the same GUID. The text selection carries it across.
      if (mirrored.has(g)) continue;
      this.tally.dropped('coding on a PDF page region', 'positions on a PDF page have no counterpart in text', codingsOf(sel).length);
      this.describeLost(sel, `region of the PDF "${name}"${attr(sel, 'name') ? `, "${attr(sel, 'name')}"` : ''} (not imported)`);
      this.loseAll(sel, `region of the PDF "${name}" (not imported)`);
    }
    if (rep) return this.textSource(rep, s);
    this.tally.dropped('PDF without a text representation', 'Marginalia imports a PDF as the text of its representation, and it had none', 1);
    this.tally.dropped('coding on a document not imported', 'its document could not be imported', codingsOf(s).length);
    this.describeLost(s, `PDF "${name}" (not imported)`);
    this.loseAll(s, `PDF "${name}" (not imported)`);
  }

  async read(root: Node, project: Node): Promise<FileProject> {
    const origin = attr(project, 'origin') ?? null;
    const codes = readCodes(list(child(child(project, 'CodeBook'), 'Codes'), 'Code'), this.tally);
    const users = list(child(project, 'Users'), 'User').map((u) => {
      const guid = guidOf(attr(u, 'guid'));
      return { guid, name: (attr(u, 'name') ?? attr(u, 'id') ?? '').trim() || `User ${guid.slice(0, 8)}` };
    });
    const variables = list(child(project, 'Variables'), 'Variable').map((v) => ({
      guid: guidOf(attr(v, 'guid')),
      name: (attr(v, 'name') ?? '').trim(),
      declared: (attr(v, 'typeOfVariable') ?? 'Text').toLowerCase(),
    }));
    const caseValues = new Map<string, FileDocument['values']>();
    const cases = list(child(project, 'Cases'), 'Case');
    for (const c of cases) {
      const values = list(c, 'VariableValue').map((vv) => {
        const tag = VALUE_TAGS.find((t) => textOf(vv, t) !== undefined);
        return { variableGuid: guidOf(attr(child(vv, 'VariableRef') ?? {}, 'targetGUID')), tag, value: tag ? textOf(vv, tag)! : '' };
      });
      for (const ref of list(c, 'SourceRef')) {
        const g = guidOf(attr(ref, 'targetGUID'));
        caseValues.set(g, [...(caseValues.get(g) ?? []), ...values]);
      }
    }
    if (cases.length) this.tally.converted('case', 'its variable values became attributes of the documents it names', cases.length);

    const sources = child(project, 'Sources');
    // In the file's order by kind; the order of kinds does not matter to what is imported.
    // Those read as the XML was parsed (the first kind) come first, as they would here.
    replayTally(this.early.calls, this.tally);
    for (const [key, v] of Object.entries(sources ?? {})) {
      const items = (Array.isArray(v) ? v : [v]).filter((x): x is Node => !!x && typeof x === 'object' && !(READ_SOURCE in x));
      for (const s of items) await this.source(key, s);
    }

    const notes: FileNote[] = list(child(project, 'Notes'), 'Note').map((n) => {
      // A memo is the researcher's own writing and no offset points into it: its text and
      // title come in as written (the XML reader has already made line ends LF, and kept a
      // CR written as &#13;). Only a memo kept in a file gets the document normalisation.
      let text = textOf(n, 'PlainTextContent') ?? '';
      if (!text.trim() && attr(n, 'plainTextPath')) text = memoFile(this.archive, attr(n, 'plainTextPath')) ?? text;
      const description = descriptionOf(n);
      if (description !== null) text = text.trim() ? `${text}\n\n${description}` : description;
      return {
        guid: guidOf(attr(n, 'guid')),
        title: attr(n, 'name') ?? '',
        text,
        hasDescription: description !== null,
        creatingUser: attr(n, 'creatingUser'),
        created: attr(n, 'creationDateTime'),
        modified: attr(n, 'modifiedDateTime'),
      };
    });
    const refs: Array<[string, string | null]> = [];
    noteRefsInOrder(project, null, refs);
    const noteOwners = new Map<string, string | null>();
    for (const [note, owner] of refs) if (note && !noteOwners.has(note)) noteOwners.set(note, owner);

    const unit = this.decideUnit(origin);
    for (const d of this.documents) {
      for (const sel of d.selections) {
        const raw = this.positions.get(d)!.span(Number(sel.startRaw), Number(sel.endRaw), unit.unit);
        if (!raw) continue;
        const start = mapOffset(d.mapped, raw.start);
        const end = mapOffset(d.mapped, raw.end);
        if (end > start) sel.span = { start, end };
      }
    }

    void root;
    return {
      origin,
      name: attr(project, 'name') ?? null,
      users,
      codes,
      variables,
      caseValues,
      documents: this.documents,
      lost: this.lost,
      notes,
      noteOwners,
      links: list(child(project, 'Links'), 'Link').map((l) => ({ origin: guidOf(attr(l, 'originGUID')), target: guidOf(attr(l, 'targetGUID')) })),
      descriptions: this.descriptions,
      projectDescription: descriptionOf(project),
      unit: unit.changed > 0 || unit.evidence ? { unit: unit.unit, reason: unit.reason, changed: unit.changed } : null,
      counts: { sets: list(child(project, 'Sets'), 'Set').length, graphs: list(child(project, 'Graphs'), 'Graph').length },
      sets: list(child(project, 'Sets'), 'Set').map((set) => ({
        guid: guidOf(attr(set, 'guid')),
        name: attr(set, 'name') ?? '',
        description: textOf(set, 'Description') ?? '',
        sources: list(set, 'MemberSource').map((m) => guidOf(attr(m, 'targetGUID'))),
        others: list(set, 'MemberCode').length + list(set, 'MemberNote').length,
      })),
    };
  }

  /**
   * The unit the file's positions count. The specification says code points; NVivo (a .NET
   * program) writes UTF-16 code units, and so does Marginalia's export "for NVivo", whose
   * origin says so. Programs known to count code points are taken at their word. For any
   * other origin, where a text holds characters beyond U+FFFF (and only there do the units
   * differ), the selections are the evidence: a reading that puts an end past the text, cuts
   * a surrogate pair or starts and ends selections inside words does not fit.
   */
  private decideUnit(origin: string | null): { unit: PositionUnit; reason: string; changed: number; evidence: boolean } {
    const astral = this.documents.filter((d) => hasAstral(this.positions.get(d)!.source));
    const differing = () => {
      let n = 0;
      for (const d of astral) for (const sel of d.selections) if (fitsEachUnit(this.positions.get(d)!, Number(sel.startRaw), Number(sel.endRaw)).differ) n++;
      return n;
    };
    if (origin && /nvivo/i.test(origin)) {
      return { unit: 'UTF-16 units', reason: 'positions converted from UTF-16 units, as NVivo writes them', changed: differing(), evidence: false };
    }
    if (!astral.length || (origin && /^(marginalia|qualcoder|qc|taguette)\b/i.test(origin.trim()))) {
      return { unit: 'code points', reason: 'positions read as code points, the REFI-QDA unit', changed: 0, evidence: false };
    }
    let fitCp = 0;
    let fitU16 = 0;
    let seen = 0;
    for (const d of astral) {
      for (const sel of d.selections) {
        const f = fitsEachUnit(this.positions.get(d)!, Number(sel.startRaw), Number(sel.endRaw));
        if (!f.differ) continue;
        seen++;
        if (f.codePoints) fitCp++;
        if (f.utf16) fitU16++;
      }
    }
    if (seen === 0) return { unit: 'code points', reason: 'positions read as code points, the REFI-QDA unit', changed: 0, evidence: false };
    const who = origin ? `${origin} does not say which unit its positions count` : 'the file does not say which program wrote it';
    const evidence = `of ${seen} selections after a character beyond U+FFFF (an emoji, say), ${fitCp} fit code points and ${fitU16} fit UTF-16 units`;
    if (fitU16 > fitCp) return { unit: 'UTF-16 units', reason: `positions read as UTF-16 units: ${who}, and ${evidence}`, changed: seen, evidence: true };
    return { unit: 'code points', reason: `positions read as code points, the REFI-QDA unit: ${who}, and ${evidence}`, changed: 0, evidence: true };
  }
}

export const VALUE_TAGS = ['TextValue', 'BooleanValue', 'IntegerValue', 'FloatValue', 'DateValue', 'DateTimeValue'];

/** A REFI-QDA file read into plain data for the writer: what the sandbox worker sends the app. */
export interface ExchangeRead {
  /** Of the root <Project>, else of the <CodeBook>. */
  origin: string | null;
  projectName: string | null;
  /** Null for a codebook (.qdc). */
  file: FileProject | null;
  codes: FileCode[];
  /** How many <Set>s a root <CodeBook> holds; null without one. */
  codebookSets: number | null;
  /** What reading found to report, in order. */
  tally: TallyLog['calls'];
  /** Documents whose stored text is their raw text (sent once, not twice). */
  sameText?: number[];
}

/**
 * Reads a REFI-QDA file in the sandbox worker: inflated, its XML parsed a piece at a time with
 * each source read as it closes (never a whole tree), and sent to the app as an ExchangeRead.
 * A file with a source whose text is a Word file comes back as its whole tree instead, for
 * the app to read (the Word text is read by the sandbox as a file of its own).
 */
export async function readArchiveForImport(bytes: Uint8Array, file: string): Promise<Archive> {
  const archive = readArchive(bytes, file);
  // The XML is held as text from here on, not as bytes too.
  for (const name of archive.files.keys()) if (name.endsWith('.qde')) archive.files.delete(name);
  const tally = new TallyLog();
  const reader = new FileReader(archive, file, tally, true);
  let read: ExchangeRead;
  try {
    read = await readParsed(await reader.parse(), reader, file, tally);
  } catch (err) {
    if (err !== NEEDS_WORD) throw err;
    return { qde: null, root: parseXml(archive.qde ?? '', file), files: archive.files };
  }
  archive.qde = null;
  // The same string twice would cross to the app as two copies.
  read.sameText = [];
  for (const [i, d] of (read.file?.documents ?? []).entries()) {
    if (d.mapped.text !== d.raw) continue;
    d.mapped = { ...d.mapped, text: '' };
    read.sameText.push(i);
  }
  return { qde: null, files: new Map(), read };
}

/** A REFI-QDA file read into plain data: sent by the worker (readArchiveForImport), or read here from its tree. */
export async function readExchange(archive: Archive, file: string): Promise<ExchangeRead> {
  if (archive.read) {
    const read = archive.read;
    for (const i of read.sameText ?? []) {
      const d = read.file!.documents[i]!;
      d.mapped.text = d.raw;
    }
    return read;
  }
  const root = archive.root ?? parseXml(archive.qde ?? '', file);
  const tally = new TallyLog();
  return readParsed(root, new FileReader(archive, file, tally), file, tally);
}

async function readParsed(root: Node, reader: FileReader, fileName: string, tally: TallyLog): Promise<ExchangeRead> {
  const project = child(root, 'Project');
  const codebook = child(root, 'CodeBook');
  if (!project && !codebook) {
    throw new MarginaliaError('invalid_input', `${fileName}: is neither a REFI-QDA project (<Project>) nor a codebook (<CodeBook>); export it again from the other program.`);
  }
  const file = project ? await reader.read(root, project) : null;
  return {
    origin: attr((project ?? codebook)!, 'origin') ?? null,
    projectName: project ? (attr(project, 'name') ?? null) : null,
    file,
    codes: file ? file.codes : readCodebook(codebook, tally),
    codebookSets: codebook ? list(child(codebook, 'Sets'), 'Set').length : null,
    tally: tally.calls,
  };
}

/** Reads the code tree of a codebook (.qdc) or project. */
export function readCodebook(codes: Node | undefined, tally: Tally): FileCode[] {
  return readCodes(list(child(codes, 'Codes'), 'Code'), tally);
}
