import { test, expect } from './fixtures';
import { Workbench } from './pages/workbench';
import { SearchPanel, expectSelected } from './pages/search-panel';
import { shot } from './shots';
import { addDocuments } from '../../main/core/documents/documents';

test.describe('search: counts for every document, NEAR as one hit', () => {
  test('hits per document list every matching document, also those past the page, in either order; a name opens its first hit', async ({ page, api }) => {
    const wb = new Workbench(page);
    await wb.ready();
    const search = new SearchPanel(page);
    const expected = await api.call('search.hits', { query: 'the', pageSize: 50 });
    expect(expected.total_hits).toBeGreaterThan(50);
    // Some matching document has no hit on the first page: its count is known only from the whole count.
    expect(expected.documents.length).toBeLessThan(expected.total_documents);

    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/search.hits', async (route) => {
      await held;
      await route.continue();
    });
    await search.search('the');
    await search.root.getByText('Hits per document', { exact: true }).click();
    const table = search.root.getByRole('table', { name: 'Hits per document' });
    // While counting: the documents read so far, each with its whole count.
    const first = await api.call('search.first', { query: 'the', pageSize: 50 });
    await expect(search.root.getByText(`${first.documents.length} document${first.documents.length === 1 ? '' : 's'} read so far · counting the others…`)).toBeVisible();
    await expect(table.getByRole('row')).toHaveCount(first.documents.length + 1);
    await shot(page, 'search-counts-counting');
    release();
    await expect(search.summary).toHaveText(`${expected.total_hits} hits in ${expected.total_documents} documents · showing 1–50`);
    await page.unroute('**/api/search.hits');

    // Every matching document with its count, in document order.
    const rows = async () => (await table.getByRole('row').allInnerTexts()).slice(1).map((r) => r.split('\t').map((c) => c.trim()));
    await expect.poll(rows).toEqual(expected.by_document.items.map((d) => [d.document_name, String(d.hits)]));
    expect(expected.by_document.items.length).toBe(expected.total_documents);
    await expect(search.root.getByText(`documents 1–${expected.total_documents} of ${expected.total_documents}`)).toBeVisible();

    // Most hits first.
    await search.root.getByRole('combobox', { name: 'Order documents by' }).selectOption('most hits first');
    const byHits = await api.call('search.hits', { query: 'the', documentsOrder: 'hits' });
    await expect.poll(rows).toEqual(byHits.by_document.items.map((d) => [d.document_name, String(d.hits)]));
    await shot(page, 'search-counts-by-hits');

    // The document whose first hit is furthest down: its name opens the page with that hit, and the hit itself.
    const last = [...expected.by_document.items].sort((a, b) => b.first_index - a.first_index)[0]!;
    expect(last.first_index).toBeGreaterThanOrEqual(50);
    await table.getByRole('button', { name: `${last.document_name}: ${last.hits} hits, open the first` }).click();
    const pageNo = Math.floor(last.first_index / 50) + 1;
    await expect(search.root.getByRole('navigation', { name: 'Result pages' })).toContainText(`Page ${pageNo} of ${expected.pages}`);
    const hit = (await api.call('search.hits', { query: 'the', page: pageNo, pageSize: 50 })).hits.find((h) => h.index === last.first_index)!;
    await expect(wb.document.getByRole('heading', { name: last.document_name, exact: true })).toBeVisible();
    await expectSelected(page, hit.start, hit.end);
    await expect(search.position).toContainText(`hit 1 of ${last.hits} in this document`);
  });

  test('a NEAR hit is one line spanning both words; next and previous step over it as one', async ({ page, api, session }) => {
    await session.project.db.transaction((tx) =>
      addDocuments(tx, [{ name: 'Two strikes', text: 'A strike on Kyiv at dawn. Quiet hours followed. Later, Kyiv after another strike. Then far, far away from any of it, a strike.', importedBy: null }]),
    );
    const wb = new Workbench(page);
    await page.reload();
    await wb.ready();
    const search = new SearchPanel(page);
    await search.search('strike NEAR/2 Kyiv');
    const r = await api.call('search.hits', { query: 'strike NEAR/2 Kyiv' });
    await expect(search.summary).toHaveText(`${r.total_hits} hit${r.total_hits === 1 ? '' : 's'} in ${r.total_documents} document${r.total_documents === 1 ? '' : 's'}`);
    const ours = r.hits.filter((h) => h.document_name === 'Two strikes');
    expect(ours.map((h) => h.hit)).toEqual(['strike on Kyiv', 'Kyiv after another strike']);
    // Every line marks one span from one word to the other.
    const marks = await search.results.locator('mark').allInnerTexts();
    expect(marks.length).toBe(r.hits.length);
    for (const m of marks) expect(m).toMatch(/^(strike\b.*\bkyiv|kyiv\b.*\bstrike)$/i);
    await shot(page, 'search-near-lines');

    await search.hit(ours[0]!.index + 1).click();
    await expect(wb.document.getByRole('heading', { name: 'Two strikes', exact: true })).toBeVisible();
    await expectSelected(page, ours[0]!.start, ours[0]!.end);
    await expect(search.position).toContainText('hit 1 of 2 in this document');
    await page.keyboard.press('F3');
    await expectSelected(page, ours[1]!.start, ours[1]!.end);
    await expect(search.position).toContainText('hit 2 of 2 in this document');
    await expect(search.position.getByRole('button', { name: 'Next hit' })).toBeDisabled();
    await shot(page, 'search-near-second');
    await page.keyboard.press('Shift+F3');
    await expectSelected(page, ours[0]!.start, ours[0]!.end);
  });
});
