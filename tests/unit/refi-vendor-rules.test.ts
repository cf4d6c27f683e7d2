/**
 * The rules the REFI-QDA import follows where other programs differ from the specification
 * or from each other (README, "REFI-QDA with other programs"): the unit of positions, memos
 * in Descriptions, items of one file kept apart and matched to the project, PDFs, colours.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { main } from '../../main/cli/index';
import { Project } from '../../main/core/project/project';
import type { ProjectDb } from '../../main/core/db/project-db';
import { importExchangeBytes } from '../../main/core/exchange/qdpx-import';
import { parseXmlTree, XmlSyntaxError } from '../../main/core/exchange/xml-read';
import { tempDir } from '../helpers/project';

const REFI = join(__dirname, '../../../shared/refi-qda');
const SAMPLES = join(REFI, 'vendor-samples');
const READER = join(__dirname, '../helpers/refi_independent_reader.py');

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A .qdpx of one project.qde and its source texts. */
const qdpx = (qde: string, sources: Record<string, string> = {}) =>
  zipSync({ 'project.qde': strToU8(qde), ...Object.fromEntries(Object.entries(sources).map(([k, v]) => [`sources/${k}`, strToU8(v)])) });

/** Coded texts by segment id, straight from the tables. */
async function codedTexts(db: ProjectDb): Promise<Record<string, string>> {
  const rows = await db.read((r) => r.all<{ id: string; text: string }>(`SELECT s.id, substr(d.text, s.start + 1, s.end - s.start) AS text FROM segments s JOIN documents d ON d.id = s.document_id`));
  return Object.fromEntries(rows.map((r) => [r.id, r.text]));
}

async function withProject<T>(fn: (p: Project, dir: string) => Promise<T>): Promise<T> {
  const { dir, cleanup } = tempDir();
  const p = await Project.create(join(dir, 'p.marginalia'), { name: 'p' });
  try {
    return await fn(p, dir);
  } finally {
    await p.close();
    cleanup();
  }
}

const U = 'aaaaaaaa-0000-4000-8000-00000000000';

describe('positions: code points or UTF-16 units', () => {
  const nvivo = readFileSync(join(SAMPLES, 'nvivo-mac-12.7-codings.qdpx'));
  const withOrigin = (bytes: Uint8Array, from: string, to: string) => {
    const files = unzipSync(bytes);
    const qde = strFromU8(files['project.qde']!);
    expect(qde).toContain(from);
    return zipSync({ ...files, 'project.qde': strToU8(qde.replace(from, to)) });
  };

  it('reads NVivo\'s file without its origin by the evidence, and says which unit it used and why', async () => {
    const asNVivo = await withProject(async (p) => {
      await importExchangeBytes(p.db, nvivo, 'nvivo.qdpx', 'me');
      return codedTexts(p.db);
    });
    for (const origin of ['', 'origin="SomeTool 2.1"']) {
      await withProject(async (p) => {
        const report = await importExchangeBytes(p.db, withOrigin(nvivo, 'origin="NVivo for Mac 12.7.0"', origin), 'unknown.qdpx', 'me');
        expect(report.positions?.unit).toBe('UTF-16 units');
        expect(report.positions?.reason).toMatch(/^positions read as UTF-16 units: .*of 284 selections after a character beyond U\+FFFF .*, \d+ fit code points and \d+ fit UTF-16 units$/);
        expect(report.converted.find((c) => c.what === 'positions in UTF-16 units')?.count).toBe(284);
        expect(await codedTexts(p.db)).toEqual(asNVivo);
      });
    }
  });

  it('keeps code points for a file whose selections fit them, though its origin names no known program', async () => {
    const qc = readFileSync(join(SAMPLES, 'qualcoder-4.0b-sample.qdpx'));
    const asQualCoder = await withProject(async (p) => {
      const report = await importExchangeBytes(p.db, qc, 'qc.qdpx', 'me');
      expect(report.positions).toBeNull();
      return codedTexts(p.db);
    });
    expect(Object.values(asQualCoder)).toEqual(expect.arrayContaining(['heute', 'Café', 'Notenschlüssel']));
    await withProject(async (p) => {
      const report = await importExchangeBytes(p.db, withOrigin(qc, 'origin="QualCoder 4.0 Beta"', 'origin="Unknown 1"'), 'unknown.qdpx', 'me');
      expect(report.positions?.unit).toBe('code points');
      expect(report.positions?.reason).toMatch(/^positions read as code points, the REFI-QDA unit: Unknown 1 does not say/);
      expect(report.converted.map((c) => c.what)).not.toContain('positions in UTF-16 units');
      expect(await codedTexts(p.db)).toEqual(asQualCoder);
    });
  });

  it('exports --for nvivo with UTF-16 positions that an independent reader and Marginalia both place on the same words', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, 'p.marginalia');
      expect((await run('new', p, '--coder', 'me')).code).toBe(0);
      expect((await run('import', p, join(SAMPLES, 'nvivo-mac-12.7-codings.qdpx'), '--coder', 'me')).code).toBe(0);
      const out = join(dir, 'for-nvivo.qdpx');
      const exported = await run('export', p, '--format', 'qdpx', '--for', 'nvivo', '--out', out);
      expect(exported.code, exported.err).toBe(0);
      expect((await run('export', p, '--format', 'csv', '--for', 'nvivo', '--out', join(dir, 'x'))).code).toBe(2);
      expect((await run('export', p, '--format', 'qdpx', '--for', 'atlas', '--out', join(dir, 'x'))).code).toBe(2);
      const qde = strFromU8(unzipSync(readFileSync(out))['project.qde']!);
      expect(qde).toContain('origin="Marginalia 0.1.0 for NVivo (positions in UTF-16 units)"');
      // The independent reading takes an origin naming NVivo as UTF-16 units.
      const expected = JSON.parse(execFileSync('/usr/bin/python3', [READER, out, 'me'], { encoding: 'utf8', maxBuffer: 1 << 28 })) as { unit: string; segments: Array<{ text: string }> };
      expect(expected.unit).toBe('utf16');
      const project = await Project.open(p);
      let ours: Record<string, string>;
      try {
        ours = await codedTexts(project.db);
      } finally {
        await project.close();
      }
      expect(expected.segments.map((s) => s.text).sort()).toEqual(Object.values(ours).sort());
      const standard = join(dir, 'standard.qdpx');
      expect((await run('export', p, '--format', 'qdpx', '--out', standard)).code).toBe(0);
      expect(strFromU8(unzipSync(readFileSync(standard))['project.qde']!)).not.toEqual(qde);
      await withProject(async (copy) => {
        const report = await importExchangeBytes(copy.db, readFileSync(out), 'for-nvivo.qdpx', 'me');
        expect(report.positions?.unit).toBe('UTF-16 units');
        expect(await codedTexts(copy.db)).toEqual(ours);
      });
    } finally {
      cleanup();
    }
  });
});

describe('memos in Descriptions', () => {
  const qde = `<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="memos" origin="ATLAS.ti 9">
  <Users><User guid="${U}1" name="Ana"/></Users>
  <CodeBook><Codes><Code guid="${U}2" name="c" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="${U}3" name="one" plainTextPath="internal://one.txt" creatingUser="${U}1">
      <Description>Document memo.</Description>
      <PlainTextSelection guid="${U}4" startPosition="0" endPosition="5" creatingUser="${U}1">
        <Description>Coding memo.</Description>
        <Coding guid="${U}5" creatingUser="${U}1"><CodeRef targetGUID="${U}2"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="${U}6" startPosition="6" endPosition="12" name="Second">
        <Description>A comment on a passage with no code.</Description>
      </PlainTextSelection>
      <PlainTextSelection guid="${U}7" startPosition="13" endPosition="18">
        <Description>Also a Note.</Description>
        <Coding guid="${U}8"><CodeRef targetGUID="${U}2"/></Coding>
        <NoteRef targetGUID="${U}9"/>
      </PlainTextSelection>
      <PlainTextSelection guid="${U}a" startPosition="0" endPosition="3"/>
    </TextSource>
  </Sources>
  <Notes><Note guid="${U}9" name="Titled"><PlainTextContent>Also a Note.</PlainTextContent></Note></Notes>
  <Description>Project memo.</Description>
</Project>`;

  it('imports each as a segment, document or project memo, a Description that repeats a Note once, and says so', async () => {
    await withProject(async (p) => {
      const report = await importExchangeBytes(p.db, qdpx(qde, { 'one.txt': 'First Second Third' }), 'memos.qdpx', 'me');
      const memos = await p.db.read((r) => r.all<{ target_kind: string; target_id: string | null; title: string; text: string }>(`SELECT target_kind, target_id, title, text FROM memos ORDER BY text`));
      expect(memos.map((m) => [m.target_kind, m.target_id, m.title, m.text])).toEqual([
        ['document', `${U}3`, '“Second”', 'A comment on a passage with no code.'],
        ['segment', `${U}7`, 'Titled', 'Also a Note.'],
        ['segment', `${U}4`, '', 'Coding memo.'],
        ['document', `${U}3`, '', 'Document memo.'],
        ['project', null, 'Project description', 'Project memo.'],
      ]);
      expect(report.imported.memos).toBe(5);
      expect(report.converted.map((c) => [c.what, c.count])).toEqual(
        expect.arrayContaining([
          ['comment on a passage without a code', 1],
          ['project description', 1],
        ]),
      );
      expect(report.dropped).toEqual([expect.objectContaining({ what: 'selection without a code', count: 1 })]);
      // The same file again: nothing doubled.
      const again = await importExchangeBytes(p.db, qdpx(qde, { 'one.txt': 'First Second Third' }), 'memos.qdpx', 'me');
      expect(again.imported).toMatchObject({ memos: 0, segments: 0, documents: 0 });
      expect(again.matches.map((m) => [m.kind, m.by])).toEqual([['coder', 'id'], ['code', 'id'], ['document', 'id']]);
    });
  });
});

describe('items of one file kept apart, and matched to the project', () => {
  const file = (names: [string, string], text: Record<string, string>) => `<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="same" origin="MAXQDA 24">
  <CodeBook><Codes>
    <Code guid="${U}1" name="Trust" isCodable="true" color="rgba(255, 0, 128, 0.5)"/>
    <Code guid="${U}2" name="trust" isCodable="true" color="rgb(1,2,3)"/>
    <Code guid="${U}3" name="weird" isCodable="true" color="teal"/>
    <Code guid="${U}4" name="alpha" isCodable="true" color="#11223380"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="${U}5" name="${names[0]}" plainTextPath="internal://a.txt">
      <PlainTextSelection guid="${U}6" startPosition="0" endPosition="4"><Coding guid="${U}7"><CodeRef targetGUID="${U}1"/></Coding></PlainTextSelection>
    </TextSource>
    <TextSource guid="${U}8" name="${names[1]}" plainTextPath="internal://b.txt">
      <PlainTextSelection guid="${U}9" startPosition="5" endPosition="9"><Coding guid="${U}a"><CodeRef targetGUID="${U}2"/></Coding></PlainTextSelection>
    </TextSource>
    <PDFSource guid="${U}b" name="Report.pdf" path="internal://r.pdf">
      <Representation guid="${U}c" name="Representation_for_Report.pdf" plainTextPath="internal://r.txt"/>
    </PDFSource>
  </Sources>
</Project>`;

  it('keeps two sources with the same text, and codes whose names differ only in case, apart; reads rgba colours', async () => {
    await withProject(async (p) => {
      const report = await importExchangeBytes(p.db, qdpx(file(['first', 'second'], {}), { 'a.txt': 'Same text here', 'b.txt': 'Same text here', 'r.txt': 'PDF text' }), 'same.qdpx', 'me');
      const docs = await p.db.read((r) => r.all<{ id: string; name: string }>(`SELECT id, name FROM documents ORDER BY sort_order`));
      expect(docs).toEqual([
        { id: `${U}5`, name: 'first' },
        { id: `${U}8`, name: 'second' },
        { id: `${U}b`, name: 'Report.pdf' },
      ]);
      const codes = await p.db.read((r) => r.all<{ name: string; color: string }>(`SELECT name, color FROM codes ORDER BY sort_order`));
      expect(codes.slice(0, 2)).toEqual([
        { name: 'Trust', color: '#ff0080' },
        { name: 'trust (2)', color: '#010203' },
      ]);
      expect(codes[3]).toEqual({ name: 'alpha', color: '#112233' });
      expect(Object.values(await codedTexts(p.db)).sort()).toEqual(['Same', 'text']);
      expect(report.converted.map((c) => [c.what, c.count])).toEqual(
        expect.arrayContaining([
          ['colour with transparency', 2],
          ['colour Marginalia cannot read', 1],
          ['code whose name differs from a sibling only in case', 1],
          ['PDF', 1],
        ]),
      );
    });
  });

  it('matches a project\'s items by id, then by name, path or text, and lists each match', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, 'p.marginalia');
      expect((await run('new', p, '--coder', 'me')).code).toBe(0);
      writeFileSync(join(dir, 'own.txt'), 'Same text here');
      expect((await run('import', p, join(dir, 'own.txt'))).code).toBe(0);
      expect((await run('add-code', p, 'TRUST')).code).toBe(0);
      const path = join(dir, 'same.qdpx');
      writeFileSync(path, qdpx(file(['first', 'second'], {}), { 'a.txt': 'Same text here', 'b.txt': 'Same text here', 'r.txt': 'PDF text' }));
      const first = await run('import', p, path);
      expect(first.code, first.err).toBe(0);
      // The project's "own" is the first source's text and its TRUST is their Trust; "second" and "trust" are new.
      expect(first.out).toContain('matched    document "first" to "own" (by text)');
      expect(first.out).toContain('matched    code "Trust" to "TRUST" (by path)');
      expect(first.out).toMatch(/imported {3}2 documents, 3 codes, 2 segments/);
      const again = await run('import', p, path, '--json');
      const report = JSON.parse(again.out) as { matches: Array<{ kind: string; file: string; project: string; by: string }>; imported: Record<string, number> };
      expect(report.imported).toMatchObject({ documents: 0, codes: 0, segments: 0 });
      expect(report.matches.filter((m) => m.kind === 'document')).toEqual([
        { kind: 'document', file: 'first', project: 'own', by: 'text' },
        { kind: 'document', file: 'second', project: 'second', by: 'id' },
        { kind: 'document', file: 'Report.pdf', project: 'Report.pdf', by: 'id' },
      ]);
      expect(report.matches.filter((m) => m.kind === 'code').map((m) => [m.file, m.project, m.by])).toEqual([
        ['Trust', 'TRUST', 'path'],
        ['trust', 'trust (2)', 'id'],
        ['weird', 'weird', 'id'],
        ['alpha', 'alpha', 'id'],
      ]);
    } finally {
      cleanup();
    }
  });
});

describe('media and what is counted', () => {
  it('counts codings and keeps memos on pictures, audio, video, transcripts and PDF regions', async () => {
    const qde = `<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="media" origin="NVivo 14">
  <CodeBook><Codes><Code guid="${U}1" name="c" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <PictureSource guid="${U}2" name="photo.jpg" path="internal://p.jpg">
      <Description>About the photo.</Description>
      <PictureSelection guid="${U}3" firstX="0" firstY="0" secondX="1" secondY="1"><Description>A region.</Description><Coding guid="${U}4"><CodeRef targetGUID="${U}1"/></Coding></PictureSelection>
      <Coding guid="${U}5"><CodeRef targetGUID="${U}1"/></Coding>
      <NoteRef targetGUID="${U}6"/>
    </PictureSource>
    <AudioSource guid="${U}7" name="talk.m4a" path="internal://a.m4a">
      <Transcript guid="${U}8" name="talk transcript" plainTextPath="internal://t.txt">
        <TranscriptSelection guid="${U}9" fromSyncPoint="${U}a" toSyncPoint="${U}b"><Coding guid="${U}c"><CodeRef targetGUID="${U}1"/></Coding></TranscriptSelection>
      </Transcript>
      <AudioSelection guid="${U}d" begin="0" end="10"><Coding guid="${U}e"><CodeRef targetGUID="${U}1"/></Coding></AudioSelection>
    </AudioSource>
  </Sources>
  <Notes><Note guid="${U}6" name="Photo note"><PlainTextContent>Seen on the photo.</PlainTextContent></Note></Notes>
</Project>`;
    await withProject(async (p) => {
      const report = await importExchangeBytes(p.db, qdpx(qde), 'media.qdpx', 'me');
      expect(Object.fromEntries(report.dropped.map((d) => [d.what, d.count]))).toEqual({
        picture: 1,
        'coding on a picture': 2,
        audio: 1,
        'coding on audio': 1,
        transcript: 1,
        'coding on a transcript': 1,
      });
      const memos = await p.db.read((r) => r.all<{ target_kind: string; title: string; text: string }>(`SELECT target_kind, title, text FROM memos ORDER BY text`));
      expect(memos).toEqual([
        { target_kind: 'project', title: 'On picture "photo.jpg" (not imported)', text: 'A region.' },
        { target_kind: 'project', title: 'On picture "photo.jpg" (not imported)', text: 'About the photo.' },
        { target_kind: 'project', title: 'Photo note', text: 'Seen on the photo.' },
      ]);
      expect(report.converted.find((c) => c.what === 'memo on an item not imported')?.count).toBe(3);
    });
  });
});

describe('the XML reader', () => {
  const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&#x1F600;/g, '😀');
  const read = (xml: string) => parseXmlTree(xml, (n) => n === 'Code', decode);

  it('builds the tree the importer walks: attributes, repeatable tags as lists, text, CDATA as written, CRLF as LF', () => {
    const tree = read('<?xml version="1.0"?>\r\n<!-- a comment with </x> --><p:Root xmlns:p="urn:x" p:a="1 &amp; 2"><Code name="x"/><One>t&amp;&#x1F600;</One><Two><![CDATA[&amp; </y>]]></Two><Three>a\r\nb</Three><Empty/></p:Root>');
    expect(tree).toEqual({ Root: { a: '1 & 2', Code: [{ name: 'x' }], One: 't&😀', Two: '&amp; </y>', Three: 'a\nb', Empty: '' } });
  });

  it('refuses what is not well-formed, with the line', () => {
    for (const [xml, reason] of [
      ['<a>\n<b>\n</a>', /^line 3: <b> is not closed$/],
      ['<a><b c="1">', /<b> is not closed/],
      ['<a></a>\n<b/>', /^line 2: a second root element <b>$/],
      ['<a></a> trailing', /text outside the root element/],
      ['<a>\n<b></c></b></a>', /^line 2: an end tag closes no open element$/],
      ['<a b=1></a>', /attribute that is not name="value"/],
      ['', /no root element/],
    ] as const) {
      expect(() => read(xml), xml).toThrow(XmlSyntaxError);
      expect(() => read(xml), xml).toThrow(reason);
    }
  });
});
