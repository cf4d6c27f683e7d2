import AxeBuilder from '@axe-core/playwright';
import type { Request } from '@playwright/test';
import { test, expect } from './fixtures';
import { Workbench } from './pages/workbench';
import { shot } from './shots';
import { addDocuments } from '../../main/core/documents/documents';
import type { Session } from '../../main/api/session';

/** Twenty more short articles beside the sample's five, so the list has rows to select and to filter out. */
async function moreDocuments(session: Session): Promise<void> {
  await session.project.db.transaction((tx) =>
    addDocuments(
      tx,
      Array.from({ length: 20 }, (_, i) => ({ name: `wire ${String(i + 1).padStart(2, '0')}`, text: `Agency report number ${i + 1} on the shelling.`, importedBy: null })),
    ),
  );
}

const mod = process.platform === 'darwin' ? 'Meta' : 'Control';

test.describe('several documents selected in the list, added to a set and taken out of it', () => {
  test('Shift+click, Ctrl+click and Shift+Arrow select; a new set is made of them, documents are taken out, undo restores the set exactly', async ({ page, api, session }) => {
    await moreDocuments(session);
    const wb = new Workbench(page);
    await page.reload();
    await wb.ready();
    const docs = (await api.call('documents.page', { limit: 100 })).documents;
    expect(docs.length).toBe(25);
    const list = wb.documents;
    const row = (i: number) => list.getByRole('option', { name: docs[i]!.name, exact: true });
    const bar = page.getByRole('toolbar', { name: 'Selected documents' });
    await expect(list).toHaveAttribute('aria-multiselectable', 'true');

    // A click opens a document and selects it alone.
    await row(1).click();
    await expect(wb.document.getByRole('heading', { name: docs[1]!.name, exact: true })).toBeVisible();
    await expect(list.getByRole('option', { selected: true })).toHaveCount(1);
    // Shift+click: rows 1 to 4, without opening row 4; Ctrl+click leaves row 3 out again.
    await row(4).click({ modifiers: ['Shift'] });
    await expect(list.getByRole('option', { selected: true })).toHaveCount(4);
    await row(3).click({ modifiers: [mod] });
    await expect(row(3)).toHaveAttribute('aria-selected', 'false');
    for (const i of [1, 2, 4]) await expect(row(i)).toHaveAttribute('aria-selected', 'true');
    await expect(wb.document.getByRole('heading', { name: docs[1]!.name, exact: true })).toBeVisible();
    await expect(row(1)).toHaveAttribute('aria-current', 'true');
    await expect(bar).toContainText('3 documents selected');

    // No set yet: the bar offers a new one.
    await expect(bar.getByRole('combobox', { name: 'Set for the selected documents' })).toHaveValue('');
    await bar.getByRole('textbox', { name: 'Name of the new set' }).fill('Picked');
    await shot(page, 'sets-selection-three');
    // The list with three rows selected and the bar of actions passes axe-core (WCAG 2.1 A/AA).
    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).include('section.documents').analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
    await bar.getByRole('button', { name: 'Make set' }).click();
    await expect(bar.getByRole('status')).toHaveText('Made the set “Picked” with 3 documents. Undo removes it.');
    const picked = (await api.call('sets.list', {})).find((s) => s.name === 'Picked')!;
    const members = () => api.call('sets.members', { setId: picked.id });
    expect(await members()).toEqual([docs[1]!.id, docs[2]!.id, docs[4]!.id]);
    await expect(bar.getByRole('combobox', { name: 'Set for the selected documents' })).toHaveValue(picked.id);

    // Keyboard: Home opens the first row; Shift+Down twice selects rows 0–2 and opens nothing.
    await list.focus();
    await page.keyboard.press('Home');
    await expect(wb.document.getByRole('heading', { name: docs[0]!.name, exact: true })).toBeVisible();
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await expect(list.getByRole('option', { selected: true })).toHaveCount(3);
    await expect(list).toHaveAttribute('aria-activedescendant', `doc-${docs[2]!.id}`);
    await expect(wb.document.getByRole('heading', { name: docs[0]!.name, exact: true })).toBeVisible();
    await expect(bar).toContainText('3 documents selected');
    // Take them out of Picked: rows 1 and 2 were in it, row 0 was not.
    await bar.getByRole('button', { name: 'Remove from set' }).click();
    await expect(bar.getByRole('status')).toHaveText('Took 2 documents out of “Picked”. Undo puts them back.');
    expect(await members()).toEqual([docs[4]!.id]);
    await shot(page, 'sets-selection-removed');

    // One undo puts back exactly the two.
    await page.getByRole('toolbar', { name: 'Coding tools' }).getByRole('button', { name: 'Undo' }).click();
    await expect.poll(members).toEqual([docs[1]!.id, docs[2]!.id, docs[4]!.id]);

    // Space picks the active row; Enter opens it; Escape goes back to the open document alone.
    await list.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await expect(wb.document.getByRole('heading', { name: docs[1]!.name, exact: true })).toBeVisible();
    await expect(list.getByRole('option', { selected: true })).toHaveCount(1);
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press(`${mod}+Space`);
    await expect(list.getByRole('option', { selected: true })).toHaveCount(2);
    await expect(row(3)).toHaveAttribute('aria-selected', 'false');
    await page.keyboard.press('Enter');
    await expect(wb.document.getByRole('heading', { name: docs[3]!.name, exact: true })).toBeVisible();
    await expect(list.getByRole('option', { selected: true })).toHaveCount(1);
    await expect(row(3)).toHaveAttribute('aria-selected', 'true');
    await expect(bar).toBeHidden();
    // "Select all" beside the count; Escape in the list goes back to the open document alone.
    await page.getByRole('region', { name: 'Document list' }).getByRole('button', { name: 'Select all', exact: true }).click();
    await expect(bar).toContainText('25 documents selected');
    await expect(list.getByRole('option', { selected: false })).toHaveCount(0);
    await list.focus();
    await page.keyboard.press('Escape');
    await expect(list.getByRole('option', { selected: true })).toHaveCount(1);
    await expect(row(3)).toHaveAttribute('aria-selected', 'true');
    await expect(bar).toBeHidden();

  });

  test('select all matching the filter sends the filter, not the ids; unpicked rows stay out; undo restores', async ({ page, api, session }) => {
    await moreDocuments(session);
    const { id: setId } = await api.call('sets.create', { name: 'Everything' });
    const wb = new Workbench(page);
    await page.reload();
    await wb.ready();
    const matching = (await api.call('documents.page', { filter: 'wire', limit: 1000 })).documents;
    expect(matching.length).toBe(20);
    await page.getByRole('searchbox', { name: 'Filter documents by name' }).fill('wire');
    const region = page.getByRole('region', { name: 'Document list' });
    await expect(region).toContainText('20 documents');

    const bodies: string[] = [];
    const onRequest = (r: Request) => {
      if (r.url().endsWith('/api/sets.add')) bodies.push(r.postData() ?? '');
    };
    page.on('request', onRequest);
    const bar = page.getByRole('toolbar', { name: 'Selected documents' });
    await wb.documents.focus();
    await page.keyboard.press(`${mod}+a`);
    await expect(bar).toContainText(`${matching.length} documents selected`);
    await expect(wb.documents.getByRole('option', { selected: false })).toHaveCount(0);
    // One row unpicked.
    const out = matching[1]!;
    await wb.documents.getByRole('option', { name: out.name, exact: true }).click({ modifiers: [mod] });
    await expect(bar).toContainText(`${matching.length - 1} documents selected`);
    await bar.getByRole('combobox', { name: 'Set for the selected documents' }).selectOption({ label: 'Everything (0)' });
    await bar.getByRole('button', { name: 'Add to set' }).click();
    await expect(bar.getByRole('status')).toHaveText(`Added ${matching.length - 1} documents to “Everything”. Undo takes them out.`);
    await shot(page, 'sets-selection-all');
    page.off('request', onRequest);

    const expected = matching.filter((d) => d.id !== out.id).map((d) => d.id);
    expect((await api.call('sets.members', { setId })).sort()).toEqual([...expected].sort());
    // What crossed the bridge: the list's filter and the one exception, no list of ids.
    expect(bodies).toHaveLength(1);
    const sent = JSON.parse(bodies[0]!) as Record<string, unknown>;
    expect(sent.documentIds).toBeUndefined();
    expect(sent.list).toMatchObject({ filter: 'wire' });
    expect(sent.exceptIds).toEqual([out.id]);

    await page.getByRole('toolbar', { name: 'Coding tools' }).getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => api.call('sets.members', { setId })).toEqual([]);
  });

  test('Shift+End selects past the rows loaded, by position: 230 documents in a set, less one unpicked, with no id sent but that one', async ({ page, api, session }) => {
    await session.project.db.transaction((tx) =>
      addDocuments(
        tx,
        Array.from({ length: 225 }, (_, i) => ({ name: `brief ${String(i + 1).padStart(3, '0')}`, text: `Brief ${i + 1}.`, importedBy: null })),
      ),
    );
    const wb = new Workbench(page);
    await page.reload();
    await wb.ready();
    const docs = (await api.call('documents.page', { limit: 1000 })).documents;
    expect(docs.length).toBe(230);
    const list = wb.documents;
    const bar = page.getByRole('toolbar', { name: 'Selected documents' });
    const bodies: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/sets.create')) bodies.push(r.postData() ?? '');
    });

    await list.focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    await expect(bar).toContainText('230 documents selected');
    const lastRow = list.getByRole('option', { name: docs[229]!.name, exact: true });
    await expect(lastRow).toHaveAttribute('aria-selected', 'true');
    // Shift+Up shortens the run by one, from the same anchor.
    await page.keyboard.press('Shift+ArrowUp');
    await expect(bar).toContainText('229 documents selected');
    await expect(lastRow).toHaveAttribute('aria-selected', 'false');
    await page.keyboard.press('Shift+End');
    await list.getByRole('option', { name: docs[227]!.name, exact: true }).click({ modifiers: [mod] });
    await expect(bar).toContainText('229 documents selected');
    // The open document is still the first; nothing else was opened.
    await expect(wb.document.getByRole('heading', { name: docs[0]!.name, exact: true })).toBeVisible();
    await bar.getByRole('textbox', { name: 'Name of the new set' }).fill('Briefs');
    await bar.getByRole('button', { name: 'Make set' }).click();
    await expect(bar.getByRole('status')).toHaveText('Made the set “Briefs” with 229 documents. Undo removes it.');
    await shot(page, 'sets-selection-range');
    // The selection outlives the change: still 229, and a second set takes the same documents.
    await expect(bar).toContainText('229 documents selected');
    await expect(list.getByRole('option', { name: docs[226]!.name, exact: true })).toHaveAttribute('aria-selected', 'true');
    const set = (await api.call('sets.list', {})).find((x) => x.name === 'Briefs')!;
    expect(await api.call('sets.members', { setId: set.id })).toEqual(docs.filter((_, i) => i !== 227).map((d) => d.id));
    expect(bodies).toHaveLength(1);
    const sent = JSON.parse(bodies[0]!) as Record<string, unknown>;
    expect(sent.documentIds).toBeUndefined();
    expect(sent.list).toMatchObject({ ranges: [{ offset: 0, limit: 230 }] });
    expect(sent.exceptIds).toEqual([docs[227]!.id]);

    // The list showing the set: all of it selected and taken out; the list empties, the bar says what was done.
    await page.getByRole('combobox', { name: 'Show documents of set' }).selectOption({ label: 'Briefs (229)' });
    await expect(page.getByRole('region', { name: 'Document list' })).toContainText('229 documents');
    await list.focus();
    await page.keyboard.press(`${mod}+a`);
    await expect(bar).toContainText('229 documents selected');
    await bar.getByRole('button', { name: 'Remove from set' }).click();
    await expect(bar.getByRole('status')).toHaveText('Took 229 documents out of “Briefs”. Undo puts them back.');
    await expect(list.getByRole('option')).toHaveCount(0);
    await expect(list).toContainText('No document in this set.');
    await shot(page, 'sets-selection-set-emptied');
    expect(await api.call('sets.members', { setId: set.id })).toEqual([]);
    await page.getByRole('toolbar', { name: 'Coding tools' }).getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => api.call('sets.members', { setId: set.id })).toEqual(docs.filter((_, i) => i !== 227).map((d) => d.id));
    await expect(list.getByRole('option').first()).toHaveAttribute('aria-setsize', '229');
  });
});
