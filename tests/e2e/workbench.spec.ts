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
