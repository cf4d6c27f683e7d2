import { test, expect } from './fixtures';
import { Workbench } from './pages/workbench';

test.describe('retrieval, search, memos, coders', () => {
  test('coded segments of a code with subcodes; clicking one opens its document at the passage, selected', async ({ page, api }) => {
    const docs = await api.call('documents.list', {});
    const codes = await api.call('codes.list', {});
    const byPath = (p: string) => codes.find((c) => c.path === p)!;
    const last = docs[docs.length - 1]!;
    const { text } = await api.call('documents.get', { id: last.id });
    const words = text.split('\n').filter((l) => l.trim()).slice(-1)[0]!.slice(0, 40).trim();
    const start = Array.from(text.slice(0, text.lastIndexOf(words))).length;
    await api.call('segments.create', { documentId: last.id, codeId: byPath('attribution/blames Ukraine').id, start, end: start + Array.from(words).length });
    await api.call('segments.create', { documentId: docs[0]!.id, codeId: byPath('attribution').id, start: 0, end: 12 });
    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();

    await wb.code('attribution').click();
    await wb.codePanel.getByRole('button', { name: 'Show coded segments' }).click();
    const list = page.getByRole('list', { name: 'Coded segments', exact: true });
    await expect(list.getByRole('listitem')).toHaveCount(2);
    await page.getByRole('checkbox', { name: 'Include subcodes' }).uncheck();
    await expect(list.getByRole('listitem')).toHaveCount(1);
    await page.getByRole('checkbox', { name: 'Include subcodes' }).check();
    await list.getByRole('button', { name: new RegExp(`^${last.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }).click();

    await expect(wb.document.getByRole('heading', { name: last.name, exact: true })).toBeVisible();
    await expect(wb.segmentPanel.getByLabel('Coded text')).toHaveText(words);
    await expect(wb.stripe('blames Ukraine')).toBeInViewport();
  });

  test('full-text search: a hit opens the document at the match, selected', async ({ page, api }) => {
    const wb = new Workbench(page);
    await wb.ready();
    await page.getByRole('searchbox', { name: 'Search in texts' }).fill('Tochka');
    await page.getByRole('searchbox', { name: 'Search in texts' }).press('Enter');
    const hits = page.getByRole('list', { name: 'Search results' });
    await expect(hits.locator('mark').first()).toHaveText(/Tochka/i);
    await hits.getByRole('button').first().click();
    const doc = (await api.call('search.hits', { query: 'Tochka' })).hits[0]!;
    await expect(wb.document.getByRole('heading', { name: doc.document_name, exact: true })).toBeVisible();
    await expect(wb.text.getByText('Tochka-U', { exact: false })).toBeInViewport();
    await expect(page.getByText(new RegExp(`^Selected 6 characters \\(${doc.start}–${doc.end}\\)`))).toBeVisible();
    // Filter by name.
    await page.getByRole('searchbox', { name: 'Filter documents by name' }).fill('Moscow');
    await expect(wb.documents.getByRole('option')).toHaveCount(1);
  });

  test('memos on a segment and on the project are saved as you type and listed', async ({ page, api }) => {
    const docs = await api.call('documents.list', {});
    const code = (await api.call('codes.list', {})).find((c) => c.name === 'casualties')!;
    const { id } = await api.call('segments.create', { documentId: docs[0]!.id, codeId: code.id, start: 0, end: 12 });
    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();
    await wb.stripe('casualties').click();
    const memo = wb.segmentPanel.getByRole('textbox', { name: 'Segment memo' });
    await memo.click();
    await page.keyboard.type('Opening line ');
    await wb.segmentPanel.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type('sets the frame');
    await expect.poll(async () => (await api.call('memos.list', { kind: 'segment', targetId: id }))[0]?.text ?? '').toBe('Opening line sets the frame');
    const saved = (await api.call('memos.list', { kind: 'segment', targetId: id }))[0]!;
    expect(saved.content).toContain('"format":1');

    await wb.menu('View', 'Memos');
    await page.getByRole('textbox', { name: 'Project memo' }).click();
    await page.keyboard.type('Research question: who is blamed?');
    await expect.poll(async () => (await api.call('memos.list', { kind: 'project' }))[0]?.text ?? '').toBe('Research question: who is blamed?');
    await expect(page.getByRole('list', { name: 'Memos', exact: true }).getByRole('listitem')).toHaveCount(2);
  });

  test.describe('first use', () => {
    test.use({ coderName: null });
    test('asks the coder name, remembers it, and "Show only my coding" hides others', async ({ page, api }) => {
      const docs = await api.call('documents.list', {});
      const code = (await api.call('codes.list', {})).find((c) => c.name === 'casualties')!;
      await api.call('segments.create', { documentId: docs[0]!.id, codeId: code.id, start: 0, end: 12 });
      const dialog = page.getByRole('dialog', { name: 'Who is coding?' });
      await dialog.getByRole('textbox', { name: 'Your name' }).fill('Ana');
      await dialog.getByRole('button', { name: 'Start coding' }).click();
      await expect(page.getByRole('button', { name: /Coder: Ana/ })).toBeVisible();
      expect((await api.call('coders.current', {})).name).toBe('Ana');
      const wb = new Workbench(page);
      await expect(wb.stripe('casualties')).toBeVisible();
      await page.getByRole('checkbox', { name: 'Show only my coding' }).check();
      await expect(wb.stripe('casualties')).toHaveCount(0);
      await page.reload();
      await expect(page.getByRole('dialog', { name: 'Who is coding?' })).toHaveCount(0);
      await expect(page.getByRole('button', { name: /Coder: Ana/ })).toBeVisible();
    });
  });
});
