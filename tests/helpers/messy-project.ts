/**
 * Generated projects that look like real, messy ones, for property-based tests of every
 * export (CSV tables, the dataset bundle, REFI-QDA). Two halves:
 *
 * - `arbitraryProjectSpec()`: a fast-check Arbitrary of a plain-data `ProjectSpec` (names,
 *   texts, a code tree, attributes, segments, memos). Plain data, so a failing case prints
 *   readably and shrinks.
 * - `buildProject(spec, path)`: writes a spec into a real project file through the handler
 *   table (the same dispatch, schemas and import path the app uses), then reads everything
 *   back and returns it as `WrittenProject`: what the project actually stores, which is what
 *   an export must carry.
 *
 * Expected values always come from what was read back, never from the spec: names are
 * trimmed and code names have their whitespace collapsed by the app; document text is
 * normalised at import (BOM, line ends, NFC, and possibly control characters). Tests that
 * care whether import lost text compare `WrittenDocument.raw` with `.text` themselves.
 */
import fc from 'fast-check';
import { Project } from '../../main/core/project/project';
import { Session } from '../../main/api/session';
import { dispatch } from '../../main/api/dispatch';
import type { Input, Method, Output } from '../../main/api/contract';
import { lexicalFromPlain } from '../../main/core/coding/segments';
import { CodePointIndex } from '../../main/core/text/normalise';

// ---------------------------------------------------------------------------------------
// The spec: plain data

export type AttributeType = 'text' | 'number' | 'date' | 'boolean';
export type AttributeSpecValue = string | number | boolean | null;

/** One code; `parent` is the index of an earlier code in `ProjectSpec.codes`, or null for a theme. */
export interface CodeSpec {
  name: string;
  description: string;
  parent: number | null;
}

export interface AttributeSpec {
  name: string;
  type: AttributeType;
}

/**
 * One document. `text` is the file's content as a person's file would have it (CRLF or CR
 * line ends, tabs, control characters, emoji, decomposed accents). `via` is how it is
 * imported: a .txt file, or a row of a .jsonl file of articles (the only way to bring a NUL
 * in, as a .txt with a NUL byte is refused as binary).
 */
export interface DocumentSpec {
  name: string;
  text: string;
  via: 'txt' | 'jsonl';
  /** One value per `ProjectSpec.attributes` entry, by index; null or '' means none. */
  values: AttributeSpecValue[];
  /** The document's memo, when any. */
  memo: MemoSpec | null;
}

export interface MemoSpec {
  title: string;
  text: string;
}

/**
 * One coded segment. Its span is resolved against the stored text (which the spec cannot
 * know): `at` and `size` are fractions of the document, or with `acrossParagraphs` the span
 * is widened to include the line break nearest `at` when the text has one.
 */
export interface SegmentSpec {
  document: number;
  code: number;
  coder: number;
  at: number;
  size: number;
  acrossParagraphs: boolean;
  memo: string | null;
}

export interface ProjectSpec {
  name: string;
  /** At least one; the first is the coder the session starts with. */
  coders: string[];
  codes: CodeSpec[];
  /** Code memos, by code index. */
  codeMemos: Array<{ code: number; memo: MemoSpec }>;
  attributes: AttributeSpec[];
  documents: DocumentSpec[];
  segments: SegmentSpec[];
  projectMemo: MemoSpec | null;
}

// ---------------------------------------------------------------------------------------
// What the project stores, read back after building

export interface WrittenCode {
  id: string;
  parentId: string | null;
  name: string;
  path: string;
  depth: number;
  description: string;
}

export interface WrittenDocument {
  id: string;
  name: string;
  /** The stored (normalised) text. */
  text: string;
  /** The text as it was in the imported file, before normalisation. */
  raw: string;
  via: 'txt' | 'jsonl';
  /** What the import report said normalisation changed (control characters removed), if anything. */
  importNote: string | null;
  /** Stored attribute values by attribute name; absent when empty. */
  values: Record<string, string | number | boolean>;
}

export interface WrittenSegment {
  id: string;
  documentId: string;
  codeId: string;
  coderId: string;
  start: number;
  end: number;
  /** The stored text from start to end (code points). */
  text: string;
  /** The segment's memo text, '' when none. */
  memo: string;
}

export interface WrittenMemo {
  id: string;
  kind: 'project' | 'document' | 'code' | 'segment';
  targetId: string | null;
  /** The coder who wrote it. */
  authorId: string | null;
  title: string;
  text: string;
}

export interface WrittenProject {
  name: string;
  coders: Array<{ id: string; name: string }>;
  /** In tree order, as codes.list returns them. */
  codes: WrittenCode[];
  /** In the project's order, as variables.list returns them. */
  attributes: Array<{ name: string; type: AttributeType }>;
  documents: WrittenDocument[];
  segments: WrittenSegment[];
  memos: WrittenMemo[];
}

/** An open project built from a spec, with the session and `call` used to build it. */
export interface BuiltProject {
  path: string;
  project: Project;
  session: Session;
  call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>;
  written: WrittenProject;
  /** Closes the project; the file stays at `path`. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------
// Fragments real projects are made of

/** Words and phrases of news coding, some of them in Arabic, Hebrew, Ukrainian, German. */
const WORDS = [
  'casualties', 'death toll', 'attribution', 'blames', 'rhetoric', 'false-flag', 'Kyiv', 'Mariupol',
  'Müller', 'naïve', 'Straße', 'Ελλάδα', 'Україна', 'обстріл', 'مرحبا', 'القصف', 'שלום', 'הפגזה',
  '日本語', '中文', 'résumé', 'x', 'A', 'z9',
];

/** Characters that break naive CSV, XML, HTML and formula handling. */
const TRICKY = [
  '&', '<', '>', '"', "'", '""', ',', ';', '|', '\\', '%', '#', '$', '{', '}', '[', ']',
  '&amp;', '</b>', '<![CDATA[', ']]>', '\\n', 'NA', 'NULL', 'null', 'TRUE', '1e5', '0x1F', '007',
];

/** Astral characters, modifiers and joiners: UTF-16 surrogate pairs and multi-code-point graphemes. */
const EMOJI = ['😀', '👍🏽', '🇺🇦', '👨‍👩‍👧', '🏳️‍🌈', '𝔘', '𠜎', '❤️'];

/** Combining marks (decomposed, so NFC changes them in document text), RTL text and marks. */
const COMBINING = ['e\u0301', 'a\u0308', 'n\u0303', 'o\u0302\u0323', '\u05e9\u05c1', '\u200f', '\u200e', '\u202b', '\u202c', '\u0627\u064e'];

/** Look like a slash without being one, and a real slash (allowed except in code names). */
const SLASHES = ['\u2215', '\uff0f', '\u2044', '\u29f8', '/'];

/** Starts a spreadsheet would run as a formula (OWASP CSV injection), and near misses. */
const FORMULAS = [
  '=HYPERLINK("http://evil.example")', '=1+1', '@SUM(1+1)', '+1', '-2', '-5 dead', "=cmd|' /C calc'!A0", '=', '@', '+', '-',
  "'=already quoted", '\uff1d1+1', '=\n1', '=A1;B1',
];

/** Whitespace and line breaks of every kind, including Unicode separators. */
const BREAKS = ['\n', '\r\n', '\r', '\t', '\u2028', '\u2029', '\u0085', '\u00a0', '\u3000', '  '];

/** C0 and C1 control characters other than tab, LF and CR, and the NUL. */
const CONTROLS = ['\u0001', '\u0007', '\u0008', '\u000b', '\u000c', '\u001b', '\u001f', '\u007f', '\u0090', '\u009f'];
const NUL = '\u0000';

const pick = (xs: readonly string[]) => fc.constantFrom(...xs);

/** A run of fragments joined: most are words, some are the hard cases. */
function messyText(options: { maxFragments: number; breaks: boolean; controls: boolean; nul: boolean; slash: boolean }): fc.Arbitrary<string> {
  const weighted: Array<{ arbitrary: fc.Arbitrary<string>; weight: number }> = [
    { arbitrary: pick(WORDS), weight: 8 },
    { arbitrary: fc.constant(' '), weight: 6 },
    { arbitrary: pick(TRICKY), weight: 2 },
    { arbitrary: pick(EMOJI), weight: 2 },
    { arbitrary: pick(COMBINING), weight: 2 },
    { arbitrary: pick(FORMULAS), weight: 2 },
    { arbitrary: pick(options.slash ? SLASHES : SLASHES.filter((s) => s !== '/')), weight: 1 },
    { arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 4 }), weight: 1 },
  ];
  if (options.breaks) weighted.push({ arbitrary: pick(BREAKS), weight: 2 });
  if (options.controls) weighted.push({ arbitrary: pick(CONTROLS), weight: 1 });
  if (options.nul) weighted.push({ arbitrary: fc.constant(NUL), weight: 1 });
  return fc.array(fc.oneof(...weighted), { minLength: 1, maxLength: options.maxFragments }).map((parts) => parts.join(''));
}

/** A name: never blank after trimming, as the app requires; it may start with a formula. */
function messyName(options: { slash: boolean; breaks?: boolean; controls?: boolean; max?: number }): fc.Arbitrary<string> {
  return fc
    .tuple(fc.oneof({ arbitrary: fc.constant(''), weight: 2 }, { arbitrary: pick(FORMULAS), weight: 1 }), messyText({ maxFragments: 5, breaks: options.breaks ?? false, controls: options.controls ?? false, nul: false, slash: options.slash }))
    .map(([formula, rest]) => {
      let name = formula + rest;
      // Code names may not hold "/" (it separates levels of a path); the formulas carry URLs.
      if (!options.slash) name = name.replaceAll('/', '\u2215');
      return (name.trim() ? name : `${name}x`).slice(0, options.max ?? 200);
    })
    .filter((n) => n.trim().length > 0);
}

/** How SQLite's NOCASE compares (ASCII letters only), after the trimming the app does. */
const nocase = (s: string) => s.trim().replace(/[A-Z]/g, (c) => c.toLowerCase());
/** Code names are trimmed and whitespace runs collapsed before they are compared. */
const codeKey = (s: string) => nocase(s.trim().replace(/\s+/g, ' '));

/** Makes names unique under `key` by appending " (2)", " (3)", … as a person would. */
function dedupe<T>(items: T[], nameOf: (t: T) => string, withName: (t: T, name: string) => T, key: (s: string) => string, groupOf: (t: T) => string = () => ''): T[] {
  const seen = new Set<string>();
  return items.map((item) => {
    let name = nameOf(item);
    for (let n = 2; seen.has(`${groupOf(item)}\u0000${key(name)}`); n++) name = `${nameOf(item)} (${n})`;
    seen.add(`${groupOf(item)}\u0000${key(name)}`);
    return withName(item, name);
  });
}

const memoSpec = (nul: boolean): fc.Arbitrary<MemoSpec> =>
  fc.record({
    title: fc.oneof(fc.constant(''), messyName({ slash: true, max: 100 })),
    // Memos are typed: several lines, blank lines, CRLF pasted from Word, formulas, NUL.
    text: fc.oneof(
      { arbitrary: messyText({ maxFragments: 30, breaks: true, controls: true, nul, slash: true }), weight: 8 },
      { arbitrary: pick(['line one\nline two', 'first\r\nsecond', '=1+1\n-2', ' ', '\n\t']), weight: 2 },
    ),
  });

/** A code tree: a spine 1–6 deep guarantees the depth, more codes hang anywhere up to depth 6. */
const codesSpec: fc.Arbitrary<CodeSpec[]> = fc
  .tuple(
    fc.integer({ min: 1, max: 6 }),
    fc.array(fc.record({ name: messyName({ slash: false, breaks: true, controls: true }), description: fc.oneof(fc.constant(''), pick([' ', '\n', ' \t\n ']), messyText({ maxFragments: 15, breaks: true, controls: true, nul: true, slash: true })), parentPick: fc.nat() }), {
      minLength: 6,
      maxLength: 14,
    }),
  )
  .map(([spine, raw]) => {
    const depth: number[] = [];
    const codes = raw.map((c, i) => {
      let parent: number | null;
      if (i < spine) parent = i === 0 ? null : i - 1;
      else {
        const p = c.parentPick % (i + 1);
        parent = p === i ? null : p;
        if (parent !== null && depth[parent]! >= 6) parent = null;
      }
      depth.push(parent === null ? 1 : depth[parent]! + 1);
      return { name: c.name, description: c.description, parent };
    });
    return dedupe(codes, (c) => c.name, (c, name) => ({ ...c, name }), codeKey, (c) => String(c.parent));
  });

/** A few attribute names that clash with fixed export columns, besides the messy ones. */
const COLUMN_NAMES = ['text', 'memo', 'document_name', 'code_path', 'length', 'Document_ID'];

const attributesSpec: fc.Arbitrary<AttributeSpec[]> = fc
  .array(
    fc.record({
      name: fc.oneof({ arbitrary: messyName({ slash: true, breaks: true, controls: true }), weight: 5 }, { arbitrary: pick(COLUMN_NAMES), weight: 1 }),
      type: fc.constantFrom<AttributeType>('text', 'number', 'date', 'boolean'),
    }),
    { minLength: 0, maxLength: 5 },
  )
  .map((list) => dedupe(list, (a) => a.name, (a, name) => ({ ...a, name: name.slice(0, 200) }), nocase));

function valueOf(type: AttributeType): fc.Arbitrary<AttributeSpecValue> {
  const empty = fc.constantFrom<AttributeSpecValue>(null, '');
  switch (type) {
    case 'text':
      return fc.oneof(empty, messyText({ maxFragments: 8, breaks: true, controls: true, nul: true, slash: true }));
    case 'number':
      return fc.oneof(empty, fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }));
    case 'date':
      return fc.oneof(empty, fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)));
    case 'boolean':
      return fc.oneof(empty, fc.boolean());
  }
}

/** Paragraphs joined by the file's line ends; some files start with a BOM. */
const documentText: fc.Arbitrary<{ text: string; via: 'txt' | 'jsonl' }> = fc
  .tuple(
    fc.constantFrom<'txt' | 'jsonl'>('txt', 'jsonl'),
    fc.constantFrom('\n', '\r\n', '\r'),
    fc.boolean(),
    fc.integer({ min: 1, max: 5 }),
    fc.nat(),
  )
  .chain(([via, eol, bom, paragraphs, seed]) =>
    fc
      .array(messyText({ maxFragments: 25, breaks: true, controls: true, nul: via === 'jsonl', slash: true }), { minLength: paragraphs, maxLength: paragraphs })
      // A blank line between some paragraphs, as news articles have.
      .map((ps) => ({ via, text: (bom && via === 'txt' ? '\uFEFF' : '') + ps.join(seed % 2 ? eol + eol : eol) })),
  );

const documentsSpec = (attributes: AttributeSpec[]): fc.Arbitrary<DocumentSpec[]> =>
  fc.array(
    fc.record({
      name: messyName({ slash: true, controls: true }),
      body: documentText,
      values: fc.tuple(...attributes.map((a) => valueOf(a.type))),
      memo: fc.option(memoSpec(true), { freq: 2 }),
    }),
    { minLength: 1, maxLength: 5 },
  ).map((docs) =>
    docs.map((d, i) => ({
      name: d.name,
      // A printable marker keeps texts distinct (identical texts are imported once, as a
      // duplicate) whatever normalisation removes.
      text: `${d.body.text} #${i + 1}`,
      via: d.body.via,
      values: d.values,
      memo: d.memo,
    })),
  );

/**
 * A whole project as plain data. Sizes are kept small (1–5 documents, 6–14 codes, up to 25
 * segments) so that a test can build a few dozen projects in seconds; the variety is in
 * the content.
 */
export function arbitraryProjectSpec(): fc.Arbitrary<ProjectSpec> {
  return fc
    .tuple(
      messyName({ slash: true }),
      fc.uniqueArray(messyName({ slash: true, max: 100 }), { minLength: 1, maxLength: 3, selector: (n) => n.trim() }),
      codesSpec,
      attributesSpec,
      fc.option(memoSpec(true), { freq: 2 }),
    )
    .chain(([name, coders, codes, attributes, projectMemo]) =>
      fc
        .tuple(
          documentsSpec(attributes),
          fc.array(fc.record({ code: fc.nat(codes.length - 1), memo: memoSpec(true) }), { maxLength: 3 }),
          fc.array(
            fc.record({
              document: fc.nat(),
              code: fc.nat(codes.length - 1),
              coder: fc.nat(coders.length - 1),
              // Thousandths, not doubles: fc.double crowds towards 0, which would code the first character only.
              at: fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000),
              size: fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000),
              acrossParagraphs: fc.boolean(),
              memo: fc.option(fc.oneof(memoSpec(true).map((m) => m.text), pick(['line one\nline two', 'a\r\nb', '=1+1\nsecond line'])), { freq: 2 }),
            }),
            { minLength: 1, maxLength: 25 },
          ),
        )
        .map(([documents, codeMemos, segments]) => ({
          name,
          coders,
          codes,
          // One memo per code: memos.save updates a target's first memo rather than adding one.
          codeMemos: codeMemos.filter((m, i, all) => all.findIndex((x) => x.code === m.code) === i),
          attributes,
          documents,
          segments: segments.map((s) => ({ ...s, document: s.document % documents.length })),
          projectMemo,
        })),
    );
}

// ---------------------------------------------------------------------------------------
// Building

/** The span a segment spec resolves to over a stored text of `length` code points. */
function resolveSpan(spec: SegmentSpec, text: string, length: number): [number, number] {
  const start = Math.min(length - 1, Math.floor(spec.at * length));
  let end = Math.min(length, start + 1 + Math.floor(spec.size * (length - start - 1)));
  if (spec.acrossParagraphs) {
    // Widen to include the first line break at or after start (or the last before it).
    const cps = [...text];
    let nl = cps.indexOf('\n', start);
    if (nl < 0) nl = cps.lastIndexOf('\n');
    if (nl >= 0) return [Math.min(start, nl), Math.max(end, nl + 2 <= length ? nl + 2 : nl + 1)];
  }
  if (end <= start) end = start + 1;
  return [start, end];
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Imports the documents through import.files: .txt files one by one, the rest as one .jsonl of articles. */
async function importDocuments(call: BuiltProject['call'], documents: DocumentSpec[]): Promise<{ ids: string[]; notes: Array<string | null> }> {
  const ids: string[] = new Array(documents.length);
  const notes: Array<string | null> = documents.map(() => null);
  const jsonl = documents.map((d, i) => ({ d, i })).filter(({ d }) => d.via === 'jsonl');
  for (const [i, d] of documents.entries()) {
    if (d.via !== 'txt') continue;
    const report = await call('import.files', { files: [{ name: `document-${i + 1}.txt`, dataBase64: b64(d.text) }] });
    const outcome = report.outcomes[0];
    if (outcome?.status !== 'imported') throw new Error(`document ${i + 1} (.txt) was not imported: ${JSON.stringify(outcome)}`);
    ids[i] = outcome.documentId;
    notes[i] = noteOf(outcome);
  }
  if (jsonl.length > 0) {
    // JSON escapes the NUL and control characters, so the file is text while the article is not.
    const lines = jsonl.map(({ d, i }) => JSON.stringify({ title: `article ${i + 1}`, text: d.text })).join('\n');
    const report = await call('import.files', { files: [{ name: 'articles.jsonl', dataBase64: b64(lines) }], mapping: { textColumn: 'text', nameColumn: 'title', attributes: [] } });
    jsonl.forEach(({ i }, k) => {
      const outcome = report.outcomes[k];
      if (outcome?.status !== 'imported') throw new Error(`document ${i + 1} (.jsonl row) was not imported: ${JSON.stringify(outcome)}`);
      ids[i] = outcome.documentId;
      notes[i] = noteOf(outcome);
    });
  }
  return { ids, notes };
}

/** The import report's note on a document, read loosely so the helper does not depend on the report's exact shape. */
function noteOf(outcome: object): string | null {
  const note = (outcome as { note?: unknown }).note;
  return typeof note === 'string' ? note : null;
}

/**
 * Writes `spec` into a new project file at `path` through the handler table, as a person
 * using the app would, and reads back what the project stores. The project stays open;
 * call `close()` when done (the file stays).
 */
export async function buildProject(spec: ProjectSpec, path: string): Promise<BuiltProject> {
  const project = await Project.create(path, { name: spec.name });
  const session = new Session(project, spec.coders[0]!);
  async function call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
    const r = await dispatch({ session }, method, input);
    if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
    return r.value as Output<M>;
  }
  const close = async () => {
    await session.setProject(null);
    await project.close().catch(() => undefined);
  };
  try {
    const coderIds: string[] = [];
    for (const name of spec.coders) coderIds.push((await session.setCoder(name)).id);
    await session.setCoder(spec.coders[0]!);

    const codeIds: string[] = [];
    for (const c of spec.codes) {
      const parentId = c.parent === null ? null : codeIds[c.parent]!;
      codeIds.push((await call('codes.create', { name: c.name, parentId, description: c.description })).id);
    }

    const { ids: documentIds, notes } = await importDocuments(call, spec.documents);
    for (const [i, d] of spec.documents.entries()) {
      const id = documentIds[i]!;
      await call('documents.rename', { id, name: d.name });
      if (spec.attributes.length > 0) {
        const attributes: Record<string, AttributeSpecValue> = {};
        const types: Record<string, AttributeType> = {};
        spec.attributes.forEach((a, k) => {
          attributes[a.name] = d.values[k] ?? null;
          types[a.name] = a.type;
        });
        await call('documents.setAttributes', { id, attributes, types });
      }
      if (d.memo) await call('memos.save', { kind: 'document', targetId: id, content: lexicalFromPlain(d.memo.text), text: d.memo.text, title: d.memo.title });
    }
    for (const m of spec.codeMemos) {
      await call('memos.save', { kind: 'code', targetId: codeIds[m.code]!, content: lexicalFromPlain(m.memo.text), text: m.memo.text, title: m.memo.title });
    }
    if (spec.projectMemo) {
      await call('memos.save', { kind: 'project', targetId: null, content: lexicalFromPlain(spec.projectMemo.text), text: spec.projectMemo.text, title: spec.projectMemo.title });
    }

    const stored = new Map<string, string>();
    for (const id of documentIds) stored.set(id, (await call('documents.get', { id })).text);
    for (const s of spec.segments) {
      const documentId = documentIds[s.document]!;
      const text = stored.get(documentId)!;
      const [start, end] = resolveSpan(s, text, new CodePointIndex(text).length);
      await session.setCoder(spec.coders[s.coder]!);
      await call('segments.create', { documentId, codeId: codeIds[s.code]!, start, end, ...(s.memo !== null ? { memo: s.memo } : {}) });
    }
    await session.setCoder(spec.coders[0]!);
    return { path, project, session, call, close, written: await readBack(call, spec, documentIds, notes, coderIds) };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Everything the project stores that exports carry, read through the API. */
async function readBack(call: BuiltProject['call'], spec: ProjectSpec, documentIds: string[], notes: Array<string | null>, coderIds: string[]): Promise<WrittenProject> {
  const info = await call('project.info', {});
  const codes = (await call('codes.list', {})).map((c) => ({ id: c.id, parentId: c.parent_id, name: c.name, path: c.path, depth: c.depth, description: c.description }));
  const attributes = (await call('variables.list', {})).map((v) => ({ name: v.name, type: v.type }));
  const summaries = new Map((await call('documents.list', {})).map((d) => [d.id, d]));
  const documents: WrittenDocument[] = [];
  for (const [i, id] of documentIds.entries()) {
    const doc = await call('documents.get', { id });
    const values: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(summaries.get(id)?.attributes ?? {})) if (v !== null && v !== '') values[k] = v;
    documents.push({ id, name: doc.name, text: doc.text, raw: spec.documents[i]!.text, via: spec.documents[i]!.via, importNote: notes[i] ?? null, values });
  }
  const memos = (await call('memos.list', {})).map((m) => ({ id: m.id, kind: m.target_kind, targetId: m.target_id, authorId: m.author_id, title: m.title, text: m.text }));
  const segmentMemo = new Map(memos.filter((m) => m.kind === 'segment').map((m) => [m.targetId, m.text]));
  const texts = new Map(documents.map((d) => [d.id, new CodePointIndex(d.text)]));
  const segments = (await call('segments.list', {})).map((s) => ({
    id: s.id,
    documentId: s.document_id,
    codeId: s.code_id,
    coderId: s.coder_id,
    start: s.start,
    end: s.end,
    text: texts.get(s.document_id)!.slice(s.start, s.end),
    memo: segmentMemo.get(s.id) ?? '',
  }));
  const names = new Map((await call('coders.list', {})).map((c) => [c.id, c.name]));
  const coders = coderIds.map((id) => ({ id, name: names.get(id)! }));
  return { name: info.name, coders, codes, attributes, documents, segments, memos };
}
