import { afterAll, describe, expect, it } from 'vitest';

// The tints' rules go to a constructed style sheet the page adopts; here stand-ins record them.
const rules: { cssText: string; style: { setProperty: (k: string, v: string) => void } }[] = [];
class FakeSheet {
  cssRules = rules;
  insertRule(text: string, at: number): number {
    const rule = { cssText: text, style: { setProperty: (k: string, v: string) => (rule.cssText = text.replace(/background-color: [^;]+/, `${k}: ${v}`)) } };
    rules.splice(at, 0, rule);
    return at;
  }
}
const page = { adoptedStyleSheets: [] as unknown[] };
const g = globalThis as { document?: unknown; CSSStyleSheet?: unknown };
const saved = { document: g.document, sheet: g.CSSStyleSheet };
g.document = page;
g.CSSStyleSheet = FakeSheet;
afterAll(() => {
  g.document = saved.document;
  g.CSSStyleSheet = saved.sheet;
});
const { defineSlots, slotFor, SLOT_COUNT } = await import('../../renderer/src/features/viewer/tint-slots');

describe('tint colours', () => {
  it("defines a codebook's colours before any document shows them, each in its own slot painted in its colour", () => {
    defineSlots(['#d1495b', '#2E86AB', '#d1495b', '#e9c46a']);
    expect(page.adoptedStyleSheets).toHaveLength(1);
    expect(rules).toHaveLength(3);
    const slots = [slotFor('#d1495b'), slotFor('#2e86ab'), slotFor('#e9c46a')];
    expect(new Set(slots).size).toBe(3);
    expect(rules.find((r) => r.cssText.includes(`m-slot-${slots[0]})`))?.cssText).toBe(`.doc-text ::highlight(m-slot-${slots[0]}) { background-color: rgba(209, 73, 91, 0.3); }`);
    // Met again when a document opens: no rule is added to the page.
    slotFor('#E9C46A');
    expect(rules).toHaveLength(3);
  });

  it('leaves a codebook with more colours than slots to be defined as its colours are shown, so the ones shown stay apart', () => {
    const many = Array.from({ length: SLOT_COUNT }, (_, i) => `#${(0x100000 + i * 997).toString(16)}`);
    defineSlots(many);
    expect(rules).toHaveLength(3);
    expect(slotFor(many[40]!)).not.toBe(slotFor(many[41]!));
    expect(rules).toHaveLength(5);
  });

  it('paints the last slot, which colours past it share, in the colour last given it, with one rule', () => {
    const many = Array.from({ length: SLOT_COUNT + 2 }, (_, i) => `#${(0x200000 + i * 991).toString(16)}`);
    for (const c of many) slotFor(c);
    expect(slotFor(many.at(-1)!)).toBe(SLOT_COUNT - 1);
    expect(rules).toHaveLength(SLOT_COUNT);
    const last = rules.filter((r) => r.cssText.includes(`m-slot-${SLOT_COUNT - 1})`));
    expect(last).toHaveLength(1);
    const n = parseInt(many.at(-1)!.slice(1), 16);
    expect(last[0]!.cssText).toContain(`rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, 0.3)`);
  });
});
