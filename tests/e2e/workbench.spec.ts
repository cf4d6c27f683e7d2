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
