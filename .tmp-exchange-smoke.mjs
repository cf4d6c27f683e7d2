import { chromium } from '@playwright/test';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ acceptDownloads: true });
page.on('pageerror', (e) => console.log('pageerror', e.message));
await page.goto('http://127.0.0.1:47391/#token=d2nQZfyKnNrkRT2Hex6AW6iFqjrVUSjW');
await page.waitForTimeout(1500);
const d0 = page.getByRole('dialog');
if (await d0.count()) {
  console.log('first dialog:', await d0.first().getAttribute('aria-label'), await d0.first().textContent());
  const tb = d0.first().getByRole('textbox');
  if (await tb.count()) { await tb.first().fill('ana'); await tb.first().press('Enter'); }
  await page.waitForTimeout(800);
}
await page.getByRole('menuitem', { name: 'File' }).click();
await page.getByRole('menuitem', { name: 'Export…' }).click();
const dlg = page.getByRole('dialog', { name: 'Export' });
await dlg.waitFor();
await page.waitForTimeout(800);
console.log('preview cols', await dlg.getByRole('columnheader').count(), 'rows', await dlg.locator('tbody tr').count());
await dlg.getByRole('combobox', { name: 'Format' }).selectOption('codebook');
await page.waitForTimeout(800);
console.log('codebook rows', await dlg.locator('tbody tr').count(), await dlg.getByRole('columnheader').first().textContent());
await dlg.getByRole('combobox', { name: 'Format' }).selectOption('matrix');
await dlg.getByRole('checkbox', { name: /Roll subcodes/ }).check();
await dlg.getByRole('textbox', { name: /Only documents where/ }).fill('nosuch=1');
await page.waitForTimeout(800);
console.log('alert', await dlg.getByRole('alert').textContent());
await dlg.getByRole('textbox', { name: /Only documents where/ }).fill('');
await page.waitForTimeout(800);
const [dl] = await Promise.all([page.waitForEvent('download'), dlg.getByRole('button', { name: 'Save export' }).click()]);
console.log('download', dl.suggestedFilename());
console.log('status', await dlg.locator('[aria-live]').textContent());
await page.screenshot({ path: '/tmp/export-dialog.png' });
await browser.close();
