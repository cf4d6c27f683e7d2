import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTestProject, tempDir } from '../helpers/project';
import { runCli } from '../helpers/cli';
import { LISTED_OUTCOMES, OutcomeTally, type ImportOutcome } from '../../main/core/import/import-files';

const failed = (row: number): ImportOutcome => ({ file: 'a.csv', row, status: 'failed', reason: `row ${row}: the text column "text" is empty.` });
const imported = (row: number): ImportOutcome => ({ file: 'a.csv', row, status: 'imported', documentId: `d${row}`, name: `a row ${row}` });
const duplicate = (row: number): ImportOutcome => ({ file: 'a.csv', row, status: 'duplicate', duplicateOf: { id: 'd2', name: 'a row 2' } });

describe('an import report of a very long file', () => {
  it('counts every outcome exactly and lists the first ones of each kind, in import order, even when they arrive out of order', () => {
    const tally = new OutcomeTally(3);
    // Rows 2..21: every third row fails, row 5 and 11 are duplicates. Failures of later rows
    // are known before earlier rows' batches are written, so they are added first.
    const all = Array.from({ length: 20 }, (_, i) => i + 2).map((row) => (row % 3 === 0 ? failed(row) : row === 5 || row === 11 ? duplicate(row) : imported(row)));
    const late = all.filter((o) => o.status !== 'failed');
    for (const [seq, o] of all.entries()) if (o.status === 'failed') tally.add(seq, o);
    for (const o of late) tally.add(all.indexOf(o), o);
    expect(tally.counts).toEqual({ imported: 11, duplicates: 2, failed: 7 });
    expect(tally.listed().map((o) => [o.row, o.status])).toEqual([
      [2, 'imported'],
      [3, 'failed'],
      [4, 'imported'],
      [5, 'duplicate'],
      [6, 'failed'],
      [7, 'imported'],
      [9, 'failed'],
      [11, 'duplicate'],
    ]);
    expect(tally.unlisted()).toEqual({ imported: 8, duplicates: 0, failed: 4 });
  });

  it('keeps the earliest failures when a later one arrived first and the list was full', () => {
    const tally = new OutcomeTally(2);
    tally.add(10, failed(12));
    tally.add(11, failed(13));
    tally.add(3, failed(5));
    tally.add(12, failed(14));
    expect(tally.listed().map((o) => o.row)).toEqual([5, 12]);
    expect(tally.unlisted().failed).toBe(2);
  });

  it(`says exactly how many rows failed and names the first ${LISTED_OUTCOMES} by row and column, in the report and on the command line`, async () => {
    const t = await openTestProject();
    const { dir, cleanup } = tempDir();
    try {
      await t.project.close();
      // 2,600 rows: rows with an odd number have no text, rows divisible by 4 a bad date.
      const rows = 2_600;
      let csv = 'title,published,text\n';
      for (let row = 2; row < rows + 2; row++) csv += `Story ${row},${row % 4 === 0 ? '31.02.2023' : '2023-03-12'},${row % 2 ? '' : `Text of story ${row} about the harvest.`}\n`;
      const path = join(dir, 'long.csv');
      writeFileSync(path, csv);
      const r = await runCli('import', t.path, path, '--attribute', 'published:date', '--json');
      expect(r.code).toBe(1);
      const report = JSON.parse(r.out) as { imported: number; failed: number; duplicates: number; unlisted: Record<string, number>; outcomes: ImportOutcome[] };
      // Rows 2..2601: 1,300 odd (no text), 650 divisible by 4 (bad date), 650 good.
      expect([report.imported, report.failed, report.duplicates]).toEqual([650, 1950, 0]);
      expect(report.unlisted).toEqual({ imported: 0, duplicates: 0, failed: 1950 - LISTED_OUTCOMES });
      const listedFailures = report.outcomes.filter((o) => o.status === 'failed');
      expect(listedFailures).toHaveLength(LISTED_OUTCOMES);
      expect(listedFailures.slice(0, 3).map((o) => (o.status === 'failed' ? o.reason : ''))).toEqual([
        'row 3: the text column "text" is empty.',
        expect.stringMatching(/^row 4, column "published": "31\.02\.2023" is not a date/),
        'row 5: the text column "text" is empty.',
      ]);
      // The first failures, in row order: none skipped before the list ends.
      const failedRows = listedFailures.map((o) => o.row!);
      expect(failedRows).toEqual(Array.from({ length: rows }, (_, i) => i + 2).filter((row) => row % 2 === 1 || row % 4 === 0).slice(0, LISTED_OUTCOMES));
      expect(report.outcomes.filter((o) => o.status === 'imported')).toHaveLength(650);

      // The same file again: every good row is now a duplicate; the text output lists the first
      // failures and says how many more failed.
      const text = await runCli('import', t.path, path, '--attribute', 'published:date');
      expect(text.code).toBe(1);
      expect(text.err.split('\n').filter((l) => l.startsWith('failed'))).toHaveLength(LISTED_OUTCOMES);
      expect(text.err).toContain(`${1950 - LISTED_OUTCOMES} more failed, not listed`);
      expect(text.out).toContain('0 imported, 650 duplicates, 1950 failed.');
    } finally {
      cleanup();
      await t.close();
    }
  });
});
