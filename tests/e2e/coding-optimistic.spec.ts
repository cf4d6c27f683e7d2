import type { Route } from '@playwright/test';
import { test, expect } from './fixtures';
import { Workbench } from './pages/workbench';

/** Holds the bridge's answers to one method until `release` is called: what the page shows before the API answered. */
async function holdAnswers(wb: Workbench, method: string): Promise<{ release: () => void; seen: Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((done) => (release = done));
  let seen!: () => void;
  const came = new Promise<void>((done) => (seen = done));
  await wb.page.route(`**/api/${method}`, async (route: Route) => {
    seen();
    await released;
    await route.continue();
  });
  return { release, seen: came };
}

test.describe('coding changes drawn before the API answers', () => {
  test('a code changed in the inspector relabels its stripe at once, and goes back when the API refuses', async ({ page, api }) => {
    const docs = await api.call('documents.list', {});
    const codes = await api.call('codes.list', {});
    const code = (name: string) => codes.find((c) => c.name === name)!;
    const { id } = await api.call('segments.create', { documentId: docs[0]!.id, codeId: code('casualties').id, start: 3, end: 40 });
    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();
    await wb.stripe('casualties').click();
    const change = wb.segmentPanel.getByRole('combobox', { name: 'Change code' });

    // The answer is held back: the stripe must already carry the new code.
    const held = await holdAnswers(wb, 'segments.update');
    await change.selectOption({ label: 'rhetoric/loaded label' });
    await held.seen;
    await expect(wb.stripe('loaded label')).toBeVisible();
    await expect(wb.stripe('casualties')).toHaveCount(0);
    await expect(change).toHaveValue(code('loaded label').id);
    held.release();
    await expect.poll(async () => (await api.call('segments.list', { ids: [id] }))[0]?.code_name).toBe('loaded label');
    await page.unroute('**/api/segments.update');

    // Refused (as a damaged or read-only file would be): the stripe goes back to the code it had, and the reason shows.
    await page.route('**/api/segments.update', (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify({ ok: false, error: { code: 'io', message: 'Sample.marginalia is open read-only, so nothing can be changed.' } }) }),
    );
    await change.selectOption({ label: 'attribution' });
    await expect(page.getByRole('alert')).toContainText('open read-only');
    await expect(wb.stripe('loaded label')).toBeVisible();
    await expect(wb.stripe('attribution')).toHaveCount(0);
    await expect(change).toHaveValue(code('loaded label').id);
    expect((await api.call('segments.list', { ids: [id] }))[0]?.code_name).toBe('loaded label');
  });

  test('Delete right after a code change, while its reloads are on their way, and Ctrl+Z brings the stripe back', async ({ page, api }) => {
    const docs = await api.call('documents.list', {});
    const codes = await api.call('codes.list', {});
    const code = (name: string) => codes.find((c) => c.name === name)!;
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await api.call('segments.create', { documentId: docs[0]!.id, codeId: code('casualties').id, start: 3 + i * 60, end: 40 + i * 60 })).id);
    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();
    // The reloads a change sets off answer slowly, so that the Delete comes while they are on their way.
    await page.route('**/api/workbench.documentSegments', async (route) => {
      await new Promise((r) => setTimeout(r, 150));
      await route.continue();
    });
    const stripeOf = (id: string) => page.locator(`.stripe[data-segment-id="${id}"]`);
    const names = ['attribution', 'rhetoric', 'loaded label', 'attribution'];
    for (const [i, id] of ids.entries()) {
      await stripeOf(id).click();
      const answered = page.waitForResponse((r) => r.url().includes('/api/segments.update'));
      await wb.segmentPanel.getByRole('combobox', { name: 'Change code' }).selectOption({ label: codes.find((c) => c.name === names[i])!.path });
      await answered;
      await page.waitForTimeout(i * 50);
      await stripeOf(id).click();
      const deleted = page.waitForResponse((r) => r.url().includes('/api/segments.delete'));
      await page.keyboard.press('Delete');
      await expect(stripeOf(id)).toHaveCount(0);
      await deleted;
      await page.waitForTimeout(200);
      await page.keyboard.press('Control+z');
      // Back, with the code it was changed to.
      await expect(stripeOf(id)).toHaveAccessibleName(new RegExp(`^${names[i]} stripe,`));
      await page.waitForTimeout(400);
      await expect(stripeOf(id)).toHaveCount(1);
      expect((await api.call('segments.list', { ids: [id] }))[0]?.code_name).toBe(names[i]);
    }
  });
});
