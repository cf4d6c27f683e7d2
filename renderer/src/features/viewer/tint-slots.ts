/**
 * The tint colours' slots: one highlight per slot (m-slot-N), painted by a ::highlight rule of
 * its own that this module adds to a constructed style sheet when the slot is first used. Only
 * the slots in use have a rule: Chromium computes, for every element of the text it restyles, one
 * highlight style per ::highlight rule that element matches, used or not; with a rule for each
 * of the 64 slots written in styles.css, the 14 elements of a new document's text cost 966 style
 * computations (6–12 ms of the open of a document coded 1,000 times), with a codebook's 16
 * colours 294. A constructed sheet is CSSOM, not inline style, so the CSP needs no 'unsafe-inline'.
 */
export const SLOT_COUNT = 64;
const slots = new Map<string, number>();
/** The rule of each slot given one, by slot. */
const rules = new Map<number, CSSStyleRule>();
let sheet: CSSStyleSheet | null = null;

function tint(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** The sheet of the slots' rules, adopted by the page on first use. */
function slotSheet(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  }
  return sheet;
}

/**
 * Paints the slot in this colour: its rule added, or (the last slot, which colours past it
 * share) its colour changed. Scoped to the text like styles.css's other ::highlight rules, so
 * the margin's elements compute no highlight style for it.
 */
function paintSlot(slot: number, color: string): void {
  const background = tint(color, 0.3);
  const rule = rules.get(slot);
  if (rule) {
    rule.style.setProperty('background-color', background);
    return;
  }
  const s = slotSheet();
  const at = s.insertRule(`.doc-text ::highlight(m-slot-${slot}) { background-color: ${background}; }`, s.cssRules.length);
  rules.set(slot, s.cssRules[at] as CSSStyleRule);
}

/** The slot of a colour, adding its rule on first use; colours past the last slot share it. */
export function slotFor(color: string): number {
  const key = color.toLowerCase();
  let slot = slots.get(key);
  if (slot === undefined) {
    slot = Math.min(slots.size, SLOT_COUNT - 1);
    slots.set(key, slot);
    paintSlot(slot, key);
  }
  return slot;
}

/**
 * Defines the slots of all these colours at once (a codebook's), when they fit in the slots
 * left: each rule added makes the browser compute the text's style again, and one added in the
 * frame that opens a document costs that frame. Colours that do not fit get their slots as
 * they are met, the ones shown first.
 */
export function defineSlots(colors: Iterable<string>): void {
  const fresh = [...new Set([...colors].map((c) => c.toLowerCase()))].filter((c) => !slots.has(c));
  if (fresh.length === 0 || slots.size + fresh.length > SLOT_COUNT) return;
  for (const color of fresh) slotFor(color);
}
