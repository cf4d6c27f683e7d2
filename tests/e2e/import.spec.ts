import type { Locator, Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { Workbench } from './pages/workbench';
import { shot } from './shots';

/** Windows-1251 bytes of Cyrillic text (А–я map to 0xC0–0xFF, Ё/ё to 0xA8/0xB8); anything else must be ASCII. */
function cp1251(text: string): Buffer {
  const bytes = Array.from(text).map((ch) => {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) return c;
    if (c >= 0x410 && c <= 0x44f) return c - 0x410 + 0xc0;
    if (c === 0x401) return 0xa8;
    if (c === 0x451) return 0xb8;
    throw new Error(`no cp1251 byte for ${ch}`);
  });
  return Buffer.from(bytes);
}

const EMOJI_TEXT = 'Witnesses 😀 said the 💥 strike hit the market at noon.\nMore 🎉 later.';
const CYRILLIC_TEXT =
  'Свидетели сообщили, что удар пришёлся по рынку в полдень. Местные жители говорят о погибших и раненых.\nВласти города объявили траур.';
const HTML = `<!doctype html><html><head><title>Press release</title><script>document.write("injected")</script><style>p{color:red}</style></head>
<body><p>First paragraph of the release.</p><p>Second paragraph, with <b>bold</b> words.</p><script>alert("x")</script></body></html>`;

async function openImport(page: Page): Promise<Locator> {
  const wb = new Workbench(page);
  await wb.ready();
  await wb.menu('File', /Import documents/);
  const dialog = page.getByRole('dialog', { name: 'Import documents' });
  await expect(dialog).toBeVisible();
  return dialog;
}

/** The row of the results table for one file (or "file row N"). */
function outcome(dialog: Locator, file: string): Locator {
  return dialog.getByRole('region', { name: 'Import results' }).getByRole('row').filter({ has: dialog.page().getByRole('cell', { name: file, exact: true }) });
}

test.describe('import', () => {
  test('several files at once: every file is reported, texts and encodings are stored exactly', async ({ page, api }) => {
    const before = await api.call('documents.list', {});
    const sample = before[0]!;
    const { text: sampleText } = await api.call('documents.get', { id: sample.id });

    const dialog = await openImport(page);
    await dialog.getByLabel('Choose files').setInputFiles([
      { name: 'emoji.txt', mimeType: 'text/plain', buffer: Buffer.from(EMOJI_TEXT, 'utf8') },
      { name: 'russian.txt', mimeType: 'text/plain', buffer: cp1251(CYRILLIC_TEXT) },
      { name: 'release.html', mimeType: 'text/html', buffer: Buffer.from(HTML, 'utf8') },
      { name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) },
      { name: 'copy.txt', mimeType: 'text/plain', buffer: Buffer.from(sampleText, 'utf8') },
    ]);
    await expect(dialog.getByText('5 files chosen.')).toBeVisible();
    await dialog.getByRole('button', { name: 'Import 5 files' }).click();

    const results = dialog.getByRole('region', { name: 'Import results' });
    await expect(results.getByRole('status')).toHaveText('3 imported, 1 duplicate, 1 failed.');
    await expect(outcome(dialog, 'emoji.txt')).toContainText('imported');
    await expect(outcome(dialog, 'russian.txt')).toContainText('imported');
    await expect(outcome(dialog, 'release.html')).toContainText('Press release');
    await expect(outcome(dialog, 'empty.txt')).toContainText('failed');
    await expect(outcome(dialog, 'empty.txt')).toContainText('the file is empty');
    await expect(outcome(dialog, 'copy.txt')).toContainText('duplicate');
    await expect(outcome(dialog, 'copy.txt')).toContainText(sample.name);
    await shot(page, 'import-mixed');

    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
    const wb = new Workbench(page);
    for (const name of ['emoji', 'russian', 'Press release']) await expect(wb.documents.getByRole('option', { name, exact: true })).toBeVisible();

    const after = await api.call('documents.list', {});
    expect(after).toHaveLength(before.length + 3);
    const byName = (n: string) => after.find((d) => d.name === n)!;
    const emoji = await api.call('documents.get', { id: byName('emoji').id });
    expect(emoji.text).toBe(EMOJI_TEXT);
    expect(byName('emoji').source_encoding).toBe('utf-8');
    const russian = await api.call('documents.get', { id: byName('russian').id });
    expect(russian.text).toBe(CYRILLIC_TEXT);
    expect(byName('russian').source_encoding).toBe('windows-1251');
    const html = await api.call('documents.get', { id: byName('Press release').id });
    expect(html.text).toBe('First paragraph of the release.\n\nSecond paragraph, with bold words.');
    expect(html.text).not.toContain('injected');
    expect(byName('Press release').source_format).toBe('html');
  });

  test('a CSV of articles: preview and column mapping, attributes with ISO dates, a bad date reported by row and column', async ({ page, api }) => {
    const csv = [
      'headline,body,outlet,published',
      'Market hit,"The market was hit at noon, officials said.",Kyiv Independent,2023-09-06',
      'Mourning declared,The city declared three days of mourning.,Ukrainska Pravda,07.09.2023',
      'Inquiry opened,An inquiry into the strike was opened.,BBC,not a date',
      'Debris examined,Experts examined the debris of the missile.,NYT,2023-09-19',
    ].join('\r\n');
    const dialog = await openImport(page);
    await dialog.getByLabel('Choose files').setInputFiles([{ name: 'articles.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') }]);

    const mapping = dialog.getByRole('region', { name: 'Spreadsheet columns' });
    await expect(mapping.getByRole('heading', { name: /articles\.csv.*4 rows/ })).toBeVisible();
    const table = mapping.getByRole('table');
    await expect(table.getByRole('row')).toHaveCount(5); // the header and the four rows
    await expect(table.getByRole('cell', { name: 'The city declared three days of mourning.' })).toBeVisible();
    await mapping.getByLabel('Text column').selectOption('body');
    await mapping.getByLabel('Name column').selectOption('headline');
    await mapping.getByLabel('Attribute type of column outlet').selectOption('text');
    await mapping.getByLabel('Attribute type of column published').selectOption('date');
    await shot(page, 'import-mapping');

    await dialog.getByRole('button', { name: 'Import 1 file' }).click();
    const results = dialog.getByRole('region', { name: 'Import results' });
    await expect(results.getByRole('status')).toHaveText('3 imported, 0 duplicates, 1 failed.');
    const bad = outcome(dialog, 'articles.csv row 4');
    await expect(bad).toContainText('failed');
    await expect(bad).toContainText('row 4, column "published"');
    await shot(page, 'import-csv-results');

    const docs = await api.call('documents.list', {});
    const get = (n: string) => docs.find((d) => d.name === n);
    expect(get('Market hit')?.attributes).toMatchObject({ outlet: 'Kyiv Independent', published: '2023-09-06' });
    expect(get('Mourning declared')?.attributes).toMatchObject({ outlet: 'Ukrainska Pravda', published: '2023-09-07' });
    expect(get('Debris examined')?.attributes).toMatchObject({ outlet: 'NYT', published: '2023-09-19' });
    expect(get('Inquiry opened')).toBeUndefined();
    expect((await api.call('documents.get', { id: get('Market hit')!.id })).text).toBe('The market was hit at noon, officials said.');
    const vars = await api.call('variables.list', {});
    expect(vars.find((v) => v.name === 'published')?.type).toBe('date');
  });

  test('editing an attribute of the open document persists and shows in the document list', async ({ page, api }) => {
    const wb = new Workbench(page);
    await wb.ready();
    const docs = await api.call('documents.list', {});
    const doc = docs[0]!;
    await wb.openDocument(doc.name);
    const editor = page.getByRole('form', { name: 'Document attributes' });
    const outlet = editor.getByRole('textbox', { name: 'Attribute outlet' });
    await outlet.fill('Reuters');
    await outlet.press('Tab');
    await expect.poll(async () => (await api.call('documents.list', {})).find((d) => d.id === doc.id)?.attributes.outlet).toBe('Reuters');
    await expect(wb.documents.getByRole('option', { name: doc.name, exact: true })).toHaveAccessibleDescription(/outlet: Reuters/);

    // A new attribute, typed, then a value for it.
    await editor.getByRole('textbox', { name: 'New attribute name' }).fill('pages');
    await editor.getByRole('combobox', { name: 'New attribute type' }).selectOption('number');
    await editor.getByRole('button', { name: 'Add attribute' }).click();
    const pages = editor.getByRole('spinbutton', { name: 'Attribute pages' });
    await pages.fill('12');
    await pages.press('Tab');
    await expect.poll(async () => (await api.call('documents.list', {})).find((d) => d.id === doc.id)?.attributes.pages).toBe(12);
    expect((await api.call('variables.list', {})).find((v) => v.name === 'pages')?.type).toBe('number');

    // Fits the right column: no input sticks out of the form.
    const box = (await editor.boundingBox())!;
    for (const input of await editor.locator('input, select, button').all()) {
      const b = (await input.boundingBox())!;
      expect(b.x + b.width, `${await input.getAttribute('aria-label')} overflows the attributes editor`).toBeLessThanOrEqual(box.x + box.width + 0.5);
    }
    await shot(page, 'attributes');
  });

  test('attributes for many documents from a CSV keyed by document name', async ({ page, api }) => {
    const docs = await api.call('documents.list', {});
    const [a, b] = [docs[0]!, docs[1]!];
    const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const csv = ['document,outlet,date', `${q(a.name)},Meduza,2023-09-07`, `${q(b.name)},BBC,2023-09-08`, 'No such article,X,2023-01-01'].join('\n');
    const dialog = await openImport(page);
    await dialog.getByLabel('Import attributes from CSV').setInputFiles([{ name: 'attrs.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') }]);
    const section = dialog.getByRole('region', { name: 'Attributes from a spreadsheet' });
    await expect(section.getByRole('status')).toContainText('2 documents updated from attrs.csv');
    await expect(section.getByRole('status')).toContainText('row 4');
    const after = await api.call('documents.list', {});
    expect(after.find((d) => d.id === a.id)?.attributes).toMatchObject({ outlet: 'Meduza', date: '2023-09-07' });
    expect(after.find((d) => d.id === b.id)?.attributes).toMatchObject({ outlet: 'BBC', date: '2023-09-08' });
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(new Workbench(page).documents.getByRole('option', { name: a.name, exact: true })).toHaveAccessibleDescription(/outlet: Meduza/);
  });

  test('cancelling a large batch keeps what was imported and reports what was not', async ({ page, api }) => {
    const before = (await api.call('documents.list', {})).length;
    // 200 files of ~100 KB: more than one 16 MB upload part, so the job waits for the second part.
    const filler = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(1800);
    const files = Array.from({ length: 200 }, (_, i) => ({ name: `batch-${String(i).padStart(3, '0')}.txt`, mimeType: 'text/plain', buffer: Buffer.from(`Article ${i}.\n${filler}`) }));

    // Hold the second upload until the user has cancelled, so the cancel lands mid-batch every time.
    let cancelled!: () => void;
    const cancelClicked = new Promise<void>((r) => (cancelled = r));
    await page.route('**/api/import.add', async (route) => {
      await cancelClicked;
      await route.continue();
    });

    const dialog = await openImport(page);
    await dialog.getByLabel('Choose files').setInputFiles(files);
    await dialog.getByRole('button', { name: 'Import 200 files' }).click();
    await expect(dialog.getByRole('progressbar', { name: 'Import progress' })).toBeVisible();
    await dialog.getByRole('button', { name: 'Cancel import' }).click();
    cancelled();

    const status = dialog.getByRole('region', { name: 'Import results' }).getByRole('status');
    await expect(status).toContainText('cancelled');
    const text = (await status.textContent())!;
    const m = text.match(/^(\d+) imported, 0 duplicates, 0 failed; cancelled, (\d+) files not imported\.$/);
    expect(m, text).not.toBeNull();
    const imported = Number(m![1]);
    const notImported = Number(m![2]);
    expect(imported + notImported).toBe(200);
    expect(notImported).toBeGreaterThan(0);

    const after = await api.call('documents.list', {});
    expect(after).toHaveLength(before + imported);
    // What was imported is listed, one row per file, and is whole.
    await expect(dialog.getByRole('region', { name: 'Import results' }).getByRole('row')).toHaveCount(imported + 1); // and the header
    const first = after.find((d) => d.name === 'batch-000')!;
    expect((await api.call('documents.get', { id: first.id })).text).toBe(`Article 0.\n${filler}`);
    // The dialog is usable again.
    await expect(dialog.getByRole('button', { name: 'Close' })).toBeEnabled();
  });

  test('a long spreadsheet of articles counts its rows while it is read, not "0 of 1 files"', async ({ page, api }) => {
    test.setTimeout(150_000);
    const rows = ['title,text'];
    // Long enough that reading and writing it outlasts several of the dialog's polls (every
    // 250 ms) even on a quiet machine: 2,500 rows were once imported between two polls.
    for (let i = 1; i <= 6_000; i++) rows.push(`Story ${i},"The council met on day ${i} and discussed the shelling of the port, officials said."`);
    const dialog = await openImport(page);
    await dialog.getByLabel('Choose files').setInputFiles([{ name: 'wire.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n'), 'utf8') }]);
    await expect(dialog.getByRole('region', { name: 'Spreadsheet columns' })).toBeVisible();
    await dialog.getByRole('button', { name: 'Import 1 file' }).click();
    // The reader starts in its sandbox first (slow on a busy machine); then the rows are counted as they come.
    await expect(dialog.getByText(/^Read [\d,]+ rows? of wire\.csv/)).toBeVisible({ timeout: 45_000 });
    await expect(dialog.getByText(/Read 0 of 1 files/)).toHaveCount(0);
    const results = dialog.getByRole('region', { name: 'Import results' });
    await expect(results.getByRole('status')).toHaveText('6000 imported, 0 duplicates, 0 failed.', { timeout: 90_000 });
    expect((await api.call('project.info', {})).documents).toBe(6_005);
    // The table lists the first 1,000 rows (and its header); the rest are counted below it.
    await expect(results.getByRole('region', { name: /What became of each file/ }).getByRole('row')).toHaveCount(1_001);
    await expect(results.getByRole('cell', { name: 'wire.csv row 1001', exact: true })).toHaveCount(1);
    await expect(results.getByRole('cell', { name: 'wire.csv row 1002', exact: true })).toHaveCount(0);
    await expect(results.getByText('Not listed above: 5,000 more imported.')).toBeVisible();
  });
});
