import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { openTestProject } from '../helpers/project';
import { normaliseText } from '../../main/core/text/normalise';

/**
 * Articles a researcher's CSV really holds, written by an independent writer (csv-stringify)
 * in the ways spreadsheets and scrapers write them, and imported: each document is its row's
 * text, whether the file went to the fast plain reader or, for a stray quote in an unquoted
 * field, to csv-parse.
 */

const piece = fc.constantFrom('Sixteen', 'killed', ',', '"', '""', '\n', '\r\n', '\r', ' ', '😀', '👍🏽', 'Café', 'Cafe\u0301', 'Костянтинівка', '\t', ';', "'", '=1+1', 'x');
const article = fc.array(piece, { minLength: 1, maxLength: 25 }).map((ps) => ps.join(''));

async function importCsv(csv: string): Promise<Array<[string, string]>> {
  const t = await openTestProject();
  try {
    const report = await t.call('import.files', {
      files: [{ name: 'articles.csv', dataBase64: Buffer.from(csv, 'utf8').toString('base64') }],
      mapping: { textColumn: 'text', nameColumn: 'title', attributes: [] },
    });
    expect(report.failed, JSON.stringify(report.outcomes).slice(0, 500)).toBe(0);
    const page = await t.call('documents.page', { limit: 1000 });
    return Promise.all(page.documents.map(async (d) => [d.name, (await t.call('documents.get', { id: d.id })).text] as [string, string]));
  } finally {
    await t.close();
  }
}

describe('a CSV of articles written by csv-stringify imports exactly', () => {
  it('quotes, delimiters, line breaks of every kind inside cells, emoji and accents; LF or CRLF records; quoted always or when needed; with a stray-quote row read by csv-parse', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(article, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.boolean(),
        async (texts, recordDelimiter, quoted, stray) => {
          // Unique texts: an identical article would be taken as a duplicate, rightly.
          const rows = texts.map((text, i) => ({ title: `Article ${i + 1}`, text: `${text} #${i}` }));
          let csv = stringify(rows, { header: true, columns: ['title', 'text'], record_delimiter: recordDelimiter === '\n' ? 'unix' : 'windows', quoted });
          // A hand-typed row with a quote inside an unquoted field: only csv-parse's leniency reads it.
          if (stray) csv += `Stray,He said "no" twice${recordDelimiter}`;
          const docs = await importCsv(csv);
          const expected: Array<[string, string]> = rows.map((r) => [r.title, normaliseText(r.text)]);
          if (stray) expected.push(['Stray', 'He said "no" twice']);
          expect(docs).toEqual(expected);
        },
      ),
      { numRuns: 40, seed: 20261203 },
    );
  });
});
