import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { shot } from './shots';

/**
 * Every control has a role and an accessible name, checked by axe-core over each screen
 * (WCAG 2.1 A and AA rules), with the sample document open and coded.
 */
async function violations(page: Page): Promise<string[]> {
  const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
  const format = (r: Awaited<ReturnType<AxeBuilder['analyze']>>) =>
    r.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
  const page_ = await new AxeBuilder({ page }).withTags(tags).exclude('[role="tree"]').analyze();
  // A tree item's content holds its whole subtree, so ARIA's tree pattern names it by its
  // label (the code name); "label in name" would compare that with every subcode's text.
  const tree = await new AxeBuilder({ page }).withTags(tags).include('[role="tree"]').disableRules(['label-content-name-mismatch']).analyze();
  return [...format(page_), ...format(tree)];
}


for (const size of [{ width: 1440, height: 900 }, { width: 1280, height: 720 }]) test.describe(`at ${size.width}×${size.height}`, () => {
test.use({ viewport: size });
test('the workbench and each of its screens pass axe-core (WCAG 2.1 A/AA)', async ({ page, api }) => {
  // Five full axe-core scans: on a loaded 2-core machine this alone can take most of a minute.
  test.slow();
  const [doc] = await api.call('documents.list', {});
  const codes = await api.call('codes.list', {});
  for (const [path, start, end] of [
    ['casualties/death toll', 300, 340],
    ['attribution/blames Russia', 120, 200],
    ['rhetoric/emotive language', 300, 330],
  ] as const) {
    await api.call('segments.create', { documentId: doc!.id, codeId: codes.find((c) => c.path === path)!.id, start, end, memo: 'checked' });
  }
  await page.reload();
  await expect(page.getByRole('region', { name: 'Document', exact: true })).toContainText('At rush hour');
  expect(await violations(page)).toEqual([]);

  const screens: [menu: string, item: string, name: string][] = [
    ['File', 'Import documents…', 'Import documents'],
    ['File', 'Export…', 'Export'],
    ['File', "Merge a colleague's project…", "Merge a colleague's project"],
    ['View', 'Intercoder agreement', 'Intercoder agreement'],
  ];
  for (const [menu, item, name] of screens) {
    await page.getByRole('menuitem', { name: menu }).click();
    await page.getByRole('menuitem', { name: item }).click();
    const dialog = page.getByRole('dialog', { name });
    await expect(dialog).toBeVisible();
    // The export preview is the one part that loads after the dialog opens; check it loaded.
    if (name === 'Export') await expect(dialog.getByRole('table')).toBeVisible();
    // Every dialog's buttons are on screen, however tall its content.
    await expect(dialog.getByRole('button', { name: /^(Close|Cancel)$/ }).last()).toBeInViewport({ ratio: 1 });
    if (name === 'Export') await expect(dialog.getByRole('button', { name: 'Save export' })).toBeInViewport({ ratio: 1 });
    await shot(page, `dialog-${name.replace(/\W+/g, '-').toLowerCase()}-${size.width}x${size.height}`);
    expect(await violations(page), name).toEqual([]);
    await dialog.getByRole('button', { name: /^(Close|Cancel)$/ }).first().click();
    await expect(dialog).toBeHidden();
  }
});
});

test('modal screens take focus, keep Tab inside, and close with Escape', async ({ page }) => {
  await page.getByRole('menuitem', { name: 'File' }).click();
  await page.getByRole('menuitem', { name: 'Export…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('combobox').first()).toBeFocused();
  for (let i = 0; i < 25; i++) await page.keyboard.press('Tab');
  expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});
