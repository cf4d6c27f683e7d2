import { test, expect, type Api } from './fixtures';
import type { Page } from '@playwright/test';
import { Workbench } from './pages/workbench';

/**
 * What is coded is what is visibly selected: a drag that overshoots the text column, or starts
 * outside it, is clamped to the text under the pointer; a selection the user let go cannot be
 * coded; the status bar tells the selection's length and its first and last words.
 */

test.use({ viewport: { width: 1280, height: 720 } });

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The screen box of the first occurrence of `words` in the open document, scrolled to the middle of the view. */
async function wordsBox(wb: Workbench, words: string): Promise<Box> {
  return wb.text.evaluate(async (root, w) => {
    for (const p of Array.from(root.children)) {
      const t = p.firstChild?.firstChild;
      const at = t?.textContent?.indexOf(w) ?? -1;
      if (!t || at < 0) continue;
      // Paragraphs off screen have estimated heights until they come near: scroll until it stays put.
      for (let i = 0; i < 4; i++) {
        p.scrollIntoView({ block: 'center' });
        await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
      }
      const r = document.createRange();
      r.setStart(t, at);
      r.setEnd(t, at + w.length);
      const b = r.getClientRects()[0]!;
      return { left: b.left, right: b.right, top: b.top, bottom: b.bottom };
    }
    throw new Error(`"${w}" is not in the document`);
  }, words);
}

async function textBox(wb: Workbench): Promise<Box> {
  return wb.text.evaluate((root) => {
    const b = root.getBoundingClientRect();
    return { left: b.left, right: b.right, top: b.top, bottom: b.bottom };
  });
}

async function drag(page: Page, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 4 });
  await page.mouse.move(to.x, to.y, { steps: 6 });
  await page.mouse.up();
}

/** The selection as the reader sees it: the browser's selection and the passage marked as pending. */
async function visibleSelection(page: Page): Promise<{ text: string; pending: string; lines: number }> {
  return page.evaluate(() => {
    const pending = [...((CSS.highlights as unknown as Map<string, Set<Range>>).get('m-pending') ?? [])].map((r) => r.toString()).join('');
    const sel = document.getSelection();
    const rects = sel && sel.rangeCount > 0 ? Array.from(sel.getRangeAt(0).getClientRects()).filter((r) => r.width > 0 && r.height > 0) : [];
    return { text: sel?.toString() ?? '', pending, lines: new Set(rects.map((r) => Math.round(r.top))).size };
  });
}

const squash = (s: string) => s.replace(/\s+/g, '');

/** Presses the casualties key and returns the one segment it stored. */
async function codeIt(page: Page, api: Api, documentId: string) {
  await page.keyboard.press('1');
  await expect.poll(async () => (await api.call('segments.list', { documentId })).length).toBe(1);
  return (await api.call('segments.list', { documentId }))[0]!;
}

test.describe('what is coded is what is visibly selected', () => {
  let docId = '';
  let text = '';
  let paragraph = '';

  test.beforeEach(async ({ page, api }) => {
    const docs = await api.call('documents.list', {});
    docId = docs[0]!.id;
    text = (await api.call('documents.get', { id: docId })).text;
    paragraph = text.split('\n').find((p) => p.includes('a missile blew up'))!;
    const wb = new Workbench(page);
    await wb.ready();
    await wb.openDocument(docs[0]!.name);
  });

  test('a drag released right of the text column codes only to the end of that line', async ({ page, api }) => {
    const wb = new Workbench(page);
    const w = await wordsBox(wb, 'a missile');
    const t = await textBox(wb);
    await drag(page, { x: w.left + 1, y: (w.top + w.bottom) / 2 }, { x: t.right + 40, y: (w.top + w.bottom) / 2 });
    const shown = await visibleSelection(page);
    expect(shown.lines, 'one line selected').toBe(1);
    await expect(page.getByText(/^Selected \d+ characters/)).toBeVisible();
    const seg = await codeIt(page, api, docId);
    expect(seg.text.startsWith('a missile')).toBe(true);
    // Within the paragraph (the whole rest of the document once was coded), and exactly what was shown.
    expect(paragraph).toContain(seg.text);
    expect(squash(shown.text)).toBe(squash(seg.text));
    expect(squash(shown.pending)).toBe(squash(seg.text));
  });

  test('a drag released left of the text column codes from the start of that line', async ({ page, api }) => {
    const wb = new Workbench(page);
    const w = await wordsBox(wb, 'blew up');
    const t = await textBox(wb);
    await drag(page, { x: w.right - 1, y: (w.top + w.bottom) / 2 }, { x: t.left - 60, y: (w.top + w.bottom) / 2 });
    const shown = await visibleSelection(page);
    const seg = await codeIt(page, api, docId);
    expect(seg.text.endsWith('blew up')).toBe(true);
    expect(paragraph).toContain(seg.text);
    expect(squash(shown.text)).toBe(squash(seg.text));
  });

  test('a drag released above or below the text codes only the text on screen under the pointer', async ({ page, api }) => {
    const wb = new Workbench(page);
    const view = await wb.document.locator('.viewer-scroll').evaluate((el) => {
      const b = el.getBoundingClientRect();
      return { top: b.top, bottom: b.bottom };
    });
    // Below: into the status bar.
    let w = await wordsBox(wb, 'a missile blew up');
    await drag(page, { x: w.left + 1, y: (w.top + w.bottom) / 2 }, { x: w.left + 30, y: view.bottom + 12 });
    let shown = await visibleSelection(page);
    let seg = await codeIt(page, api, docId);
    expect(seg.text.startsWith('a missile blew up')).toBe(true);
    expect(squash(shown.text)).toBe(squash(seg.text));
    expect(seg.end, 'not coded to the end of the document').toBeLessThan(Array.from(text).length);
    await api.call('segments.delete', { id: seg.id });
    await expect.poll(async () => (await api.call('segments.list', { documentId: docId })).length).toBe(0);

    // Above: into the document's title bar (after letting the first selection go: a press inside it would drag the text).
    await page.keyboard.press('Escape');
    w = await wordsBox(wb, 'injuring');
    await drag(page, { x: w.right - 1, y: (w.top + w.bottom) / 2 }, { x: w.left, y: view.top - 12 });
    shown = await visibleSelection(page);
    seg = await codeIt(page, api, docId);
    expect(seg.text.endsWith('injuring')).toBe(true);
    expect(squash(shown.text)).toBe(squash(seg.text));
    expect(seg.start, 'not coded from the start of the document').toBeGreaterThan(0);
  });

  test('a drag that starts in the margin begins at the start of the line beside the pointer', async ({ page, api }) => {
    const wb = new Workbench(page);
    const w = await wordsBox(wb, 'a missile');
    const t = await textBox(wb);
    await drag(page, { x: t.left - 50, y: (w.top + w.bottom) / 2 }, { x: w.right - 1, y: (w.top + w.bottom) / 2 });
    const shown = await visibleSelection(page);
    const seg = await codeIt(page, api, docId);
    expect(seg.text.endsWith('a missile')).toBe(true);
    expect(paragraph).toContain(seg.text);
    expect(squash(shown.text)).toBe(squash(seg.text));
  });

  test('the status bar tells the length and the first and last words of the selection', async ({ page }) => {
    const wb = new Workbench(page);
    await wb.selectText('killing 17 people so far and injuring 31');
    const start = Array.from(text.slice(0, text.indexOf('killing 17 people so far'))).length;
    await expect(page.getByText('Selected 40 characters', { exact: false })).toHaveText(`Selected 40 characters (${start}–${start + 40}): “killing 17 … injuring 31”`);
  });

  for (const how of ['Esc', 'a click on the title', 'a click in the right pane', 'focus moved to another pane'] as const) {
    test(`a selection let go by ${how} cannot be coded`, async ({ page, api }) => {
      const wb = new Workbench(page);
      await wb.selectText('killing 17 people so far');
      if (how === 'Esc') await page.keyboard.press('Escape');
      else if (how === 'a click on the title') await wb.document.getByRole('heading', { level: 2 }).click();
      else if (how === 'a click in the right pane') await page.getByRole('heading', { name: 'About this text' }).click();
      else await page.getByRole('button', { name: /^Coder: / }).focus();
      await expect(page.getByText(/^Selected \d+ characters/)).toHaveCount(0);
      expect((await visibleSelection(page)).pending).toBe('');
      await page.keyboard.press('1');
      await expect(page.getByText('Select some text in the document first', { exact: false })).toBeVisible();
      expect(await api.call('segments.list', { documentId: docId })).toHaveLength(0);
    });
  }
});
