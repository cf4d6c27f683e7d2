import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { XMLParser, XMLValidator, type EntityDecoderOptions } from 'fast-xml-parser';
import { strFromU8 } from 'fflate';
import type { ProjectDb, Tx } from '../db/project-db';
import { COLOR_RE, createCode } from '../codebook/codebook';
import { ensureVariable, setAttributes, type AttributeValue, type VariableType } from '../documents/documents';
import { lexicalFromPlain } from '../coding/segments';
import { codePointLength, sha256 } from '../text/normalise';
import { MarginaliaError } from '../errors';
import { isZip, safeUnzip } from '../import/limits';
import { docxToText } from '../import/office-to-text';
import { mapOffset, normaliseWithMap, type MappedText } from './offset-map';

/** One kind of thing that was left out or changed on the way in, with how many. */
export interface ReportItem {
  what: string;
  count: number;
  detail: string;
}

/** What a REFI-QDA import brought in, matched to what the project had, converted or dropped. */
export interface ExchangeImportReport {
  file: string;
  format: 'qdpx' | 'qdc' | 'qde';
  /** The program that wrote the file, as it says ("ATLAS.ti for Windows 23.2.3"). */
  origin: string | null;
  projectName: string | null;
  imported: { coders: number; codes: number; documents: number; segments: number; memos: number; attributeValues: number };
  /** Already in the project (same coder name, same code path, same document text) and reused. */
  matched: { coders: number; codes: number; documents: number };
  converted: ReportItem[];
  dropped: ReportItem[];
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isExchangeFile(path: string): boolean {
  return /\.(qdpx|qdc|qde)$/i.test(path);
}

type Node = Record<string, unknown>;

const ARRAY_TAGS = new Set([
  'User', 'Code', 'Variable', 'Case', 'TextSource', 'PictureSource', 'PDFSource', 'AudioSource', 'VideoSource',
  'PlainTextSelection', 'PictureSelection', 'PDFSelection', 'AudioSelection', 'VideoSelection', 'TranscriptSelection', 'Transcript',
  'Coding', 'NoteRef', 'Note', 'VariableValue', 'SourceRef', 'Link', 'Set', 'Graph',
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

/**
 * The parser's own decoding knows numeric references only together with HTML's named
 * entities, which XML does not have; this decoder knows exactly XML's. Entities declared
 * in a DOCTYPE are refused (parseXml already turns such files away; this is the backstop).
 */
const xmlEntityDecoder: EntityDecoderOptions = {
  decode: decodeXmlReferences,
  addInputEntities: (entities) => {
    if (Object.keys(entities).length) throw new Error('the file declares XML entities, which REFI-QDA files never need');
  },
  setExternalEntities: () => undefined,
  reset: () => undefined,
  setXmlVersion: () => undefined,
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  entityDecoder: xmlEntityDecoder,
  isArray: (name) => ARRAY_TAGS.has(name),
});

const list = (n: unknown, key: string): Node[] => {
  if (!n || typeof n !== 'object') return [];
  const v = (n as Node)[key];
  return Array.isArray(v) ? (v as Node[]) : v && typeof v === 'object' ? [v as Node] : [];
};
const child = (n: unknown, key: string): Node | undefined => {
  const v = n && typeof n === 'object' ? (n as Node)[key] : undefined;
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : undefined;
};
const attr = (n: Node, key: string): string | undefined => (typeof n[key] === 'string' ? (n[key] as string) : undefined);
/** Text content of an element: a bare string, or "#text" beside attributes. */
const textOf = (n: unknown, key: string): string | undefined => {
  const v = n && typeof n === 'object' ? (n as Node)[key] : undefined;
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Node)['#text'] === 'string') return (v as Node)['#text'] as string;
  if (v && typeof v === 'object') return '';
  return undefined;
};
/** GUIDs arrive as {ABC-…}, ABC-… or abc-…; they compare as bare lower case. */
const guidOf = (g: string | undefined): string => (g ?? '').trim().replace(/^\{|\}$/g, '').toLowerCase();

function isoTime(value: string | undefined, fallback: string): string {
  if (!value) return fallback;
  const t = Date.parse(value);
  return Number.isNaN(t) ? fallback : new Date(t).toISOString();
}

class Report {
  readonly r: ExchangeImportReport;
  constructor(file: string, format: ExchangeImportReport['format']) {
    this.r = {
      file,
      format,
      origin: null,
      projectName: null,
      imported: { coders: 0, codes: 0, documents: 0, segments: 0, memos: 0, attributeValues: 0 },
      matched: { coders: 0, codes: 0, documents: 0 },
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
}

/** The archive's files by lower-case name, for lenient lookups (Sources/ or sources/, any case). */
interface Archive {
  qde: string | null;
  files: Map<string, Uint8Array>;
}

const MAX_XML_BYTES = 100 * 1024 * 1024;

/**
 * UTF-8 for the texts in sources/: the BOM stays in, for normaliseWithMap to drop exactly
 * once. A decoder that drops it too would take a U+FEFF that begins the text itself (and
 * move every position after it).
 */
const keepBom = new TextDecoder('utf-8', { ignoreBOM: true });

function readArchive(bytes: Uint8Array, file: string): Archive {
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

function parseXml(xml: string, file: string): Node {
  // REFI-QDA files never declare entities; refusing them shuts out entity-expansion bombs.
  if (/<!ENTITY/i.test(xml)) throw new MarginaliaError('invalid_input', `${file}: declares XML entities, which REFI-QDA files never need; it is refused for safety.`);
  // The parser itself forgives unclosed elements; a cut-off file must be refused, not half read.
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new MarginaliaError('invalid_input', `${file}: is not well-formed XML (line ${valid.err.line}: ${valid.err.msg}); export it again from the other program.`);
  }
  try {
    return parser.parse(xml) as Node;
  } catch (err) {
    throw new MarginaliaError('invalid_input', `${file}: is not well-formed XML (${(err as Error).message.split('\n')[0]}); export it again from the other program.`);
  }
}

/** A file named by plainTextPath or richTextPath: internal://x.txt lives in sources/, other forms are looked up by file name. */
function findInArchive(archive: Archive, path: string | undefined): Uint8Array | undefined {
  if (!path) return undefined;
  const m = /^internal:\/\/(.+)$/i.exec(path.trim());
  const name = (m ? m[1]! : path.trim().replace(/^[a-z]+:\/\//i, '')).replace(/\\/g, '/').toLowerCase();
  const direct = archive.files.get(`sources/${name}`) ?? archive.files.get(name);
  if (direct) return direct;
  const base = basename(name);
  for (const [k, v] of archive.files) if (basename(k) === base) return v;
  return undefined;
}

const VARIABLE_TYPES: Record<string, VariableType> = { text: 'text', boolean: 'boolean', integer: 'number', float: 'number', date: 'date', datetime: 'text' };
const VALUE_TAGS = ['TextValue', 'BooleanValue', 'IntegerValue', 'FloatValue', 'DateValue', 'DateTimeValue'];

function colorOf(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const c = raw.trim();
  if (/^#[0-9a-fA-F]{3}$/.test(c)) return `#${c[1]}${c[1]}${c[2]}${c[2]}${c[3]}${c[3]}`.toLowerCase();
  // #RRGGBBAA from some programs: the alpha is dropped.
  if (/^#[0-9a-fA-F]{8}$/.test(c)) return c.slice(0, 7).toLowerCase();
  return COLOR_RE.test(c) ? c.toLowerCase() : undefined;
}

/** Where each Note goes: the first NoteRef pointing at it decides. */
type NoteTarget = { kind: 'project' | 'document' | 'code' | 'segment'; id: string | null };

class Importer {
  private readonly coders = new Map<string, string>();
  private readonly codes = new Map<string, string>();
  private readonly variables = new Map<string, { name: string; type: VariableType }>();
  private readonly noteTargets = new Map<string, NoteTarget>();
  private readonly usedIds = new Set<string>();
  /** Codes a code of this file was created as or matched to: each is taken by one code of the file at most. */
  private readonly takenCodes = new Set<string>();
  /** Segments this import created, told apart from those the project already had. */
  private readonly createdSegments = new Set<string>();
  private readonly now = new Date().toISOString();

  constructor(
    private readonly tx: Tx,
    private readonly archive: Archive,
    private readonly report: Report,
    private readonly defaultCoderName: string,
  ) {}

  private defaultCoderId: string | null = null;

  /**
   * The person importing, for items the file attributes to no known user. Created only when
   * needed, so a round trip does not add a coder the original project did not have.
   */
  private async fallbackCoder(): Promise<string> {
    if (this.defaultCoderId) return this.defaultCoderId;
    const existing = await this.tx.get<{ id: string }>(`SELECT id FROM coders WHERE name = ? ORDER BY created_at LIMIT 1`, [this.defaultCoderName]);
    if (existing) return (this.defaultCoderId = existing.id);
    const id = randomUUID();
    await this.tx.insert('coders', { id, name: this.defaultCoderName, created_at: this.now });
    return (this.defaultCoderId = id);
  }

  /** Keeps the file's GUID as the id when it is a UUID not yet used in the project; else a new one. */
  private async idFor(guid: string, table: string): Promise<string> {
    const g = guidOf(guid);
    if (UUID_RE.test(g) && !this.usedIds.has(g) && !(await this.tx.get(`SELECT 1 FROM ${table} WHERE id = ?`, [g]))) {
      this.usedIds.add(g);
      return g;
    }
    const id = randomUUID();
    this.usedIds.add(id);
    return id;
  }

  private async coderOf(...guids: Array<string | undefined>): Promise<string> {
    for (const g of guids) {
      const id = g ? this.coders.get(guidOf(g)) : undefined;
      if (id) return id;
    }
    return this.fallbackCoder();
  }

  async users(project: Node): Promise<void> {
    for (const u of list(child(project, 'Users'), 'User')) {
      const guid = guidOf(attr(u, 'guid'));
      const name = (attr(u, 'name') ?? attr(u, 'id') ?? '').trim() || `User ${guid.slice(0, 8)}`;
      const existing = await this.tx.get<{ id: string }>(`SELECT id FROM coders WHERE name = ? ORDER BY created_at LIMIT 1`, [name]);
      if (existing) {
        this.coders.set(guid, existing.id);
        this.report.r.matched.coders++;
        continue;
      }
      const id = await this.idFor(guid, 'coders');
      await this.tx.insert('coders', { id, name, created_at: this.now });
      this.coders.set(guid, id);
      this.report.r.imported.coders++;
    }
  }

  async codeTree(codes: Node[], parentId: string | null): Promise<void> {
    for (const c of codes) {
      const guid = guidOf(attr(c, 'guid'));
      let name = (attr(c, 'name') ?? '').trim().replace(/\s+/g, ' ');
      if (!name) {
        name = 'Unnamed code';
        this.report.converted('code without a name', 'named "Unnamed code"');
      }
      if (name.includes('/')) {
        name = name.replace(/\//g, '-');
        this.report.converted('code name with "/"', '"/" separates levels of a code path in Marginalia, so it became "-"');
      }
      let existing = await this.siblingNamed(parentId, name);
      // Two siblings in this file whose names differ only in case are two codes, but Marginalia
      // keeps sibling names unique regardless of case: the later one becomes "name (2)" (or the
      // next free number), and a "name (2)" already there is that code, so importing the same
      // file again doubles nothing. A sibling of exactly the same name is the same code.
      const written = name;
      for (let n = 2; existing && existing.name !== name && this.takenCodes.has(existing.id); n++) {
        name = `${written} (${n})`;
        existing = await this.siblingNamed(parentId, name);
      }
      if (name !== written) this.report.converted('code whose name differs from a sibling only in case', `renamed (for example "${written}" to "${name}"), as sibling codes need names that differ in more than case`);
      let id: string;
      if (existing) {
        // The same code path is the same code: a .qdc brought into a project that has it, or a sibling of the same name.
        id = existing.id;
        this.report.r.matched.codes++;
      } else {
        id = await createCode(this.tx, {
          id: await this.idFor(guid, 'codes'),
          name,
          parentId,
          color: colorOf(attr(c, 'color')),
          // Kept as written: a description is the coding rule, and its spacing is the author's.
          description: textOf(c, 'Description') ?? '',
        });
        this.report.r.imported.codes++;
      }
      this.takenCodes.add(id);
      if (guid) this.codes.set(guid, id);
      if (attr(c, 'isCodable') === 'false') this.report.converted('code that is not codable', 'imported as an ordinary code (Marginalia lets any code be applied)');
      for (const ref of list(c, 'NoteRef')) this.target(ref, { kind: 'code', id });
      await this.codeTree(list(c, 'Code'), id);
    }
  }

  private siblingNamed(parentId: string | null, name: string): Promise<{ id: string; name: string } | undefined> {
    return this.tx.get<{ id: string; name: string }>(`SELECT id, name FROM codes WHERE ifnull(parent_id, '') = ifnull(?, '') AND name = ? COLLATE NOCASE`, [parentId, name]);
  }

  private target(ref: Node, target: NoteTarget): void {
    const g = guidOf(attr(ref, 'targetGUID'));
    if (g && !this.noteTargets.has(g)) this.noteTargets.set(g, target);
  }

  async variableDefs(project: Node): Promise<void> {
    for (const v of list(child(project, 'Variables'), 'Variable')) {
      const name = (attr(v, 'name') ?? '').trim();
      const declared = (attr(v, 'typeOfVariable') ?? 'Text').toLowerCase();
      if (!name) continue;
      const type = VARIABLE_TYPES[declared] ?? 'text';
      if (declared === 'datetime') this.report.converted('DateTime variable', `"${name}" became a text attribute (Marginalia dates have no time of day)`);
      const variable = await ensureVariable(this.tx, name, type);
      this.variables.set(guidOf(attr(v, 'guid')), { name: variable.name, type: variable.type });
    }
  }

  /** The values of VariableValue elements, by attribute name. */
  private values(node: Node): Record<string, AttributeValue> {
    const out: Record<string, AttributeValue> = {};
    for (const vv of list(node, 'VariableValue')) {
      const variable = this.variables.get(guidOf(attr(child(vv, 'VariableRef') ?? {}, 'targetGUID')));
      if (!variable) {
        this.report.dropped('attribute value', 'its variable is not declared in the file');
        continue;
      }
      const tag = VALUE_TAGS.find((t) => textOf(vv, t) !== undefined);
      // A text value is kept as written, spaces included; typed values are read without them.
      const raw = !tag ? '' : tag === 'TextValue' ? textOf(vv, tag)! : textOf(vv, tag)!.trim();
      out[variable.name] = tag === 'DateValue' ? raw.slice(0, 10) : raw;
    }
    return out;
  }

  private async setValues(documentId: string, docName: string, values: Record<string, AttributeValue>): Promise<void> {
    for (const [name, value] of Object.entries(values)) {
      try {
        await setAttributes(this.tx, documentId, { [name]: value });
        if (value !== '' && value !== null) this.report.r.imported.attributeValues++;
      } catch (err) {
        this.report.dropped('attribute value', `a value did not fit its attribute's type (for example in "${docName}": ${(err as Error).message})`);
      }
    }
  }

  /** The text of a source: inline, by plainTextPath, or from the .docx at richTextPath. */
  private async sourceText(s: Node, name: string): Promise<{ raw: string; fromRichText: boolean } | null> {
    const inline = textOf(s, 'PlainTextContent');
    if (inline && inline.trim()) return { raw: inline, fromRichText: false };
    const plain = findInArchive(this.archive, attr(s, 'plainTextPath'));
    const plainText = plain ? keepBom.decode(plain) : undefined;
    if (plainText && plainText.replace(/^\uFEFF/, '').trim()) return { raw: plainText, fromRichText: false };
    const rich = findInArchive(this.archive, attr(s, 'richTextPath'));
    if (rich && /\.docx$/i.test(attr(s, 'richTextPath') ?? '')) {
      const text = await docxToText(rich, `${this.report.r.file}: ${attr(s, 'richTextPath')}`);
      if (text.trim()) {
        this.report.converted('document from Word', 'the text was taken from the .docx because the file had no plain text for it');
        return { raw: text, fromRichText: true };
      }
    }
    if (attr(s, 'plainTextPath') && !plain) this.report.dropped('document', `its text file is missing from the archive (for example "${name}": ${attr(s, 'plainTextPath')})`);
    else this.report.dropped('document', `it has no text, neither plain text nor Word text (for example "${name}")`);
    return null;
  }

  async sources(project: Node, caseValues: Map<string, Record<string, AttributeValue>>): Promise<void> {
    const sources = child(project, 'Sources');
    for (const kind of ['PictureSource', 'AudioSource', 'VideoSource']) {
      this.report.dropped(kind.replace('Source', '').toLowerCase() + ' source', 'Marginalia codes text only', list(sources, kind).length);
    }
    const texts: Array<{ node: Node; converted: boolean }> = list(sources, 'TextSource').map((node) => ({ node, converted: false }));
    for (const pdf of list(sources, 'PDFSource')) {
      const rep = list(pdf, 'Representation')[0] ?? child(pdf, 'Representation');
      this.report.dropped('PDF selection', 'positions on a PDF page have no counterpart in text', list(pdf, 'PDFSelection').length);
      if (rep) {
        texts.push({ node: { ...rep, name: attr(rep, 'name') ?? attr(pdf, 'name'), guid: attr(pdf, 'guid') }, converted: true });
        this.report.converted('PDF source', 'imported as the text of its plain-text representation');
      } else this.report.dropped('PDF source', 'it came without a text representation');
    }
    for (const { node: s } of texts) await this.source(s, caseValues.get(guidOf(attr(s, 'guid'))) ?? {});
  }

  private async source(s: Node, fromCases: Record<string, AttributeValue>): Promise<void> {
    const guid = guidOf(attr(s, 'guid'));
    const name = (attr(s, 'name') ?? '').trim() || guid || 'Untitled';
    const selections = list(s, 'PlainTextSelection');
    const got = await this.sourceText(s, name);
    if (!got) {
      this.report.dropped('coded segment', 'its document could not be imported', selections.reduce((n, sel) => n + list(sel, 'Coding').length, 0));
      return;
    }
    const mapped = normaliseWithMap(got.raw);
    const text = mapped.text;
    const length = codePointLength(text);
    const hash = sha256(text);
    const dup = await this.tx.get<{ id: string }>(`SELECT id FROM documents WHERE text_sha256 = ? LIMIT 1`, [hash]);
    let documentId: string;
    if (dup) {
      documentId = dup.id;
      this.report.r.matched.documents++;
    } else {
      documentId = await this.idFor(guid, 'documents');
      const order = await this.tx.get<{ n: number }>(`SELECT ifnull(max(sort_order), 0) + 1 AS n FROM documents`);
      await this.tx.insert('documents', {
        id: documentId,
        name,
        text,
        text_sha256: hash,
        length,
        source_name: name,
        source_format: got.fromRichText ? 'qdpx (docx)' : 'qdpx',
        source_encoding: 'utf-8',
        imported_at: isoTime(attr(s, 'creationDateTime'), this.now),
        imported_by: await this.coderOf(attr(s, 'creatingUser')),
        sort_order: order?.n ?? 1,
      });
      this.report.r.imported.documents++;
      await this.setValues(documentId, name, { ...fromCases, ...this.values(s) });
    }
    for (const ref of list(s, 'NoteRef')) this.target(ref, { kind: 'document', id: documentId });
    if (got.fromRichText && selections.length) {
      this.report.converted('selection on Word text', 'positions were applied to the text taken from the .docx and may be shifted', selections.length);
    }
    for (const sel of selections) await this.selection(sel, documentId, name, mapped, length);
    // Coding of a whole source (a Coding directly under TextSource) becomes a segment over the whole text.
    const whole = list(s, 'Coding');
    if (whole.length) {
      this.report.converted('coding of a whole document', 'became a segment spanning the whole text', whole.length);
      await this.codings(whole, { guid: '', documentId, start: 0, end: length, creatingUser: attr(s, 'creatingUser'), created: attr(s, 'creationDateTime'), modified: attr(s, 'modifiedDateTime') });
    }
    for (const kind of ['PictureSelection', 'AudioSelection', 'VideoSelection', 'TranscriptSelection']) {
      this.report.dropped(kind.replace('Selection', '').toLowerCase() + ' selection', 'Marginalia codes text only', list(s, kind).length);
    }
  }

  private async selection(sel: Node, documentId: string, docName: string, mapped: MappedText, length: number): Promise<void> {
    const startRaw = Number(attr(sel, 'startPosition'));
    const endRaw = Number(attr(sel, 'endPosition'));
    const codings = list(sel, 'Coding');
    const bad = !Number.isInteger(startRaw) || !Number.isInteger(endRaw) || startRaw < 0 || endRaw < startRaw || endRaw > mapped.sourceLength;
    const start = bad ? 0 : mapOffset(mapped, startRaw);
    const end = bad ? 0 : Math.min(length, mapOffset(mapped, endRaw));
    if (bad || end <= start) {
      this.report.dropped('coded segment', `its positions lie outside its text or enclose nothing (for example [${attr(sel, 'startPosition')}, ${attr(sel, 'endPosition')}) in "${docName}")`, Math.max(1, codings.length));
      return;
    }
    const ids = await this.codings(codings, {
      guid: attr(sel, 'guid') ?? '',
      documentId,
      start,
      end,
      creatingUser: attr(sel, 'creatingUser'),
      created: attr(sel, 'creationDateTime'),
      modified: attr(sel, 'modifiedDateTime'),
    });
    for (const ref of list(sel, 'NoteRef')) {
      if (ids[0]) this.target(ref, { kind: 'segment', id: ids[0] });
      else this.target(ref, { kind: 'document', id: documentId });
    }
    if (codings.length === 0) this.report.dropped('selection without a code', 'Marginalia keeps coded segments only; a memo on it went to the document', 1);
  }

  private async codings(
    codings: Node[],
    at: { guid: string; documentId: string; start: number; end: number; creatingUser?: string; created?: string; modified?: string },
  ): Promise<string[]> {
    const ids: string[] = [];
    for (const [i, coding] of codings.entries()) {
      const codeId = this.codes.get(guidOf(attr(child(coding, 'CodeRef') ?? {}, 'targetGUID')));
      if (!codeId) {
        this.report.dropped('coding', 'it refers to a code that is not in the file');
        continue;
      }
      const coderId = await this.coderOf(attr(coding, 'creatingUser'), at.creatingUser);
      // A coding the project had before this import is not doubled (the same file imported
      // twice); one this file brought a moment ago is not a reason to drop another: a project
      // may hold the same code, coder and span twice, and its export carries both.
      const same = (
        await this.tx.all<{ id: string }>(`SELECT id FROM segments WHERE document_id = ? AND code_id = ? AND coder_id = ? AND start = ? AND end = ?`, [
          at.documentId,
          codeId,
          coderId,
          at.start,
          at.end,
        ])
      ).find((s) => !this.createdSegments.has(s.id));
      if (same) {
        this.report.dropped('coding already in the project', 'the same code, coder and span were already coded; not doubled');
        ids.push(same.id);
        continue;
      }
      // The selection's GUID names the first segment, so a Marginalia round trip keeps segment ids.
      const id = await this.idFor(i === 0 && at.guid ? at.guid : (attr(coding, 'guid') ?? ''), 'segments');
      const created = isoTime(attr(coding, 'creationDateTime') ?? at.created, this.now);
      await this.tx.insert('segments', {
        id,
        document_id: at.documentId,
        code_id: codeId,
        coder_id: coderId,
        start: at.start,
        end: at.end,
        created_at: created,
        updated_at: isoTime(at.modified, created),
      });
      this.createdSegments.add(id);
      for (const ref of list(coding, 'NoteRef')) this.target(ref, { kind: 'segment', id });
      ids.push(id);
      this.report.r.imported.segments++;
    }
    return ids;
  }

  async notes(project: Node): Promise<void> {
    for (const ref of list(project, 'NoteRef')) this.target(ref, { kind: 'project', id: null });
    for (const n of list(child(project, 'Notes'), 'Note')) {
      const guid = guidOf(attr(n, 'guid'));
      // A memo is the researcher's own writing and no offset points into it: its text and
      // title come in as written (the XML reader has already made line ends LF, and kept a
      // CR written as &#13;). Only a memo kept in a file gets the document normalisation.
      let text = textOf(n, 'PlainTextContent') ?? '';
      if (!text.trim() && attr(n, 'plainTextPath')) {
        const file = findInArchive(this.archive, attr(n, 'plainTextPath'));
        if (file) text = normaliseWithMap(keepBom.decode(file)).text;
      }
      const title = attr(n, 'name') ?? '';
      if (!text.trim() && !title.trim()) {
        this.report.dropped('memo', 'it has no text');
        continue;
      }
      if (UUID_RE.test(guid) && (await this.tx.get(`SELECT 1 FROM memos WHERE id = ? AND text = ?`, [guid, text]))) {
        this.report.dropped('memo already in the project', 'the same memo was imported before; not doubled');
        continue;
      }
      let target = this.noteTargets.get(guid);
      if (!target) {
        target = { kind: 'project', id: null };
        this.report.converted('memo without a target', 'became a project memo');
      }
      const created = isoTime(attr(n, 'creationDateTime'), this.now);
      await this.tx.insert('memos', {
        id: await this.idFor(guid, 'memos'),
        target_kind: target.kind,
        target_id: target.id,
        author_id: await this.coderOf(attr(n, 'creatingUser')),
        title,
        content: lexicalFromPlain(text),
        text,
        created_at: created,
        updated_at: isoTime(attr(n, 'modifiedDateTime'), created),
      });
      this.report.r.imported.memos++;
    }
  }

  /** Values of Cases, passed on to the sources each case names (Marginalia has attributes on documents). */
  caseValues(project: Node): Map<string, Record<string, AttributeValue>> {
    const out = new Map<string, Record<string, AttributeValue>>();
    const cases = list(child(project, 'Cases'), 'Case');
    for (const c of cases) {
      const values = this.values(c);
      for (const ref of list(c, 'SourceRef')) out.set(guidOf(attr(ref, 'targetGUID')), { ...out.get(guidOf(attr(ref, 'targetGUID'))), ...values });
    }
    if (cases.length) this.report.converted('case', 'its variable values became attributes of the documents it names', cases.length);
    return out;
  }
}

/**
 * Imports a REFI-QDA project (.qdpx), bare project XML (.qde) or codebook (.qdc) into the
 * open project, as one undoable action: it all comes in, or nothing does. `coderName` is
 * the person importing, credited with anything the file attributes to no user.
 */
export async function importExchangeBytes(
  db: ProjectDb,
  bytes: Uint8Array,
  fileName: string,
  coderName: string,
): Promise<ExchangeImportReport> {
  const archive = readArchive(bytes, fileName);
  const root = parseXml(archive.qde ?? '', fileName);
  const project = child(root, 'Project');
  const codebook = child(root, 'CodeBook');
  if (!project && !codebook) {
    throw new MarginaliaError('invalid_input', `${fileName}: is neither a REFI-QDA project (<Project>) nor a codebook (<CodeBook>); export it again from the other program.`);
  }
  const format: ExchangeImportReport['format'] = project ? (isZip(bytes) ? 'qdpx' : 'qde') : 'qdc';
  const report = new Report(fileName, format);
  const top = (project ?? codebook)!;
  report.r.origin = attr(top, 'origin') ?? null;
  report.r.projectName = project ? (attr(project, 'name') ?? null) : null;
  const actor = await db.read((r) => r.get<{ id: string }>(`SELECT id FROM coders WHERE name = ? ORDER BY created_at LIMIT 1`, [coderName]));
  await db.action({ kind: 'exchange.import', summary: `Import ${fileName}`, coderId: actor?.id ?? null }, async (tx) => {
    const imp = new Importer(tx, archive, report, coderName);
    if (project) await imp.users(project);
    const codes = project ? child(project, 'CodeBook') : codebook;
    await imp.codeTree(list(child(codes, 'Codes'), 'Code'), null);
    if (codebook) report.dropped('code set', 'Marginalia has no code sets', list(child(codebook, 'Sets'), 'Set').length);
    if (!project) return;
    await imp.variableDefs(project);
    await imp.sources(project, imp.caseValues(project));
    await imp.notes(project);
    report.dropped('link', 'Marginalia has no links between items', list(child(project, 'Links'), 'Link').length);
    report.dropped('set', 'Marginalia has no sets', list(child(project, 'Sets'), 'Set').length);
    report.dropped('graph', 'Marginalia has no graphs', list(child(project, 'Graphs'), 'Graph').length);
  });
  return report.r;
}
