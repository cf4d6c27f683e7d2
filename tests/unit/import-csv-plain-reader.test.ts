import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { NotPlainCsv, plainCsvRecords } from '../../main/core/import/spreadsheet';

/**
 * The fast reader of plain CSV (spreadsheet.ts) must give csv-parse's records, with the
 * options the importer gives csv-parse, for every text it accepts; anything else it must hand
 * back (NotPlainCsv) for csv-parse to read. And it must accept what spreadsheets and scrapers
 * write, or it is never the fast path.
 */
const CSV_PARSE_OPTIONS = { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true } as const;

const plain = (text: string, delimiter: string): string[][] | 'not plain' => {
  try {
    return [...plainCsvRecords(text, delimiter)];
  } catch (err) {
    if (err instanceof NotPlainCsv) return 'not plain';
    throw err;
  }
};
const csvParse = (text: string, delimiter: string): string[][] | 'error' => {
  try {
    return parse(text, { ...CSV_PARSE_OPTIONS, delimiter }) as string[][];
  } catch {
    return 'error';
  }
};

const token = fc.constantFrom('"', '""', ',', ';', '\t', '\n', '\r\n', '\r', 'a', 'b c', ' ', '😀', 'é', '\uFEFF', '');
const messy = fc.array(token, { maxLength: 40 }).map((ts) => ts.join(''));
// csv-stringify leaves a cell holding only the other kind of line break (an LF in a CRLF file) or
// a lone CR unquoted; spreadsheets quote every cell with a line break (quoted_match below), and
// the first test covers the rest.
const cell = fc.array(fc.constantFrom('"', ',', ';', '\n', '\r\n', 'word', ' ', '😀', 'Café', '\t', ''), { maxLength: 8 }).map((ts) => ts.join(''));

describe('the plain CSV reader', () => {
  it('gives csv-parse\'s records for every text it reads, and hands the rest to csv-parse', () => {
    fc.assert(
      fc.property(messy, fc.constantFrom(',', ';', '\t'), (text, delimiter) => {
        const mine = plain(text, delimiter);
        if (mine === 'not plain') return;
        expect(mine, JSON.stringify(text)).toEqual(csvParse(text, delimiter));
      }),
      { numRuns: 20_000, seed: 20261203 },
    );
  });

  it('reads what csv-stringify writes as spreadsheets do (LF or CRLF, quoted always or when needed, line breaks quoted), record for record', () => {
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 6 }), fc.constantFrom(',', ';', '\t'), fc.boolean(), fc.boolean(), (rows, delimiter, crlf, quoted) => {
        const text = stringify([['title', 'text'], ...rows], { delimiter, record_delimiter: crlf ? 'windows' : 'unix', quoted, quoted_match: /[\r\n]/ });
        const mine = plain(text, delimiter);
        expect(mine, JSON.stringify(text)).not.toBe('not plain');
        expect(mine).toEqual(csvParse(text, delimiter));
      }),
      { numRuns: 2_000, seed: 20261203 },
    );
  });
});
