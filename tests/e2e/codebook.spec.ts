import { test, expect } from './fixtures';
import { Workbench } from './pages/workbench';

test.describe('codebook', () => {
  test('create, rename with a sibling conflict, recolour, shortcut, describe', async ({ page, api }) => {
    const wb = new Workbench(page);
    await wb.ready();
    await page.getByRole('textbox', { name: 'New code name' }).fill('framing');
    await page.getByRole('button', { name: 'Add code', exact: true }).click();
    await expect(wb.code('framing')).toBeVisible();
    await expect(wb.codePanel).toBeVisible();

    // Renaming to a sibling's name shows the API's error.
    const name = wb.codePanel.getByRole('textbox', { name: 'Name' });
    await name.fill('rhetoric');
    await name.press('Enter');
    await expect(page.getByRole('alert')).toContainText('rhetoric');
    await name.fill('media framing');
    await name.press('Enter');
    await expect(wb.code('media framing')).toBeVisible();

    await wb.codePanel.getByLabel('Colour').fill('#123456');
    await wb.codePanel.getByRole('combobox', { name: 'Shortcut' }).selectOption('7');
    await expect(wb.code('media framing').locator('kbd')).toHaveText('7');
    const rule = wb.codePanel.getByRole('textbox', { name: 'Description (coding rule)' });
    await rule.fill('Code how the outlet frames the event.');
    await rule.blur();
    await expect
      .poll(async () => (await api.call('codes.list', {})).find((c) => c.name === 'media framing'))
      .toMatchObject({ color: '#123456', shortcut: 7, description: 'Code how the outlet frames the event.' });
  });

  test('merge a code into another and undo the merge', async ({ page, api }) => {
    const docs = await api.call('documents.list', {});
    const codes = await api.call('codes.list', {});
    const byPath = (p: string) => codes.find((c) => c.path === p)!;
    await api.call('segments.create', { documentId: docs[0]!.id, codeId: byPath('casualties/injured count').id, start: 10, end: 20 });
    await api.call('segments.create', { documentId: docs[1]!.id, codeId: byPath('casualties/injured count').id, start: 5, end: 9 });
    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();
    await wb.code('injured count').click();
    await wb.codePanel.getByRole('combobox', { name: 'Merge into' }).selectOption({ label: 'casualties/death toll' });
    await wb.codePanel.getByRole('button', { name: 'Merge', exact: true }).click();
    await expect(wb.code('injured count')).toHaveCount(0);
    await expect(wb.code('death toll')).toHaveAccessibleDescription(/2 segments in 2 documents/);
    expect((await api.call('segments.list', { codeId: byPath('casualties/death toll').id })).length).toBe(2);

    // Undo from the Edit menu, which names the action.
    await page.getByRole('menubar').getByRole('menuitem', { name: 'Edit', exact: true }).click();
    await page.getByRole('menu', { name: 'Edit' }).getByRole('menuitem', { name: /^Undo .*merge/i }).click();
    await expect(wb.code('injured count')).toBeVisible();
    expect((await api.call('segments.list', { codeId: byPath('casualties/injured count').id })).length).toBe(2);
    expect((await api.call('segments.list', { codeId: byPath('casualties/death toll').id })).length).toBe(0);
  });

  test('delete asks, saying how many segments go; undo brings them back', async ({ page, api }) => {
    const docs = await api.call('documents.list', {});
    const code = (await api.call('codes.list', {})).find((c) => c.name === 'rhetoric')!;
    await api.call('segments.create', { documentId: docs[0]!.id, codeId: code.id, start: 0, end: 5 });
    await api.call('segments.create', { documentId: docs[0]!.id, codeId: code.id, start: 6, end: 9 });
    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();
    await wb.code('rhetoric').focus();
    await page.keyboard.press('Delete');
    const confirm = page.getByRole('alertdialog', { name: 'Delete code rhetoric' });
    await expect(confirm).toContainText('2 coded segments and 3 subcodes');
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(wb.code('rhetoric')).toHaveCount(0);
    expect((await api.call('codes.list', {})).some((c) => c.name === 'rhetoric')).toBe(false);
    await wb.text.focus();
    await page.keyboard.press('Control+z');
    await expect(wb.code('rhetoric')).toBeVisible();
    expect(await api.call('segments.list', { codeId: code.id })).toHaveLength(2);
  });

  test('move codes by keyboard and by drag and drop', async ({ page, api }) => {
    const wb = new Workbench(page);
    await wb.ready();
    // Alt+Up moves "rhetoric" above "attribution".
    await wb.code('rhetoric').click();
    await wb.code('rhetoric').press('Alt+ArrowUp');
    await expect.poll(async () => (await api.call('codes.list', {})).filter((c) => !c.parent_id).map((c) => c.name)).toEqual(['casualties', 'rhetoric', 'attribution']);
    await expect(page.getByRole('tree', { name: 'Codes' }).getByRole('treeitem', { level: 1 }).nth(1)).toHaveAccessibleName('rhetoric');
    // Alt+Left takes "loaded label" out of rhetoric to the top level.
    await wb.code('loaded label').click();
    await wb.code('loaded label').press('Alt+ArrowLeft');
    await expect.poll(async () => (await api.call('codes.list', {})).find((c) => c.name === 'loaded label')!.parent_id).toBeNull();
    // The tree must show the move before the drag: dragTo measures positions once.
    await expect(wb.code('loaded label')).toHaveAttribute('aria-level', '1');
    // Drag "loaded label" onto "attribution".
    await wb.code('loaded label').dragTo(wb.code('attribution'));
    await expect.poll(async () => (await api.call('codes.list', {})).find((c) => c.name === 'loaded label')!.path).toBe('attribution/loaded label');
  });
});

test.describe('codebook, as a researcher reads it', () => {
  test('a parent row counts its subcodes too, labels its numbers, and says 1 segment, not 1 segments', async ({ page, api }) => {
    const [doc] = await api.call('documents.list', {});
    const codes = await api.call('codes.list', {});
    const byPath = (p: string) => codes.find((c) => c.path === p)!;
    await api.call('segments.create', { documentId: doc!.id, codeId: byPath('casualties').id, start: 0, end: 10 });
    for (const [start, end] of [[20, 30], [40, 50]]) await api.call('segments.create', { documentId: doc!.id, codeId: byPath('casualties/death toll').id, start: start!, end: end! });
    await api.call('segments.create', { documentId: doc!.id, codeId: byPath('casualties/injured count').id, start: 60, end: 70 });
    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();
    // 1 own + 2 + 1 beneath it: the row shows 4, with its own 1 apart.
    await expect(wb.code('casualties').locator('.counts').first()).toHaveText('4 (1 own)');
    await expect(wb.code('casualties')).toHaveAccessibleDescription(/4 segments with its subcodes, 1 of them coded with casualties itself; shortcut key 1/);
    await expect(wb.code('injured count')).toHaveAccessibleDescription(/1 segment in 1 document/);
    // The numbers stand under heads that say what they are.
    await expect(wb.codes.locator('..').getByText('Segments', { exact: true })).toBeVisible();
    await expect(wb.codes.locator('..').getByText('Key', { exact: true })).toBeVisible();
    await wb.code('injured count').click();
    await expect(wb.codePanel).toContainText('1 segment in 1 document');
    await expect(page.getByRole('region', { name: 'Properties' })).toContainText(/· 4 segments ·/);
  });

  test('hovering a code shows its coding rule; clicking it with text selected does not code, Apply does', async ({ page, api }) => {
    const wb = new Workbench(page);
    await wb.ready();
    const [doc] = await api.call('documents.list', {});
    const attribution = (await api.call('codes.list', {})).find((c) => c.path === 'attribution')!;
    await wb.code('attribution').hover();
    const tip = page.getByRole('tooltip');
    await expect(tip).toBeVisible();
    await expect(tip).toContainText(attribution.description.slice(0, 40));

    await wb.selectText('killing 17 people');
    await wb.code('attribution').click();
    await expect(wb.codePanel).toBeVisible();
    // Reading the rule coded nothing, and the selection is still there to code: the digit 1
    // codes it with casualties, a write sent after any the click could have sent.
    await expect(page.getByText(/^Selected \d+ characters/)).toBeVisible();
    await page.keyboard.press('1');
    await expect.poll(async () => (await api.call('segments.list', { documentId: doc!.id })).map((s) => s.code_name)).toEqual(['casualties']);
    await expect(wb.stripe('attribution')).toHaveCount(0);
    await page.getByRole('button', { name: 'Apply “attribution” to the selection' }).click();
    await expect.poll(async () => (await api.call('segments.list', { documentId: doc!.id })).map((s) => `${s.code_name}: ${s.text}`).sort()).toEqual([
      'attribution: killing 17 people',
      'casualties: killing 17 people',
    ]);
  });

  test('Add subcode twice adds two siblings; every change is confirmed in the status line', async ({ page, api }) => {
    const wb = new Workbench(page);
    await wb.ready();
    const status = page.getByRole('status').filter({ hasText: /Added|Moved/ });
    await wb.code('rhetoric').click();
    const name = page.getByRole('textbox', { name: 'New code name' });
    await name.fill('sarcasm');
    await page.getByRole('button', { name: 'Add subcode' }).click();
    await expect(status).toHaveText('Added subcode “sarcasm” under “rhetoric”');
    await name.fill('irony');
    await page.getByRole('button', { name: 'Add subcode' }).click();
    await expect(status).toHaveText('Added subcode “irony” under “rhetoric”');
    await expect.poll(async () => (await api.call('codes.list', {})).filter((c) => ['sarcasm', 'irony'].includes(c.name)).map((c) => c.path).sort()).toEqual(['rhetoric/irony', 'rhetoric/sarcasm']);
    await expect(wb.code('irony')).toHaveAttribute('aria-level', '2');
    await name.fill('framing');
    await page.getByRole('button', { name: 'Add code', exact: true }).click();
    await expect(status).toHaveText('Added code “framing”');
    await wb.code('framing').press('Alt+ArrowUp');
    await expect(status).toHaveText('Moved framing to place 3');
  });
});
