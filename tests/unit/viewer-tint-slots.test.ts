import { afterAll, describe, expect, it } from 'vitest';

// The tint variables are set on the page's root; here a stand-in records them.
const set = new Map<string, string>();
const saved = (globalThis as { document?: unknown }).document;
(globalThis as { document?: unknown }).document = { documentElement: { style: { setProperty: (k: string, v: string) => set.set(k, v) } } };
afterAll(() => {
  (globalThis as { document?: unknown }).document = saved;
});
const { defineSlots, slotFor, SLOT_COUNT } = await import('../../renderer/src/features/viewer/tint-slots');

describe('tint colours', () => {
  it("defines a codebook's colours before any document shows them, each in its own slot", () => {
    defineSlots(['#d1495b', '#2E86AB', '#d1495b', '#e9c46a']);
    expect(set.size).toBe(3);
    expect(new Set([slotFor('#d1495b'), slotFor('#2e86ab'), slotFor('#e9c46a')]).size).toBe(3);
    // Met again when a document opens: nothing more is set on the page.
    slotFor('#E9C46A');
    expect(set.size).toBe(3);
  });

  it('leaves a codebook with more colours than slots to be defined as its colours are shown, so the ones shown stay apart', () => {
    const many = Array.from({ length: SLOT_COUNT }, (_, i) => `#${(0x100000 + i * 997).toString(16)}`);
    defineSlots(many);
    expect(set.size).toBe(3);
    expect(slotFor(many[40]!)).not.toBe(slotFor(many[41]!));
  });
});
