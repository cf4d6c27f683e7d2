import { test, expect } from './fixtures';
import { Workbench } from './pages/workbench';

test.describe('segment inspector and viewer interactions', () => {
  test('double-click a word codes it; keys adjust the span; the code can change; the segment can be removed', async ({ page, api }) => {
    const text = 'Before 🎉 the line.\nKostiantynivka\nAfter.';
    await api.call('import.files', { files: [{ name: 'word.txt', dataBase64: Buffer.from(text).toString('base64') }] });
    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();
    await wb.openDocument('word');
    const doc = (await api.call('documents.list', {})).find((d) => d.name === 'word')!;
    await wb.text.locator('p').nth(1).locator('span').dblclick();
    await expect(page.getByText(/^Selected 14 characters/)).toBeVisible();
    await page.keyboard.press('2');
    await expect(wb.stripe('attribution')).toBeVisible();
    // The stripe is drawn before the server answers: wait for the write itself.
    await expect.poll(async () => (await api.call('segments.list', { documentId: doc.id })).length).toBe(1);
    const [seg] = await api.call('segments.list', { documentId: doc.id });
    expect(seg).toMatchObject({ start: 19, end: 33, text: 'Kostiantynivka' });

    await wb.stripe('attribution').click();
    await expect(wb.segmentPanel.getByLabel('Coded text')).toHaveText('Kostiantynivka');
    // Alt+Right moves the start one character later, Alt+Shift+Left the end one earlier.
    await wb.text.focus();
    await page.keyboard.press('Alt+ArrowRight');
    await expect(wb.segmentPanel.getByLabel('Coded text')).toHaveText('ostiantynivka');
    await page.keyboard.press('Alt+Shift+ArrowLeft');
    await expect(wb.segmentPanel.getByLabel('Coded text')).toHaveText('ostiantynivk');
    expect((await api.call('segments.list', { documentId: doc.id }))[0]).toMatchObject({ start: 20, end: 32 });
    await wb.segmentPanel.getByRole('button', { name: 'Move start earlier' }).click();
    await expect(wb.segmentPanel.getByLabel('Coded text')).toHaveText('Kostiantynivk');

    await wb.segmentPanel.getByRole('combobox', { name: 'Change code' }).selectOption({ label: 'rhetoric/loaded label' });
    await expect(wb.stripe('loaded label')).toBeVisible();
    await expect.poll(async () => (await api.call('segments.list', { documentId: doc.id }))[0]?.code_name).toBe('loaded label');

    await wb.segmentPanel.getByRole('button', { name: 'Remove segment' }).click();
    await expect(wb.stripe('loaded label')).toHaveCount(0);
    await expect.poll(async () => (await api.call('segments.list', { documentId: doc.id })).length).toBe(0);
  });

  test('hovering coded text tells code, coder, date and memo; Enter and Alt+Down select segments by keyboard', async ({ page, api }) => {
    const docs = await api.call('documents.list', {});
    const codes = await api.call('codes.list', {});
    const { text } = await api.call('documents.get', { id: docs[0]!.id });
    const words = 'a missile blew up the central market';
    const start = Array.from(text.slice(0, text.indexOf(words))).length;
    const { id } = await api.call('segments.create', { documentId: docs[0]!.id, codeId: codes.find((c) => c.name === 'casualties')!.id, start, end: start + words.length });
    await api.call('memos.save', { kind: 'segment', targetId: id, content: '', text: 'Check the count against the second source.' });
    await api.call('segments.create', { documentId: docs[0]!.id, codeId: codes.find((c) => c.name === 'rhetoric')!.id, start: 3, end: 12 });
    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();
    await wb.text.getByText('central market', { exact: false }).first().scrollIntoViewIfNeeded();
    const box = await wb.stripe('casualties').boundingBox();
    // Hover the coded words (to the right of the stripe, same line).
    const p = wb.text.locator('p', { hasText: words });
    const pBox = (await p.boundingBox())!;
    const target = await p.evaluate((el, w) => {
      const t = el.firstChild!.firstChild!;
      const i = (t.textContent ?? '').indexOf(w as string);
      const r = document.createRange();
      r.setStart(t, i + 2);
      r.setEnd(t, i + 6);
      const b = r.getBoundingClientRect();
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    }, words);
    expect(box).not.toBeNull();
    expect(pBox).not.toBeNull();
    await page.mouse.move(target.x, target.y);
    const tip = page.getByRole('tooltip');
    await expect(tip).toContainText('casualties');
    await expect(tip).toContainText('coder: tester');
    await expect(tip).toContainText('memo: Check the count against the second source.');
    // Alt+Down from the viewer selects the first segment, again the next one.
    await wb.text.focus();
    await page.keyboard.press('Alt+ArrowDown');
    await expect(wb.segmentPanel.getByRole('heading', { level: 3 })).toContainText('rhetoric');
    await page.keyboard.press('Alt+ArrowDown');
    await expect(wb.segmentPanel.getByRole('heading', { level: 3 })).toContainText('casualties');
    await expect(wb.segmentPanel.getByRole('textbox', { name: 'Segment memo' })).toContainText('Check the count');
  });

  test('every menu command opens its screen', async ({ page }) => {
    const wb = new Workbench(page);
    await wb.ready();
    const cases: [string, string, RegExp][] = [
      ['File', 'Import documents…', /import/i],
      ['File', 'Import REFI-QDA…', /REFI-QDA/i],
      ['File', 'Export…', /export/i],
      ['File', "Merge a colleague's project…", /merge/i],
      ['View', 'Intercoder agreement', /agreement/i],
    ];
    for (const [menu, item, name] of cases) {
      await wb.menu(menu, item);
      const dialog = page.getByRole('dialog').filter({ hasText: name }).first();
      await expect(dialog).toBeVisible();
      await page.keyboard.press('Escape');
      if (await dialog.isVisible()) await dialog.getByRole('button', { name: /close|cancel/i }).first().click();
      await expect(page.getByRole('dialog')).toHaveCount(0);
    }
    await wb.menu('View', 'Compare coders');
    await expect(page.getByRole('region', { name: 'Compare coders' })).toBeVisible();
    await wb.menu('View', 'Coded segments');
    await expect(page.getByRole('list', { name: 'Coded segments', exact: true })).toBeVisible();
    // Keyboard: the menubar opens with ArrowDown and runs an item with Enter.
    await page.getByRole('menubar').getByRole('menuitem', { name: 'View', exact: true }).focus();
    await page.keyboard.press('ArrowDown');
    await expect(page.getByRole('menu', { name: 'View' }).getByRole('menuitem', { name: 'Coded segments' })).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await expect(page.getByRole('menu', { name: 'View' }).getByRole('menuitem', { name: 'Memos' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('list', { name: 'Memos', exact: true })).toBeVisible();
  });
});
