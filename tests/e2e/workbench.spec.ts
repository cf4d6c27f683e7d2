import { test, expect } from './fixtures';
import { Workbench } from './pages/workbench';

test('first screen: every sample document opens with its whole text', async ({ page, api }) => {
  const wb = new Workbench(page);
  await wb.ready();
  await expect(wb.codes.getByRole('treeitem')).toHaveCount((await api.call('codes.list', {})).length);
  for (const d of await api.call('documents.list', {})) {
    await wb.openDocument(d.name);
    const { text } = await api.call('documents.get', { id: d.id });
    // One paragraph per line of the stored text, each whole: the text is shown exactly.
    await expect.poll(() => wb.text.locator('p').evaluateAll((ps) => ps.map((p) => p.textContent).join('\n'))).toBe(text);
  }
});

test('keyboard only: documents by arrows, a code from the tree by Enter on a Shift+arrow selection', async ({ page, api }) => {
  const wb = new Workbench(page);
  await wb.ready();
  const docs = await api.call('documents.list', {});
  await wb.documents.focus();
  await page.keyboard.press('ArrowDown');
  await expect(wb.document.getByRole('heading', { name: docs[1]!.name, exact: true })).toBeVisible();
  await expect(wb.documents.getByRole('option', { name: docs[1]!.name, exact: true })).toHaveAttribute('aria-selected', 'true');
  // Into the text: the caret starts at the first visible paragraph; Shift+Ctrl+Right selects a word.
  await wb.text.focus();
  await page.keyboard.press('Shift+Control+ArrowRight');
  await expect(page.getByText(/^Selected \d+ characters \(0–/)).toBeVisible();
  // Tab back to the tree, arrow to "attribution", Enter applies it.
  await wb.code('casualties').focus();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(wb.code('attribution')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(wb.stripe('attribution')).toBeVisible();
  const { text } = await api.call('documents.get', { id: docs[1]!.id });
  // The stripe is drawn before the write lands: wait for the stored segment.
  await expect.poll(async () => (await api.call('segments.list', { documentId: docs[1]!.id })).length).toBe(1);
  const [seg] = await api.call('segments.list', { documentId: docs[1]!.id });
  expect(seg!.start).toBe(0);
  expect(seg!.text).toBe(text.split(/\s/)[0]);
});

test.describe('a new project', () => {
  test.use({ startWith: 'empty' });

  test('points to File ▸ Import instead of an empty list, and its button opens the import', async ({ page }) => {
    const pointer = page.getByRole('region', { name: 'This project has no documents yet' });
    await expect(pointer).toBeVisible();
    await expect(pointer).toContainText('File ▸ Import documents…');
    await expect(page.getByText('No document matches.')).toHaveCount(0);
    await pointer.getByRole('button', { name: 'Import documents…' }).click();
    await expect(page.getByRole('dialog', { name: 'Import documents' })).toBeVisible();
  });
});

test('the Edit menu keeps a long Undo label on one line, the whole of it in its title', async ({ page, api }) => {
  const wb = new Workbench(page);
  await wb.ready();
  const long = 'how the outlet frames who is to blame for the strike on the market, in its own words';
  await api.call('codes.create', { name: long, parentId: null });
  await page.reload();
  await wb.ready();
  await page.getByRole('menubar').getByRole('menuitem', { name: 'Edit', exact: true }).click();
  const undo = page.getByRole('menu', { name: 'Edit' }).getByRole('menuitem', { name: /^Undo / });
  await expect(undo).toHaveAttribute('title', new RegExp(`^Undo .*${long}`));
  const redo = page.getByRole('menu', { name: 'Edit' }).getByRole('menuitem', { name: /^Redo/ });
  // One line: as tall as the one-line Redo item next to it.
  expect(Math.round((await undo.boundingBox())!.height)).toBe(Math.round((await redo.boundingBox())!.height));
});

test('"Show only my coding" changes the code counts and document badges to my segments', async ({ page, api }) => {
  const [doc] = await api.call('documents.list', {});
  const casualties = (await api.call('codes.list', {})).find((c) => c.path === 'casualties')!;
  await api.call('segments.create', { documentId: doc!.id, codeId: casualties.id, start: 0, end: 10 });
  await api.call('coders.setCurrent', { name: 'colleague' });
  await api.call('segments.create', { documentId: doc!.id, codeId: casualties.id, start: 20, end: 30 });
  await api.call('segments.create', { documentId: doc!.id, codeId: casualties.id, start: 40, end: 50 });
  await api.call('coders.setCurrent', { name: 'tester' });
  await page.reload();
  const wb = new Workbench(page);
  await wb.ready();
  await expect(wb.code('casualties')).toHaveAccessibleDescription(/3 segments with its subcodes, 3 of them/);
  await expect(wb.documents.getByRole('option', { name: doc!.name, exact: true })).toHaveAccessibleDescription(/3 segments/);
  await page.getByRole('checkbox', { name: 'Show only my coding' }).check();
  await expect(wb.code('casualties')).toHaveAccessibleDescription(/1 segment with its subcodes, 1 of them/);
  await expect(wb.documents.getByRole('option', { name: doc!.name, exact: true })).toHaveAccessibleDescription(/; 1 segments?$/);
  await page.getByRole('checkbox', { name: 'Show only my coding' }).uncheck();
  await expect(wb.code('casualties')).toHaveAccessibleDescription(/3 segments with its subcodes/);
});
