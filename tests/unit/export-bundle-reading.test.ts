/**
 * The dataset bundle's README.txt says how to read its tables with every cell as written.
 * Its lines for pandas, read.csv and readr are run here exactly as printed, on a table whose
 * cells defaults would change ("NA", "NULL", spaces at the ends), for every delimiter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { openTestProject } from '../helpers/project';
import { readWithCsvParse, type Table } from '../helpers/csv-readers';

type T = Awaited<ReturnType<typeof openTestProject>>;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** The README's reading line for one reader: the code after "pandas:", "R:" or "readr:". */
function line(readme: string, reader: 'pandas' | 'R' | 'readr'): string {
  const found = new RegExp(`^  ${reader}:\\s+(.+)$`, 'm').exec(readme);
  if (!found) throw new Error(`README.txt has no line for ${reader}:\n${readme}`);
  return found[1]!;
}

function runPython(dir: string, expression: string): Table {
  const script = `import json, os\nimport pandas as pd\nos.chdir(${JSON.stringify(dir)})\nd = ${expression}\nprint(json.dumps([list(d.columns)] + [[None if isinstance(c, float) else c for c in row] for row in d.values.tolist()]))\n`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' })) as Table;
}

function runR(dir: string, expression: string): Table {
  const script = `setwd(${JSON.stringify(dir)}); d <- ${expression}; cat(jsonlite::toJSON(unname(rbind(names(d), as.matrix(d)))))`;
  return JSON.parse(execFileSync('Rscript', ['-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as Table;
}

describe('the bundle README’s lines for reading the tables', () => {
  let t: T;
  beforeAll(async () => {
    t = await openTestProject({ coder: 'ana' });
    // A document named "NA"; a coded passage with spaces at both ends; memos "NULL" and "NA".
    const report = await t.call('import.files', { files: [{ name: 'NA.txt', dataBase64: b64('Shelling hit the market.\n\nNULL was all they said.') }] });
    const outcome = report.outcomes[0]!;
    if (outcome.status !== 'imported') throw new Error('not imported');
    const { id: code } = await t.call('codes.create', { name: 'attribution' });
    await t.call('segments.create', { documentId: outcome.documentId, codeId: code, start: 8, end: 13, memo: 'NULL' });
    await t.call('segments.create', { documentId: outcome.documentId, codeId: code, start: 26, end: 30, memo: 'NA' });
  });
  afterAll(() => t.close());

  for (const delimiter of ['comma', 'semicolon', 'tab'] as const) {
    it(`read every cell as written, where defaults would not (${delimiter})`, async () => {
      const files = unzipSync(Buffer.from((await t.call('exchange.export', { format: 'bundle', delimiter })).dataBase64, 'base64'));
      const dir = join(t.dir, `bundle-${delimiter}`);
      mkdirSync(dir);
      for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
      const readme = strFromU8(files['README.txt']!);
      const expected = readWithCsvParse(strFromU8(files['segments.csv']!), delimiter);
      const column = (table: Table, name: string) => table.slice(1).map((row) => row[table[0]!.indexOf(name)]);
      expect(column(expected, 'document_name')).toEqual(['NA', 'NA']);
      expect(column(expected, 'text')).toEqual([' hit ', 'NULL']);
      expect(column(expected, 'memo')).toEqual(['NULL', 'NA']);

      expect(runPython(dir, line(readme, 'pandas')), 'pandas, as the README says').toEqual(expected);
      expect(runR(dir, line(readme, 'R')), 'read.csv, as the README says').toEqual(expected);
      expect(runR(dir, line(readme, 'readr')), 'readr, as the README says').toEqual(expected);
      // Why the README says it: pandas' defaults lose the document named "NA" and the memo "NULL".
      const sep = delimiter === 'comma' ? ',' : delimiter === 'semicolon' ? ';' : '\\t';
      const byDefault = runPython(dir, `pd.read_csv("segments.csv", sep="${sep}")`);
      expect(column(byDefault, 'document_name')).toEqual([null, null]);
    });
  }
});
