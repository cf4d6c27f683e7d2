import { test, expect } from './fixtures';
import { Workbench } from './pages/workbench';
import { shot } from './shots';

/** A file name that would read "invoiceexe.txt", a code name holding a terminal escape, a coder name with an override. */
const FILE = 'invoice\u202Etxt.exe';
const CODE = 'casualties\u001b[2J';
const CODER = 'ev\u202Eil';
const ACTING = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

test.use({ coderName: CODER });

test('names from outside are marked, not obeyed: document list, viewer, code tree, coder, retrieval, import report', async ({ page, api }) => {
  await api.call('import.files', { files: [{ name: `${FILE}.txt`, dataBase64: Buffer.from('Witnesses said the strike hit the market at noon.').toString('base64') }] });
  const doc = (await api.call('documents.list', {})).find((d) => d.name === FILE)!;
  const code = await api.call('codes.create', { name: CODE });
  await api.call('segments.create', { documentId: doc.id, codeId: code.id, start: 0, end: 9 });
  await page.reload();
  const wb = new Workbench(page);
  await wb.ready();

  // The document list: the override is a visible mark described as what it is, not obeyed.
  const row = wb.documents.getByRole('option').filter({ hasText: 'invoice⟨U+202E⟩txt.exe' });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole('img', { name: 'right-to-left override character' })).toBeVisible();
  expect(await wb.documents.innerText()).not.toMatch(ACTING);
  await row.click();
  await expect(wb.document.getByRole('heading').first()).toHaveText('invoice⟨U+202E⟩txt.exe');

  // The code tree and its accessible name.
  const item = wb.codes.getByRole('treeitem', { name: 'casualties⟨U+001B⟩[2J', exact: true });
  await expect(item).toBeVisible();
  await expect(item.getByRole('img', { name: 'escape character' })).toBeVisible();

  // The coder in the status line.
  const coder = page.getByRole('button', { name: 'Coder: ev⟨U+202E⟩il (switch)' });
  await expect(coder).toContainText('ev⟨U+202E⟩il');

  // Retrieval rows.
  await item.click();
  await wb.codePanel.getByRole('button', { name: 'Show coded segments' }).click();
  const list = page.getByRole('list', { name: 'Coded segments', exact: true });
  await expect(list.getByRole('listitem')).toHaveCount(1);
  await expect(list.getByRole('listitem')).toContainText('invoice⟨U+202E⟩txt.exe · casualties⟨U+001B⟩[2J · ev⟨U+202E⟩il');
  expect(await list.innerText()).not.toMatch(ACTING);
  await expect(page.getByRole('heading', { name: /^Coded segments: casualties/ })).toContainText('casualties⟨U+001B⟩[2J');
  // A code picker's <option> cannot hold a mark: the code point is written out.
  await expect(page.getByRole('region', { name: 'Coded segments view' }).getByRole('combobox', { name: 'Code', exact: true }).locator('option:checked')).toHaveText('casualties⟨U+001B⟩[2J');
  await expect(page.getByRole('button', { name: /^Apply “/ })).toHaveText('Apply “casualties⟨U+001B⟩[2J” to the selection');
  await shot(page, 'safe-names-workbench');

  // The import report.
  await page.keyboard.press('Escape');
  await wb.menu('File', /Import documents/);
  const dialog = page.getByRole('dialog', { name: 'Import documents' });
  await dialog.getByLabel('Choose files').setInputFiles([{ name: 'report\u202Efdp.txt', mimeType: 'text/plain', buffer: Buffer.from('Another hostile name.', 'utf8') }]);
  await dialog.getByRole('button', { name: 'Import 1 file' }).click();
  const results = dialog.getByRole('region', { name: 'Import results' });
  await expect(results.getByRole('status')).toHaveText('1 imported, 0 duplicates, 0 failed.');
  await expect(results.getByRole('row').nth(1)).toContainText('report⟨U+202E⟩fdp.txt');
  expect(await results.innerText()).not.toMatch(ACTING);
  await shot(page, 'safe-names-import');
});
