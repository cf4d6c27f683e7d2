import { test, expect } from './fixtures';
import { Workbench } from './pages/workbench';
import { shot } from './shots';

const EMOJI_TEXT = 'Intro 😀 with 🎉🎉 before the passage.\nThe 💥 strike killed 17 people at the market, witnesses said.\n🕊️ After: calm.';

/** Code point offset of a substring: what the database must hold. */
function cpIndex(text: string, words: string): number {
  return Array.from(text.slice(0, text.indexOf(words))).length;
}

test.describe('coding', () => {
  test('a segment after emoji is stored at the right code points (mouse selection, digit shortcut)', async ({ page, api }) => {
    const report = await api.call('import.files', { files: [{ name: 'emoji.txt', dataBase64: Buffer.from(EMOJI_TEXT).toString('base64') }] });
    expect(report.imported).toBe(1);
    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();
    await wb.openDocument('emoji');
    const doc = (await api.call('documents.list', {})).find((d) => d.name === 'emoji')!;
    const { text } = await api.call('documents.get', { id: doc.id });

    // Selected with surrounding spaces: the segment is trimmed to the words.
    await wb.selectText(' killed 17 people ');
    await page.keyboard.press('1');
    await expect(wb.stripe('casualties')).toBeVisible();
    // The stripe is drawn before the server answers: wait for the write itself.
    await expect.poll(async () => (await api.call('segments.list', { documentId: doc.id })).length).toBe(1);
    const [seg] = await api.call('segments.list', { documentId: doc.id });
    expect(seg).toMatchObject({ start: cpIndex(text, 'killed 17 people'), end: cpIndex(text, 'killed 17 people') + 16, text: 'killed 17 people', code_name: 'casualties', coder_name: 'tester' });
  });

  test('keyboard selection: Shift+arrows from the caret, then the quick-code palette creates a code', async ({ page, api }) => {
    await api.call('import.files', { files: [{ name: 'emoji.txt', dataBase64: Buffer.from(EMOJI_TEXT).toString('base64') }] });
    await page.reload();
    const wb = new Workbench(page);
    await wb.ready();
    await wb.openDocument('emoji');
    const doc = (await api.call('documents.list', {})).find((d) => d.name === 'emoji')!;
    const { text } = await api.call('documents.get', { id: doc.id });
    // Put the caret before "strike" with a one-character selection, then extend by keys.
    await wb.selectText('strike');
    await page.keyboard.press('Shift+ArrowLeft'); // shrink to "strik"
    await page.keyboard.press('Shift+ArrowRight'); // back to "strike"
    await page.keyboard.press('Shift+Control+ArrowRight'); // + " killed"
    await page.keyboard.press('q');
    const palette = page.getByRole('dialog', { name: 'Quick code' });
    await palette.getByRole('combobox', { name: 'Code name or path' }).fill('lethal event');
    await expect(palette.getByRole('option', { name: /Create code “lethal event”/ })).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(wb.code('lethal event')).toBeVisible();
    await expect(wb.stripe('lethal event')).toBeVisible();
    await expect.poll(async () => (await api.call('segments.list', { documentId: doc.id })).length).toBe(1);
    const segs = await api.call('segments.list', { documentId: doc.id });
    expect(segs).toHaveLength(1);
    expect(segs[0]!.text).toBe('strike killed');
    expect(segs[0]!.start).toBe(cpIndex(text, 'strike killed'));
  });

  test('three codes over the same words are all visible; clicking a stripe inspects the segment', async ({ page, api }) => {
    const wb = new Workbench(page);
    await wb.ready();
    const docs = await api.call('documents.list', {});
    await wb.openDocument(docs[0]!.name);
    await wb.selectText('killing 17 people so far and injuring 31');
    // Every state of the margin the page commits is looked at: a stripe drawn before its write was
    // answered and the stored one must never show side by side, not even for a frame.
    await page.evaluate(() => {
      const w = window as unknown as { twice: string[] };
      w.twice = [];
      new MutationObserver(() => {
        const names = Array.from(document.querySelectorAll('.stripe'), (b) => b.getAttribute('aria-label') ?? '');
        for (const n of names) if (names.indexOf(n) !== names.lastIndexOf(n) && !w.twice.includes(n)) w.twice.push(n);
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.keyboard.press('1');
    await page.keyboard.press('2');
    // The third by double-clicking the code in the tree (a single click only selects it, to read its rule).
    await wb.code('rhetoric').dblclick();
    for (const name of ['casualties', 'attribution', 'rhetoric']) await expect(wb.stripe(name)).toHaveCount(1);
    // Stripes are drawn optimistically, before the server has answered: wait for the third write to land,
    // so the stripes measured below are the stored ones, not optimistic ones about to be replaced.
    await expect.poll(async () => (await api.call('segments.list', { documentId: docs[0]!.id })).map((s) => s.code_name).sort()).toEqual(['attribution', 'casualties', 'rhetoric']);
    // Three stripes side by side over the same lines: same top, different lanes.
    await expect.poll(async () => {
      const boxes = await Promise.all(['casualties', 'attribution', 'rhetoric'].map((n) => wb.stripe(n).boundingBox()));
      if (boxes.some((b) => b === null)) return 'a stripe is missing';
      return `${new Set(boxes.map((b) => Math.round(b!.y))).size} tops, ${new Set(boxes.map((b) => Math.round(b!.x))).size} lanes`;
    }).toBe('1 tops, 3 lanes');
    // The words are tinted once, not three translucent layers (a muddy colour), and marked as under several codes.
    const tints = await page.evaluate(() => {
      // The tints are static ranges (no toString): their text is read through a live one.
      const all = CSS.highlights as unknown as Map<string, Set<AbstractRange>>;
      const text = (r: AbstractRange) => {
        const live = document.createRange();
        live.setStart(r.startContainer, r.startOffset);
        live.setEnd(r.endContainer, r.endOffset);
        return live.toString();
      };
      const slots = [...all.keys()].filter((k) => k.startsWith('m-slot-'));
      return { layers: slots.reduce((n, k) => n + all.get(k)!.size, 0), multi: [...(all.get('m-multi') ?? [])].map(text) };
    });
    expect(tints).toEqual({ layers: 1, multi: ['killing 17 people so far and injuring 31'] });
    const segs = await api.call('segments.list', { documentId: docs[0]!.id });
    expect(new Set(segs.map((s) => `${s.start}-${s.end}`)).size).toBe(1);

    expect(await page.evaluate(() => (window as unknown as { twice: string[] }).twice)).toEqual([]);

    await wb.stripe('attribution').click();
    await expect(wb.segmentPanel.getByLabel('Coded text')).toHaveText('killing 17 people so far and injuring 31');
    await expect(wb.segmentPanel.getByRole('heading', { level: 3 })).toContainText('attribution');
    // A stripe is a button to assistive technology and to the keyboard: Enter on one focused inspects its segment.
    await wb.stripe('rhetoric').focus();
    await page.keyboard.press('Enter');
    await expect(wb.segmentPanel.getByRole('heading', { level: 3 })).toContainText('rhetoric');
  });

  test('code in vivo, then undo and redo from the keyboard', async ({ page, api }) => {
    const wb = new Workbench(page);
    await wb.ready();
    const docs = await api.call('documents.list', {});
    await wb.openDocument(docs[0]!.name);
    await wb.selectText('strategy of terror');
    await page.keyboard.press('v');
    await expect(wb.code('strategy of terror')).toBeVisible();
    await expect(wb.stripe('strategy of terror')).toBeVisible();
    await expect.poll(async () => (await api.call('segments.list', { documentId: docs[0]!.id }))[0]?.code_name).toBe('strategy of terror');
    await wb.text.focus();
    await page.keyboard.press('Control+z');
    await expect(wb.stripe('strategy of terror')).toHaveCount(0);
    await expect.poll(async () => (await api.call('segments.list', { documentId: docs[0]!.id })).length).toBe(0);
    await page.keyboard.press('Control+Shift+z');
    await expect(wb.stripe('strategy of terror')).toBeVisible();
    await expect.poll(async () => (await api.call('segments.list', { documentId: docs[0]!.id })).length).toBe(1);
  });

  test('screenshot of the coded sample document', async ({ page, api }) => {
    const wb = new Workbench(page);
    await wb.ready();
    const docs = await api.call('documents.list', {});
    await wb.openDocument(docs[0]!.name);
    const codes = await api.call('codes.list', {});
    const id = (path: string) => codes.find((c) => c.path === path)!.id;
    const { text } = await api.call('documents.get', { id: docs[0]!.id });
    const code = async (words: string, path: string) => {
      const start = cpIndex(text, words);
      await api.call('segments.create', { documentId: docs[0]!.id, codeId: id(path), start, end: start + Array.from(words).length });
    };
    await code('the bodies of the dead half burned on the ground', 'rhetoric/emotive language');
    await code('Vladimir Putin, the leader who promised to save the Russophones of Ukraine in February 2022 is the one who is killing them', 'attribution/blames Russia');
    await code('is the one who is killing them', 'rhetoric/loaded label');
    await code('killing 17 people so far', 'casualties/death toll');
    await code('injuring 31', 'casualties/injured count');
    await code('a missile blew up the central market, killing 17 people so far and injuring 31', 'casualties');
    await code('Russian propaganda blamed the bombing on a Ukrainian plane', 'attribution/false-flag claim');
    await code('For them it is always the enemy who kills his own people', 'rhetoric/conspiracy framing');
    await page.reload();
    await wb.ready();
    await wb.openDocument(docs[0]!.name);
    await expect(wb.stripe('death toll')).toBeVisible();
    await wb.stripe('death toll').click();
    await shot(page, 'workbench-coded');
  });
});
