import { zipSync, strToU8, type Zippable } from 'fflate';
import type { Reader } from '../db/project-db';
import type { SegmentRecord } from '../coding/segments';
import { listCodes, type Code } from '../codebook/codebook';
import { projectInfo } from '../project/info';
import { MarginaliaError } from '../errors';
import { CodePointIndex } from '../text/normalise';
import { derivedGuid, el, xmlDocument, type XmlElement } from './xml';
import { describeMemos } from './refi-memos';

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
/** Zip entries get this time, not the clock's, so exporting twice gives the same bytes. */
export const FIXED_ZIP_TIME = new Date('2000-01-01T00:00:00Z');

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
  private readonly defined = new Set<string>();
  private readonly referenced: Array<[string, string]> = [];
  define(guid: string, what: string): string {
    const g = guid.toLowerCase();
    if (this.defined.has(g)) throw new MarginaliaError('internal', `REFI-QDA export: the GUID ${guid} (${what}) occurs twice.`);
    this.defined.add(g);
    return guid;
  }
  ref(guid: string, from: string): string {
    this.referenced.push([guid.toLowerCase(), from]);
    return guid;
  }
  check(): void {
    for (const [g, from] of this.referenced) {
      if (!this.defined.has(g)) throw new MarginaliaError('internal', `REFI-QDA export: ${from} refers to ${g}, which is not in the file.`);
    }
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
  ledger.check();
  return strToU8(xmlDocument('CodeBook', root));
}

/** A list element, or nothing: the schema wants at least one item in every list it has. */
function listOf(tag: string, items: XmlElement[]): XmlElement | undefined {
  return items.length ? { [tag]: items } : undefined;
}

/** The whole project as a REFI-QDA .qdpx archive: project.qde and sources/<guid>.txt. */
export async function exportQdpx(r: Reader, options: QdpxOptions = {}): Promise<Uint8Array> {
  const nvivo = options.for === 'nvivo';
  const info = await projectInfo(r);
  const ledger = new GuidLedger();
  const coders = await r.all<{ id: string; name: string }>(`SELECT id, name FROM coders ORDER BY created_at, id`);
  const codes = await listCodes(r);
  const variables = await r.all<{ id: string; name: string; type: VariableType }>(`SELECT id, name, type FROM variables ORDER BY sort_order, id`);
  const memos = await r.all<MemoRow>(`SELECT id, target_kind, target_id, author_id, title, text, created_at, updated_at FROM memos ORDER BY created_at, id`);
  const memosOf = new Map<string, string[]>();
  const memoById = new Map(memos.map((m) => [m.id, m]));
  /**
   * The memos of an item as a Description too: QualCoder reads a coding's and a document's
   * memo only from there, ATLAS.ti writes them there. Undefined when the item has none.
   */
  const describe = (ids: readonly string[]): string | undefined => (ids.length ? describeMemos(ids.map((id) => memoById.get(id)!)) : undefined);
  const projectMemos: string[] = [];
  const exists = new Set<string>();
  for (const t of ['documents', 'codes', 'segments']) await r.each<{ id: string }>(`SELECT id FROM ${t}`, [], (x) => void exists.add(x.id));
  for (const m of memos) {
    // A memo whose target has gone is kept on the project rather than lost.
    if (m.target_kind === 'project' || !m.target_id || !exists.has(m.target_id)) projectMemos.push(m.id);
    else push(memosOf, m.target_id, m.id);
  }

  const users = coders.map((c) => el({ guid: ledger.define(c.id, `coder ${c.name}`), name: c.name }));
  const codeTree = codeElements(childrenOf(codes), null, memosOf, ledger, true);
  const variableDefs = variables.map((v) => el({ guid: ledger.define(v.id, `attribute ${v.name}`), name: v.name, typeOfVariable: TYPE_OF_VARIABLE[v.type] }));

  const typeOf = new Map(variables.map((v) => [v.id, v.type]));
  const values = new Map<string, Array<{ variable_id: string; value: string }>>();
  await r.each<{ document_id: string; variable_id: string; value: string }>(
    `SELECT dv.document_id, dv.variable_id, dv.value FROM document_values dv JOIN variables v ON v.id = dv.variable_id ORDER BY v.sort_order, v.id`,
    [],
    (v) => push(values, v.document_id, v),
  );
  // One pass over all segments instead of a query per document: each query costs a thread hop.
  const segmentsOf = new Map<string, SegmentRow[]>();
  await r.each<SegmentRow>(
    `SELECT id, document_id, code_id, coder_id, start, end, created_at, updated_at FROM segments ORDER BY document_id, start, end, id`,
    [],
    (s) => push(segmentsOf, s.document_id, s),
  );
  const documents = await r.all<{ id: string; name: string; text: string; length: number; imported_at: string; imported_by: string | null }>(
    `SELECT id, name, text, length, imported_at, imported_by FROM documents ORDER BY sort_order, id`,
  );

  const files: Zippable = {};
  const sources = documents.map((d) => {
    const what = `document ${d.name}`;
    // Positions for NVivo count UTF-16 units of the same text (LF line ends, as stored).
    const units = nvivo ? new CodePointIndex(d.text) : null;
    const selections = (segmentsOf.get(d.id) ?? []).map((s) => {
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
    const vals = (values.get(d.id) ?? []).map((v) => ({ VariableRef: el({ targetGUID: ledger.ref(v.variable_id, what) }), ...valueElement(typeOf.get(v.variable_id) ?? 'text', v.value) }));
    // Stored texts are already normalised (LF line ends, NFC) and travel byte for byte. A reader
    // drops one leading BOM, so a text that itself begins with U+FEFF gets one more in front.
    files[`sources/${d.id}.txt`] = strToU8(d.text.startsWith('\uFEFF') ? `\uFEFF${d.text}` : d.text);
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
  });
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

  const project = el(
    { ...PROJECT_NS, name: info.name, origin: nvivo ? NVIVO_ORIGIN : ORIGIN, creationDateTime: info.created_at || undefined },
    {
      Users: listOf('User', users),
      CodeBook: codeTree.length ? { Codes: { Code: codeTree } } : undefined,
      Variables: listOf('Variable', variableDefs),
      Sources: listOf('TextSource', sources),
      Notes: listOf('Note', notes),
      Sets: listOf('Set', sets),
      // The project's description, then its memos: QualCoder's project memo is this Description.
      Description: [info.description, describe(projectMemos) ?? ''].filter((x) => x !== '').join('\n\n') || undefined,
      NoteRef: projectNotes.length ? projectNotes : undefined,
    },
  );
  ledger.check();
  files['project.qde'] = strToU8(xmlDocument('Project', project));
  // A sources folder even when there is no document: QualCoder lists it and stops without one.
  if (!documents.length) files['sources/'] = new Uint8Array(0);
  const zippable: Zippable = {};
  for (const name of Object.keys(files).sort()) zippable[name] = [files[name] as Uint8Array, { mtime: FIXED_ZIP_TIME }];
  return zipSync(zippable, { level: 6 });
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
