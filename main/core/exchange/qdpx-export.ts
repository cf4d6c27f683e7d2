import { strToU8 } from 'fflate';
import type { Reader } from '../db/project-db';
import type { SegmentRecord } from '../coding/segments';
import { listCodes, type Code } from '../codebook/codebook';
import { projectInfo } from '../project/info';
import { MarginaliaError } from '../errors';
import { CodePointIndex } from '../text/normalise';
import { derivedGuid, el, xmlDocument, xmlFragment, type XmlElement } from './xml';
import { describeMemos } from './refi-memos';
import { GuidSet } from './guid-set';
import { zipToBytes, type ZipWriter } from './zip-writer';

export const ORIGIN = 'Marginalia 0.1.0';

/**
 * Which program the .qdpx is for. 'standard': positions in code points, as the REFI-QDA
 * specification says and ATLAS.ti, MAXQDA, QualCoder and Marginalia read them. 'nvivo':
 * positions in UTF-16 code units, as NVivo reads and writes them (the two differ only after
 * a character beyond U+FFFF, an emoji say). The origin then says so, and Marginalia's own
 * import reads such a file back by it.
 */
export type QdpxTarget = 'standard' | 'nvivo';
export const QDPX_TARGETS: readonly QdpxTarget[] = ['standard', 'nvivo'];
export const NVIVO_ORIGIN = `${ORIGIN} for NVivo (positions in UTF-16 units)`;

export interface QdpxOptions {
  for?: QdpxTarget;
}
export { FIXED_ZIP_TIME } from './zip-writer';

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';
const PROJECT_NS = {
  xmlns: 'urn:QDA-XML:project:1.0',
  'xmlns:xsi': XSI,
  'xsi:schemaLocation': 'urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd',
};
const CODEBOOK_NS = {
  xmlns: 'urn:QDA-XML:codebook:1.0',
  'xmlns:xsi': XSI,
  'xsi:schemaLocation': 'urn:QDA-XML:codebook:1.0 http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd',
};

type VariableType = 'text' | 'number' | 'date' | 'boolean';
const TYPE_OF_VARIABLE: Record<VariableType, string> = { text: 'Text', number: 'Float', date: 'Date', boolean: 'Boolean' };

/**
 * Keeps the promises the schema cannot check: every GUID once, every reference to a GUID
 * that exists in the file, every selection inside its text. A broken export is an error
 * here, never a file another program chokes on.
 */
class GuidLedger {
  private defined = new GuidSet();
  /** References to GUIDs not defined yet when they were made (a note's memo, written later). */
  private readonly referenced: Array<[string, string]> = [];
  define(guid: string, what: string): string {
    if (!this.defined.add(guid)) throw new MarginaliaError('internal', `REFI-QDA export: the GUID ${guid} (${what}) occurs twice.`);
    return guid;
  }
  ref(guid: string, from: string): string {
    if (!this.defined.has(guid)) this.referenced.push([guid.toLowerCase(), from]);
    return guid;
  }
  /** Checks the references made before their GUID was defined; then lets the GUIDs go (64 MB at a million segments), as nothing is defined after it. */
  close(): void {
    for (const [g, from] of this.referenced) {
      if (!this.defined.has(g)) throw new MarginaliaError('internal', `REFI-QDA export: ${from} refers to ${g}, which is not in the file.`);
    }
    this.defined = new GuidSet();
  }
}

/**
 * A stored number as xsd:decimal, which has no exponent: the shortest digits that read back
 * as the same double (what String() gives), with the decimal point moved instead of "e".
 */
export function decimal(raw: string): string {
  const n = Number(raw);
  // Stored numbers are finite (the attribute check refuses others); this keeps the file valid regardless.
  if (!Number.isFinite(n)) return '0';
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const sign = s.startsWith('-') ? '-' : '';
  const [int = '', frac = ''] = s.slice(sign.length, e).split('.');
  const digits = int + frac;
  const point = int.length + Number(s.slice(e + 1));
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether a stored date is an xsd:date. Marginalia checks dates with Date.parse, which lets
 * 2023-02-30 and year 0000 through; the schema does not, so such a value travels as text.
 */
function isXsdDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year === 0 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
}

/**
 * Whether a decimal fits the 24 digits libxml2 holds an xs:decimal in (counted from the first
 * non-zero digit before the point, every digit after it). xmllint, and lxml in QualCoder,
 * reject a longer one as invalid, though the XSD sets no limit.
 */
function fitsLibxml2(decimalText: string): boolean {
  const [int = '', frac = ''] = decimalText.replace(/^-/, '').split('.');
  return int.replace(/^0+/, '').length + frac.length <= 24;
}

/**
 * The value element of one attribute value: its type's element, or TextValue when the type's
 * XSD form cannot hold it exactly (a number like 6.4e-208, a date like 2023-02-30). The
 * value stays what it was: Marginalia's import reads it back into the typed attribute.
 */
function valueElement(type: VariableType, value: string): Record<string, string> {
  if (type === 'number') {
    const d = decimal(value);
    return fitsLibxml2(d) ? { FloatValue: d } : { TextValue: String(Number(value)) };
  }
  if (type === 'boolean' && (value === 'true' || value === 'false')) return { BooleanValue: value };
  if (type === 'date' && isXsdDate(value)) return { DateValue: value };
  return { TextValue: value };
}

/** Codes under each parent, in tree order (listCodes gives each parent before its children). */
function childrenOf(codes: Code[]): Map<string | null, Code[]> {
  const out = new Map<string | null, Code[]>();
  for (const c of codes) {
    const list = out.get(c.parent_id);
    if (list) list.push(c);
    else out.set(c.parent_id, [c]);
  }
  return out;
}

function codeElements(children: Map<string | null, Code[]>, parentId: string | null, memos: Map<string, string[]>, ledger: GuidLedger, withNotes: boolean): XmlElement[] {
  return (children.get(parentId) ?? []).map((c) => {
    const notes = withNotes ? (memos.get(c.id) ?? []).map((m) => el({ targetGUID: ledger.ref(m, `code ${c.path}`) })) : [];
    const sub = codeElements(children, c.id, memos, ledger, withNotes);
    return el(
      { guid: ledger.define(c.id, `code ${c.path}`), name: c.name, isCodable: 'true', color: c.color },
      {
        // Description is optional: an empty one is left out, a blank one is kept as it is.
        Description: c.description === '' ? undefined : c.description,
        NoteRef: notes.length ? notes : undefined,
        Code: sub.length ? sub : undefined,
      },
    );
  });
}

interface MemoRow {
  id: string;
  target_kind: 'project' | 'document' | 'code' | 'segment';
  target_id: string | null;
  author_id: string | null;
  title: string;
  text: string;
  created_at: string;
  updated_at: string;
}

type SegmentRow = SegmentRecord;

/** The codebook as a REFI-QDA .qdc file. */
export async function exportQdc(r: Reader): Promise<Uint8Array> {
  const codes = await listCodes(r);
  // The schema requires at least one Code inside Codes.
  if (codes.length === 0) throw new MarginaliaError('invalid_input', 'The codebook is empty: a .qdc file needs at least one code. Add codes first.');
  const ledger = new GuidLedger();
  const root = el({ ...CODEBOOK_NS, origin: ORIGIN }, { Codes: { Code: codeElements(childrenOf(codes), null, new Map(), ledger, false) } });
  ledger.close();
  return strToU8(xmlDocument('CodeBook', root));
}

/** A list element, or nothing: the schema wants at least one item in every list it has. */
function listOf(tag: string, items: XmlElement[]): XmlElement | undefined {
  return items.length ? { [tag]: items } : undefined;
}

/** Documents read, with their segments and attribute values, this many at a time. */
const DOCUMENT_PAGE = 500;
/** The one TextSource of the document written before its sources, where they go. */
const SOURCES_HERE = 'marginalia-sources-go-here';

interface DocumentRow {
  id: string;
  name: string;
  text?: string;
  length: number;
  sort_order: number;
  imported_at: string;
  imported_by: string | null;
}

/** The whole project as a REFI-QDA .qdpx archive in memory (see `writeQdpx`). */
export function exportQdpx(r: Reader, options: QdpxOptions = {}): Promise<Uint8Array> {
  return zipToBytes((zip) => writeQdpx(r, options, zip));
}

/**
 * The whole project as a REFI-QDA .qdpx archive: project.qde, then sources/<guid>.txt, each
 * written into the archive as it is made. The documents are read a page at a time (their
 * texts only for the sources, and for NVivo's positions), so neither the texts nor the
 * segments of a large project are held at once; project.qde is the document `xmlDocument`
 * builds, its sources written one page at a time between the parts before and after them.
 */
export async function writeQdpx(r: Reader, options: QdpxOptions, zip: ZipWriter): Promise<void> {
  const nvivo = options.for === 'nvivo';
  const info = await projectInfo(r);
  const ledger = new GuidLedger();
  const coders = await r.all<{ id: string; name: string }>(`SELECT id, name FROM coders ORDER BY created_at, id`);
  const codes = await listCodes(r);
  const variables = await r.all<{ id: string; name: string; type: VariableType }>(`SELECT id, name, type FROM variables ORDER BY sort_order, id`);
  // Whether each memo's target is still there (a document, code or segment of that id), asked of the indexes.
  const memos = await r.all<MemoRow & { present: number }>(
    `SELECT id, target_kind, target_id, author_id, title, text, created_at, updated_at,
       (EXISTS (SELECT 1 FROM documents d WHERE d.id = m.target_id) OR EXISTS (SELECT 1 FROM codes c WHERE c.id = m.target_id)
        OR EXISTS (SELECT 1 FROM segments s WHERE s.id = m.target_id)) AS present
     FROM memos m ORDER BY created_at, id`,
  );
  const memosOf = new Map<string, string[]>();
  const memoById = new Map(memos.map((m) => [m.id, m]));
  /**
   * The memos of an item as a Description too: QualCoder reads a coding's and a document's
   * memo only from there, ATLAS.ti writes them there. Undefined when the item has none.
   */
  const describe = (ids: readonly string[]): string | undefined => (ids.length ? describeMemos(ids.map((id) => memoById.get(id)!)) : undefined);
  const projectMemos: string[] = [];
  for (const m of memos) {
    // A memo whose target has gone is kept on the project rather than lost.
    if (m.target_kind === 'project' || !m.target_id || !m.present) projectMemos.push(m.id);
    else push(memosOf, m.target_id, m.id);
  }

  const users = coders.map((c) => el({ guid: ledger.define(c.id, `coder ${c.name}`), name: c.name }));
  const codeTree = codeElements(childrenOf(codes), null, memosOf, ledger, true);
  const variableDefs = variables.map((v) => el({ guid: ledger.define(v.id, `attribute ${v.name}`), name: v.name, typeOfVariable: TYPE_OF_VARIABLE[v.type] }));
  const typeOf = new Map(variables.map((v) => [v.id, v.type]));
  const anyDocument = !!(await r.get(`SELECT 1 FROM documents LIMIT 1`));

  const source = (d: DocumentRow, segments: SegmentRow[], values: Array<{ variable_id: string; value: string }>): XmlElement => {
    const what = `document ${d.name}`;
    // Positions for NVivo count UTF-16 units of the same text (LF line ends, as stored).
    const units = nvivo ? new CodePointIndex(d.text!) : null;
    const selections = segments.map((s) => {
      if (!(s.start >= 0 && s.start <= s.end && s.end <= d.length)) {
        throw new MarginaliaError('internal', `REFI-QDA export: segment ${s.id} [${s.start}, ${s.end}) lies outside "${d.name}" (${d.length} characters).`);
      }
      const where = `segment ${s.id}`;
      const notes = (memosOf.get(s.id) ?? []).map((m) => el({ targetGUID: ledger.ref(m, where) }));
      return el(
        {
          guid: ledger.define(s.id, where),
          startPosition: units ? units.toUtf16(s.start) : s.start,
          endPosition: units ? units.toUtf16(s.end) : s.end,
          creatingUser: ledger.ref(s.coder_id, where),
          creationDateTime: s.created_at,
          modifyingUser: ledger.ref(s.coder_id, where),
          modifiedDateTime: s.updated_at,
        },
        {
          Description: describe(memosOf.get(s.id) ?? []),
          Coding: el(
            { guid: ledger.define(derivedGuid(`coding:${s.id}`), `coding of ${where}`), creatingUser: s.coder_id, creationDateTime: s.created_at },
            { CodeRef: el({ targetGUID: ledger.ref(s.code_id, where) }) },
          ),
          NoteRef: notes.length ? notes : undefined,
        },
      );
    });
    const notes = (memosOf.get(d.id) ?? []).map((m) => el({ targetGUID: ledger.ref(m, what) }));
    const vals = values.map((v) => ({ VariableRef: el({ targetGUID: ledger.ref(v.variable_id, what) }), ...valueElement(typeOf.get(v.variable_id) ?? 'text', v.value) }));
    return el(
      {
        guid: ledger.define(d.id, what),
        name: d.name,
        plainTextPath: `internal://${d.id}.txt`,
        creatingUser: d.imported_by ? ledger.ref(d.imported_by, what) : undefined,
        creationDateTime: d.imported_at,
      },
      {
        Description: describe(memosOf.get(d.id) ?? []),
        PlainTextSelection: selections.length ? selections : undefined,
        NoteRef: notes.length ? notes : undefined,
        VariableValue: vals.length ? vals : undefined,
      },
    );
  };

  /** project.qde with the parts made so far; the sources, when there are any, as one placeholder. */
  const projectXml = (tail?: { notes: XmlElement[]; sets: XmlElement[]; projectNotes: XmlElement[] }): string =>
    xmlDocument(
      'Project',
      el(
        { ...PROJECT_NS, name: info.name, origin: nvivo ? NVIVO_ORIGIN : ORIGIN, creationDateTime: info.created_at || undefined },
        {
          Users: listOf('User', users),
          CodeBook: codeTree.length ? { Codes: { Code: codeTree } } : undefined,
          Variables: listOf('Variable', variableDefs),
          Sources: anyDocument ? { TextSource: [el({ guid: SOURCES_HERE })] } : undefined,
          Notes: tail ? listOf('Note', tail.notes) : undefined,
          Sets: tail ? listOf('Set', tail.sets) : undefined,
          // The project's description, then its memos: QualCoder's project memo is this Description.
          Description: tail ? [info.description, describe(projectMemos) ?? ''].filter((x) => x !== '').join('\n\n') || undefined : undefined,
          NoteRef: tail?.projectNotes.length ? tail.projectNotes : undefined,
        },
      ),
    );
  const placeholder = `    <TextSource guid="${SOURCES_HERE}"/>\n`;
  const qde = zip.entry('project.qde');
  const before = projectXml();
  const at = before.indexOf(placeholder);
  if (anyDocument && at < 0) throw new MarginaliaError('internal', 'REFI-QDA export: project.qde has no place for its sources.');
  const head = anyDocument ? before.slice(0, at) : null;
  if (head !== null) qde.write(head);

  // The documents in order, a page at a time, each with its segments and attribute values.
  let after: DocumentRow | null = null;
  while (anyDocument) {
    const page: DocumentRow[] = await r.all<DocumentRow>(
      `SELECT id, name, ${nvivo ? 'text, ' : ''}length, sort_order, imported_at, imported_by FROM documents
       ${after ? 'WHERE (sort_order, id) > (?, ?)' : ''} ORDER BY sort_order, id LIMIT ${DOCUMENT_PAGE}`,
      after ? [after.sort_order, after.id] : [],
    );
    if (page.length === 0) break;
    const ids = page.map((d) => d.id);
    const marks = ids.map(() => '?').join(', ');
    const segmentsOf = new Map<string, SegmentRow[]>();
    for (const s of await r.all<SegmentRow>(
      `SELECT id, document_id, code_id, coder_id, start, end, created_at, updated_at FROM segments WHERE document_id IN (${marks}) ORDER BY document_id, start, end, id`,
      ids,
    )) {
      push(segmentsOf, s.document_id, s);
    }
    const values = new Map<string, Array<{ variable_id: string; value: string }>>();
    for (const v of await r.all<{ document_id: string; variable_id: string; value: string }>(
      `SELECT dv.document_id, dv.variable_id, dv.value FROM document_values dv JOIN variables v ON v.id = dv.variable_id WHERE dv.document_id IN (${marks}) ORDER BY v.sort_order, v.id`,
      ids,
    )) {
      push(values, v.document_id, v);
    }
    qde.write(xmlFragment(['Project', 'Sources'], 'TextSource', page.map((d) => source(d, segmentsOf.get(d.id) ?? [], values.get(d.id) ?? []))));
    after = page[page.length - 1]!;
  }

  const notes = memos.map((m) =>
    el(
      {
        guid: ledger.define(m.id, `memo ${m.id}`),
        name: m.title === '' ? undefined : m.title,
        creatingUser: m.author_id ? ledger.ref(m.author_id, `memo ${m.id}`) : undefined,
        creationDateTime: m.created_at,
        modifiedDateTime: m.updated_at,
      },
      { PlainTextContent: m.text },
    ),
  );
  const projectNotes = projectMemos.map((m) => el({ targetGUID: ledger.ref(m, 'the project') }));
  // Document sets as REFI-QDA <Set>s of <MemberSource>s (ATLAS.ti document groups, MAXQDA document sets).
  const memberships = new Map<string, string[]>();
  await r.each<{ set_id: string; document_id: string }>(
    `SELECT m.set_id, m.document_id FROM document_set_members m JOIN documents d ON d.id = m.document_id ORDER BY m.set_id, d.sort_order, d.id`,
    [],
    (m) => push(memberships, m.set_id, m.document_id),
  );
  const sets = (await r.all<{ id: string; name: string; description: string }>(`SELECT id, name, description FROM document_sets ORDER BY name COLLATE NOCASE, id`)).map((set) => {
    const what = `document set ${set.name}`;
    const members = (memberships.get(set.id) ?? []).map((d) => el({ targetGUID: ledger.ref(d, what) }));
    return el({ guid: ledger.define(set.id, what), name: set.name }, { Description: set.description === '' ? undefined : set.description, MemberSource: members.length ? members : undefined });
  });
  ledger.close();
  const whole = projectXml({ notes, sets, projectNotes });
  if (head === null) qde.write(whole);
  else {
    // The parts before the sources do not change with what comes after them.
    if (!whole.startsWith(head + placeholder)) throw new MarginaliaError('internal', 'REFI-QDA export: project.qde came out differently the second time it was built.');
    qde.write(whole.slice(head.length + placeholder.length));
  }
  qde.end();

  // Stored texts are already normalised (LF line ends, NFC) and travel byte for byte. A reader
  // drops one leading BOM, so a text that itself begins with U+FEFF gets one more in front.
  let afterId: string | null = null;
  while (anyDocument) {
    const page: Array<{ id: string; text: string }> = await r.all<{ id: string; text: string }>(
      `SELECT id, text FROM documents ${afterId !== null ? 'WHERE id > ?' : ''} ORDER BY id LIMIT ${DOCUMENT_PAGE}`,
      afterId !== null ? [afterId] : [],
    );
    if (page.length === 0) break;
    for (const d of page) zip.file(`sources/${d.id}.txt`, d.text.startsWith('\uFEFF') ? `\uFEFF${d.text}` : d.text);
    afterId = page[page.length - 1]!.id;
  }
  // A sources folder even when there is no document: QualCoder lists it and stops without one.
  if (!anyDocument) zip.folder('sources/');
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
