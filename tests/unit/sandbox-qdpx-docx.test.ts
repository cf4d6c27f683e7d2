import { describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { openTestProject } from '../helpers/project';
import { makeDocx } from '../fixtures/import/make-fixtures';
import { understate } from '../hostile/make-hostile';
import { closeSandbox, sandboxStats } from '../../main/core/sandbox/sandbox';
import { freshSandboxEachTest } from '../helpers/sandbox';

/**
 * A REFI-QDA source whose only text is a Word file inside the archive (richTextPath) is read
 * in the sandbox worker, like any file from outside: a hostile one fails the import with a
 * message naming the archive, the Word file and its source, and leaves the project as it was.
 */

const SOURCE = 'CCCCCCCC-0000-4000-8000-00000000d0c5';

function qdpxWithWord(docx: Uint8Array, sourceName = 'Field notes'): Uint8Array {
  const qde = `<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Word inside" origin="Hand">
  <CodeBook><Codes><Code guid="BBBBBBBB-0000-4000-8000-000000000001" name="place" isCodable="true"/></Codes></CodeBook>
  <Sources>
    <TextSource guid="${SOURCE}" name="${sourceName}" richTextPath="internal://${SOURCE}.docx"/>
    <TextSource guid="CCCCCCCC-0000-4000-8000-000000000002" name="inline"><PlainTextContent>Inline text only.</PlainTextContent></TextSource>
  </Sources>
</Project>`;
  return zipSync({ 'project.qde': strToU8(qde), [`sources/${SOURCE}.docx`]: docx });
}

const statsOf = (prefix: string) => sandboxStats().filter((s) => s.file.startsWith(prefix));
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

describe('Word texts inside a REFI-QDA archive', () => {
  freshSandboxEachTest();

  it('are read in the sandbox worker and imported as the document text', async () => {
    const t = await openTestProject({ coder: 'ana' });
    try {
      const report = await t.call('exchange.import', { name: 'word-inside.qdpx', dataBase64: b64(qdpxWithWord(makeDocx(['Shelling near the station.', 'A second paragraph.']))) });
      expect(report.imported).toMatchObject({ documents: 2 });
      expect(report.converted.map((c) => c.what)).toContain('document from Word');
      const docs = await t.call('documents.list', {});
      const word = docs.find((d) => d.name === 'Field notes')!;
      expect((await t.call('documents.get', { id: word.id })).text).toBe('Shelling near the station.\n\nA second paragraph.');
      // The archive and then the Word file inside it were each read by the worker.
      expect(statsOf('word-inside.qdpx').map((s) => [s.file, s.outcome])).toEqual([
        ['word-inside.qdpx', 'read'],
        [`word-inside.qdpx: internal://${SOURCE}.docx of "Field notes"`, 'read'],
      ]);
    } finally {
      await t.close();
    }
  });

  it('a Word file of 60 million characters whose zip headers claim 1,000 bytes fails the import, naming the archive, the Word file, its source and the limit; nothing is imported', async () => {
    const t = await openTestProject({ coder: 'ana' });
    try {
      // 60 MB of spaces in document.xml compress to a few KB; the headers claim 1,000 bytes.
      const padded = makeDocx([`Bomb.${' '.repeat(60 * 1024 * 1024)}`]);
      const bomb = understate(padded, 'word/document.xml', 1000);
      expect(bomb.length).toBeLessThan(1024 * 1024);
      const r = await t.callRaw('exchange.import', { name: 'bomb-inside.qdpx', dataBase64: b64(qdpxWithWord(bomb)) });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.message).toMatch(new RegExp(`^bomb-inside\\.qdpx: internal://${SOURCE}\\.docx of "Field notes": the text is longer than the 20 million characters a document may have`));
      expect(r.error.message).not.toMatch(/ERR_|Error:|undefined/);
      expect(statsOf('bomb-inside.qdpx: ').map((s) => s.outcome)).toEqual(['failed']);
      expect(await t.call('documents.list', {})).toEqual([]);
      expect(await t.call('codes.list', {})).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('a project XML too heavy to parse fails in the worker, naming the archive and the limit; the app goes on', async () => {
    await closeSandbox();
    // 21 MB of XML inflates within 48 MB; its 400,000 parsed elements do not.
    process.env.MARGINALIA_SANDBOX_MEMORY_MB = '48';
    const t = await openTestProject({ coder: 'ana' });
    try {
      const codes = Array.from({ length: 400_000 }, (_, i) => `<Code guid="g${i}" name="c${i}" isCodable="true"/>`).join('');
      const qde = `<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="Heavy" origin="Hand"><CodeBook><Codes>${codes}</Codes></CodeBook></Project>`;
      const r = await t.callRaw('exchange.import', { name: 'heavy-xml.qdpx', dataBase64: b64(zipSync({ 'project.qde': strToU8(qde) })) });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe('too_large');
      expect(r.error.message).toMatch(/^heavy-xml\.qdpx: is too large to read safely \(over 48 MB of memory\)/);
      expect(statsOf('heavy-xml.qdpx').map((s) => s.outcome)).toEqual(['memory']);
      expect(await t.call('codes.list', {})).toEqual([]);
      const next = await t.call('exchange.import', { name: 'small-inside.qdpx', dataBase64: b64(qdpxWithWord(makeDocx(['Short.']))) });
      expect(next.imported).toMatchObject({ documents: 2 });
    } finally {
      await t.close();
    }
  });

  it('a Word file past the memory ceiling fails alone in its worker, naming the limit; the next import works', async () => {
    await closeSandbox();
    process.env.MARGINALIA_SANDBOX_MEMORY_MB = '96';
    const t = await openTestProject({ coder: 'ana' });
    try {
      const heavy = makeDocx(Array.from({ length: 50_000 }, (_, i) => `Paragraph ${i} of a long report.`));
      const r = await t.callRaw('exchange.import', { name: 'heavy-inside.qdpx', dataBase64: b64(qdpxWithWord(heavy, 'Long report')) });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe('too_large');
      expect(r.error.message).toMatch(new RegExp(`^heavy-inside\\.qdpx: internal://${SOURCE}\\.docx of "Long report": is too large to read safely \\(over 96 MB of memory\\)`));
      expect(await t.call('documents.list', {})).toEqual([]);
      const next = await t.call('exchange.import', { name: 'small-inside.qdpx', dataBase64: b64(qdpxWithWord(makeDocx(['Short.']))) });
      expect(next.imported).toMatchObject({ documents: 2 });
    } finally {
      await t.close();
    }
  });
});
