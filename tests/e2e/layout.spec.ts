import type { Locator } from '@playwright/test';
import { test, expect, type Api } from './fixtures';
import { Workbench } from './pages/workbench';
import { shot } from './shots';

/** Where the screenshots for a person to look at go (not compared by the test). */


/** How many of `rows` are wholly inside both the window and the scrolling box they sit in. */
async function fullyVisible(rows: Locator): Promise<number> {
  return rows.evaluateAll((els) =>
    els.filter((el) => {
      const r = el.getBoundingClientRect();
      if (r.height === 0 || r.top < 0 || r.bottom > window.innerHeight) return false;
      for (let p = el.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (!/(auto|scroll|hidden)/.test(s.overflowY)) continue;
        const b = p.getBoundingClientRect();
        if (r.top < b.top - 1 || r.bottom > b.bottom + 1) return false;
      }
      return true;
    }).length,
  );
}

/** A project of a laptop-sized study: 20 more articles and 12 more codes than the sample. */
async function grow(api: Api): Promise<void> {
  const files = Array.from({ length: 20 }, (_, i) => ({
    name: `article-${String(i + 1).padStart(2, '0')}.txt`,
    dataBase64: Buffer.from(`Article ${i + 1}\n\nThe council met on day ${i + 1} and discussed the shelling of the port.`).toString('base64'),
  }));
  await api.call('import.files', { files });
  for (let i = 1; i <= 12; i++) await api.call('codes.create', { name: `theme ${String(i).padStart(2, '0')}`, parentId: null });
}

test.describe('layout at 1280×720', () => {
  test.use({ viewport: { width: 1280, height: 720 } });

  test('at least 8 documents and 8 codes are visible at once', async ({ page, api }) => {
    await grow(api);
    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();
    expect(await api.call('documents.list', {})).toHaveLength(25);
    await expect(wb.codes.getByRole('treeitem')).toHaveCount((await api.call('codes.list', {})).length);
    expect(await fullyVisible(wb.documents.getByRole('option'))).toBeGreaterThanOrEqual(8);
    expect(await fullyVisible(wb.codes.getByRole('treeitem'))).toBeGreaterThanOrEqual(8);
    await shot(page, 'layout-1280x720');
  });

  test('columns resize by keyboard and by drag, collapse with Enter, and reopen as they were left', async ({ page }) => {
    const wb = new Workbench(page);
    await wb.ready();
    const splitter = page.getByRole('separator', { name: 'Resize the documents column' });
    const column = page.getByRole('complementary', { name: 'Documents and search' });
    const width = async () => Math.round((await column.boundingBox())!.width);
    const before = await width();
    await expect(splitter).toHaveAttribute('aria-valuenow', String(before));
    await splitter.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect.poll(width).toBe(before + 40);
    await expect(splitter).toHaveAttribute('aria-valuenow', String(before + 40));
    await page.keyboard.press('Shift+ArrowLeft');
    await expect.poll(width).toBe(before - 40);

    // A drag moves it by what the pointer moved.
    const box = (await splitter.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 60, box.y + 200, { steps: 4 });
    await page.mouse.up();
    await expect.poll(width).toBe(before + 20);

    // Enter collapses the column: the text gets its room; Enter again brings it back.
    const text = await wb.document.boundingBox();
    await splitter.focus();
    await page.keyboard.press('Enter');
    await expect(column).toBeHidden();
    await expect(splitter).toHaveAttribute('aria-valuenow', '0');
    expect((await wb.document.boundingBox())!.width).toBeGreaterThan(text!.width + 100);
    await page.keyboard.press('Enter');
    await expect(column).toBeVisible();

    // The codebook pane: resized with Up/Down, collapsed to its heading, and all of it remembered.
    const codebookSplitter = page.getByRole('separator', { name: 'Resize codebook' });
    const percent = Number(await codebookSplitter.getAttribute('aria-valuenow'));
    await codebookSplitter.focus();
    await page.keyboard.press('ArrowUp');
    await expect(codebookSplitter).toHaveAttribute('aria-valuenow', String(percent - 5));
    await page.reload();
    await wb.ready();
    await expect.poll(width).toBe(before + 20);
    await expect(page.getByRole('separator', { name: 'Resize codebook' })).toHaveAttribute('aria-valuenow', String(percent - 5));

    await page.getByRole('button', { name: 'Documents', exact: true }).click();
    await expect(page.getByRole('button', { name: 'Documents', exact: true })).toHaveAttribute('aria-expanded', 'false');
    await expect(wb.documents).toBeHidden();
    await page.reload();
    await expect(page.getByRole('button', { name: 'Documents', exact: true })).toHaveAttribute('aria-expanded', 'false');
    await page.getByRole('button', { name: 'Documents', exact: true }).click();
    await expect(wb.documents).toBeVisible();
  });
});
