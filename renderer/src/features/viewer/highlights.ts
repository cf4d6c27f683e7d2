/**
 * The tint layer: codes are painted with the CSS Custom Highlight API, outside the Lexical
 * state. One highlight per colour slot; a slot's colour is in its ::highlight(m-slot-N) rule,
 * which tint-slots.ts adds to a constructed style sheet, so the CSP needs no inline style.
 */

export function highlightsSupported(): boolean {
  return typeof CSS !== 'undefined' && 'highlights' in CSS && typeof Highlight !== 'undefined';
}

/** Replaces the named highlights of this layer; names not in `next` are removed. */
export function setHighlights(prefix: string, next: Map<string, AbstractRange[]>): void {
  if (!highlightsSupported()) return;
  for (const name of [...CSS.highlights.keys()]) {
    if (name.startsWith(prefix) && !next.has(name)) CSS.highlights.delete(name);
  }
  for (const [name, ranges] of next) {
    const h = new Highlight(...ranges);
    CSS.highlights.set(name, h);
  }
}

export function addToHighlight(name: string, range: Range): void {
  if (!highlightsSupported()) return;
  const h = CSS.highlights.get(name);
  if (h) h.add(range);
  else CSS.highlights.set(name, new Highlight(range));
}

export function removeFromHighlight(name: string, range: Range): void {
  if (!highlightsSupported()) return;
  const h = CSS.highlights.get(name);
  if (!h) return;
  h.delete(range);
  if (h.size === 0) CSS.highlights.delete(name);
}
