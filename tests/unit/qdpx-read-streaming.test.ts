import { describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { readArchive, readArchiveForImport, readExchange, type ExchangeRead } from '../../main/core/exchange/qdpx-read';
import { makeDocx } from '../fixtures/import/make-fixtures';

/**
 * The sandbox worker reads a project's sources as the XML is parsed, so that the tree of a
 * large project is never whole (readArchiveForImport). What it sends the app must be what
 * reading the whole tree gives: the same documents in the same order, the same report lines
 * in the same order, memos on the same owners, and the same refusal of a broken file.
 */

const g = (n: number) => `AAAAAAAA-0000-4000-8000-${String(n).padStart(12, '0')}`;
const sel = (n: number, start: number, end: number, extra = '') =>
  `<PlainTextSelection guid="${g(n)}" startPosition="${start}" endPosition="${end}" creatingUser="${g(1)}">${extra}<Coding guid="${g(n + 500)}" creatingUser="${g(1)}"><CodeRef targetGUID="${g(10)}"/></Coding></PlainTextSelection>`;

/** Sources of every kind, interleaved (text, picture, text, PDF, audio, text), notes on selections and sources, a second <Sources>. */
function mixedProject(sources = defaultSources()): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Mixed" origin="ATLAS.ti 23">
  <Users><User guid="${g(1)}" name="ana"/></Users>
  <CodeBook><Codes><Code guid="${g(10)}" name="place" isCodable="true" color="#11223344"/><Code guid="${g(11)}" name="odd colour" isCodable="true" color="blue"/></Codes></CodeBook>
  <Variables><Variable guid="${g(20)}" name="outlet" typeOfVariable="Text"/></Variables>
  <Cases><Case guid="${g(21)}" name="c"><VariableValue><VariableRef targetGUID="${g(20)}"/><TextValue>Wire</TextValue></VariableValue><SourceRef targetGUID="${g(100)}"/></Case></Cases>
  ${sources}
  <Sources><TextSource guid="${g(900)}" name="second sources, not read"><PlainTextContent>Ignored.</PlainTextContent></TextSource></Sources>
  <Notes>
    <Note guid="${g(300)}" name="on a selection"><PlainTextContent>Selection note.</PlainTextContent></Note>
    <Note guid="${g(301)}" name="on a picture"><PlainTextContent>Picture note.</PlainTextContent></Note>
    <Note guid="${g(302)}" name="on a source"><PlainTextContent>Source note.</PlainTextContent></Note>
    <Note guid="${g(303)}" name="from a file" plainTextPath="internal://memo.txt"/>
  </Notes>
  <Links><Link guid="${g(310)}" originGUID="${g(303)}" targetGUID="${g(102)}"/></Links>
  <Sets><Set guid="${g(320)}" name="set"><MemberSource targetGUID="${g(100)}"/><MemberCode targetGUID="${g(10)}"/></Set></Sets>
</Project>`;
}

function defaultSources(): string {
  return `<Sources>
    <TextSource guid="${g(100)}" name="first 😀"><PlainTextContent>Shelling 😀 near the station, said officials.</PlainTextContent>${sel(101, 0, 8, '<NoteRef targetGUID="' + g(300) + '"/>')}${sel(102, 12, 16, '<Description>Why here.</Description>')}<NoteRef targetGUID="${g(302)}"/></TextSource>
    <PictureSource guid="${g(110)}" name="photo" path="internal://p.jpg"><Description>About the photo.</Description><PictureSelection guid="${g(111)}" firstX="1" firstY="1" secondX="2" secondY="2"><Coding guid="${g(112)}"><CodeRef targetGUID="${g(10)}"/></Coding><NoteRef targetGUID="${g(301)}"/></PictureSelection></PictureSource>
    <TextSource guid="${g(120)}" name="from a file" plainTextPath="internal://t.txt">${sel(121, 0, 5)}${sel(122, 40, 60)}</TextSource>
    <PDFSource guid="${g(130)}" name="report.pdf" path="internal://r.pdf"><PDFSelection guid="${g(131)}" page="1" firstX="0" firstY="0" secondX="1" secondY="1"><Coding guid="${g(132)}"><CodeRef targetGUID="${g(10)}"/></Coding></PDFSelection><Representation guid="${g(133)}" plainTextPath="internal://rep.txt">${sel(134, 0, 3)}</Representation></PDFSource>
    <AudioSource guid="${g(140)}" name="interview" path="internal://a.mp3"><Transcript guid="${g(141)}" name="t"><TranscriptSelection guid="${g(142)}" fromSyncPoint="${g(143)}" toSyncPoint="${g(144)}"><Coding guid="${g(145)}"><CodeRef targetGUID="${g(10)}"/></Coding></TranscriptSelection></Transcript></AudioSource>
    <TextSource guid="${g(150)}" name="no text" plainTextPath="internal://missing.txt">${sel(151, 0, 2, '<Description>Lost with its text.</Description>')}</TextSource>
  </Sources>`;
}

const files = {
  'sources/t.txt': strToU8('\uFEFFA file text,\r\nwith CRLF and Cafe\u0301 in it.'),
  'sources/rep.txt': strToU8('PDF text.'),
  'sources/memo.txt': strToU8('A memo kept in a file.'),
};

const zip = (qde: string, more: Record<string, Uint8Array> = {}) => zipSync({ 'project.qde': strToU8(qde), ...files, ...more });

/** As the worker reads it and the app receives it (a structured clone). */
async function streamed(bytes: Uint8Array, name: string): Promise<ExchangeRead> {
  return readExchange(structuredClone(await readArchiveForImport(bytes, name)), name);
}

/** As the app read it before: the whole tree. */
function whole(bytes: Uint8Array, name: string): Promise<ExchangeRead> {
  return readExchange(readArchive(bytes, name), name);
}

const withoutTransfer = ({ sameText: _, ...read }: ExchangeRead) => read;

describe('reading a project while its XML is parsed', () => {
  it('gives what the whole tree gives for sources of every kind interleaved, with notes on selections, sources and pictures', async () => {
    const bytes = zip(mixedProject());
    const a = await streamed(bytes, 'mixed.qdpx');
    const b = await whole(bytes, 'mixed.qdpx');
    expect(withoutTransfer(a)).toEqual(withoutTransfer(b));
    // The reading did something worth comparing: documents in the file's order by kind, and notes on their owners.
    expect(a.file!.documents.map((d) => d.name)).toEqual(['first 😀', 'from a file', 'report.pdf']);
    expect([...a.file!.noteOwners]).toEqual([
      [g(300).toLowerCase(), g(101).toLowerCase()],
      [g(302).toLowerCase(), g(100).toLowerCase()],
      [g(301).toLowerCase(), g(111).toLowerCase()],
    ]);
    expect(a.tally.map(([kind, what]) => `${kind}: ${what}`)).toEqual(b.tally.map(([kind, what]) => `${kind}: ${what}`));
    expect(a.tally.map(([, what]) => what)).toEqual(expect.arrayContaining(['picture', 'coding on a PDF page region', 'document whose text file is missing', 'transcript']));
    expect(a.file!.documents[1]!.mapped.text).toBe('A file text,\nwith CRLF and Café in it.');
  });

  it('gives what the whole tree gives when a later kind comes first and a source repeats after others', async () => {
    const sources = defaultSources().replace('<Sources>', `<Sources><PictureSource guid="${g(160)}" name="first picture" path="internal://q.jpg"/>`);
    const bytes = zip(mixedProject(sources));
    expect(withoutTransfer(await streamed(bytes, 'm.qdpx'))).toEqual(withoutTransfer(await whole(bytes, 'm.qdpx')));
  });

  it('refuses a file cut off after some sources were read with the message of the whole parse', async () => {
    const qde = mixedProject();
    const cut = qde.slice(0, qde.indexOf('<PDFSource'));
    const bytes = zip(cut);
    const expected = await whole(bytes, 'cut.qdpx').then(
      () => 'read',
      (err: Error) => err.message,
    );
    expect(expected).toMatch(/^cut\.qdpx: is not well-formed XML \(line \d+: .*\); export it again from the other program\.$/);
    await expect(streamed(bytes, 'cut.qdpx')).rejects.toThrow(expected);
  });

  it.each([
    ['read as the XML is parsed', defaultSources()],
    ['read after the parse (a picture comes first)', defaultSources().replace('<Sources>', `<Sources><PictureSource guid="${g(160)}" name="first picture" path="internal://q.jpg"/>`)],
  ])('sends the whole tree for the app to read when a source has only a Word text, %s', async (_, sources) => {
    const qde = mixedProject(sources).replace('<TextSource guid="' + g(150) + '" name="no text" plainTextPath="internal://missing.txt">', `<TextSource guid="${g(150)}" name="word" richTextPath="internal://w.docx">`);
    const archive = await readArchiveForImport(zip(qde, { 'sources/w.docx': makeDocx(['Word text.']) }), 'w.qdpx');
    expect(archive.read).toBeUndefined();
    // Whole: every source of the first <Sources> is in it.
    expect(archive.root).toHaveProperty(['Project', 'Sources', 0, 'TextSource', 'length'], 3);
    expect(archive.files.has('sources/w.docx')).toBe(true);
  });
});
