import { test, expect, type Api } from './fixtures';
import { Workbench } from './pages/workbench';
import { expectStripesBesideText, type Span } from './pages/viewer';

/**
 * The screen equals the data: every stripe lies beside its coded text, whatever happened
 * before — opening, switching documents, jumping to a search hit or a retrieved segment,
 * resizing the window, changing the text size — at the screens researchers have.
 */

const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 },
  { width: 1024, height: 768 },
];

/** A long article (paragraphs of different lengths, one rare word deep inside) so jumps must scroll. */
function longArticle(): string {
  const words = ['the', 'council', 'said', 'a', 'convoy', 'reached', 'the', 'river', 'before', 'noon', 'and', 'residents', 'were', 'told', 'to', 'stay', 'inside'];
  const paras: string[] = [];
  for (let i = 0; i < 80; i++) {
    const n = 25 + ((i * 37) % 60);
    const body = Array.from({ length: n }, (_, k) => words[(i + k * 7) % words.length]).join(' ');
    paras.push(i === 60 ? `Paragraph ${i}: the zebrafinch report says ${body}.` : `Paragraph ${i}: ${body}.`);
  }
  return paras.join('\n\n');
}

async function codeWords(api: Api, documentId: string, text: string, words: string, path: string): Promise<void> {
  const codes = await api.call('codes.list', {});
  const code = codes.find((c) => c.path === path)!;
  const at = text.indexOf(words);
  expect(at, `"${words}" is in the text`).toBeGreaterThanOrEqual(0);
  const start = Array.from(text.slice(0, at)).length;
  await api.call('segments.create', { documentId, codeId: code.id, start, end: start + Array.from(words).length });
}

async function spans(api: Api, documentId: string): Promise<Span[]> {
  return (await api.call('segments.list', { documentId })).map((s) => ({ id: s.id, start: s.start, end: s.end, code_name: s.code_name }));
}

for (const size of VIEWPORTS) {
  test(`stripes lie beside their text at ${size.width}×${size.height}: open, switch, search hit, retrieved segment, resize, text size`, async ({ page, api }) => {
    await page.setViewportSize(size);
    await api.call('import.files', { files: [{ name: 'long-report.txt', dataBase64: Buffer.from(longArticle()).toString('base64') }] });
    const docs = await api.call('documents.list', {});
    const sample = docs.find((d) => d.name !== 'long-report')!;
    const long = docs.find((d) => d.name === 'long-report')!;
    const sampleText = (await api.call('documents.get', { id: sample.id })).text;
    const longText = (await api.call('documents.get', { id: long.id })).text;
    // In the sample: passages in the second and third paragraphs, none in the first.
    const sampleParas = sampleText.split('\n').filter((p) => p.trim());
    await codeWords(api, sample.id, sampleText, sampleParas[1]!.slice(0, 60), 'casualties');
    await codeWords(api, sample.id, sampleText, sampleParas[1]!.slice(20, 140), 'attribution');
    await codeWords(api, sample.id, sampleText, sampleParas[2]!.slice(30, 200), 'rhetoric');
    // In the long report: near the top, in the middle, at the rare word (two codes), near the end.
    await codeWords(api, long.id, longText, 'Paragraph 2: ', 'casualties');
    await codeWords(api, long.id, longText, 'Paragraph 40: ', 'attribution');
    await codeWords(api, long.id, longText, 'the zebrafinch report says', 'rhetoric');
    await codeWords(api, long.id, longText, 'Paragraph 60: the zebrafinch', 'casualties/death toll');
    await codeWords(api, long.id, longText, 'Paragraph 75: ', 'attribution/blames Russia');
    const sampleSpans = await spans(api, sample.id);
    const longSpans = await spans(api, long.id);

    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();

    // Opening.
    await wb.openDocument(sample.name);
    await expectStripesBesideText(page, sampleSpans, 2, 'after opening');

    // Switching to another document and back (the stripes once stayed beside paragraph 1).
    await wb.openDocument(long.name);
    await expectStripesBesideText(page, longSpans, 1, 'after switching to the long report');
    await wb.openDocument(sample.name);
    await expectStripesBesideText(page, sampleSpans, 2, 'after switching back');

    // Jumping to a search hit deep in the long report.
    const search = page.getByRole('searchbox', { name: 'Search in texts' });
    await search.fill('zebrafinch');
    await search.press('Enter');
    await page.getByRole('button', { name: /^Hit 1 in long-report/ }).click();
    await expect(wb.document.getByRole('heading', { name: 'long-report', exact: true })).toBeVisible();
    await expect(wb.text.getByText('the zebrafinch report says', { exact: false })).toBeInViewport();
    await expectStripesBesideText(page, longSpans, 2, 'after jumping to a search hit');

    // Jumping to a retrieved segment in the other document, then to one near the end of the long report.
    await wb.menu('View', 'Coded segments');
    const retrieved = page.getByRole('list', { name: 'Coded segments', exact: true });
    await retrieved.getByRole('button', { name: new RegExp(`^${sample.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `) }).last().click();
    await expect(wb.document.getByRole('heading', { name: sample.name, exact: true })).toBeVisible();
    await expectStripesBesideText(page, sampleSpans, 1, 'after opening a retrieved segment');
    await retrieved.getByRole('button', { name: 'long-report: Paragraph 75:' }).click();
    await expect(wb.document.getByRole('heading', { name: 'long-report', exact: true })).toBeVisible();
    await expect(wb.stripe('blames Russia')).toBeInViewport();
    await expectStripesBesideText(page, longSpans, 1, 'after opening a retrieved segment near the end');
    await page.getByRole('button', { name: 'Close coded segments' }).click();

    // Resizing the window: lines rewrap, the stripes follow. The coded paragraph 60 is put in
    // the middle of the view first, so that there is coded text on screen to check.
    const centre = async (words: string) => {
      // Paragraphs off screen have estimated heights until they come near: scroll until the paragraph stays put.
      await wb.text.evaluate(async (root, w) => {
        const p = Array.from(root.children).find((el) => el.textContent?.includes(w))!;
        for (let i = 0; i < 5; i++) {
          p.scrollIntoView({ block: 'center' });
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        }
      }, words);
      await expect(wb.text.getByText(words)).toBeInViewport();
    };
    await centre('the zebrafinch report says');
    await page.setViewportSize({ width: size.width + 240, height: size.height + 120 });
    await expectStripesBesideText(page, longSpans, 1, 'after making the window larger');
    await page.setViewportSize(size);
    await expectStripesBesideText(page, longSpans, 1, 'after making the window smaller again');

    // Changing the text size, by keys and by the View menu; the size is remembered.
    const fontSize = () => wb.text.evaluate((el) => getComputedStyle(el).fontSize);
    const before = await fontSize();
    await centre('the zebrafinch report says');
    await wb.text.focus();
    await page.keyboard.press('Control+=');
    await page.keyboard.press('Control+=');
    await expect.poll(fontSize).not.toBe(before);
    const larger = await fontSize();
    expect(parseFloat(larger)).toBeGreaterThan(parseFloat(before));
    await expectStripesBesideText(page, longSpans, 1, 'after Ctrl+= twice');
    await centre('the zebrafinch report says');
    await wb.menu('View', 'Smaller text');
    await expect.poll(fontSize).not.toBe(larger);
    await expectStripesBesideText(page, longSpans, 1, 'after View ▸ Smaller text');
    const chosen = await fontSize();
    await page.reload();
    await wb.ready();
    await wb.openDocument(sample.name);
    await expect.poll(fontSize).toBe(chosen);
    await expectStripesBesideText(page, sampleSpans, 2, 'after reloading with the chosen text size');
  });
}
