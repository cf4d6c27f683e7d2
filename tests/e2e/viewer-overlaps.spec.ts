import { test, expect, type Api } from './fixtures';
import type { Page } from '@playwright/test';
import { Workbench } from './pages/workbench';
import { hexToHsl, hueDistance } from '../../renderer/src/features/viewer/code-colors';
import { shot } from './shots';

/** Overlapping codes stay legible at 1280×720: labels beside their stripes, one tint, hues, coders, names, memos. */

test.use({ viewport: { width: 1280, height: 720 } });

const PHRASE = 'killing 17 people';
const FIVE = ['casualties', 'casualties/death toll', 'attribution', 'rhetoric', 'rhetoric/loaded label'];

async function codePhrase(api: Api, paths: string[], memo?: string): Promise<string> {
  const docs = await api.call('documents.list', {});
  const { text } = await api.call('documents.get', { id: docs[0]!.id });
  const codes = await api.call('codes.list', {});
  const start = Array.from(text.slice(0, text.indexOf(PHRASE))).length;
  for (const p of paths) {
    const code = codes.find((c) => c.path === p)!;
    await api.call('segments.create', { documentId: docs[0]!.id, codeId: code.id, start, end: start + PHRASE.length, ...(memo ? { memo } : {}) });
  }
  return docs[0]!.name;
}

async function openAtPhrase(page: Page, name: string): Promise<Workbench> {
  await page.reload();
  const wb = new Workbench(page);
  await wb.ready();
  await wb.openDocument(name);
  await wb.text.evaluate(async (root, w) => {
    const p = Array.from(root.children).find((el) => el.textContent?.includes(w))!;
    for (let i = 0; i < 3; i++) {
      p.scrollIntoView({ block: 'center' });
      await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    }
  }, PHRASE);
  return wb;
}

/** Each label row against its own stripe: its top beside the stripe, its right edge left of it. */
async function labelsBesideStripes(page: Page): Promise<{ labels: number; problems: string[] }> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const rows = Array.from(document.querySelectorAll<HTMLElement>('[data-label-for]'));
    for (const row of rows) {
      const stripe = document.querySelector(`.stripe[data-segment-id="${row.dataset.labelFor}"]`);
      if (!stripe) {
        problems.push(`label "${row.textContent}" has no stripe`);
        continue;
      }
      const l = row.getBoundingClientRect();
      const s = stripe.getBoundingClientRect();
      if (l.top < s.top - 1 || l.top >= s.bottom) problems.push(`label "${row.textContent}" at ${Math.round(l.top)}, its stripe ${Math.round(s.top)}–${Math.round(s.bottom)}`);
      if (l.right > s.left + 1) problems.push(`label "${row.textContent}" overlaps its stripe`);
    }
    return { labels: rows.length, problems };
  });
}

for (const n of [1, 3, 5]) {
  test(`${n} overlapping code${n > 1 ? 's' : ''} on one passage: a stripe each, labels beside them, one tint`, async ({ page, api }) => {
    const name = await codePhrase(api, FIVE.slice(0, n));
    const wb = await openAtPhrase(page, name);
    await expect(wb.stripes).toHaveCount(n);
    const names = await wb.stripes.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    expect(new Set(names).size, 'each stripe has its own name').toBe(n);
    for (const nm of names) expect(nm).toMatch(/ stripe, tester: “killing 17 people”$/);
    const labels = await labelsBesideStripes(page);
    expect(labels.problems).toEqual([]);
    expect(labels.labels).toBeGreaterThanOrEqual(1);
    if (labels.labels < n) {
      // The rest are counted on a badge that lists them on hover and on focus.
      const badge = page.getByRole('button', { name: new RegExp(`^${n - labels.labels} more codes here: `) });
      await expect(badge).toBeVisible();
      await badge.focus();
      await expect(page.locator('.label-list').filter({ visible: true })).toHaveCount(1);
      const listed = await page.locator('.label-list').filter({ visible: true }).locator('.stripe-label').allInnerTexts();
      expect(listed).toHaveLength(n - labels.labels);
    }
    // The words are tinted once (not n translucent layers), and marked as under several codes when they are.
    const tint = await page.evaluate((w) => {
      // The tints are static ranges (no toString): their text is read through a live one.
      const all = CSS.highlights as unknown as Map<string, Set<AbstractRange>>;
      const text = (r: AbstractRange) => {
        const live = document.createRange();
        live.setStart(r.startContainer, r.startOffset);
        live.setEnd(r.endContainer, r.endOffset);
        return live.toString();
      };
      const layers = [...all.keys()].filter((k) => k.startsWith('m-slot-')).flatMap((k) => [...all.get(k)!]).filter((r) => text(r).includes(w));
      return { layers: layers.length, multi: [...(all.get('m-multi') ?? [])].length };
    }, PHRASE);
    expect(tint).toEqual({ layers: 1, multi: n > 1 ? 1 : 0 });
    await shot(page, `overlap-${n}`);
  });
}

test('a subcode is drawn in a hue apart from its parent', async ({ page, api }) => {
  const name = await codePhrase(api, ['casualties', 'casualties/death toll']);
  const wb = await openAtPhrase(page, name);
  // The stripe's button paints its bar.
  const color = (code: string) => wb.stripe(code).evaluate((el) => getComputedStyle(el).backgroundColor);
  const hex = (rgb: string) => `#${(rgb.match(/\d+/g) ?? []).slice(0, 3).map((n) => Number(n).toString(16).padStart(2, '0')).join('')}`;
  const parent = hexToHsl(hex(await color('casualties')))!;
  const child = hexToHsl(hex(await color('death toll')))!;
  expect(hueDistance(parent.h, child.h)).toBeGreaterThanOrEqual(28);
});

test("two coders' stripes for the same code are told apart: initials on the labels, a pattern on the stripe, the coder in the name", async ({ page, api }) => {
  await codePhrase(api, ['casualties']);
  await api.call('coders.setCurrent', { name: 'Ben Kovalenko' });
  const name = await codePhrase(api, ['casualties']);
  await api.call('coders.setCurrent', { name: 'tester' });
  const wb = await openAtPhrase(page, name);
  await expect(wb.stripe('casualties')).toHaveCount(2);
  expect((await wb.stripes.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).sort()).toEqual([
    'casualties stripe, Ben Kovalenko: “killing 17 people”',
    'casualties stripe, tester: “killing 17 people”',
  ]);
  // Beside the stripes, or listed by a badge (its list is made when it is first focused).
  for (const badge of await page.locator('.label-badge').all()) await badge.focus();
  const labels = await page.locator('[data-label-for] .stripe-label').allTextContents();
  expect(labels.sort()).toEqual(['casualties · BK', 'casualties · TE']);
  const looks = await wb.stripes.evaluateAll((els) => els.map((e) => `${getComputedStyle(e).backgroundColor}|${getComputedStyle(e).backgroundImage}`));
  expect(new Set(looks).size, 'the two stripes look different').toBe(2);
  await shot(page, 'two-coders');
});

test('a segment memo is marked in the margin beside its stripe', async ({ page, api }) => {
  const name = await codePhrase(api, ['attribution'], 'Check the count against the second source.');
  const wb = await openAtPhrase(page, name);
  const mark = page.getByRole('img', { name: 'Memo on attribution, tester: “killing 17 people”' });
  await expect(mark).toBeVisible();
  const m = (await mark.boundingBox())!;
  const s = (await wb.stripe('attribution').boundingBox())!;
  expect(Math.abs(m.y + m.height / 2 - s.y)).toBeLessThan(8);
  expect(await wb.stripe('attribution').getAttribute('aria-label')).toMatch(/, has a memo$/);
});

test('coding a passage and stepping through segments with Alt+↓ are announced to screen readers', async ({ page, api }) => {
  const docs = await api.call('documents.list', {});
  const wb = new Workbench(page);
  await wb.ready();
  await wb.openDocument(docs[0]!.name);
  const announcements = wb.document.getByRole('status', { name: 'Announcements' });
  await wb.selectText('killing 17 people so far and injuring 31');
  await page.keyboard.press('1');
  await expect(announcements).toHaveText('Coded “killing 17 … injuring 31” with casualties');
  await wb.selectText('a missile blew up');
  await page.keyboard.press('2');
  await expect(announcements).toHaveText('Coded “a missile blew up” with attribution');
  await expect.poll(async () => (await api.call('segments.list', { documentId: docs[0]!.id })).length).toBe(2);
  // A click on uncoded words: nothing selected, no segment chosen; Alt+↓ starts from the first segment.
  await wb.text.locator('p').first().click({ position: { x: 5, y: 5 } });
  await expect(page.getByText(/^Selected \d+ characters/)).toHaveCount(0);
  await expect(wb.segmentPanel).toHaveCount(0);
  await page.keyboard.press('Alt+ArrowDown');
  await expect(announcements).toHaveText(/^Segment 1 of 2: attribution, tester: “a missile blew up”$/);
  await page.keyboard.press('Alt+ArrowDown');
  await expect(announcements).toHaveText(/^Segment 2 of 2: casualties, tester: “killing 17 … injuring 31”$/);
});

test('a passage under more codes than there are lanes: the stripes on top are drawn, the rest are said to be there, and each is drawn when its segment is stepped to', async ({ page, api }) => {
  const codes = await api.call('codes.list', {});
  expect(codes.length, 'the sample codebook has 14 codes to give').toBeGreaterThanOrEqual(14);
  const name = await codePhrase(api, codes.slice(0, 14).map((c) => c.path));
  const wb = await openAtPhrase(page, name);
  // Twelve lanes: the two stripes past them are laid over two others, which are then hidden from top to bottom.
  await expect(wb.stripes).toHaveCount(12);
  const margin = page.getByRole('group', { name: 'Coding stripes' });
  await expect(margin).toContainText('2 more stripes here lie under others and are not drawn; Alt+↓ and Alt+↑ step through every segment.');
  const announcements = wb.document.getByRole('status', { name: 'Announcements' });
  await wb.text.locator('p').first().click({ position: { x: 5, y: 5 } });
  const named = new Set<string>();
  for (let i = 1; i <= 14; i++) {
    await page.keyboard.press('Alt+ArrowDown');
    await expect(announcements).toHaveText(new RegExp(`^Segment ${i} of 14: `));
    // The selected segment's stripe is drawn, on top, even where it lay under others.
    const selected = margin.locator('.stripe.selected');
    await expect(selected).toHaveCount(1);
    await expect(selected).toBeInViewport();
    named.add((await selected.getAttribute('aria-label')) ?? '');
  }
  expect(named.size, 'every segment got its own stripe when selected').toBe(14);
});
