import { describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';

/**
 * A CSV of articles is read by a fast reader when it is plain RFC 4180 and by csv-parse when
 * it needs leniency (a stray quote in an unquoted field). Whichever reads it, the documents
 * are the same.
 */

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const cell = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Imports one CSV through the API; the name and text of each document, in order. */
async function importCsv(csv: string): Promise<Array<[string, string]>> {
  const t = await openTestProject();
  try {
    const report = await t.call('import.files', { files: [{ name: 'articles.csv', dataBase64: b64(csv) }], mapping: { textColumn: 'text', nameColumn: 'title', attributes: [] } });
    expect(report.failed, JSON.stringify(report.outcomes)).toBe(0);
    const docs = await t.call('documents.list', {});
    return Promise.all(docs.map(async (d) => [d.name, (await t.call('documents.get', { id: d.id })).text] as [string, string]));
  } finally {
    await t.close();
  }
}

const ARTICLES: Array<[string, string]> = [
  ['Market hit', 'Sixteen people were killed, officials said.'],
  ['Quoted', 'The ministry called it "a provocation"; witnesses disagreed.'],
  ['Two paragraphs', 'First paragraph 😀 with an emoji.\n\nSecond paragraph, after a blank line.'],
  ['Café', 'Kostiantynivka café, 6 September.'],
];
/** Only csv-parse's leniency reads this row: a quote inside an unquoted field is kept as text. */
const LENIENT_ROW = 'Stray,He said "no" twice';

describe('CSV of articles: the plain reader and csv-parse read alike', () => {
  it('quoted fields with commas, doubled quotes, line breaks and emoji, in LF and CRLF files, with an empty line', async () => {
    for (const eol of ['\n', '\r\n']) {
      const lines = ['title,text', ...ARTICLES.map(([n, t]) => `${cell(n)},${cell(t)}`)];
      lines.splice(2, 0, '');
      const plain = await importCsv(lines.join(eol) + eol);
      expect(plain, JSON.stringify(eol)).toEqual(ARTICLES);
      const lenient = await importCsv([...lines, LENIENT_ROW].join(eol) + eol);
      expect(lenient, JSON.stringify(eol)).toEqual([...ARTICLES, ['Stray', 'He said "no" twice']]);
    }
  });

  it('an emoji that falls where the lenient reader cuts the file into parts stays whole', async () => {
    // csv-parse is handed the text in parts of 262,144 characters: the emoji's two halves sit
    // on either side of the first cut.
    const head = 'title,text\nLong,';
    const text = `${'x'.repeat(262_144 - 1 - head.length)}😀 and the rest of the article.`;
    for (const extra of [[], [LENIENT_ROW]]) {
      const docs = await importCsv([head + text, ...extra].join('\n'));
      expect(docs[0]![1], extra.length ? 'csv-parse' : 'plain reader').toBe(text);
      expect(docs[0]![1]).not.toContain('\uFFFD');
    }
  });
});
