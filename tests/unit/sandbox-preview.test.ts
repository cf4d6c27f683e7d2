import { describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';
import { closeSandbox, sandboxStats } from '../../main/core/sandbox/sandbox';
import { freshSandboxEachTest } from '../helpers/sandbox';

/**
 * The column-mapping preview of the import dialog reads the spreadsheet in the sandbox
 * worker, as an import does: a file that is too much for it fails alone, naming the file and
 * the limit, and the next preview and import work as before.
 */

const lastStat = (file: string) => [...sandboxStats()].reverse().find((s) => s.file === file);
const upload = (name: string, text: string) => ({ name, dataBase64: Buffer.from(text, 'utf8').toString('base64') });

function csvOfRows(rows: number): string {
  const lines = ['title,date,text'];
  for (let i = 1; i <= rows; i++) lines.push(`Article ${i},2024-03-${String((i % 28) + 1).padStart(2, '0')},"Shelling reported near the station, article ${i}; ${'witnesses spoke of damage. '.repeat(3)}"`);
  return `${lines.join('\n')}\n`;
}

describe('import.preview in the sandbox worker', () => {
  freshSandboxEachTest();

  it('previews a spreadsheet read by the worker: columns, types, first rows and the suggested mapping', async () => {
    const t = await openTestProject();
    try {
      const p = await t.call('import.preview', { file: upload('articles-preview.csv', csvOfRows(25)) });
      expect(p.columns.map((c) => [c.name, c.detectedType])).toEqual([
        ['title', 'text'],
        ['date', 'date'],
        ['text', 'text'],
      ]);
      expect(p.rowCount).toBe(25);
      expect(p.rows).toHaveLength(10);
      expect(p.rows[0]![0]).toBe('Article 1');
      expect(p.suggested).toMatchObject({ textColumn: 'text', nameColumn: 'title' });
      // The worker recorded reading it: the file was parsed there, not in the app.
      expect(lastStat('articles-preview.csv')?.outcome).toBe('read');
    } finally {
      await t.close();
    }
  });

  it('a spreadsheet past the memory ceiling fails alone, naming the file and the limit; the next preview and an import still work', async () => {
    await closeSandbox();
    process.env.MARGINALIA_SANDBOX_MEMORY_MB = '64';
    const t = await openTestProject();
    try {
      const big = csvOfRows(250_000);
      expect(big.length).toBeGreaterThan(30 * 1024 * 1024);
      const r = await t.callRaw('import.preview', { file: upload('huge-preview.csv', big) });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe('too_large');
      expect(r.error.message).toMatch(/^huge-preview\.csv: is too large to read safely \(over 64 MB of memory\); split it into smaller files/);
      expect(lastStat('huge-preview.csv')?.outcome).toBe('memory');

      const small = await t.call('import.preview', { file: upload('small-after.csv', csvOfRows(3)) });
      expect(small.rowCount).toBe(3);
      const report = await t.call('import.files', { files: [upload('after.txt', 'A text imported after the failed preview.')] });
      expect(report.imported).toBe(1);
      expect(await t.call('documents.list', {})).toHaveLength(1);
    } finally {
      await t.close();
    }
  });

  it('a file that is not a spreadsheet is refused before any reading, in words', async () => {
    const t = await openTestProject();
    try {
      const r = await t.callRaw('import.preview', { file: upload('notes.txt', 'plain text') });
      expect(r).toMatchObject({ ok: false, error: { code: 'unsupported' } });
      if (!r.ok) expect(r.error.message).toBe('notes.txt: only .csv, .tsv, .xlsx and .jsonl files have columns to map.');
    } finally {
      await t.close();
    }
  });
});
