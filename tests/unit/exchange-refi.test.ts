import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { openTestProject } from '../helpers/project';
import { addDocument } from '../../main/core/documents/documents';
import { lexicalFromPlain } from '../../main/core/coding/segments';
import { main } from '../../main/cli/index';
import type { ExchangeImportReport } from '../../main/core/exchange/qdpx-import';

type T = Awaited<ReturnType<typeof openTestProject>>;
const REFI = join(__dirname, '../../../shared/refi-qda');

/** Validates XML against one of the official schemas with xmllint; returns its complaint or ''. */
function xmllint(dir: string, name: string, xml: Uint8Array, schema: string): string {
  const path = join(dir, name);
  writeFileSync(path, xml);
  try {
    execFileSync('xmllint', ['--noout', '--schema', join(REFI, schema), path], { stdio: 'pipe' });
    return '';
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err);
  }
}

/** A project with everything REFI-QDA can carry: attributes of each type, emoji text, two coders, memos on every kind of target. */
async function richProject(): Promise<T> {
  const t = await openTestProject({ sample: true, coder: 'ana' });
  const coder = await t.session.coder();
  const added = await t.project.db.action({ kind: 'test', summary: 'add', coderId: coder.id }, (tx) =>
    addDocument(tx, {
      name: 'Emoji & <friends> "quoted"',
      text: 'Ich bin froh 😀 und 👍🏽 sehr.\nZweite Zeile mit Café.',
      importedBy: coder.id,
      attributes: { outlet: 'Test Wire', words: 12.5, reviewed: true, date: '2024-05-01' },
      attributeTypes: { words: 'number', reviewed: 'boolean', date: 'date' },
    }),
  );
  if (added.status !== 'imported') throw new Error('fixture document not added');
  const codes = new Map((await t.call('codes.list', {})).map((c) => [c.path, c.id]));
  const docs = await t.call('documents.list', {});
  const seg = await t.call('segments.create', { documentId: added.id, codeId: codes.get('rhetoric/emotive language')!, start: 4, end: 20, memo: 'Segment memo\nwith two lines & <xml>' });
  await t.call('segments.create', { documentId: docs[0]!.id, codeId: codes.get('casualties')!, start: 0, end: 30 });
  await t.session.setCoder('ben');
  await t.call('segments.create', { documentId: docs[0]!.id, codeId: codes.get('casualties')!, start: 0, end: 30 });
  await t.call('segments.create', { documentId: added.id, codeId: codes.get('attribution')!, start: 0, end: 3 });
  await t.session.setCoder('ana');
  await t.call('memos.save', { kind: 'project', targetId: null, content: lexicalFromPlain('Project memo'), text: 'Project memo', title: 'About' });
  await t.call('memos.save', { kind: 'document', targetId: added.id, content: lexicalFromPlain('Document memo'), text: 'Document memo' });
  await t.call('memos.save', { kind: 'code', targetId: codes.get('casualties')!, content: lexicalFromPlain('Code memo'), text: 'Code memo' });
  void seg;
  return t;
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true, parseTagValue: false, parseAttributeValue: false });

/** Every element (with its tag) in a parsed tree, depth first. */
function* walk(node: unknown, tag = ''): Generator<{ tag: string; el: Record<string, unknown> }> {
  if (Array.isArray(node)) for (const n of node) yield* walk(n, tag);
  else if (node && typeof node === 'object') {
    yield { tag, el: node as Record<string, unknown> };
    for (const [k, v] of Object.entries(node)) if (typeof v === 'object') yield* walk(v, k);
  }
}

async function snapshot(t: T) {
  const coders = new Map((await t.call('coders.list', {})).map((c) => [c.id, c.name]));
  const docs = await t.call('documents.list', {});
  const documents = await Promise.all(
    docs.map(async (d) => ({ id: d.id, name: d.name, text: (await t.call('documents.get', { id: d.id })).text, attributes: d.attributes })),
  );
  const codes = (await t.call('codes.list', {})).map((c) => ({ id: c.id, path: c.path, description: c.description, color: c.color }));
  const segments = (await t.call('segments.list', {})).map((s) => ({
    id: s.id,
    document: s.document_id,
    code: s.code_id,
    coder: s.coder_name,
    start: s.start,
    end: s.end,
    text: s.text,
    created_at: s.created_at,
  }));
  const memos = (await t.call('memos.list', {})).map((m) => ({ id: m.id, kind: m.target_kind, target: m.target_id, text: m.text, title: m.title, author: coders.get(m.author_id ?? '') }));
  const sort = <X extends { id: string }>(xs: X[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
  const usedCoders = new Set([...segments.map((s) => s.coder)]);
  return { documents: sort(documents), codes: sort(codes), segments: sort(segments), memos: sort(memos), coders: [...usedCoders].sort() };
}

async function importBytes(t: T, name: string, bytes: Uint8Array): Promise<ExchangeImportReport> {
  return t.call('exchange.import', { name, dataBase64: Buffer.from(bytes).toString('base64') });
}

describe('REFI-QDA export', () => {
  let t: T;
  let files: Record<string, Uint8Array>;
  beforeAll(async () => {
    t = await richProject();
    const out = await t.call('exchange.export', { format: 'qdpx' });
    expect(out.fileName).toMatch(/\.qdpx$/);
    files = unzipSync(Buffer.from(out.dataBase64, 'base64'));
  });
  afterAll(() => t.close());

  it('writes a project.qde that validates against Project-mrt2019.xsd', () => {
    expect(xmllint(t.dir, 'project.qde', files['project.qde']!, 'Project-mrt2019.xsd')).toBe('');
  });

  it('keeps what the schema cannot check: unique GUIDs, references that resolve, selections inside their text', () => {
    const tree = xml.parse(strFromU8(files['project.qde']!));
    const guids: string[] = [];
    const refs: string[] = [];
    for (const { tag, el } of walk(tree)) {
      if (typeof el.guid === 'string') guids.push(el.guid.toLowerCase());
      for (const key of ['targetGUID', 'creatingUser', 'modifyingUser']) if (typeof el[key] === 'string') refs.push((el[key] as string).toLowerCase());
      if (tag === 'TextSource') {
        const path = (el.plainTextPath as string).replace('internal://', 'sources/');
        const text = strFromU8(files[path]!);
        expect(files[path]![0]).not.toBe(0xef); // no BOM
        expect(text).not.toContain('\r');
        const len = [...text].length;
        for (const { tag: t2, el: sel } of walk(el)) {
          if (t2 !== 'PlainTextSelection') continue;
          const start = Number(sel.startPosition);
          const end = Number(sel.endPosition);
          expect(start).toBeGreaterThanOrEqual(0);
          expect(start).toBeLessThanOrEqual(end);
          expect(end).toBeLessThanOrEqual(len);
        }
      }
    }
    expect(new Set(guids).size).toBe(guids.length);
    const known = new Set(guids);
    for (const r of refs) expect(known.has(r), r).toBe(true);
    expect(Object.keys(files).filter((n) => n.startsWith('sources/'))).toHaveLength(6);
  });

  it('writes a codebook .qdc that validates against Codebook-mrt2019.xsd', async () => {
    const out = await t.call('exchange.export', { format: 'qdc' });
    const qdc = Buffer.from(out.dataBase64, 'base64');
    expect(xmllint(t.dir, 'codebook.qdc', qdc, 'Codebook-mrt2019.xsd')).toBe('');
    const names = [...walk(xml.parse(qdc.toString('utf8')))].filter((x) => x.tag === 'Code').map((x) => x.el.name);
    expect(names).toContain('death toll');
  });
});

describe('REFI-QDA export of an empty project', () => {
  it('still validates: empty lists are left out, as the schema wants at least one item in each', async () => {
    const t = await openTestProject();
    try {
      const out = await t.call('exchange.export', { format: 'qdpx' });
      const files = unzipSync(Buffer.from(out.dataBase64, 'base64'));
      // An empty sources folder too: QualCoder lists it, and stops when there is none.
      expect(Object.keys(files).sort()).toEqual(['project.qde', 'sources/']);
      expect(xmllint(t.dir, 'empty.qde', files['project.qde']!, 'Project-mrt2019.xsd')).toBe('');
      const qdc = await t.callRaw('exchange.export', { format: 'qdc' });
      expect(!qdc.ok && qdc.error.message).toMatch(/codebook is empty/);
    } finally {
      await t.close();
    }
  });
});

describe('REFI-QDA round trip', () => {
  it('a project exported to .qdpx and imported into a new project has the same documents, codes, segments, coders and memos', async () => {
    const original = await richProject();
    const copy = await openTestProject({ coder: 'ana' });
    try {
      const out = await original.call('exchange.export', { format: 'qdpx' });
      const report = await importBytes(copy, 'rich.qdpx', Buffer.from(out.dataBase64, 'base64'));
      expect(report.dropped).toEqual([]);
      const a = await snapshot(original);
      const b = await snapshot(copy);
      expect(b.documents).toEqual(a.documents);
      expect(b.codes).toEqual(a.codes);
      expect(b.segments).toEqual(a.segments);
      // The project's description travels as the project's Description, which other programs
      // read as the project memo; the new project has its own description, so it becomes one.
      const description = (await original.call('project.info', {})).description;
      expect(description).not.toBe('');
      expect(report.converted.map((c) => c.what)).toEqual(['project description']);
      expect(b.memos.filter((m) => m.title !== 'Project description')).toEqual(a.memos);
      expect(b.memos.filter((m) => m.title === 'Project description').map((m) => [m.kind, m.text])).toEqual([['project', description]]);
      expect(b.coders).toEqual(['ana', 'ben']);
      // Importing the same file again doubles nothing.
      const again = await importBytes(copy, 'rich.qdpx', Buffer.from(out.dataBase64, 'base64'));
      expect(again.imported).toMatchObject({ documents: 0, codes: 0, segments: 0, memos: 0 });
      expect((await snapshot(copy)).segments).toHaveLength(a.segments.length);
    } finally {
      await original.close();
      await copy.close();
    }
  });
});

describe('REFI-QDA import of other programs\' files', () => {
  it('imports the ATLAS.ti and NVivo samples with their codes and users, and reports what it dropped', async () => {
    const t = await openTestProject({ coder: 'ana' });
    try {
      const small = await importBytes(t, 'atlas-ti-23-small.qdpx', readFileSync(join(REFI, 'vendor-samples/atlas-ti-23-small.qdpx')));
      expect(small.origin).toMatch(/ATLAS\.ti/);
      expect(small.imported).toMatchObject({ codes: 3, coders: 2 });
      const paths = (await t.call('codes.list', {})).map((c) => c.path);
      expect(paths).toContain('Commits/2022-05-10T02:05:59Z 19e4dce');
      const coders = (await t.call('coders.list', {})).map((c) => c.name);
      expect(coders).toEqual(expect.arrayContaining(['Enric Llagostera', 'ATLAS.ti']));

      const blank = await importBytes(t, 'atlas-ti-23-blank.qdpx', readFileSync(join(REFI, 'vendor-samples/atlas-ti-23-blank.qdpx')));
      expect(blank.matched.coders).toBe(2);

      const nvivoBytes = readFileSync(join(REFI, 'vendor-samples/nvivo-mac-15.qdpx'));
      const codeCount = (strFromU8(unzipSync(nvivoBytes)['project.qde']!).match(/<Code /g) ?? []).length;
      const nvivo = await importBytes(t, 'nvivo-mac-15.qdpx', nvivoBytes);
      expect(nvivo.origin).toMatch(/NVivo/);
      expect(nvivo.imported.codes).toBe(codeCount);
      expect(nvivo.imported.coders).toBe(2);
      const nv = (await t.call('codes.list', {})).map((c) => c.path);
      expect(nv).toContain('rq1_definition/competencies/programming');
      expect(nv).toContain('rq1_definition/framings/cs_as_programming/programming');
      // Its two sources are empty in plain text and in Word: reported, not silently lost.
      expect(nvivo.dropped).toEqual([expect.objectContaining({ what: 'document without text', count: 2 })]);
    } finally {
      await t.close();
    }
  });

  it('reads leniently: any .qde name, Sources/, braces and case in GUIDs, BOM and CRLF mapped to stored offsets, inline and Word texts', async () => {
    const t = await openTestProject({ coder: 'ana' });
    try {
      const raw = '\uFEFFFirst line\r\nCafe\u0301 😀 here\r\nThird';
      const qde = `<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Lenient" origin="Hand">
  <Users><User guid="{AAAAAAAA-0000-4000-8000-000000000001}" name="Zoe"/></Users>
  <CodeBook><Codes>
    <Code guid="{BBBBBBBB-0000-4000-8000-000000000001}" name="Place/Time" isCodable="true" color="#f80"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="CCCCCCCC-0000-4000-8000-000000000001" name="crlf" plainTextPath="internal://CCCCCCCC-0000-4000-8000-000000000001.txt">
      <PlainTextSelection guid="DDDDDDDD-0000-4000-8000-000000000001" startPosition="20" endPosition="24" creatingUser="aaaaaaaa-0000-4000-8000-000000000001">
        <Coding guid="EEEEEEEE-0000-4000-8000-000000000001" creatingUser="{aaaaaaaa-0000-4000-8000-000000000001}"><CodeRef targetGUID="bbbbbbbb-0000-4000-8000-000000000001"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="DDDDDDDD-0000-4000-8000-000000000002" startPosition="26" endPosition="31">
        <Coding guid="EEEEEEEE-0000-4000-8000-000000000002"><CodeRef targetGUID="{BBBBBBBB-0000-4000-8000-000000000001}"/></Coding>
      </PlainTextSelection>
      <PictureSelection guid="DDDDDDDD-0000-4000-8000-000000000009" firstX="0" firstY="0" secondX="1" secondY="1">
        <Coding guid="EEEEEEEE-0000-4000-8000-000000000009"><CodeRef targetGUID="bbbbbbbb-0000-4000-8000-000000000001"/></Coding>
      </PictureSelection>
    </TextSource>
    <TextSource guid="CCCCCCCC-0000-4000-8000-000000000002" name="inline"><PlainTextContent>Inline text only.</PlainTextContent></TextSource>
    <TextSource guid="CCCCCCCC-0000-4000-8000-000000000003" name="word" richTextPath="internal://word.docx"/>
    <PictureSource guid="CCCCCCCC-0000-4000-8000-000000000004" name="photo" path="internal://photo.png"/>
  </Sources>
</Project>`;
      const docx = zipSync({
        '[Content_Types].xml': strToU8('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
        '_rels/.rels': strToU8('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
        'word/document.xml': strToU8('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Text from Word.</w:t></w:r></w:p></w:body></w:document>'),
      });
      const archive = zipSync({
        'Export Of Lenient.QDE': strToU8(qde),
        'Sources/CCCCCCCC-0000-4000-8000-000000000001.txt': strToU8(raw),
        'Sources/word.docx': docx,
        '../escape.txt': strToU8('outside'),
      });
      const report = await importBytes(t, 'lenient.qdpx', archive);
      expect(report.imported).toMatchObject({ documents: 3, codes: 1, segments: 2, coders: 1 });
      expect(report.converted.map((c) => c.what)).toEqual(expect.arrayContaining(['code name with "/"', 'document from Word']));
      expect(report.dropped.map((d) => [d.what, d.count]).sort()).toEqual([['coding on a picture', 1], ['picture', 1]]);
      const segs = await t.call('segments.list', {});
      expect(segs.map((s) => s.text).sort()).toEqual(['Third', 'here']);
      expect(segs.every((s) => s.coder_name === 'Zoe' || s.coder_name === 'ana')).toBe(true);
      expect(segs.find((s) => s.text === 'here')!.coder_name).toBe('Zoe');
      expect(segs.find((s) => s.text === 'here')!.id).toBe('dddddddd-0000-4000-8000-000000000001');
      const codes = await t.call('codes.list', {});
      expect(codes[0]).toMatchObject({ name: 'Place-Time', color: '#ff8800' });
      const texts = await Promise.all((await t.call('documents.list', {})).map(async (d) => (await t.call('documents.get', { id: d.id })).text));
      expect(texts).toEqual(expect.arrayContaining(['Inline text only.', 'Text from Word.', 'First line\nCafé 😀 here\nThird']));
    } finally {
      await t.close();
    }
  });

  it('refuses damaged or hostile files with a message naming the file, and leaves the project untouched', async () => {
    const t = await openTestProject({ coder: 'ana' });
    try {
      const notZip = await t.callRaw('exchange.import', { name: 'broken.qdpx', dataBase64: Buffer.from('PK\u0003\u0004garbage').toString('base64') });
      expect(notZip.ok).toBe(false);
      if (!notZip.ok) expect(notZip.error.message).toMatch(/^broken\.qdpx: /);
      const noQde = await t.callRaw('exchange.import', { name: 'empty.qdpx', dataBase64: Buffer.from(zipSync({ 'readme.txt': strToU8('hi') })).toString('base64') });
      expect(!noQde.ok && noQde.error.message).toMatch(/empty\.qdpx: has no project\.qde/);
      const bomb = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="11111111-2222-4333-8444-555555555555" name="&a;" isCodable="true"/></Codes></CodeBook>`;
      const entity = await t.callRaw('exchange.import', { name: 'bomb.qdc', dataBase64: Buffer.from(bomb).toString('base64') });
      expect(!entity.ok && entity.error.message).toMatch(/bomb\.qdc: declares XML entities/);
      // A selection pointing at a missing code fails nothing; a bad XML fails everything, and nothing is half-imported.
      const bad = `<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x"><CodeBook><Codes><Code guid="11111111-2222-4333-8444-555555555555" name="A" isCodable="true"/></Codes></CodeBook><Sources><TextSource guid="21111111-2222-4333-8444-555555555555" name="t"><PlainTextContent>abc</PlainTextContent></TextSource>`;
      const truncated = await t.callRaw('exchange.import', { name: 'cut.qde', dataBase64: Buffer.from(bad).toString('base64') });
      expect(!truncated.ok && truncated.error.message).toMatch(/cut\.qde: is not well-formed XML/);
      expect(await t.call('codes.list', {})).toEqual([]);
      const wrongName = await t.callRaw('exchange.import', { name: 'file.zip', dataBase64: '' });
      expect(!wrongName.ok && wrongName.error.message).toMatch(/\.qdpx, \.qdc or \.qde/);
    } finally {
      await t.close();
    }
  });

  it('imports a .qdpx from the command line with `marginalia import`', async () => {
    const t = await openTestProject({ coder: 'ana' });
    try {
      await t.session.setProject(null);
      const lines: string[] = [];
      const code = await main(['import', t.path, join(REFI, 'examples/sample.qdpx'), '--coder', 'ana'], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
      expect(code, lines.join('\n')).toBe(0);
      expect(lines.join('\n')).toMatch(/imported\s+1 documents, 3 codes, 1 segments/);
      expect(lines.join('\n')).toMatch(/dropped\s+1 link/);
      const seg = JSON.parse(await captureJson(t.path)) as Array<{ text: string }>;
      // [0,14) in code points is "Ich bin froh 😀" (it would be [0,15) in UTF-16 units).
      expect(seg.map((s) => s.text)).toEqual(['Ich bin froh 😀']);
    } finally {
      await t.close();
    }
  });
});

async function captureJson(project: string): Promise<string> {
  const out: string[] = [];
  await main(['segments', project, '--json'], { out: (l) => out.push(l), err: () => undefined });
  return out.join('\n');
}
