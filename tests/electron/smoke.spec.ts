import { test, expect, _electron as electron, type ElectronApplication, type Page } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { METHODS } from '../../main/api/contract';
import { findElectronBinary, missingDisplay } from './electron-binary';

const ROOT = resolve(__dirname, '../..');
const binary = findElectronBinary();
const skipReason = binary.found ? missingDisplay() : binary.reason;
if (skipReason) console.log(skipReason);

/** The five sample articles' titles, as corpus/sample.json names them. */
const SAMPLE_TITLES: string[] = (JSON.parse(readFileSync(join(ROOT, 'corpus', 'sample.json'), 'utf8')) as { documents: { name: string }[] }).documents.map(
  (d) => d.name,
);

/** localStorage key the renderer keeps the coder's name under (as in tests/e2e/fixtures.ts). */
const CODER_STORAGE_KEY = 'marginalia.coder';

test.describe('desktop app', () => {
  test.skip(skipReason !== null, skipReason ?? '');
  // The second test relies on the profile the first one made.
  test.describe.configure({ mode: 'serial' });

  let userData: string;

  test.beforeAll(() => {
    for (const built of ['dist/main/electron/main.js', 'dist/preload/index.js', 'dist/renderer/index.html']) {
      if (!existsSync(join(ROOT, built))) throw new Error(`${built} is missing. Run "npm run build" first.`);
    }
    userData = mkdtempSync(join(tmpdir(), 'marginalia-electron-'));
  });

  test.afterAll(() => {
    if (userData) rmSync(userData, { recursive: true, force: true });
  });

  async function launch(): Promise<{ app: ElectronApplication; page: Page; errors: string[] }> {
    const app = await electron.launch({
      args: ['.'],
      cwd: ROOT,
      env: { ...process.env, MARGINALIA_USER_DATA: userData, MARGINALIA_CODER: 'tester' } as Record<string, string>,
      timeout: 60_000,
    });
    const page = await app.firstWindow();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.waitForLoadState('domcontentloaded');
    // Answer the renderer's first-use "who is coding" question the way the e2e tests do.
    const seeded = await page.evaluate((key) => {
      if (window.localStorage.getItem(key)) return false;
      window.localStorage.setItem(key, 'tester');
      return true;
    }, CODER_STORAGE_KEY);
    if (seeded) await page.reload();
    return { app, page, errors };
  }

  test('first run opens the sample project, locked down', async () => {
    const { app, page, errors } = await launch();
    try {
      expect(page.url()).toMatch(/^app:\/\/marginalia\//);

      const list = page.getByRole('listbox', { name: 'Documents' });
      await expect(list.getByRole('option')).toHaveCount(SAMPLE_TITLES.length);
      for (const title of SAMPLE_TITLES) await expect(list).toContainText(title);

      // The page sees the contract's methods and the two subscriptions, nothing of Node or IPC.
      const surface = await page.evaluate(() => ({
        keys: Object.keys((window as unknown as { marginalia: Record<string, unknown> }).marginalia).sort(),
        require: typeof (window as unknown as { require?: unknown }).require,
        process: typeof (window as unknown as { process?: unknown }).process,
        // Denied by setWindowOpenHandler (about:blank, so no "open in browser?" question is asked).
        opened: window.open('about:blank') === null,
      }));
      expect(surface.keys).toEqual([...METHODS, 'onChanged', 'onMenu'].sort());
      expect(surface.require).toBe('undefined');
      expect(surface.process).toBe('undefined');
      expect(surface.opened).toBe(true);

      // A call goes through IPC and dispatch to the project.
      const info = await page.evaluate(() => (window as unknown as { marginalia: Record<string, (i: unknown) => Promise<unknown>> }).marginalia['project.info']!({}));
      expect(info).toMatchObject({ ok: true, value: { file: 'Sample.marginalia' } });

      // The window names the open project.
      const title = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.getTitle());
      expect(title).toContain('Sample.marginalia');

      // Navigation away from app:// is refused: the page stays where it is. (about:blank, so
      // no "open in your browser?" question is asked, as it would be for an http(s) link.)
      await page.evaluate(() => {
        window.location.href = 'about:blank';
      });
      await page.waitForTimeout(500);
      expect(page.url()).toMatch(/^app:\/\/marginalia\//);

      // The CSP arrives with the page.
      const csp = await page.evaluate(async () => (await fetch('/index.html')).headers.get('content-security-policy'));
      expect(csp).toContain("default-src 'none'");

      expect(existsSync(join(userData, 'Sample.marginalia'))).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await app.close();
    }
  });

  test('a later run reopens the last project', async () => {
    const settings = JSON.parse(readFileSync(join(userData, 'settings.json'), 'utf8')) as { lastProject: string };
    expect(settings.lastProject).toBe(join(userData, 'Sample.marginalia'));
    const { app, page } = await launch();
    try {
      await expect(page.getByRole('listbox', { name: 'Documents' }).getByRole('option')).toHaveCount(SAMPLE_TITLES.length);
      const title = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.getTitle());
      expect(title).toContain('Sample.marginalia');
    } finally {
      await app.close();
    }
  });
});
