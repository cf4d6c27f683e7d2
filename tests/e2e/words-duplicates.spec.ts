import { test, expect } from './fixtures';
import { Workbench } from './pages/workbench';
import { otherArticles, storiesCsv, wireStories } from '../helpers/wire-stories';
import { shot } from './shots';

/** Screenshots to look at, by the scenario they show. */

const file = (name: string, data: Buffer) => ({ name, dataBase64: data.toString('base64') });

test.use({ startWith: 'empty', viewport: { width: 1280, height: 720 } });

test.describe('word frequency and duplicate stories', () => {
  test.beforeEach(async ({ page, api }) => {
    const report = await api.call('import.files', { files: [file('wire.csv', storiesCsv([...wireStories(), ...otherArticles()]))], keepDuplicates: true });
    expect(report.outcomes.filter((o) => o.status !== 'imported')).toEqual([]);
    expect(report.imported).toBe(9);
    await page.reload();
    await new Workbench(page).ready();
  });

  test('Analyse ▸ Word frequency: counts words and phrases per outlet in an accessible table, and a word searches the texts', async ({ page, api }) => {
    const wb = new Workbench(page);
    await wb.menu('Analyse', 'Word frequency…');
    const dialog = page.getByRole('dialog', { name: 'Word frequency' });
    const table = dialog.getByRole('table', { name: /most frequent words in all documents, stop words left out/ });
    await expect(table).toBeVisible();
    const expected = await api.call('words.frequency', { n: 1, top: 100, stopwords: true });
    const firstRow = table.getByRole('row').nth(1);
    await expect(firstRow.getByRole('rowheader')).toHaveText(expected.words[0]!.term);
    await expect(firstRow.getByRole('cell').nth(1)).toHaveText(expected.words[0]!.count.toLocaleString('en-US'));
    await expect(dialog.getByText(/Lemmas: not available/)).toBeVisible();
    await shot(page, 'words-all');

    // The stop list is the project's: adding the top word to it takes it out of the list.
    await dialog.getByText('Edit stop lists').click();
    const stopList = dialog.getByRole('textbox', { name: /Stop words \(English\)/ });
    await expect(stopList).toHaveValue(/(^|\n)the(\n|$)/);
    await stopList.fill(`${await stopList.inputValue()}\n${expected.words[0]!.term}`);
    await dialog.getByRole('button', { name: 'Save stop list' }).click();
    await expect(dialog.getByText(/^Saved \d+ stop words in the project\./)).toBeVisible();
    await expect(firstRow.getByRole('rowheader')).toHaveText(expected.words[1]!.term);
    expect((await api.call('words.stopwords', { language: 'en' })).words).toContain(expected.words[0]!.term);
    await shot(page, 'words-stoplist');
    await dialog.getByRole('button', { name: 'Restore shipped list' }).click();
    await expect(firstRow.getByRole('rowheader')).toHaveText(expected.words[0]!.term);
    await dialog.getByText('Edit stop lists').click();

    // Two-word phrases in one outlet's documents.
    await dialog.getByRole('combobox', { name: 'Count' }).selectOption('2');
    await dialog.getByRole('combobox', { name: 'Documents' }).selectOption('outlet');
    await dialog.getByRole('combobox', { name: 'outlet =' }).selectOption('Kyiv Post');
    const phrases = dialog.getByRole('table', { name: /2-word phrases in documents with outlet = Kyiv Post/ });
    await expect(phrases).toBeVisible();
    const kp = await api.call('words.frequency', { n: 2, top: 100, stopwords: true, where: { attribute: 'outlet', value: 'Kyiv Post' } });
    await expect(phrases.getByRole('row').nth(1).getByRole('rowheader')).toHaveText(kp.words[0]!.term);
    await expect(dialog.getByRole('status').filter({ hasText: /^1 document, 498 words/ })).toBeVisible();
    await shot(page, 'words-phrases-outlet');

    // Keyboard: Tab reaches the first phrase, Enter searches the texts for it.
    const term = kp.words[0]!.term;
    const button = phrases.getByRole('button', { name: `Search the texts for ${term}` });
    await button.focus();
    await page.keyboard.press('Enter');
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('searchbox', { name: 'Search in texts' })).toHaveValue(`"${term}"`);
    const results = page.getByRole('list', { name: 'Search results' });
    await expect(results.getByRole('listitem').first()).toContainText(term, { ignoreCase: true });
    await shot(page, 'words-searched');
  });

  test('Analyse ▸ Duplicate stories: the wire story is one group of five outlets, each outlet’s changes aligned with the first', async ({ page, api }) => {
    const wb = new Workbench(page);
    // The document list flags every version of the story.
    const kyivPost = wb.documents.getByRole('option', { name: /^Putin turns Donbas into a desert/ });
    await expect(kyivPost).toContainText('same story as 4 others');
    await expect(kyivPost).toHaveAttribute('aria-description', /same story as 4 others/);
    await expect(wb.documents.getByText('same story as 4 others')).toHaveCount(5);
    await shot(page, 'document-list-badges');
    await wb.menu('Analyse', 'Duplicate stories…');
    const dialog = page.getByRole('dialog', { name: 'Duplicate stories' });
    await expect(dialog.getByRole('status')).toHaveText(/^1 group at similarity ≥ 0\.8: 5 documents/);
    const groups = dialog.getByRole('table', { name: 'Groups of the same story, largest first' });
    await expect(groups.getByRole('row').nth(1)).toContainText('Ukrinform, Kyiv Post, Euromaidan Press, UNIAN, Ukrainska Pravda');
    const members = dialog.getByRole('table', { name: /5 versions of/ });
    await expect(members.getByRole('row', { name: /Kyiv Post/ })).toContainText('headline changed, 1 paragraph added, 1 sentence added');
    await expect(members.getByRole('row', { name: /Euromaidan Press/ })).toContainText('1 removed, 1 attribution dropped');
    await expect(members.getByRole('row', { name: /Ukrainska Pravda/ })).toContainText('identical text');
    await shot(page, 'duplicates-group');

    await members.getByRole('button', { name: /Compare Euromaidan Press/ }).click();
    const aligned = dialog.getByRole('table', { name: /Sentences of Euromaidan Press.*aligned with the first version/ });
    await expect(aligned.getByRole('row').filter({ hasText: 'the regional military administration told Reuters' })).toContainText('attribution dropped');
    await expect(aligned.locator('del')).toContainText('told Reuters');
    await aligned.getByRole('row').filter({ hasText: 'told Reuters' }).scrollIntoViewIfNeeded();
    await shot(page, 'duplicates-aligned');
    // Only what changed: the unchanged sentences step aside.
    const rowsBefore = await aligned.getByRole('row').count();
    await dialog.getByRole('checkbox', { name: 'Only the sentences that changed' }).check();
    await expect(aligned.getByRole('row')).toHaveCount(3);
    expect(rowsBefore).toBeGreaterThan(10);
    await shot(page, 'duplicates-only-changes');

    await members.getByRole('button', { name: /Compare UNIAN/ }).click();
    const reworded = dialog.getByRole('table', { name: /Sentences of UNIAN/ });
    await expect(reworded.locator('ins').first()).toContainText('early');

    // At similarity 1 only the word-for-word copies remain a group.
    await dialog.getByLabel(/Same story at similarity/).fill('1');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await expect(dialog.getByRole('status')).toHaveText(/^1 group at similarity ≥ 1: 2 documents/);
    await expect(dialog.getByRole('table', { name: 'Groups of the same story, largest first' }).getByRole('row').nth(1)).toContainText('Ukrinform, Ukrainska Pravda');
    await dialog.getByLabel(/Same story at similarity/).fill('0.3');
    await expect(dialog.getByRole('button', { name: 'Apply' })).toBeDisabled();
    await expect(dialog.getByText('Enter a number from 0.5 to 1.')).toBeVisible();
    await dialog.getByLabel(/Same story at similarity/).fill('0.8');
    await dialog.getByRole('button', { name: 'Apply' }).click();

    // Open a version: the dialog closes and the document is shown.
    await dialog.getByRole('table', { name: /5 versions of/ }).getByRole('button', { name: /Open UNIAN/ }).click();
    await expect(dialog).toBeHidden();
    const unian = (await api.call('documents.list', {})).find((d) => d.attributes.outlet === 'UNIAN')!;
    await expect(wb.documents.getByRole('option', { selected: true })).toContainText(unian.name);

    // Escape closes the dialog.
    await wb.menu('Analyse', 'Duplicate stories…');
    await expect(dialog).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
  });

  test('the import dialog imports a text already in the project when Keep duplicates is ticked, and says which it repeats', async ({ page, api }) => {
    const wb = new Workbench(page);
    const copy = { name: 'agency-copy.txt', mimeType: 'text/plain', buffer: Buffer.from(wireStories()[0]!.text) };
    for (const keepIt of [false, true]) {
      await wb.menu('File', /Import documents/);
      const dialog = page.getByRole('dialog', { name: 'Import documents' });
      const keep = dialog.getByRole('checkbox', { name: /Keep duplicates/ });
      await expect(keep).not.toBeChecked();
      if (keepIt) await keep.check();
      await dialog.getByLabel('Choose files').setInputFiles(copy);
      await dialog.getByRole('button', { name: 'Import 1 file' }).click();
      const results = dialog.getByRole('region', { name: 'Import results' });
      if (keepIt) await expect(results).toContainText('same text as "Russia shells Donbas towns with phosphorus munitions", kept as a document of its own as asked');
      else await expect(results).toContainText('same text as “Russia shells Donbas towns with phosphorus munitions”');
      if (keepIt) await shot(page, 'import-keep-duplicates');
      await dialog.getByRole('button', { name: 'Close' }).click();
    }
    const groups = await api.call('duplicates.groups', { threshold: 0.8 });
    expect(groups.groups[0]!.members).toHaveLength(6);
    expect(groups.groups[0]!.members.filter((m) => m.identicalTo === groups.groups[0]!.firstId)).toHaveLength(2);
  });
});

test.describe('word frequency of posts with emoji', () => {
  test('an emoji in the list searches the texts for it as a regular expression, and a word after it searches as a word again', async ({ page, api }) => {
    const posts = 'Shelling again in Kyiv🙂 tonight. 🙂🙂 Stay safe 🙂, everyone in Kyiv.\n';
    expect((await api.call('import.files', { files: [file('posts.txt', Buffer.from(posts))] })).imported).toBe(1);
    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();
    const dialog = page.getByRole('dialog', { name: 'Word frequency' });
    const box = page.getByRole('searchbox', { name: 'Search in texts' });
    const regex = page.getByRole('checkbox', { name: 'Regular expression' });
    const results = page.getByRole('list', { name: 'Search results' });

    await wb.menu('Analyse', 'Word frequency…');
    await dialog.getByRole('button', { name: 'Search the texts for 🙂' }).click();
    await expect(dialog).toBeHidden();
    // Refused as a word ("for symbols use regex mode"): searched as the expression it is instead.
    await expect(box).toHaveValue('🙂');
    await expect(regex).toBeChecked();
    await expect(results.getByRole('listitem')).toHaveCount(4);
    await expect(results.getByRole('listitem').first()).toContainText('🙂');
    await expect(page.getByText(/for symbols use regex mode/)).toHaveCount(0);
    await shot(page, 'words-emoji-searched');

    await wb.menu('Analyse', 'Word frequency…');
    await dialog.getByRole('button', { name: 'Search the texts for kyiv' }).click();
    await expect(dialog).toBeHidden();
    await expect(box).toHaveValue('kyiv');
    await expect(regex).not.toBeChecked();
    await expect(results.getByRole('listitem')).toHaveCount(2);
  });
});
