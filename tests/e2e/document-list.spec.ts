import { test, expect } from './fixtures';
import { Workbench } from './pages/workbench';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test.describe('the document list of a large project', () => {
  test.use({ startWith: 'empty' });

  test('holds only the rows in view, scrolls to the 200th of 300, keeps the keyboard and sorts', async ({ page, api }) => {
    const files = Array.from({ length: 300 }, (_, i) => ({
      name: `article-${String(i + 1).padStart(3, '0')}.txt`,
      dataBase64: b64(`Article number ${i + 1}.\nIt reports on the ${i % 7 === 0 ? 'market' : 'river'} and nothing else ${i}.`),
    }));
    await api.call('import.files', { files });
    const docs = await api.call('documents.list', {});
    expect(docs).toHaveLength(300);
    // Dates in reverse of the import order for every tenth article; the others have none.
    for (let i = 0; i < 300; i += 10) await api.call('documents.setAttributes', { id: docs[i]!.id, attributes: { date: `2024-01-${String(30 - i / 10).padStart(2, '0')}` }, types: { date: 'date' } });
    const { id: code } = await api.call('codes.create', { name: 'theme' });
    for (let k = 0; k < 3; k++) await api.call('segments.create', { documentId: docs[150]!.id, codeId: code, start: k, end: k + 5 });

    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();
    const list = wb.documents;

    // Windowed: a screenful of rows in the page, each saying where it is in the whole list.
    const inDom = await list.getByRole('option').count();
    expect(inDom).toBeGreaterThan(3);
    expect(inDom).toBeLessThan(80);
    await expect(list.getByRole('option').first()).toHaveAttribute('aria-setsize', '300');
    await expect(page.getByRole('region', { name: 'Document list' })).toContainText('300 documents');

    // Scrolling down to the 200th document brings its row, in its place.
    await list.hover();
    const target = list.getByRole('option', { name: 'article-200', exact: true });
    for (let i = 0; i < 60 && !(await target.isVisible()); i++) await page.mouse.wheel(0, 400);
    await expect(target).toBeVisible();
    await expect(target).toHaveAttribute('aria-posinset', '200');
    await target.click();
    await expect(wb.document.getByRole('heading', { name: 'article-200', exact: true })).toBeVisible();
    expect(await list.getByRole('option').count()).toBeLessThan(80);

    // Keyboard: down, End, Home, PageDown.
    await list.focus();
    await page.keyboard.press('ArrowDown');
    await expect(list.getByRole('option', { name: 'article-201', exact: true })).toHaveAttribute('aria-selected', 'true');
    await page.keyboard.press('End');
    await expect(wb.document.getByRole('heading', { name: 'article-300', exact: true })).toBeVisible();
    const last = list.getByRole('option', { name: 'article-300', exact: true });
    await expect(last).toHaveAttribute('aria-selected', 'true');
    await expect(last).toHaveAttribute('aria-posinset', '300');
    await expect(list).toHaveAttribute('aria-activedescendant', `doc-${docs[299]!.id}`);
    await page.keyboard.press('Home');
    await expect(wb.document.getByRole('heading', { name: 'article-001', exact: true })).toBeVisible();
    await page.keyboard.press('PageDown');
    await expect(list.getByRole('option', { selected: true })).not.toHaveAttribute('aria-posinset', '1');

    // Sort by segment count, most first: the coded article leads.
    await page.getByRole('combobox', { name: 'Sort documents by' }).selectOption('segment count');
    await page.getByRole('button', { name: 'Reverse order' }).click();
    await expect(page.getByRole('button', { name: 'Reverse order' })).toHaveAttribute('aria-pressed', 'true');
    await expect(list.getByRole('option').first()).toHaveAccessibleName('article-151');
    await expect(list.getByRole('option').first()).toHaveAccessibleDescription(/3 segments/);

    // Sort by date, ascending: the latest-imported dated article has the earliest date; undated ones come last.
    await page.getByRole('combobox', { name: 'Sort documents by' }).selectOption('date');
    await page.getByRole('button', { name: 'Reverse order' }).click();
    await expect(list.getByRole('option').first()).toHaveAccessibleName('article-291');
    await expect(list.getByRole('option').first()).toHaveAccessibleDescription(/date: 2024-01-01/);
    await list.focus();
    await page.keyboard.press('End');
    await expect(list.getByRole('option', { selected: true })).toHaveAttribute('aria-posinset', '300');
    await expect(list.getByRole('option', { selected: true })).not.toHaveAccessibleDescription(/date:/);

    // The name filter asks the API: the total follows.
    await page.getByRole('combobox', { name: 'Sort documents by' }).selectOption('name');
    await page.getByRole('searchbox', { name: 'Filter documents by name' }).fill('article-2');
    await expect(page.getByRole('region', { name: 'Document list' })).toContainText('100 documents');
    await expect(list.getByRole('option').first()).toHaveAccessibleName('article-200');
    await page.getByRole('searchbox', { name: 'Filter documents by name' }).fill('no such name');
    await expect(list).toContainText('No document matches.');
  });
});
