import { expect, type Page } from '@playwright/test';

export interface Span {
  id: string;
  start: number;
  end: number;
  code_name: string;
}

export interface StripeCheck {
  /** Stripes compared with their text. */
  checked: number;
  /** Each stripe away from its text, or coded text on screen without a stripe. */
  problems: string[];
}

/**
 * Compares every stripe with the text it codes, as the page lays it out now: the stripe's top
 * and bottom against the first and last client rectangles of a DOM range over the coded
 * words (offsets are code points, converted here independently of the app's own code), and
 * every coded passage on screen must have its stripe.
 */
export async function checkStripes(page: Page, segments: Span[]): Promise<StripeCheck> {
  return page.evaluate((segs) => {
    const root = document.querySelector('.doc-text');
    const scroller = root?.closest('.viewer-scroll');
    if (!root || !scroller) return { checked: 0, problems: ['no document text'] };
    const paras = Array.from(root.children) as HTMLElement[];
    const starts: number[] = [];
    let cp = 0;
    for (const p of paras) {
      starts.push(cp);
      cp += Array.from(p.textContent ?? '').length + 1;
    }
    const point = (c: number): [Node, number] => {
      let i = starts.length - 1;
      while (i > 0 && starts[i]! > c) i--;
      const t = paras[i]!.firstChild?.firstChild;
      if (!t || t.nodeType !== Node.TEXT_NODE) return [paras[i]!, 0];
      return [t, Array.from(t.textContent ?? '').slice(0, c - starts[i]!).join('').length];
    };
    const view = scroller.getBoundingClientRect();
    const problems: string[] = [];
    let checked = 0;
    for (const s of segs) {
      const r = document.createRange();
      r.setStart(...point(s.start));
      r.setEnd(...point(s.end));
      const rects = Array.from(r.getClientRects()).filter((x) => x.height > 0);
      if (rects.length === 0) continue;
      const top = Math.min(...rects.map((x) => x.top));
      const bottom = Math.max(...rects.map((x) => x.bottom));
      const onScreen = bottom > view.top + 1 && top < view.bottom - 1;
      const button = document.querySelector(`[data-segment-id="${s.id}"]`);
      if (!button) {
        if (onScreen) problems.push(`${s.code_name} [${s.start}, ${s.end}): coded text on screen at ${Math.round(top)}–${Math.round(bottom)} has no stripe`);
        continue;
      }
      const b = button.getBoundingClientRect();
      checked++;
      if (Math.abs(b.top - top) > 2 || Math.abs(b.bottom - Math.max(bottom, top + 6)) > 2) {
        problems.push(`${s.code_name} [${s.start}, ${s.end}): stripe at ${Math.round(b.top)}–${Math.round(b.bottom)}, its text at ${Math.round(top)}–${Math.round(bottom)}`);
      }
    }
    return { checked, problems };
  }, segments);
}

/** Waits until every stripe lies beside its text and at least `atLeast` stripes were checked. */
export async function expectStripesBesideText(page: Page, segments: Span[], atLeast = 1, when = ''): Promise<void> {
  await expect
    .poll(async () => {
      const r = await checkStripes(page, segments);
      return r.checked < atLeast ? [`only ${r.checked} stripes drawn, expected at least ${atLeast}`, ...r.problems] : r.problems;
    }, { message: `stripes beside their text ${when}` })
    .toEqual([]);
}
