import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { Workbench } from './pages/workbench';

/** The API methods the page asks for from now on, in order. */
function requestsFrom(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    const m = /\/api\/([\w.]+)$/.exec(new URL(r.url()).pathname);
    if (m) seen.push(m[1]!);
  });
  return seen;
}

/** The methods that show what no coding changes: the project's name and counts, the coders, and what the filters offer. */
const UNTOUCHED_BY_CODING = ['project.info', 'coders.list', 'team.visibleCoders', 'variables.list', 'sets.list', 'duplicates.counts'];

test.describe('undo and redo reload what the action they step over touched', () => {
  test('Ctrl+Z of a removal brings back the stripe, its memo and the count, without reloading the project, coders or filters', async ({ page, api }) => {
    const docs = await api.call('documents.list', {});
    const codes = await api.call('codes.list', {});
    const casualties = codes.find((c) => c.name === 'casualties')!;
    const { id } = await api.call('segments.create', { documentId: docs[0]!.id, codeId: casualties.id, start: 3, end: 40, memo: 'Second source disagrees.' });
    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();
    await wb.menu('View', 'Memos');
    const memos = page.getByRole('list', { name: 'Memos', exact: true });
    await expect(memos).toContainText('Second source disagrees.');
    const counts = wb.code('casualties').locator('.counts').first();
    const before = (await counts.textContent())!;

    const stripe = page.locator(`.stripe[data-segment-id="${id}"]`);
    await stripe.click();
    await page.keyboard.press('Delete');
    await expect(stripe).toHaveCount(0);
    // The memo went with its segment.
    await expect(memos).not.toContainText('Second source disagrees.');
    await expect(counts).not.toHaveText(before);
    await page.waitForLoadState('networkidle');

    const asked = requestsFrom(page);
    await page.keyboard.press('Control+z');
    await expect(stripe).toHaveCount(1);
    await expect(counts).toHaveText(before);
    await expect(memos).toContainText('Second source disagrees.');
    await page.waitForLoadState('networkidle');
    expect(asked).toContain('project.undo');
    // The stripes and the counts came with the undo's answer: neither is asked for again.
    expect(asked).not.toContain('workbench.documentSegments');
    expect(asked).not.toContain('codes.list');
    expect(asked.filter((m) => UNTOUCHED_BY_CODING.includes(m))).toEqual([]);

    // Redo removes it again, the same way.
    asked.length = 0;
    await page.keyboard.press('Control+y');
    await expect(stripe).toHaveCount(0);
    await expect(counts).not.toHaveText(before);
    await page.waitForLoadState('networkidle');
    expect(asked).toContain('project.redo');
    expect(asked.filter((m) => UNTOUCHED_BY_CODING.includes(m))).toEqual([]);
  });

  test('Ctrl+Z of a code rename shows the old name on the codebook and the stripes', async ({ page, api }) => {
    const docs = await api.call('documents.list', {});
    const codes = await api.call('codes.list', {});
    const attribution = codes.find((c) => c.name === 'attribution')!;
    await api.call('segments.create', { documentId: docs[0]!.id, codeId: attribution.id, start: 3, end: 40 });
    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();
    await api.call('codes.rename', { id: attribution.id, name: 'blame' });
    // A change made outside the page (the command line, a co-researcher's merge) shows after the next one the page makes; an undo is one.
    await page.keyboard.press('Control+z');
    await expect(wb.code('attribution')).toBeVisible();
    await expect(wb.stripe('attribution')).toHaveCount(1);
    await expect(wb.code('blame')).toHaveCount(0);
  });

  test('Ctrl+Z of an import, which may touch anything, reloads everything: the document leaves the list', async ({ page, api }) => {
    const wb = new Workbench(page);
    await wb.ready();
    await api.call('import.files', { files: [{ name: 'late report.txt', dataBase64: Buffer.from('Filed after the strike.').toString('base64') }] });
    // Made outside the page, so not shown yet; the undo's reload shows the list as it now is, without it.
    const asked = requestsFrom(page);
    await page.keyboard.press('Control+z');
    await expect(page.getByText('Undone: Import')).toBeVisible();
    // The reloads are asked for in the frame after the answer's status line (a transition).
    await expect(wb.documents.getByRole('option', { name: 'late report', exact: true })).toHaveCount(0);
    await expect.poll(() => asked).toContain('project.info');
    expect(asked).toContain('variables.list');
    await page.keyboard.press('Control+y');
    await expect(wb.documents.getByRole('option', { name: 'late report', exact: true })).toBeVisible();
  });
});
