import { describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { strToU8 } from 'fflate';
import { openTestProject } from '../helpers/project';
import { makeDocx, makeOdt, makePdf } from '../fixtures/import/make-fixtures';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** Imports one file through the API and returns the stored document (name, text, encoding, format). */
async function importOne(name: string, bytes: Uint8Array) {
  const t = await openTestProject();
  try {
    const report = await t.call('import.files', { files: [{ name, dataBase64: b64(bytes) }] });
    const outcome = report.outcomes[0]!;
    if (outcome.status !== 'imported') throw new Error(`${name} was not imported: ${JSON.stringify(outcome)}`);
    const doc = await t.call('documents.get', { id: outcome.documentId });
    const summary = (await t.call('documents.list', {})).find((d) => d.id === outcome.documentId)!;
    return { name: doc.name, text: doc.text, encoding: summary.source_encoding, format: summary.source_format, length: doc.length };
  } finally {
    await t.close();
  }
}

const RUSSIAN = 'Вчера вечером в Константиновке обстреляли рынок.\nПо данным властей, погибли шестнадцать человек.';
const FRENCH = 'Le président a déclaré « nécessaire » la réforme.\nLes syndicats ont réagi dès l’après-midi — très vite.';

describe('import of plain text in every encoding', () => {
  it('reads UTF-8 and records it, with CRLF normalised and astral characters counted once', async () => {
    const doc = await importOne('notes.txt', strToU8('Kyiv 🇺🇦 report\r\nSecond line\r\n'));
    expect(doc).toMatchObject({ name: 'notes', text: 'Kyiv 🇺🇦 report\nSecond line\n', encoding: 'utf-8', format: 'txt' });
    expect(doc.length).toBe([...'Kyiv 🇺🇦 report\nSecond line\n'].length);
  });

  it('reads UTF-8 with a BOM without keeping the BOM', async () => {
    const doc = await importOne('bom.txt', new Uint8Array([0xef, 0xbb, 0xbf, ...strToU8('Zürich')]));
    expect(doc.text).toBe('Zürich');
  });

  it('reads UTF-16 LE and BE with a BOM', async () => {
    const le = await importOne('le.txt', new Uint8Array([0xff, 0xfe, ...iconv.encode(RUSSIAN, 'utf-16le')]));
    expect(le).toMatchObject({ text: RUSSIAN, encoding: 'utf-16le' });
    const be = await importOne('be.txt', new Uint8Array([0xfe, 0xff, ...iconv.encode(FRENCH, 'utf-16be')]));
    expect(be).toMatchObject({ text: FRENCH, encoding: 'utf-16be' });
  });

  it('detects Windows-1251 and Windows-1252 and records which', async () => {
    const ru = await importOne('ru.txt', iconv.encode(RUSSIAN, 'windows-1251'));
    expect(ru).toMatchObject({ text: RUSSIAN, encoding: 'windows-1251' });
    const fr = await importOne('fr.txt', iconv.encode(FRENCH, 'windows-1252'));
    expect(fr).toMatchObject({ text: FRENCH, encoding: 'windows-1252' });
  });

  it('keeps Markdown as written', async () => {
    const doc = await importOne('memo.md', strToU8('# Heading\n\n*Emphasis* and a [link](http://x).'));
    expect(doc).toMatchObject({ name: 'memo', text: '# Heading\n\n*Emphasis* and a [link](http://x).', format: 'md' });
  });
});

describe('import of formatted documents', () => {
  it('reduces HTML to its readable text: title as name, paragraphs kept, scripts, styles and navigation dropped', async () => {
    const html = `<!DOCTYPE html><html><head><title>Market  shelled &amp; burned</title><style>p{color:red}</style>
      <script>window.pwned = true; fetch('http://evil')</script></head><body>
      <nav><a href="/">Home</a><a href="/world">World</a></nav>
      <article><h1>Market shelled</h1><p>Sixteen   people
      were killed.<br>Officials blamed Russia.</p><p onclick="alert(1)">It was <b>the</b> worst attack.</p>
      <ul><li>First</li><li>Second</li></ul></article><script>document.write('x')</script></body></html>`;
    const doc = await importOne('page.html', strToU8(html));
    expect(doc.name).toBe('Market shelled & burned');
    expect(doc.text).toBe('Market shelled\n\nSixteen people were killed.\nOfficials blamed Russia.\n\nIt was the worst attack.\n\nFirst\n\nSecond');
    expect((globalThis as { pwned?: boolean }).pwned).toBeUndefined();
  });

  it('detects HTML saved under another extension by its content', async () => {
    const doc = await importOne('export.txt', strToU8('<html><head><title>From Nexis</title></head><body><p>Body text.</p></body></html>'));
    expect(doc).toMatchObject({ name: 'From Nexis', text: 'Body text.', format: 'html' });
  });

  it('reads .docx paragraphs, dropping empty ones', async () => {
    const doc = await importOne('story.docx', makeDocx(['Headline here', '', 'First paragraph & more.', 'Second — with “quotes”.']));
    expect(doc).toMatchObject({ name: 'story', format: 'docx', text: 'Headline here\n\nFirst paragraph & more.\n\nSecond — with “quotes”.' });
  });

  it('reads .odt headings, paragraphs (with runs of spaces) and list items', async () => {
    const doc = await importOne('story.odt', makeOdt('Title line', ['Para  with two spaces.', 'Another.'], ['one', 'two']));
    expect(doc).toMatchObject({ format: 'odt', text: 'Title line\n\nPara  with two spaces.\n\nAnother.\n\none\n\ntwo' });
  });

  it('reads .rtf: code-page bytes, \\u characters, paragraphs, and the info title as name', async () => {
    const rtf =
      '{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Times New Roman;}}{\\colortbl;\\red255\\green0\\blue0;}' +
      '{\\info{\\title Rocket report}{\\author Someone}}{\\*\\generator Writer}' +
      '\\pard\\f0\\fs24 Caf\\\'e9 in Kramatorsk was hit.\\par\n' +
      '{\\b Bold} text \\uc1\\u8212?\\u8220?quoted\\u8221? \\{braces\\}\\line next line\\par\n' +
      '{\\*\\fldinst HYPERLINK "http://x"}{\\fldrslt link text}\\par}';
    const doc = await importOne('report.rtf', strToU8(rtf, true));
    expect(doc).toMatchObject({ name: 'Rocket report', format: 'rtf' });
    expect(doc.text).toBe('Café in Kramatorsk was hit.\n\nBold text —“quoted” {braces}\nnext line\n\nlink text');
  });

  it('reads a Windows-1251 .rtf through its code page', async () => {
    const bytes = [...iconv.encode('Киев', 'windows-1251')].map((b) => `\\'${b.toString(16)}`).join('');
    const doc = await importOne('ru.rtf', strToU8(`{\\rtf1\\ansi\\ansicpg1251 ${bytes}\\par}`, true));
    expect(doc.text).toBe('Киев');
  });

  it('reads the text layer of a PDF, one paragraph break between pages', async () => {
    const doc = await importOne('scan.pdf', makePdf([['Shelling in Kostiantynivka', 'killed 16 people (officials).'], ['Page two.']]));
    expect(doc).toMatchObject({ name: 'scan', format: 'pdf', text: 'Shelling in Kostiantynivka\nkilled 16 people (officials).\n\nPage two.' });
  });
});
