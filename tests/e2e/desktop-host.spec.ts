import { test, expect } from './fixtures';

/**
 * The same renderer build under a preload-shaped `window.marginalia` (as Electron's preload
 * exposes it): calls go through it, the desktop menu's Export opens the dialog, and a change
 * made outside the page (File ▸ Import Documents… in main) refreshes the views.
 */
test('under a desktop preload the renderer uses it, and answers menu commands and outside changes', async ({ page, bridge, api }) => {
  await page.addInitScript((token) => {
    const calls: string[] = [];
    let menu: ((action: string) => void) | null = null;
    let changed: (() => void) | null = null;
    const w = window as unknown as Record<string, unknown>;
    w.__calls = calls;
    w.__menu = (action: string) => menu?.(action);
    w.__changed = () => changed?.();
    w.marginalia = new Proxy(
      {},
      {
        get(_target, name: string) {
          if (name === 'onMenu') return (cb: (action: string) => void) => (menu = cb);
          if (name === 'onChanged') return (cb: () => void) => (changed = cb);
          return (input: unknown) => {
            calls.push(name);
            return fetch(`/api/${name}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(input ?? {}) }).then((r) => r.json());
          };
        },
      },
    );
  }, bridge.token);
  await page.reload();
  const documents = page.getByRole('listbox', { name: 'Documents', exact: true });
  await expect(documents.getByRole('option')).toHaveCount(5);
  expect(await page.evaluate(() => (window as unknown as { __calls: string[] }).__calls)).toContain('documents.page');

  await page.evaluate(() => (window as unknown as { __menu: (a: string) => void }).__menu('export'));
  const exportDialog = page.getByRole('dialog', { name: 'Export' });
  await expect(exportDialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(exportDialog).toBeHidden();

  // main imports a document on its own (the desktop menu), then tells the page.
  await api.call('import.files', { files: [{ name: 'from-menu.txt', dataBase64: Buffer.from('Imported from the desktop menu.').toString('base64') }] });
  await expect(documents.getByRole('option')).toHaveCount(5);
  await page.evaluate(() => (window as unknown as { __changed: () => void }).__changed());
  await expect(documents.getByRole('option')).toHaveCount(6);
});
