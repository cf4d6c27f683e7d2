import { test, expect } from './fixtures';
import { readFileSync } from 'node:fs';
import { agreementJobsOf } from '../../main/api/handlers/team';
import { shot } from './shots';
import type { Api } from './fixtures';
import type { Page } from '@playwright/test';
import type { Session } from '../../main/api/session';

/** Two coders, tester and ben, each coding three of the sample's documents (two of them both). */
async function codeTwice(api: Api) {
  const docs = await api.call('documents.list', {});
  const [code] = await api.call('codes.list', {});
  for (const d of docs.slice(0, 3)) await api.call('segments.create', { documentId: d.id, codeId: code!.id, start: 0, end: 40 });
  await api.call('coders.setCurrent', { name: 'ben' });
  for (const d of docs.slice(1, 4)) await api.call('segments.create', { documentId: d.id, codeId: code!.id, start: 10, end: 60 });
  await api.call('coders.setCurrent', { name: 'tester' });
  return docs;
}

/**
 * The sample is computed in a blink: agreement is held after each document until the test
 * lets it go on (`release`), so the running state can be seen.
 */
function holdEachDocument(session: Session) {
  const jobs = agreementJobsOf(session);
  let next = () => undefined as void;
  jobs.testHook = { batchSize: 1, beforeBatch: () => new Promise<void>((r) => (next = r)) };
  return { jobs, release: () => next() };
}

/** The agreement dialog on a fresh page, ben and tester chosen, by sentence. */
async function openBySentence(page: Page) {
  await page.reload();
  await page.getByRole('menuitem', { name: 'View' }).click();
  await page.getByRole('menuitem', { name: 'Intercoder agreement' }).click();
  const agreement = page.getByRole('dialog', { name: 'Intercoder agreement' });
  for (const name of ['ben', 'tester']) await agreement.getByRole('checkbox', { name }).check();
  await agreement.getByRole('combobox', { name: 'Unit' }).selectOption('sentence');
  return agreement;
}

test('agreement shows documents compared on a progress bar while it runs; Cancel stops it and says so; computing again gives the tables', async ({ page, api, session }) => {
  const docs = await codeTwice(api);

  const { jobs, release } = holdEachDocument(session);
  try {
    const agreement = await openBySentence(page);
    await agreement.getByRole('button', { name: 'Compute agreement' }).click();

    const bar = agreement.getByRole('progressbar', { name: 'Computing agreement' });
    await expect(bar).toHaveAttribute('aria-valuenow', '1');
    await expect(bar).toHaveAttribute('aria-valuemax', String(docs.length));
    await expect(agreement.getByRole('status')).toHaveText(`1 of ${docs.length} documents compared`);
    await expect(agreement.getByRole('button', { name: 'Compute agreement' })).toBeDisabled();
    await shot(page, 'agreement-progress');
    // One document on: the bar follows.
    release();
    await expect(bar).toHaveAttribute('aria-valuenow', '2');

    // Cancel from the keyboard.
    await agreement.getByRole('button', { name: 'Cancel' }).focus();
    await page.keyboard.press('Enter');
    await expect(agreement.getByRole('status')).toHaveText('Cancelling…');
    release();
    await expect(agreement.getByRole('status')).toContainText('Cancelled');
    await expect(bar).toHaveCount(0);
    await expect(agreement.getByRole('table', { name: 'Agreement per code' })).toHaveCount(0);
    await shot(page, 'agreement-cancelled');

    // Let go: the next computation runs to the end and shows its tables.
    jobs.testHook = null;
    await agreement.getByRole('button', { name: 'Compute agreement' }).click();
    const perCode = agreement.getByRole('table', { name: 'Agreement per code' });
    await expect(perCode).toBeVisible();
    await expect(agreement.getByText('Cancelled')).toHaveCount(0);
    await expect(agreement.getByRole('table', { name: 'Agreement per document' }).getByRole('row')).toHaveCount(docs.length + 1);
    await expect(agreement.getByRole('table', { name: 'Overall agreement' }).getByRole('row', { name: /Codes covered/ })).toContainText('1 of');
  } finally {
    jobs.testHook = null;
    release();
  }
});

test('the agreement CSV shows its progress with a Cancel that saves nothing; exported again it downloads', async ({ page, api, session }) => {
  const docs = await codeTwice(api);

  // The CSV's own process waits for the test too.
  const { jobs, release } = holdEachDocument(session);
  try {
    const agreement = await openBySentence(page);
    await agreement.getByRole('button', { name: 'Export CSV' }).click();

    const bar = agreement.getByRole('progressbar', { name: 'Exporting the agreement CSV' });
    await expect(bar).toHaveAttribute('aria-valuenow', '1');
    await expect(agreement.getByRole('status')).toHaveText(`1 of ${docs.length} documents compared`);
    await expect(agreement.getByRole('button', { name: 'Export CSV' })).toBeDisabled();
    await expect(agreement.getByRole('button', { name: 'Compute agreement' })).toBeDisabled();
    await shot(page, 'agreement-csv-progress');

    await agreement.getByRole('button', { name: 'Cancel' }).click();
    await expect(agreement.getByRole('status')).toHaveText('Cancelling…');
    release();
    await expect(agreement.getByRole('status')).toHaveText('Cancelled. The CSV was not saved; export again when ready.');
    await expect(bar).toHaveCount(0);

    jobs.testHook = null;
    const [download] = await Promise.all([page.waitForEvent('download'), agreement.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^agreement-sentence-\d{4}-\d\d-\d\d\.csv$/);
    const text = readFileSync(await download.path()).toString('utf8');
    expect(text.split('\n')[0]).toMatch(/^scope,code,document,unit,coders,units,percent_agreement/);
    expect(text).toContain('\noverall,');
    await expect(agreement.getByRole('alert')).toHaveCount(0);
  } finally {
    jobs.testHook = null;
    release();
  }
});
