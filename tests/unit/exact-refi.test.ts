import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { strFromU8, unzipSync } from 'fflate';
import { main } from '../../main/cli/index';
import { Project } from '../../main/core/project/project';
import type { ProjectDb } from '../../main/core/db/project-db';
import { exportQdc, exportQdpx } from '../../main/core/exchange/qdpx-export';
import { importExchangeBytes } from '../../main/core/exchange/qdpx-import';
import { arbitraryProjectSpec, buildProject, type ProjectSpec } from '../helpers/messy-project';
import { openTestProject, tempDir } from '../helpers/project';
import { lexicalFromPlain } from '../../main/core/coding/segments';
import { describeMemos } from '../../main/core/exchange/refi-memos';

/** What QualCoder's REFI-QDA import reads of a .qdpx (tests/helpers/qualcoder_refi_reader.py). */
function readAsQualCoder(file: string): { codings: Array<{ pos0: number; pos1: number; seltext: string; memo: string }> } {
  return JSON.parse(execFileSync('/usr/bin/python3', [join(__dirname, '../helpers/qualcoder_refi_reader.py'), file], { encoding: 'utf8' })) as {
    codings: Array<{ pos0: number; pos1: number; seltext: string; memo: string }>;
  };
}

const REFI = join(__dirname, '../../../shared/refi-qda');
const SCHEMA = { qde: join(REFI, 'Project-mrt2019.xsd'), qdc: join(REFI, 'Codebook-mrt2019.xsd') };

/** Runs the command line in-process, capturing what it prints. */
async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function hasXmllint(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Validates files against one schema in a single xmllint run (one process for many files is
 * what keeps the property test fast). Returns xmllint's complaints, '' when all are valid.
 * Without xmllint the test fails: a silent skip would pass every broken export.
 */
function xmllint(schema: string, paths: string[]): string {
  if (!hasXmllint()) throw new Error('xmllint is not installed; install libxml2-utils (apt-get install libxml2-utils) to validate REFI-QDA exports against the schemas.');
  try {
    execFileSync('xmllint', ['--noout', '--schema', schema, ...paths], { stdio: 'pipe' });
    return '';
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err);
  }
}

describe('REFI-QDA export of a code whose last subcode has no description (the reported case)', () => {
  it('writes a well-formed, valid .qdc and .qdpx that Marginalia reads back', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, 'p.marginalia');
      expect((await run('new', p, '--coder', 'ana')).code).toBe(0);
      expect((await run('add-code', p, 'parent/child')).code).toBe(0);
      const qdc = join(dir, 'codebook.qdc');
      const qdpx = join(dir, 'project.qdpx');
      expect((await run('export', p, '--format', 'qdc', '--out', qdc)).code).toBe(0);
      expect((await run('export', p, '--format', 'qdpx', '--out', qdpx)).code).toBe(0);

      const xml = readFileSync(qdc, 'utf8');
      expect(xml).not.toContain('//>');
      expect(xmllint(SCHEMA.qdc, [qdc])).toBe('');
      const qde = join(dir, 'project.qde');
      writeFileSync(qde, unzipSync(readFileSync(qdpx))['project.qde']!);
      expect(xmllint(SCHEMA.qde, [qde])).toBe('');
      expect(strFromU8(readFileSync(qde))).not.toContain('//>');

      for (const file of [qdc, qdpx]) {
        const q = join(dir, `back-${file.endsWith('qdc') ? 'qdc' : 'qdpx'}.marginalia`);
        expect((await run('new', q, '--coder', 'ana')).code).toBe(0);
        const imported = await run('import', q, file, '--coder', 'ana');
        expect(imported.code, imported.err).toBe(0);
        const codes = JSON.parse((await run('codes', q, '--json')).out) as { path: string }[];
        expect(codes.map((c) => c.path)).toEqual(['parent', 'parent/child']);
      }
    } finally {
      cleanup();
    }
  });
});

describe('REFI-QDA values that XML handles specially', () => {
  it('writes CR, tab and line breaks as references where a reader would change them, and controls as their symbols', async () => {
    const t = await openTestProject({ coder: 'ana' });
    try {
      const parent = await t.call('codes.create', { name: 'bell\u0007here', description: '   ' });
      await t.call('codes.create', { name: 'child', parentId: parent.id, description: 'rule\r\nwith CRLF' });
      await t.call('import.files', { files: [{ name: 'a.txt', dataBase64: Buffer.from('Some text.').toString('base64') }] });
      const [doc] = await t.call('documents.list', {});
      await t.call('documents.setAttributes', { id: doc!.id, attributes: { 'outlet\u0001': 'tab\there\nand line', words: 6.4e-208, day: '2023-02-29' }, types: { words: 'number', day: 'date' } });
      await t.call('memos.save', { kind: 'document', targetId: doc!.id, content: lexicalFromPlain('x'), text: 'one\r\ntwo\rthree', title: ' spaced title ' });

      const qdpx = await t.project.db.read((r) => exportQdpx(r));
      const xml = strFromU8(unzipSync(qdpx)['project.qde']!);
      expect(xml).toContain('name="bell\u2407here"');
      expect(xml).toContain('<Description>   </Description>');
      expect(xml).toContain('<Description>rule&#13;\nwith CRLF</Description>');
      expect(xml).toContain('<TextValue>tab\there\nand line</TextValue>');
      expect(xml).toContain('name="outlet\u2401"');
      // Outside what xs:decimal (as libxml2 holds it) and xs:date take: text, so nothing is lost.
      expect(xml).toContain('<TextValue>6.4e-208</TextValue>');
      expect(xml).toContain('<TextValue>2023-02-29</TextValue>');
      expect(xml).toContain('<PlainTextContent>one&#13;\ntwo&#13;three</PlainTextContent>');
      expect(xml).toContain('name=" spaced title "');
      const dir = join(t.dir, 'special.qde');
      writeFileSync(dir, xml);
      expect(xmllint(SCHEMA.qde, [dir])).toBe('');
      expect(Buffer.from(await t.project.db.read((r) => exportQdpx(r))).equals(Buffer.from(qdpx))).toBe(true);

      const copy = await Project.create(join(t.dir, 'copy.marginalia'), { name: 'copy' });
      try {
        await importExchangeBytes(copy.db, qdpx, 'special.qdpx', 'ana');
        const back = await snapshot(copy.db);
        expect(back.codes.map((c) => [c.path, c.description])).toEqual(
          expect.arrayContaining([['bell\u2407here', '   '], ['bell\u2407here/child', 'rule\r\nwith CRLF']]),
        );
        expect(back.documents[0]!.values).toEqual({ 'outlet\u2401': 'tab\there\nand line', words: '6.4e-208', day: '2023-02-29' });
        expect(back.memos.map((m) => [m.title, m.text])).toEqual([[' spaced title ', 'one\r\ntwo\rthree']]);
      } finally {
        await copy.close();
      }
    } finally {
      await t.close();
    }
  });

  it('gives back a text that itself begins with U+FEFF, and the positions after it', async () => {
    const t = await openTestProject({ coder: 'ana' });
    try {
      // Import drops one leading U+FEFF as a BOM; the second is text (a zero-width no-break space).
      const jsonl = JSON.stringify({ title: 'bom', text: '\uFEFF\uFEFFword 😀 more' });
      await t.call('import.files', { files: [{ name: 'a.jsonl', dataBase64: Buffer.from(jsonl).toString('base64') }], mapping: { textColumn: 'text', nameColumn: 'title', attributes: [] } });
      const [doc] = await t.call('documents.list', {});
      expect((await t.call('documents.get', { id: doc!.id })).text).toBe('\uFEFFword 😀 more');
      const code = await t.call('codes.create', { name: 'c' });
      await t.call('segments.create', { documentId: doc!.id, codeId: code.id, start: 1, end: 5 });
      await t.call('segments.create', { documentId: doc!.id, codeId: code.id, start: 8, end: 12 });
      const qdpx = await t.project.db.read((r) => exportQdpx(r));
      const copy = await Project.create(join(t.dir, 'copy.marginalia'), { name: 'copy' });
      try {
        await importExchangeBytes(copy.db, qdpx, 'bom.qdpx', 'ana');
        const [a, b] = [await snapshot(t.project.db), await snapshot(copy.db)];
        expect(b.documents).toEqual(a.documents);
        expect(b.segments).toEqual(a.segments);
      } finally {
        await copy.close();
      }
    } finally {
      await t.close();
    }
  });

  it('reads character references (decimal, hex, astral) and the five entities once, and keeps siblings that differ only in case apart', async () => {
    const qdc = `<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0">
  <Codes>
    <Code guid="11111111-0000-4000-8000-000000000001" name="it&#x27;s &#39;quoted&#39; &amp;lt;b&amp;gt; &#x1F600;&#128512;" isCodable="true" color="#112233">
      <Description>line&#13;&#10;next&#9;tab &lt;&gt;&amp;&quot;&apos; &#xD;</Description>
    </Code>
    <Code guid="11111111-0000-4000-8000-000000000002" name="Anger" isCodable="true"/>
    <Code guid="11111111-0000-4000-8000-000000000003" name="anger" isCodable="true"/>
    <Code guid="11111111-0000-4000-8000-000000000004" name="ANGER" isCodable="true"/>
  </Codes>
</CodeBook>`;
    const t = await openTestProject({ coder: 'ana' });
    try {
      const first = await importExchangeBytes(t.project.db, Buffer.from(qdc), 'refs.qdc', 'ana');
      expect(first.imported.codes).toBe(4);
      expect(first.converted.map((c) => c.what)).toEqual(['code whose name differs from a sibling only in case']);
      const codes = await snapshot(t.project.db);
      expect(codes.codes.map((c) => [c.path, c.description]).sort()).toEqual(
        [
          ["it's 'quoted' &lt;b&gt; \u{1F600}\u{1F600}", 'line\r\nnext\ttab <>&"\' \r'],
          ['Anger', ''],
          ['anger (2)', ''],
          ['ANGER (3)', ''],
        ].sort(),
      );
      // The same file again: every code is found, none doubled.
      const again = await importExchangeBytes(t.project.db, Buffer.from(qdc), 'refs.qdc', 'ana');
      expect(again.imported.codes).toBe(0);
      expect((await snapshot(t.project.db)).codes).toHaveLength(4);
    } finally {
      await t.close();
    }
  });
});

/**
 * What XML 1.0 can carry of a value, by the documented rule (main/core/exchange/xml.ts):
 * a C0 control other than tab, LF and CR becomes its Control Pictures symbol, U+FFFE, U+FFFF
 * and unpaired surrogates become U+FFFD. Written out here again so the test states the rule
 * rather than trusting the code under test.
 */
function inXml(value: string): string {
  return value
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, (c) => String.fromCharCode(0x2400 + c.charCodeAt(0)))
    .replace(/[\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** Everything a REFI-QDA round trip must give back, keyed so two projects compare with toEqual. */
interface Snapshot {
  documents: Array<{ id: string; name: string; text: string; values: Record<string, string> }>;
  codes: Array<{ id: string; path: string; description: string; color: string }>;
  coders: string[];
  segments: Array<{ id: string; document: string; code: string; coder: string; start: number; end: number }>;
  memos: Array<{ id: string; kind: string; target: string | null; title: string; text: string }>;
  attributes: Array<{ name: string; type: string }>;
}

/** Reads a project straight from its tables; `xml` applies the XML rule to every field that travels in XML. */
async function snapshot(db: ProjectDb, xml: (s: string) => string = (s) => s): Promise<Snapshot> {
  return db.read(async (r) => {
    const coderName = new Map((await r.all<{ id: string; name: string }>(`SELECT id, name FROM coders`)).map((c) => [c.id, xml(c.name)]));
    const rows = await r.all<{ id: string; parent_id: string | null; name: string; description: string; color: string }>(`SELECT id, parent_id, name, description, color FROM codes`);
    const byId = new Map(rows.map((c) => [c.id, c]));
    const path = (id: string | null): string => {
      const c = id ? byId.get(id) : undefined;
      return c ? (c.parent_id ? `${path(c.parent_id)}/${xml(c.name)}` : xml(c.name)) : '';
    };
    const values = await r.all<{ document_id: string; name: string; value: string }>(
      `SELECT dv.document_id, v.name, dv.value FROM document_values dv JOIN variables v ON v.id = dv.variable_id`,
    );
    const documents = (await r.all<{ id: string; name: string; text: string }>(`SELECT id, name, text FROM documents`)).map((d) => ({
      id: d.id,
      name: xml(d.name),
      // Document texts travel in sources/*.txt, byte for byte: no XML rule applies.
      text: d.text,
      values: Object.fromEntries(values.filter((v) => v.document_id === d.id).map((v) => [xml(v.name), xml(v.value)])),
    }));
    const segments = (await r.all<{ id: string; document_id: string; code_id: string; coder_id: string; start: number; end: number }>(
      `SELECT id, document_id, code_id, coder_id, start, end FROM segments`,
    )).map((s) => ({ id: s.id, document: s.document_id, code: s.code_id, coder: coderName.get(s.coder_id)!, start: s.start, end: s.end }));
    const memos = (await r.all<{ id: string; target_kind: string; target_id: string | null; title: string; text: string }>(
      `SELECT id, target_kind, target_id, title, text FROM memos`,
    )).map((m) => ({ id: m.id, kind: m.target_kind, target: m.target_id, title: xml(m.title), text: xml(m.text) }));
    const byKey = <X extends { id: string }>(xs: X[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return {
      documents: byKey(documents),
      codes: byKey(rows.map((c) => ({ id: c.id, path: path(c.id), description: xml(c.description), color: c.color }))),
      coders: [...coderName.values()].sort(),
      segments: byKey(segments),
      memos: byKey(memos),
      attributes: (await r.all<{ name: string; type: string }>(`SELECT name, type FROM variables ORDER BY sort_order`)).map((v) => ({ name: xml(v.name), type: v.type })),
    };
  });
}

/** The smallest project, for regression examples to vary. */
const base: ProjectSpec = {
  name: 'regression',
  coders: ['ana'],
  codes: [{ name: 'code', description: '', parent: null }],
  codeMemos: [],
  attributes: [],
  documents: [{ name: 'document', text: 'Some text, two words. #1', via: 'txt', values: [], memo: null }],
  segments: [{ document: 0, code: 0, coder: 0, at: 0, size: 0.5, acrossParagraphs: false, memo: null }],
  projectMemo: null,
};

/** Specs that once failed, reduced by fast-check and kept as fixed examples. */
const REGRESSIONS: ProjectSpec[] = [
  // A number xs:decimal can hold but libxml2 cannot (more than 24 digits): invalid FloatValue.
  { ...base, attributes: [{ name: 'words', type: 'number' }], documents: [{ ...base.documents[0]!, values: [-6.411288084423643e-208] }] },
  // A blank description was trimmed to nothing on the way back in.
  { ...base, codes: [{ name: 'code', description: ' ', parent: null }, { name: 'child', description: ' \t\n ', parent: 0 }] },
  // The same code, coder and span twice: the import dropped the second as "already in the project".
  { ...base, segments: [base.segments[0]!, base.segments[0]!] },
];

/** How many generated projects per run: enough variety, and the file stays near a minute on two cores. */
const RUNS = Number(process.env.MARGINALIA_REFI_RUNS ?? 60);

describe('REFI-QDA round trip of generated messy projects', () => {
  it('exports every project to a .qdpx and .qdc the schemas accept, and imports them back unchanged', { timeout: 300_000 }, async () => {
    const out = tempDir();
    const written: Array<{ qde: string; qdc: string; spec: ProjectSpec }> = [];
    try {
      await fc.assert(
        fc.asyncProperty(arbitraryProjectSpec(), async (spec) => {
          const n = written.length;
          const built = await buildProject(spec, join(out.dir, `p${n}.marginalia`));
          try {
            const qdpx = await built.project.db.read((r) => exportQdpx(r));
            const qdc = await built.project.db.read((r) => exportQdc(r));
            // Deterministic: an unchanged project exports to the same bytes.
            expect(Buffer.from(await built.project.db.read((r) => exportQdpx(r))).equals(Buffer.from(qdpx))).toBe(true);
            const files = { qde: join(out.dir, `p${n}.qde`), qdc: join(out.dir, `p${n}.qdc`) };
            writeFileSync(files.qde, unzipSync(qdpx)['project.qde']!);
            writeFileSync(files.qdc, qdc);
            written.push({ ...files, spec });

            const expected = await snapshot(built.project.db, inXml);
            const copy = await Project.create(join(out.dir, `p${n}-copy.marginalia`), { name: 'copy' });
            try {
              const report = await importExchangeBytes(copy.db, qdpx, `p${n}.qdpx`, built.written.coders[0]!.name);
              expect(report.dropped).toEqual([]);
              expect(report.converted).toEqual([]);
              const got = await snapshot(copy.db);
              expect(got.documents).toEqual(expected.documents);
              expect(got.codes).toEqual(expected.codes);
              expect(got.coders).toEqual(expected.coders);
              expect(got.segments).toEqual(expected.segments);
              expect(got.memos).toEqual(expected.memos);
              expect(got.attributes).toEqual(expected.attributes);
            } finally {
              await copy.close();
            }
            // For NVivo: positions in UTF-16 units, read back by the origin to the same segments.
            const forNVivo = await built.project.db.read((r) => exportQdpx(r, { for: 'nvivo' }));
            const nvivoCopy = await Project.create(join(out.dir, `p${n}-nvivo.marginalia`), { name: 'copy' });
            try {
              const report = await importExchangeBytes(nvivoCopy.db, forNVivo, `p${n}-nvivo.qdpx`, built.written.coders[0]!.name);
              expect(report.dropped).toEqual([]);
              expect((await snapshot(nvivoCopy.db)).segments).toEqual(expected.segments);
            } finally {
              await nvivoCopy.close();
            }
            // As QualCoder reads it: each coding on its words, each segment's memos from its Description.
            const qdpxPath = join(out.dir, `p${n}.qdpx`);
            writeFileSync(qdpxPath, qdpx);
            const qc = readAsQualCoder(qdpxPath);
            const memosOf = (id: string) => describeMemos(built.written.memos.filter((m) => m.kind === 'segment' && m.targetId === id).map((m) => ({ title: m.title, text: m.text })));
            const textOf = new Map(built.written.documents.map((d) => [d.id, d.text]));
            // A text that itself begins with U+FEFF is written after a BOM, which QualCoder keeps as a character.
            // QualCoder keeps one of two codings with the same code, coder and span (its unique index).
            const key = (sg: { documentId: string; codeId: string; coderId: string; start: number; end: number }) => `${sg.documentId}:${sg.codeId}:${sg.coderId}:${sg.start}:${sg.end}`;
            const repeated = new Set(built.written.segments.map(key).filter((k, i, all) => all.indexOf(k) !== i));
            const readable = built.written.segments.filter((sg) => !textOf.get(sg.documentId)!.startsWith('\uFEFF') && !repeated.has(key(sg)));
            const got = qc.codings.map((c) => `${c.pos0}:${c.pos1}:${c.seltext}:${c.memo}`).sort();
            for (const sg of readable) expect(got).toContain(`${sg.start}:${sg.end}:${sg.text}:${inXml(memosOf(sg.id))}`);
            const codebook = await Project.create(join(out.dir, `p${n}-codebook.marginalia`), { name: 'codebook' });
            try {
              await importExchangeBytes(codebook.db, qdc, `p${n}.qdc`, 'importer');
              expect((await snapshot(codebook.db)).codes).toEqual(expected.codes);
            } finally {
              await codebook.close();
            }
          } finally {
            await built.close();
          }
        }),
        { numRuns: RUNS + REGRESSIONS.length, examples: REGRESSIONS.map((spec) => [spec]), seed: Number(process.env.MARGINALIA_REFI_SEED ?? 20261202) },
      );
      // One xmllint run per schema for all files: a process per file would be most of the time.
      for (const kind of ['qde', 'qdc'] as const) {
        const complaints = xmllint(SCHEMA[kind], written.map((w) => w[kind]));
        if (complaints) {
          const bad = written.find((w) => complaints.includes(w[kind]));
          throw new Error(`${kind} export not valid against ${SCHEMA[kind]}:\n${complaints.slice(0, 4000)}\nspec of the first invalid file:\n${JSON.stringify(bad?.spec)}`);
        }
      }
      expect(written.length).toBe(RUNS + REGRESSIONS.length);
    } finally {
      out.cleanup();
    }
  });
});
