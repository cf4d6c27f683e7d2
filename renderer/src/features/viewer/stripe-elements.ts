/**
 * The stripes' buttons and memo marks, kept by the viewer itself rather than rendered by React.
 * A document coded 1,000 times draws some 300 stripes beside the view when it opens: as React
 * elements each cost a fiber, a props diff and one style property set (and parsed) at a time,
 * and taking them all down for the next document 300 removals. Here each element gets its
 * style in one string, is touched again only when what it shows changed, and a new document
 * replaces them all at once.
 *
 * The buttons are items of one grid, a column a lane, all in its one row and placed down it by
 * their top margin, not each positioned on its own: a positioned element is a layer of its own
 * to the browser, painted apart (300 layers took about as long to paint as the text under its
 * 400 tints). Grid items may overlap, and the later one is drawn over the earlier, as a stripe
 * past the last lane is over the one before it.
 *
 * Each is a span with the button role, not a <button>: the browser's own style for buttons is
 * computed for every one of them, and the 428 drawn when the document coded 1,000 times opens
 * took 9.1–9.7 ms of style as buttons, 6.3–6.6 ms as spans (Chromium traces of ten opens each).
 * They are never in the tab order either way; the margin answers Enter and Space on one
 * focused by a click as a button would.
 */

/** What one drawn stripe shows; the viewer's stripe record, as far as its elements need. */
export interface DrawnStripe {
  id: string;
  top: number;
  height: number;
  lane: number;
  color: string;
  name: string;
  title: string;
  selected: boolean;
  memo: boolean;
  /** 0 solid, 1 dashed, 2 dotted, 3 double. */
  pattern: number;
}

/** Width of a lane, how far from the margin's right edge lane 0 lies, and how many lanes there can be. */
export interface LaneGeometry {
  lane: number;
  offset: number;
  lanes: number;
}

/**
 * The stripe's bar, painted by the button itself (its content box: the padding around the bar
 * is what the pointer can hit), not by an element inside it.
 */
export function barCss(color: string, pattern: number): string {
  if (pattern === 1) return `background-image:repeating-linear-gradient(to bottom, ${color} 0 6px, transparent 6px 9px)`;
  if (pattern === 2) return `background-image:repeating-linear-gradient(to bottom, ${color} 0 2px, transparent 2px 5px)`;
  if (pattern === 3) return `background-image:linear-gradient(to right, ${color} 0 30%, transparent 30% 70%, ${color} 70%)`;
  return `background-color:${color}`;
}

/** The accessible name of a stripe's memo mark, from the stripe's. */
export function memoMarkName(stripeName: string): string {
  return `Memo on ${stripeName.replace(' stripe,', ',').replace(/, has a memo$/, '')}`;
}

interface Shown {
  css: string;
  name: string;
  title: string;
  selected: boolean;
}

/** The elements of one margin: by key (the segment id, or `memo-` and it), and what each shows. */
export class StripeElements {
  private readonly els = new Map<string, HTMLElement>();
  private readonly shown = new WeakMap<HTMLElement, Shown>();
  private grid = '';

  constructor(private readonly host: HTMLElement) {}

  /** Takes every element down at once (a new document's text is coming). */
  clear(): void {
    if (this.els.size === 0) return;
    this.els.clear();
    this.host.replaceChildren();
  }

  /**
   * Makes the host hold exactly these stripes' buttons, in this order (a later one is drawn
   * over an earlier one), then the memo marks of those with a memo.
   */
  draw(drawn: readonly DrawnStripe[], geometry: LaneGeometry): void {
    const grid = `right:${geometry.offset}px;grid-template-columns:repeat(${geometry.lanes}, ${geometry.lane}px)`;
    if (this.grid !== grid) this.host.style.cssText = this.grid = grid;
    const want: HTMLElement[] = [];
    const marks: HTMLElement[] = [];
    const keys = new Set<string>();
    for (const s of drawn) {
      // Lane 0 is the last column, nearest the text.
      const column = `${-(s.lane + 2)}/${-(s.lane + 1)}`;
      keys.add(s.id);
      want.push(this.button(s, `grid-column:${column};margin-top:${s.top}px;height:${s.height}px;${barCss(s.color, s.pattern)}`));
      if (s.memo) {
        // Few: positioned in the grid's box, over the top of the stripe.
        keys.add(`memo-${s.id}`);
        marks.push(this.mark(s, `top:${s.top - 3}px;right:${s.lane * geometry.lane - 1}px`));
      }
    }
    want.push(...marks);
    let kept = 0;
    for (const [key, el] of this.els) {
      if (keys.has(key)) kept++;
      else this.els.delete(key);
    }
    if (kept === 0) {
      // Nothing stays (a new document, or a jump far away): one replacement, not a removal each.
      this.host.replaceChildren(...want);
      return;
    }
    // Those no longer drawn go first, so that the ones kept need not move past them.
    const wanted = new Set(want);
    for (const el of Array.from(this.host.children) as HTMLElement[]) if (!wanted.has(el)) el.remove();
    let cursor = this.host.firstElementChild;
    for (const el of want) {
      if (cursor === el) cursor = cursor.nextElementSibling;
      else this.host.insertBefore(el, cursor);
    }
  }

  private button(s: DrawnStripe, css: string): HTMLElement {
    let el = this.els.get(s.id);
    if (!el) {
      el = document.createElement('span');
      el.setAttribute('role', 'button');
      el.tabIndex = -1;
      el.dataset.segmentId = s.id;
      this.els.set(s.id, el);
    }
    const last = this.shown.get(el);
    if (last?.css !== css) el.style.cssText = css;
    if (last?.selected !== s.selected) el.className = s.selected ? 'stripe selected' : 'stripe';
    if (last?.title !== s.title) el.title = s.title;
    if (last?.name !== s.name) el.setAttribute('aria-label', s.name);
    this.shown.set(el, { css, name: s.name, title: s.title, selected: s.selected });
    return el;
  }

  private mark(s: DrawnStripe, css: string): HTMLElement {
    const key = `memo-${s.id}`;
    let el = this.els.get(key);
    if (!el) {
      el = document.createElement('span');
      el.className = 'memo-mark';
      el.setAttribute('role', 'img');
      this.els.set(key, el);
    }
    const last = this.shown.get(el);
    if (last?.css !== css) el.style.cssText = css;
    if (last?.title !== s.title) el.title = s.title;
    if (last?.name !== s.name) el.setAttribute('aria-label', memoMarkName(s.name));
    this.shown.set(el, { css, name: s.name, title: s.title, selected: false });
    return el;
  }
}
