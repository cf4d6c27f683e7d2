import AxeBuilder from '@axe-core/playwright';
import { test, expect } from './fixtures';
import { Workbench } from './pages/workbench';
import { SearchPanel, expectSelected } from './pages/search-panel';
import { shot } from './shots';
import { addDocuments } from '../../main/core/documents/documents';


test.describe('search that finds and codes', () => {
  test('every hit with counts as KWIC lines; a click selects exactly that hit; next and previous step through the document', async ({ page, api }) => {
    const wb = new Workbench(page);
    await wb.ready();
    const search = new SearchPanel(page);
    await search.root.getByText('Search syntax').click();
    await expect(search.root.getByText('both with at most 5 words between them')).toBeVisible();
    await search.search('Russia OR Ukraine');

    const expected = await api.call('search.hits', { query: 'Russia OR Ukraine', pageSize: 500 });
    expect(expected.total_hits).toBeGreaterThan(10);
    await expect(search.summary).toHaveText(`${expected.total_hits} hits in ${expected.total_documents} documents`);
    await expect(search.results.getByRole('button')).toHaveCount(Math.min(50, expected.total_hits));
    // Each document's count heads its lines.
    const firstDoc = expected.documents[0]!;
    await expect(search.results.locator('.kwic-doc').first()).toContainText(`${firstDoc.document_name} ${firstDoc.hits} hits`);
    // The syntax help, open when the search ran, folds once it finds hits: the query, the summary
    // and the first hits are in view at 1440×900 without scrolling the panel or dragging its splitter.
    const syntaxHelp = search.root.getByText('both with at most 5 words between them');
    await expect(syntaxHelp).toBeHidden();
    for (const seen of [search.root.getByRole('searchbox', { name: 'Search in texts' }), search.root.getByText('Search syntax'), search.summary, search.hit(1)]) {
      await expect(seen).toBeInViewport({ ratio: 1 });
    }
    await shot(page, 'search-results');
    // Opened again beside the results, it shares the panel: its first lines and the first hit both in view.
    await search.root.getByText('Search syntax').click();
    await expect(syntaxHelp).toBeVisible();
    await expect(search.root.locator('.search-syntax dt').first()).toBeInViewport();
    await expect(search.hit(1)).toBeInViewport({ ratio: 1 });
    await shot(page, 'search-results-syntax-open');
    await search.root.getByText('Search syntax').click();
    await expect(syntaxHelp).toBeHidden();
    // The panel with results, its hit lines, checkboxes and autocode form, passes axe-core (WCAG 2.1 A/AA).
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).include('section.search-panel').analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);

    // A hit that is not the document's first occurrence of either word: the click selects it, not the first.
    const second = expected.documents[1]!;
    const target = expected.hits[second.first_index + 2]!;
    await search.hit(target.index + 1).click();
    await expect(wb.document.getByRole('heading', { name: target.document_name, exact: true })).toBeVisible();
    await expectSelected(page, target.start, target.end);
    await expect(search.position).toContainText(`hit 3 of ${second.hits} in this document`);
    await shot(page, 'search-hit-selected');

    const inDoc = expected.hits.filter((h) => h.document_id === target.document_id);
    await page.keyboard.press('F3');
    await expectSelected(page, inDoc[3]!.start, inDoc[3]!.end);
    await expect(search.position).toContainText(`hit 4 of ${second.hits}`);
    await page.keyboard.press('Shift+F3');
    await page.keyboard.press('Shift+F3');
    await expectSelected(page, inDoc[1]!.start, inDoc[1]!.end);
    await search.position.getByRole('button', { name: 'Next hit' }).click();
    await expectSelected(page, inDoc[2]!.start, inDoc[2]!.end);
    await page.keyboard.press('Control+g');
    await expectSelected(page, inDoc[3]!.start, inDoc[3]!.end);
    await expect(search.position).toContainText(`hit 4 of ${second.hits}`);

    // The selected hit is a selection like any: a code applies to it.
    const code = (await api.call('codes.list', {})).find((c) => c.shortcut !== null)!;
    await page.keyboard.press(String(code.shortcut));
    await expect.poll(async () => (await api.call('segments.list', { codeId: code.id })).map((s) => [s.start, s.end])).toEqual([[inDoc[3]!.start, inDoc[3]!.end]]);
  });

  test('a bad query says what is wrong; phrases, -word, word*, NEAR and regular expressions count like the API', async ({ page, api }) => {
    const wb = new Workbench(page);
    await wb.ready();
    const search = new SearchPanel(page);
    await search.search('"false flag');
    await expect(search.root.getByRole('alert')).toHaveText(/the quote at character 1 is not closed/);
    await search.search('-Blinken');
    await expect(search.root.getByRole('alert')).toHaveText(/Add a word to look for, e.g. Russia -Blinken/);
    await shot(page, 'search-error');
    for (const [query, regex] of [
      ['"false flag"', false],
      ['Russia -Blinken', false],
      ['strik*', false],
      ['Russia NEAR/5 Ukraine', false],
      ['\\d+ (civilians|people)', true],
    ] as const) {
      await search.search(query, { regex });
      const r = await api.call('search.hits', { query, regex });
      await expect(search.summary).toHaveText(
        `${r.total_hits} hit${r.total_hits === 1 ? '' : 's'} in ${r.total_documents} document${r.total_documents === 1 ? '' : 's'}`,
      );
      expect(r.total_hits).toBeGreaterThan(0);
    }
    await expect(search.results.locator('mark').first()).toHaveText(/^\d+ (civilians|people)$/i);

    // Within a document set: only its documents' hits.
    const docs = await api.call('documents.list', {});
    const { id: setId } = await api.call('sets.create', { name: 'Two articles', documentIds: [docs[0]!.id, docs[1]!.id] });
    await page.reload();
    await wb.ready();
    await search.root.getByRole('combobox', { name: 'Document set to search in' }).selectOption({ label: 'the set Two articles (2 documents)' });
    await search.search('Russia OR Ukraine');
    const inSet = await api.call('search.hits', { query: 'Russia OR Ukraine', setId });
    expect(inSet.total_documents).toBeLessThanOrEqual(2);
    await expect(search.summary).toHaveText(`${inSet.total_hits} hits in ${inSet.total_documents} documents`);
  });

  test('the first page shows at once while every hit is counted; the totals, pages and autocode follow', async ({ page, api, session }) => {
    const wb = new Workbench(page);
    await wb.ready();
    const search = new SearchPanel(page);
    const expected = await api.call('search.hits', { query: 'the', pageSize: 50 });
    expect(expected.total_hits).toBeGreaterThan(50);
    // The count is held back, as on a large corpus where it takes seconds.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/search.hits', async (route) => {
      await held;
      await route.continue();
    });
    // A word's totals are in the index: shown at once, with only the per-document counts to come.
    await search.search('the');
    await expect(search.summary).toHaveText(`${expected.total_hits} hits in ${expected.total_documents} documents · counting hits per document…`);
    await expect(search.results.getByRole('button')).toHaveCount(50);
    await expect(search.hit(1)).toHaveAccessibleName(new RegExp(`^Hit 1 in ${expected.hits[0]!.document_name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    await expect(search.autocode).toBeHidden();
    await expect(search.root.getByRole('navigation', { name: 'Result pages' })).toBeHidden();
    await shot(page, 'search-counting');
    release();
    await expect(search.summary).toHaveText(`${expected.total_hits} hits in ${expected.total_documents} documents · showing 1–50`);
    await expect(search.root.getByRole('navigation', { name: 'Result pages' })).toContainText(`Page 1 of ${expected.pages}`);
    await expect(search.autocode).toBeVisible();

    // Words joined by AND (or a phrase) need every hit counted: the documents are known at once,
    // the hits follow. (More documents than the first page reads, or it would have counted them all.)
    await session.project.db.transaction((tx) => addDocuments(tx, Array.from({ length: 30 }, (_, i) => ({ name: `Brief ${i}`, text: `The talks, the shelling and the aid: day ${i}.`, importedBy: null }))));
    const both = await api.call('search.hits', { query: 'the -zzzz', pageSize: 50 });
    let releaseBoth: () => void = () => undefined;
    const heldBoth = new Promise<void>((resolve) => (releaseBoth = resolve));
    await page.unroute('**/api/search.hits');
    await page.route('**/api/search.hits', async (route) => {
      await heldBoth;
      await route.continue();
    });
    await search.search('the -zzzz');
    await expect(search.summary).toHaveText(`First 50 hits in ${both.total_documents} documents · counting every hit…`);
    releaseBoth();
    await expect(search.summary).toHaveText(`${both.total_hits} hits in ${both.total_documents} documents · showing 1–50`);

    // On a large corpus the first page comes without totals where they would cost a count of
    // their own ("the" at 100,000 articles): the lines at once, the totals with the count.
    let releaseLarge: () => void = () => undefined;
    const heldLarge = new Promise<void>((resolve) => (releaseLarge = resolve));
    await page.unroute('**/api/search.hits');
    await page.route('**/api/search.hits', async (route) => {
      await heldLarge;
      await route.continue();
    });
    await page.route('**/api/search.first', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      await route.fulfill({ response, json: { ...body, value: { ...body.value, total_documents: null, total_hits: null } } });
    });
    await search.search('the');
    await expect(search.summary).toHaveText('First 50 hits · counting every hit…');
    await expect(search.results.getByRole('button')).toHaveCount(50);
    await shot(page, 'search-counting-no-totals');
    releaseLarge();
    const all = await api.call('search.hits', { query: 'the', pageSize: 50 });
    await expect(search.summary).toHaveText(`${all.total_hits} hits in ${all.total_documents} documents · showing 1–50`);
    await page.unroute('**/api/search.first');
    await page.unroute('**/api/search.hits');
  });

  test('autocode: preview, apply to every hit widened to its sentence, undo; then only the chosen hits', async ({ page, api }) => {
    const wb = new Workbench(page);
    await wb.ready();
    const search = new SearchPanel(page);
    const code = (await api.call('codes.list', {})).find((c) => c.path === 'attribution')!;
    await search.search('Russia OR Ukraine');
    await search.autocode.getByRole('combobox', { name: 'Code to apply to the hits' }).selectOption({ label: 'attribution' });
    await search.autocode.getByRole('combobox', { name: 'Extend each hit to' }).selectOption('sentence');
    await expect(search.autocode.getByRole('button', { name: 'Apply coding' })).toBeDisabled();
    await search.autocode.getByRole('button', { name: 'Preview coding' }).click();
    const plan = await api.call('autocode.preview', { query: 'Russia OR Ukraine', codeId: code.id, extend: 'sentence' });
    expect(plan.segments).toBeGreaterThan(0);
    expect(plan.segments).toBeLessThan(plan.hits); // hits in one sentence make one segment
    await expect(search.autocode.getByRole('status')).toHaveText(`Will code ${plan.segments} segments in ${plan.documents} documents (${plan.hits} hits).`);
    expect(await api.call('segments.list', { codeId: code.id })).toEqual([]);
    await shot(page, 'autocode-preview');

    await search.autocode.getByRole('button', { name: 'Apply coding' }).click();
    await expect(page.getByRole('status').filter({ hasText: `Coded ${plan.segments} segments in ${plan.documents} documents with attribution` })).toBeVisible();
    await expect.poll(async () => (await api.call('segments.list', { codeId: code.id })).length).toBe(plan.segments);
    await expect(wb.stripe('attribution').first()).toBeVisible();
    await shot(page, 'autocode-applied');

    // One action: one undo takes every segment back.
    await page.getByRole('toolbar', { name: 'Coding tools' }).getByRole('button', { name: 'Undo' }).click();
    await expect.poll(async () => (await api.call('segments.list', { codeId: code.id })).length).toBe(0);

    // Only two chosen hits, coded exactly.
    const hits = (await api.call('search.hits', { query: 'Russia OR Ukraine' })).hits;
    await search.choose(2).check();
    await search.choose(5).check();
    await search.autocode.getByRole('radio', { name: 'The 2 chosen hits' }).check();
    await search.autocode.getByRole('combobox', { name: 'Extend each hit to' }).selectOption('hit');
    await search.autocode.getByRole('button', { name: 'Preview coding' }).click();
    const docs = new Set([hits[1]!.document_id, hits[4]!.document_id]).size;
    await expect(search.autocode.getByRole('status')).toHaveText(`Will code 2 segments in ${docs} document${docs === 1 ? '' : 's'} (2 hits).`);
    await search.autocode.getByRole('button', { name: 'Apply coding' }).click();
    await expect
      .poll(async () => (await api.call('segments.list', { codeId: code.id })).map((s) => [s.document_id, s.start, s.end]).sort())
      .toEqual([hits[1]!, hits[4]!].map((h) => [h.document_id, h.start, h.end]).sort());
  });
});
