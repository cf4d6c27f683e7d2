/**
 * The tint colours' slots: one highlight per slot, its colour in a CSS variable (--tint-N) on
 * the page's root, which styles.css reads in its ::highlight(m-slot-N) rules.
 */
export const SLOT_COUNT = 64;
const slots = new Map<string, number>();

function tint(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** The slot of a colour, defining its CSS variable on first use; colours past the last slot share it. */
export function slotFor(color: string): number {
  const key = color.toLowerCase();
  let slot = slots.get(key);
  if (slot === undefined) {
    slot = Math.min(slots.size, SLOT_COUNT - 1);
    slots.set(key, slot);
    document.documentElement.style.setProperty(`--tint-${slot}`, tint(key, 0.3));
  }
  return slot;
}

/**
 * Defines the slots of all these colours at once (a codebook's), when they fit in the slots
 * left: each variable set on the page's root makes the browser compute every element's style
 * again, and one set in the frame that opens a document costs that frame the whole page's.
 * Colours that do not fit get their slots as they are met, the ones shown first.
 */
export function defineSlots(colors: Iterable<string>): void {
  const fresh = [...new Set([...colors].map((c) => c.toLowerCase()))].filter((c) => !slots.has(c));
  if (fresh.length === 0 || slots.size + fresh.length > SLOT_COUNT) return;
  for (const color of fresh) slotFor(color);
}
