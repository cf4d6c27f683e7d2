import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Route } from '@playwright/test';
import { test, expect, type Api } from './fixtures';
import { Workbench } from './pages/workbench';
import { shot } from './shots';

/** One paragraph of about 1 KB with a word autocoding finds once. */
const PARAGRAPH = `The strike killed 17 people at the market, witnesses said. ${'Officials on both sides gave accounts that did not agree. '.repeat(16)}`;

/** Reports of many paragraphs with every paragraph coded (autocoding, one call): thousands of segments, a table of megabytes. */
async function codeManyParagraphs(api: Api, reports: number, paragraphs: number): Promise<number> {
  const text = (report: number) => Array.from({ length: paragraphs }, (_, i) => `${report}.${i + 1}. ${PARAGRAPH}`).join('\n');
  const files = Array.from({ length: reports }, (_, i) => ({ name: `report ${String(i + 1).padStart(3, '0')}.txt`, dataBase64: Buffer.from(text(i + 1)).toString('base64') }));
  await api.call('import.files', { files });
  const [code] = await api.call('codes.list', {});
  const done = await api.call('autocode.apply', { query: 'strike', codeId: code!.id, extend: 'paragraph' });
  return done.segments;
}

test.describe('export of a large table', () => {
  test('shows what it has written, can be cancelled, and then saves a file that reads back row for row', async ({ page, api }) => {
    const coded = await codeManyParagraphs(api, 200, 30);
    expect(coded).toBe(6000);
    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();
    await wb.menu('File', 'Export…');
    const dialog = page.getByRole('dialog', { name: 'Export' });
    await dialog.getByRole('combobox', { name: 'Format' }).selectOption('segments');

    // Progress answers are held, so the dialog stays in the middle of the export for as long as the test looks at it.
    const held: Route[] = [];
    await page.route('**/api/exchange.exportProgress', (route) => void held.push(route));
    let downloads = 0;
    page.on('download', () => downloads++);
    await dialog.getByRole('button', { name: 'Save export' }).click();
    await expect(dialog.getByRole('progressbar', { name: 'Export progress' })).toBeVisible();
    await expect(dialog.getByText(/^Exporting .*-segments\.csv: .* written…$/)).toBeVisible();
    await expect(dialog.getByRole('button', { name: 'Save export' })).toHaveCount(0);
    await expect.poll(() => held.length).toBeGreaterThan(0);
    await shot(page, 'export-progress');

    await dialog.getByRole('button', { name: 'Cancel export' }).click();
    // Let the held answer through; a later poll that is held in between is let through by unroute.
    for (const route of held.splice(0)) await route.continue();
    await page.unroute('**/api/exchange.exportProgress');
    await expect(dialog.getByText(/^Export cancelled; .*-segments\.csv was not saved\.$/)).toBeVisible();
    expect(downloads).toBe(0);

    // Saved again to the end: the downloaded file is the table, every segment once, its text the document's.
    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Save export' }).click()]);
    const bytes = readFileSync(await download.path());
    expect(download.suggestedFilename()).toMatch(/-segments\.csv$/);
    await expect(dialog.getByText(/^Saved .*-segments\.csv \(\d+\.\d MB, [\d,]+ rows\); coders: /)).toBeVisible();
    await shot(page, 'export-saved');
    const rows = parse(bytes.toString('utf8'), { columns: true }) as Record<string, string>[];
    const segments = await api.call('segments.list', {});
    expect(rows).toHaveLength(segments.length);
    expect(new Set(rows.map((r) => r.segment_id))).toEqual(new Set(segments.map((s) => s.id)));
    const reports = rows.filter((r) => r.document_name!.startsWith('report '));
    expect(reports).toHaveLength(coded);
    for (const r of [reports[0]!, reports[reports.length - 1]!]) {
      const text = (await api.call('documents.get', { id: r.document_id! })).text;
      expect(r.text).toBe(Array.from(text).slice(Number(r.start), Number(r.end)).join(''));
    }
  });
});
