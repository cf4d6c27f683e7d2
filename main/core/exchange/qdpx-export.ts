import { zipSync, strToU8, type Zippable } from 'fflate';
import type { Reader } from '../db/project-db';
import { listCodes, type Code } from '../codebook/codebook';
import { projectInfo } from '../project/info';
import { MarginaliaError } from '../errors';
import { attrs, derivedGuid, xmlText } from './xml';

export const ORIGIN = 'Marginalia 0.1.0';
/** Zip entries get this time, not the clock's, so exporting twice gives the same bytes. */
export const FIXED_ZIP_TIME = new Date('2000-01-01T00:00:00Z');

const PROJECT_NS = 'xmlns="urn:QDA-XML:project:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"';
const CODEBOOK_NS = 'xmlns="urn:QDA-XML:codebook:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:QDA-XML:codebook:1.0 http://schema.qdasoftware.org/versions/Codebook/v1.0/Codebook.xsd"';

const TYPE_OF_VARIABLE = { text: 'Text', number: 'Float', date: 'Date', boolean: 'Boolean' } as const;
const VALUE_ELEMENT = { text: 'TextValue', number: 'FloatValue', date: 'DateValue', boolean: 'BooleanValue' } as const;

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

/** A decimal without exponent: xsd:decimal has no "1e21". */
function decimal(raw: string): string {
  const n = Number(raw);
  if (!Number.isFinite(n)) return '0';
  return n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

function codeXml(codes: Code[], parentId: string | null, memos: Map<string, string[]>, ledger: GuidLedger, withNotes: boolean, indent: string): string {
  let out = '';
  for (const c of codes.filter((x) => x.parent_id === parentId)) {
    out += `${indent}<Code${attrs({ guid: ledger.define(c.id, `code ${c.path}`), name: c.name, isCodable: true, color: c.color })}>\n`;
    if (c.description) out += `${indent}  <Description>${xmlText(c.description)}</Description>\n`;
    if (withNotes) for (const m of memos.get(c.id) ?? []) out += `${indent}  <NoteRef${attrs({ targetGUID: ledger.ref(m, `code ${c.path}`) })}/>\n`;
    out += codeXml(codes, c.id, memos, ledger, withNotes, indent + '  ');
    out += `${indent}</Code>\n`;
  }
  return out.replace(/<Code([^>]*)>\n(\s*)<\/Code>\n/g, '<Code$1/>\n');
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

/** The codebook as a REFI-QDA .qdc file. */
export async function exportQdc(r: Reader): Promise<Uint8Array> {
  const codes = await listCodes(r);
  const ledger = new GuidLedger();
  let xml = `<?xml version="1.0" encoding="utf-8"?>\n<CodeBook ${CODEBOOK_NS}${attrs({ origin: ORIGIN })}>\n`;
  // The schema requires at least one Code inside Codes.
  if (codes.length === 0) throw new MarginaliaError('invalid_input', 'The codebook is empty: a .qdc file needs at least one code. Add codes first.');
  xml += `  <Codes>\n${codeXml(codes, null, new Map(), ledger, false, '    ')}  </Codes>\n</CodeBook>\n`;
  ledger.check();
  return strToU8(xml);
}

/** The whole project as a REFI-QDA .qdpx archive: project.qde and sources/<guid>.txt. */
export async function exportQdpx(r: Reader): Promise<Uint8Array> {
  const info = await projectInfo(r);
  const ledger = new GuidLedger();
  const coders = await r.all<{ id: string; name: string }>(`SELECT id, name FROM coders ORDER BY created_at, id`);
  const codes = await listCodes(r);
  const variables = await r.all<{ id: string; name: string; type: keyof typeof TYPE_OF_VARIABLE }>(`SELECT id, name, type FROM variables ORDER BY sort_order, id`);
  const memos = await r.all<MemoRow>(`SELECT id, target_kind, target_id, author_id, title, text, created_at, updated_at FROM memos ORDER BY created_at, id`);
  const memosOf = new Map<string, string[]>();
  const projectMemos: string[] = [];
  const exists = new Set<string>();
  for (const t of ['documents', 'codes', 'segments']) for (const x of await r.all<{ id: string }>(`SELECT id FROM ${t}`)) exists.add(x.id);
  for (const m of memos) {
    // A memo whose target has gone is kept on the project rather than lost.
    if (m.target_kind === 'project' || !m.target_id || !exists.has(m.target_id)) projectMemos.push(m.id);
    else memosOf.set(m.target_id, [...(memosOf.get(m.target_id) ?? []), m.id]);
  }

  const files: Zippable = {};
  let xml = `<?xml version="1.0" encoding="utf-8"?>\n<Project ${PROJECT_NS}${attrs({ name: info.name, origin: ORIGIN, creationDateTime: info.created_at || undefined })}>\n`;
  if (coders.length) {
    xml += '  <Users>\n';
    for (const c of coders) xml += `    <User${attrs({ guid: ledger.define(c.id, `coder ${c.name}`), name: c.name })}/>\n`;
    xml += '  </Users>\n';
  }
  if (codes.length) xml += `  <CodeBook>\n    <Codes>\n${codeXml(codes, null, memosOf, ledger, true, '      ')}    </Codes>\n  </CodeBook>\n`;
  if (variables.length) {
    xml += '  <Variables>\n';
    for (const v of variables) xml += `    <Variable${attrs({ guid: ledger.define(v.id, `attribute ${v.name}`), name: v.name, typeOfVariable: TYPE_OF_VARIABLE[v.type] })}/>\n`;
    xml += '  </Variables>\n';
  }

  const values = new Map<string, Array<{ variable_id: string; value: string }>>();
  await r.each<{ document_id: string; variable_id: string; value: string }>(
    `SELECT dv.document_id, dv.variable_id, dv.value FROM document_values dv JOIN variables v ON v.id = dv.variable_id ORDER BY v.sort_order, v.id`,
    [],
    (v) => values.set(v.document_id, [...(values.get(v.document_id) ?? []), v]),
  );
  const typeOf = new Map(variables.map((v) => [v.id, v.type]));
  const documents = await r.all<{ id: string; name: string; text: string; length: number; imported_at: string; imported_by: string | null }>(
    `SELECT id, name, text, length, imported_at, imported_by FROM documents ORDER BY sort_order, id`,
  );
  if (documents.length) xml += '  <Sources>\n';
  for (const d of documents) {
    xml += `    <TextSource${attrs({
      guid: ledger.define(d.id, `document ${d.name}`),
      name: d.name,
      plainTextPath: `internal://${d.id}.txt`,
      creatingUser: d.imported_by ? ledger.ref(d.imported_by, `document ${d.name}`) : undefined,
      creationDateTime: d.imported_at,
    })}>\n`;
    // Stored texts are already normalised: no BOM, LF line ends, NFC.
    files[`sources/${d.id}.txt`] = strToU8(d.text);
    const segs = await r.all<{ id: string; code_id: string; coder_id: string; start: number; end: number; created_at: string; updated_at: string }>(
      `SELECT id, code_id, coder_id, start, end, created_at, updated_at FROM segments WHERE document_id = ? ORDER BY start, end, id`,
      [d.id],
    );
    for (const s of segs) {
      if (!(s.start >= 0 && s.start <= s.end && s.end <= d.length)) {
        throw new MarginaliaError('internal', `REFI-QDA export: segment ${s.id} [${s.start}, ${s.end}) lies outside "${d.name}" (${d.length} characters).`);
      }
      const where = `segment ${s.id}`;
      xml += `      <PlainTextSelection${attrs({
        guid: ledger.define(s.id, where),
        startPosition: s.start,
        endPosition: s.end,
        creatingUser: ledger.ref(s.coder_id, where),
        creationDateTime: s.created_at,
        modifyingUser: ledger.ref(s.coder_id, where),
        modifiedDateTime: s.updated_at,
      })}>\n`;
      xml += `        <Coding${attrs({ guid: ledger.define(derivedGuid(`coding:${s.id}`), `coding of ${where}`), creatingUser: s.coder_id, creationDateTime: s.created_at })}>\n`;
      xml += `          <CodeRef${attrs({ targetGUID: ledger.ref(s.code_id, where) })}/>\n        </Coding>\n`;
      for (const m of memosOf.get(s.id) ?? []) xml += `        <NoteRef${attrs({ targetGUID: ledger.ref(m, where) })}/>\n`;
      xml += '      </PlainTextSelection>\n';
    }
    for (const m of memosOf.get(d.id) ?? []) xml += `      <NoteRef${attrs({ targetGUID: ledger.ref(m, `document ${d.name}`) })}/>\n`;
    for (const v of values.get(d.id) ?? []) {
      const type = typeOf.get(v.variable_id) ?? 'text';
      const value = type === 'number' ? decimal(v.value) : v.value;
      xml += `      <VariableValue>\n        <VariableRef${attrs({ targetGUID: ledger.ref(v.variable_id, `document ${d.name}`) })}/>\n`;
      xml += `        <${VALUE_ELEMENT[type]}>${xmlText(value)}</${VALUE_ELEMENT[type]}>\n      </VariableValue>\n`;
    }
    xml += '    </TextSource>\n';
  }
  if (documents.length) xml += '  </Sources>\n';
  if (memos.length) {
    xml += '  <Notes>\n';
    for (const m of memos) {
      xml += `    <Note${attrs({
        guid: ledger.define(m.id, `memo ${m.id}`),
        name: m.title || undefined,
        creatingUser: m.author_id ? ledger.ref(m.author_id, `memo ${m.id}`) : undefined,
        creationDateTime: m.created_at,
        modifiedDateTime: m.updated_at,
      })}>\n      <PlainTextContent>${xmlText(m.text)}</PlainTextContent>\n    </Note>\n`;
    }
    xml += '  </Notes>\n';
  }
  if (info.description) xml += `  <Description>${xmlText(info.description)}</Description>\n`;
  for (const m of projectMemos) xml += `  <NoteRef${attrs({ targetGUID: ledger.ref(m, 'the project') })}/>\n`;
  xml += '</Project>\n';
  ledger.check();
  files['project.qde'] = strToU8(xml);
  const zippable: Zippable = {};
  for (const name of Object.keys(files).sort()) zippable[name] = [files[name] as Uint8Array, { mtime: FIXED_ZIP_TIME }];
  return zipSync(zippable, { level: 6 });
}
