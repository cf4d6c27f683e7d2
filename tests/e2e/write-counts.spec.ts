import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { Workbench } from './pages/workbench';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Presses a key and waits for the write it makes to be answered. */
async function pressAndWait(page: Page, key: string, method: string): Promise<void> {
  const answered = page.waitForResponse((r) => r.url().includes(`/api/${method}`));
  await page.keyboard.press(key);
  await answered;
}

/**
 * A coding, a change of code, a removal, its undo and its redo answer with the counts they
 * moved, and the codebook and the document list show those instead of reloading: every
 * number on screen must then be what the project holds, for all coders and for the current
 * coder alone, with a colleague's coding in the same document.
 */
test('the codebook and the document list count right after coding, changing, removing, undo and redo, for all coders and for mine', async ({ page, api }) => {
  const [doc, other] = await api.call('documents.list', {});
  // Two codes without subcodes, so each row's number is the code's own; the first on a key.
  let codes = await api.call('codes.list', {});
  await api.call('codes.setShortcut', { id: codes.find((c) => c.name === 'death toll')!.id, shortcut: 7 });
  codes = await api.call('codes.list', {});
  const first = codes.find((c) => c.name === 'death toll');
  const second = codes.find((c) => c.name === 'blames Russia');
  await api.call('coders.setCurrent', { name: 'colleague' });
  await api.call('segments.create', { documentId: doc!.id, codeId: first!.id, start: 0, end: 12 });
  await api.call('segments.create', { documentId: other!.id, codeId: second!.id, start: 0, end: 12 });
  const me = await api.call('coders.setCurrent', { name: 'tester' });
  await page.reload();
  const wb = new Workbench(page);
  await wb.ready();
  await wb.openDocument(doc!.name);

  /** Every number the codebook's leaves and the two documents' rows show, against the project's own counts. */
  const expectCountsRight = async (mine: boolean) => {
    const scope = mine ? { coderIds: [me.id] } : {};
    const truth = await api.call('codes.list', scope);
    for (const code of [first!, second!]) {
      const c = truth.find((x) => x.id === code.id)!;
      await expect(wb.code(code.name)).toHaveAccessibleDescription(new RegExp(`; ${plural(c.segment_count, 'segment')} in ${plural(c.document_count, 'document')}(;|$)`));
      await expect(wb.code(code.name).locator('.counts')).toHaveText(String(c.segment_count));
    }
    for (const d of [doc!, other!]) {
      const n = (await api.call('documents.summary', { id: d.id, ...scope })).segment_count;
      await expect(wb.documents.getByRole('option', { name: d.name, exact: true }).locator('.badge')).toHaveText(String(n));
    }
  };

  /** The current coder's stripe of a code (the colleague's are beside it). */
  const myStripe = (codeName: string) =>
    page.getByRole('group', { name: 'Coding stripes' }).getByRole('button', { name: new RegExp(`^${escape(codeName)} stripe, tester:`) }).last();

  for (const mine of [false, true]) {
    if (mine) await page.getByRole('combobox', { name: 'Coding shown' }).selectOption(me.id);
    await expectCountsRight(mine);

    // Coded with a shortcut key.
    await wb.selectText('the', mine ? 2 : 1);
    await pressAndWait(page, String(first!.shortcut), 'segments.create');
    await expectCountsRight(mine);

    // Its code changed in the inspector.
    await myStripe(first!.name).click();
    const changed = page.waitForResponse((r) => r.url().includes('/api/segments.update'));
    await wb.segmentPanel.getByRole('combobox').selectOption(second!.id);
    await changed;
    await expectCountsRight(mine);

    // Removed with Delete, brought back with Ctrl+Z, removed again with Ctrl+Y.
    await myStripe(second!.name).click();
    await pressAndWait(page, 'Delete', 'segments.delete');
    await expectCountsRight(mine);
    await pressAndWait(page, 'Control+z', 'project.undo');
    await expectCountsRight(mine);
    await pressAndWait(page, 'Control+y', 'project.redo');
    await expectCountsRight(mine);
    // And the change of code undone: the coding is back under its first code.
    await pressAndWait(page, 'Control+z', 'project.undo');
    await pressAndWait(page, 'Control+z', 'project.undo');
    await expectCountsRight(mine);
  }
});
