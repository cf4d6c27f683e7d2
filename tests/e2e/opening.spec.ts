import AxeBuilder from '@axe-core/playwright';
import { test, expect, type Page } from '@playwright/test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Session } from '../../main/api/session';
import { startBridge, type Bridge } from '../../main/bridge/server';
import { Project } from '../../main/core/project/project';
import { SCHEMA_VERSION } from '../../main/core/db/migrations';
import { projectAtSchema9 } from '../helpers/old-project';
import { CODER_STORAGE_KEY, RENDERER_DIR, test as app } from './fixtures';
import { Workbench } from './pages/workbench';
import { shot } from './shots';

/**
 * A project saved by an older Marginalia, opened the way `marginalia serve` opens it: the
 * address is served at once and the upgrade runs behind it. The host's test-only pause per
 * step (MARGINALIA_TEST_OPEN_STEP_DELAY_MS, from the environment of the process that serves,
 * here this one) makes the seconds a 100,000-article upgrade takes observable with 60 articles.
 */
async function serveWhileOpening(path: string): Promise<{ session: Session; bridge: Bridge; opened: Promise<unknown> }> {
  const session = new Session(null, 'tester');
  const bridge = await startBridge({ ctx: { session }, rendererDir: RENDERER_DIR });
  const opened = session
    .watchOpen(path, (onProgress) => Project.open(path, { onProgress }))
    .then((project) => session.setProject(project))
    .catch((err: unknown) => err);
  return { session, bridge, opened };
}

async function visit(page: Page, url: string): Promise<string[]> {
  await page.addInitScript(([key, name]) => window.localStorage.setItem(key, name), [CODER_STORAGE_KEY, 'tester'] as const);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return errors;
}

test.describe('opening a project saved by an older Marginalia', () => {
  let dir: string;
  const delay = process.env.MARGINALIA_TEST_OPEN_STEP_DELAY_MS;
  test.beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'marginalia-e2e-opening-'));
    process.env.MARGINALIA_TEST_OPEN_STEP_DELAY_MS = '900';
  });
  test.afterEach(() => {
    if (delay === undefined) delete process.env.MARGINALIA_TEST_OPEN_STEP_DELAY_MS;
    else process.env.MARGINALIA_TEST_OPEN_STEP_DELAY_MS = delay;
    rmSync(dir, { recursive: true, force: true });
  });

  test('shows the upgrade step by step, then the workbench without a reload', async ({ page }) => {
    const path = join(dir, 'Front pages 2023.marginalia');
    await projectAtSchema9(path);
    const { session, bridge, opened } = await serveWhileOpening(path);
    try {
      const errors = await visit(page, bridge.url);
      const steps = SCHEMA_VERSION - 9;

      await expect(page.getByRole('heading', { name: 'Upgrading Front pages 2023.marginalia' })).toBeVisible();
      const bar = page.getByRole('progressbar', { name: 'Upgrading Front pages 2023.marginalia' });
      await expect(bar).toHaveAttribute('aria-valuetext', new RegExp(`^Step [2-${steps}] of ${steps}: `));
      await expect(bar).toHaveAttribute('aria-valuemax', String(steps + 1));
      const now = Number(await bar.getAttribute('aria-valuenow'));
      expect(now).toBeGreaterThanOrEqual(1);
      await expect(page.getByRole('status')).toContainText(new RegExp(`Step \\d of ${steps}: `));
      await expect(page.getByText(/This happens once/)).toBeVisible();
      await expect(page.getByText(/If it is interrupted, nothing is lost/)).toBeVisible();
      await expect(page.getByText(/\d+ s elapsed/)).toBeVisible();
      await shot(page, 'opening-upgrade-step');
      const a11y = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
      expect(a11y.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);

      // The compaction after the upgrade says not to close the window, and why it would be safe anyway.
      await expect(page.getByRole('status')).toContainText('Compacting the file', { timeout: 20_000 });
      await expect(bar).toHaveAttribute('aria-valuenow', String(steps));
      await expect(page.getByText(/keep this window open until the compaction has finished/)).toBeVisible();
      await shot(page, 'opening-compacting');

      // Then the workbench, on its own: the project's first article, and no error from the wait.
      await expect(page.getByRole('region', { name: 'Document', exact: true })).toContainText('Sentence 0 of article', { timeout: 20_000 });
      await expect(page.getByRole('heading', { name: /Upgrading/ })).toHaveCount(0);
      await expect(page.getByText(/still being opened|No project is open/)).toHaveCount(0);
      await shot(page, 'opening-then-workbench');
      expect(await opened).toBeUndefined();
      expect(session.opening).toBeNull();
      expect(errors).toEqual([]);
    } finally {
      await opened;
      await bridge.close();
      await session.setProject(null);
    }
  });

  test('a file that cannot be opened says why and what to do, and another project beside it can be opened from there', async ({ page }) => {
    const path = join(dir, 'notes.marginalia');
    writeFileSync(path, 'Notes from the newsroom, saved with the wrong extension.');
    await projectAtSchema9(join(dir, 'Front pages 2023.marginalia'));
    const { session, bridge, opened } = await serveWhileOpening(path);
    try {
      await opened;
      const errors = await visit(page, bridge.url);
      await expect(page.getByRole('heading', { name: 'notes.marginalia could not be opened' })).toBeVisible();
      await expect(page.getByRole('alert')).toContainText('notes.marginalia is not a Marginalia project');
      await expect(page.getByRole('button', { name: 'Continue without a project' })).toBeVisible();
      await shot(page, 'opening-failed');

      // The project beside it is older: opening it from here shows its upgrade, then the workbench.
      await page.getByRole('button', { name: 'Open Front pages 2023.marginalia' }).click();
      await expect(page.getByRole('progressbar', { name: 'Upgrading Front pages 2023.marginalia' })).toBeVisible();
      await expect(page.getByRole('region', { name: 'Document', exact: true })).toContainText('Sentence 0 of article', { timeout: 30_000 });
      expect(session.opening).toBeNull();
      expect(errors).toEqual([]);
    } finally {
      await bridge.close();
      await session.setProject(null);
    }
  });
});

app.describe('File ▸ Open project in the browser', () => {
  const delay = process.env.MARGINALIA_TEST_OPEN_STEP_DELAY_MS;
  app.afterEach(() => {
    if (delay === undefined) delete process.env.MARGINALIA_TEST_OPEN_STEP_DELAY_MS;
    else process.env.MARGINALIA_TEST_OPEN_STEP_DELAY_MS = delay;
  });

  app('of a project saved by an older Marginalia shows its upgrade in the dialog, then the project', async ({ page, projectPath }) => {
    const wb = new Workbench(page);
    await wb.ready();
    await projectAtSchema9(join(dirname(projectPath), 'Archive 2019.marginalia'));
    process.env.MARGINALIA_TEST_OPEN_STEP_DELAY_MS = '900';

    await wb.menu('File', 'Open project…');
    const dialog = page.getByRole('dialog', { name: 'Open project' });
    await dialog.getByRole('radio', { name: 'Archive 2019.marginalia' }).check();
    await dialog.getByRole('button', { name: 'Open project' }).click();
    const bar = dialog.getByRole('progressbar', { name: 'Upgrading Archive 2019.marginalia' });
    await expect(bar).toHaveAttribute('aria-valuetext', /^Step \d of \d: /);
    await expect(dialog.getByText(/This happens once/)).toBeVisible();
    await shot(page, 'opening-in-dialog');

    await expect(page.getByText(/— Archive 2019\.marginalia$/)).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole('region', { name: 'Document', exact: true })).toContainText('Sentence 0 of article');
  });
});
