import { describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';
import { importSources } from '../../main/core/import/import-files';
import { ImportJobs } from '../../main/core/import/import-jobs';

/** A CSV of articles: a header and `n` rows, each its own text. */
function articlesCsv(n: number, place = 'port'): Uint8Array {
  const lines = ['title,text'];
  for (let i = 1; i <= n; i++) lines.push(`Story ${i},"The council met on day ${i} and discussed the ${place}."`);
  return new TextEncoder().encode(lines.join('\n'));
}

describe('progress of a spreadsheet import', () => {
  it('counts the rows read as they arrive, ending at every row, and starts again at the next file', async () => {
    const t = await openTestProject();
    try {
      const seen: { file: string; rows: number }[] = [];
      let current = '';
      const report = await importSources(
        t.project,
        [
          { name: 'wire.csv', bytes: articlesCsv(1200) },
          { name: 'note.txt', bytes: new TextEncoder().encode('One note, one document.') },
          { name: 'more.csv', bytes: articlesCsv(5, 'bridge') },
        ],
        3,
        { importedBy: null, onProgress: (_d, _t, file) => (current = file), onRows: (rows) => seen.push({ file: current, rows }) },
      );
      expect(report.imported).toBe(1206);
      const wire = seen.filter((s) => s.file === 'wire.csv').map((s) => s.rows);
      // More than one report for a long file, never going back, ending at its last row.
      expect(wire.length).toBeGreaterThan(1);
      expect(wire).toEqual([...wire].sort((a, b) => a - b));
      expect(wire[wire.length - 1]).toBe(1200);
      expect(seen.filter((s) => s.file === 'note.txt')).toEqual([]);
      expect(seen.filter((s) => s.file === 'more.csv').map((s) => s.rows)).toEqual([5]);
    } finally {
      await t.close();
    }
  });

  it('is in the job progress the import dialog polls: rows of the file being read, 0 before any', async () => {
    const t = await openTestProject();
    try {
      const jobs = new ImportJobs();
      const started = jobs.start(t.project, [{ name: 'wire.csv', bytes: articlesCsv(3000) }], { importedBy: null });
      expect(started.rows).toBe(0);
      const rowsSeen = new Set<number>();
      for (let p = started; !p.finished; p = jobs.progress(started.jobId)) {
        rowsSeen.add(p.rows);
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(jobs.progress(started.jobId).rows).toBe(3000);
      // While it ran, a poll saw some rows counted but not yet all of them.
      expect([...rowsSeen].some((r) => r > 0 && r < 3000)).toBe(true);
    } finally {
      await t.close();
    }
  });
});
