/** Phrases of n words counted by hand: split on spaces, never across a full stop; each with its count and the documents holding it. */
export function phrasesByHand(texts: readonly string[], n: number): Map<string, { count: number; documents: number }> {
  const out = new Map<string, { count: number; documents: number }>();
  for (const text of texts) {
    const seen = new Set<string>();
    for (const sentence of text.split('.')) {
      const w = sentence.trim().split(/\s+/).filter(Boolean);
      for (let i = 0; i + n <= w.length; i++) {
        const key = w.slice(i, i + n).join(' ');
        const t = out.get(key) ?? { count: 0, documents: 0 };
        t.count++;
        if (!seen.has(key)) {
          seen.add(key);
          t.documents++;
        }
        out.set(key, t);
      }
    }
  }
  return out;
}
