import { describe, expect, it } from 'vitest';
import { brennanPrediger, cohenKappa, fleissKappa, freeMarginalKappa, krippendorffAlpha, segmentMatch } from '../../main/core/team/statistics';
import { computeAgreement, type AgreementInput } from '../../main/core/team/agreement';
import { paragraphUnits, sentenceUnits, unitsOf, type AgreementUnit, type Span } from '../../main/core/team/units';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';
const CODE = '00000000-0000-4000-8000-0000000000c1';
const CODE2 = '00000000-0000-4000-8000-0000000000c2';

type Seg = [coder: string, doc: string, start: number, end: number, code?: string];

/** A hand-made case: documents by length (or text for sentence/paragraph units) and segments. */
function agree(docs: { id: string; length?: number; text?: string }[], segs: Seg[], unit: AgreementUnit = 'char', coders = [A, B], threshold = 0.9) {
  const input: AgreementInput = {
    coders: coders.map((id) => ({ id, name: id.slice(-1) })),
    codes: [
      { id: CODE, path: 'theme' },
      { id: CODE2, path: 'other' },
    ],
    documents: docs.map((d) => {
      const length = d.length ?? [...(d.text ?? '')].length;
      return { id: d.id, name: d.id, length, units: unitsOf(unit, d.text ?? '', length) };
    }),
    segments: segs.map(([coder, doc, start, end, code]) => ({ coder_id: coder, document_id: doc, start, end, code_id: code ?? CODE })),
    unit,
    threshold,
  };
  return computeAgreement(input);
}

describe("Cohen's kappa and percent agreement (characters)", () => {
  it("reproduces NVivo's published example: 1,000 characters, 50 both, 150 one only, 800 neither", () => {
    // Coder A codes [0,150), B codes [100,200): 50 by both, 100 by A only, 50 by B only.
    const r = agree([{ id: 'd1', length: 1000 }], [
      [A, 'd1', 0, 150],
      [B, 'd1', 100, 200],
    ]);
    const theme = r.codes[0]!;
    expect(theme.counts).toEqual({ both: 50, first_only: 100, second_only: 50, neither: 800 });
    expect(theme.percent_agreement).toBeCloseTo(85, 10);
    expect(theme.kappa_pooled!).toBeCloseTo(0.3182, 4);
    expect(theme.documents[0]!.kappa!).toBeCloseTo(0.3182, 4);
  });

  it('gives kappa 1 where neither coder used the code in a document, and 0 where only one did', () => {
    expect(cohenKappa({ both: 0, first_only: 0, second_only: 0, neither: 500 })).toBe(1);
    expect(cohenKappa({ both: 0, first_only: 40, second_only: 0, neither: 460 })).toBe(0);
    expect(cohenKappa({ both: 0, first_only: 0, second_only: 0, neither: 0 })).toBeNull();
    const r = agree([{ id: 'd1', length: 300 }], [[A, 'd1', 10, 20, CODE2]]);
    const theme = r.codes.find((c) => c.path === 'theme')!;
    expect(theme.documents[0]!.kappa).toBe(1);
    expect(theme.percent_agreement).toBe(100);
    expect(theme.alpha).toBeNull(); // nobody coded it: alpha undefined
    const other = r.codes.find((c) => c.path === 'other')!;
    expect(other.documents[0]!.kappa).toBe(0);
    expect(other.percent_agreement).toBeCloseTo((100 * 290) / 300, 10);
  });

  it('averages kappa over documents weighted by length, and pools all units for kappa_pooled', () => {
    // d1 is the NVivo example (kappa 0.31818); d2 has 3,000 characters nobody coded (kappa 1).
    const r = agree([{ id: 'd1', length: 1000 }, { id: 'd2', length: 3000 }], [
      [A, 'd1', 0, 150],
      [B, 'd1', 100, 200],
    ]);
    const theme = r.codes[0]!;
    expect(theme.kappa_weighted!).toBeCloseTo((0.318181818 * 1000 + 1 * 3000) / 4000, 6); // 0.8295
    // d2's kappa of 1 is the 0/0 convention, and marked so.
    expect(theme.documents.map((d) => d.kappa_convention)).toEqual([null, '0/0']);
    // Pooled: 50 / 100 / 50 / 3,800 → po 0.9625, pe 0.939375 → 0.3814.
    expect(theme.kappa_pooled!).toBeCloseTo(0.3814, 4);
    expect(theme.percent_agreement).toBeCloseTo(96.25, 10);
  });

  it('counts overlapping segments of one coder once per character', () => {
    const r = agree([{ id: 'd1', length: 100 }], [
      [A, 'd1', 0, 30],
      [A, 'd1', 20, 40],
      [B, 'd1', 0, 40],
    ]);
    expect(r.codes[0]!.counts).toEqual({ both: 40, first_only: 0, second_only: 0, neither: 60 });
    expect(r.codes[0]!.kappa_pooled).toBe(1);
  });
});

describe("Krippendorff's alpha (nominal)", () => {
  it('matches the hand computation for two coders on the NVivo example', () => {
    // n = 2000 values, 250 "coded", 1750 not; 150 units with one of two → o01 = 150.
    // alpha = 1 - 1999 · 150 / (1750 · 250) = 0.31463
    expect(krippendorffAlpha([800, 150, 50], 2)!).toBeCloseTo(0.31463, 5);
    const r = agree([{ id: 'd1', length: 1000 }], [
      [A, 'd1', 0, 150],
      [B, 'd1', 100, 200],
    ]);
    expect(r.codes[0]!.alpha!).toBeCloseTo(0.31463, 5);
  });

  it('handles three coders: units coded by 3, 0, 2 and 1 of them', () => {
    // n1 = 6, n0 = 6, n = 12, o01 = 0 + 0 + 2·1/2 + 1·2/2 = 2 → alpha = 1 - 11·2/36 = 0.38889
    expect(krippendorffAlpha([1, 1, 1, 1], 3)!).toBeCloseTo(0.388889, 6);
    const text = 'One. Two. Three. Four.';
    const r = agree(
      [{ id: 'd1', text }],
      [
        [A, 'd1', 0, 2], // "One." by all three
        [B, 'd1', 0, 2],
        [C, 'd1', 0, 2],
        [A, 'd1', 10, 12], // "Three." by A and B
        [B, 'd1', 11, 13],
        [C, 'd1', 17, 19], // "Four." by C alone
      ],
      'sentence',
      [A, B, C],
    );
    const theme = r.codes[0]!;
    expect(theme.units).toBe(4);
    expect(theme.alpha!).toBeCloseTo(0.388889, 6);
    expect(theme.percent_agreement).toBe(50); // all agree on "One." and "Two."
    expect(theme.pairs).toHaveLength(3);
  });

  it('is null when nobody coded anything, and when there are no units', () => {
    expect(krippendorffAlpha([10, 0, 0], 2)).toBeNull();
    expect(krippendorffAlpha([0, 0, 0], 2)).toBeNull();
  });
});

describe('segment agreement (MAXQDA)', () => {
  const s = (start: number, end: number): Span => ({ start, end });
  it('matches segments overlapping by at least the threshold (intersection over union)', () => {
    expect(segmentMatch([s(0, 100)], [s(5, 100)], 0.9)).toEqual({ total: 2, matched: 2 }); // 95%
    expect(segmentMatch([s(0, 100)], [s(10, 100)], 0.9)).toEqual({ total: 2, matched: 2 }); // exactly 90%
    expect(segmentMatch([s(0, 100)], [s(20, 100)], 0.9)).toEqual({ total: 2, matched: 0 }); // 80%
    expect(segmentMatch([s(0, 100)], [s(20, 100)], 0.8)).toEqual({ total: 2, matched: 2 });
  });

  it("joins one coder's overlapping segments into one but keeps touching ones two", () => {
    expect(segmentMatch([s(0, 50), s(40, 100)], [s(0, 100)], 0.9)).toEqual({ total: 2, matched: 2 });
    expect(segmentMatch([s(0, 50), s(50, 100)], [s(0, 100)], 0.9)).toEqual({ total: 3, matched: 0 });
    expect(segmentMatch([s(0, 50), s(50, 100)], [s(0, 100)], 0.5)).toEqual({ total: 3, matched: 3 });
  });

  it('reports percent over all segments of both coders, null when there are none', () => {
    const r = agree([{ id: 'd1', length: 1000 }], [
      [A, 'd1', 0, 100],
      [B, 'd1', 2, 100],
      [A, 'd1', 500, 600], // B has nothing here
    ]);
    expect(r.codes[0]!.segments).toEqual({ total: 3, matched: 2 });
    expect(r.codes[0]!.segment_agreement!).toBeCloseTo(66.667, 3);
    expect(r.codes[1]!.segment_agreement).toBeNull();
  });
});

describe('units', () => {
  it('splits sentences (UAX #29) within paragraphs, in code points, emoji included', () => {
    const text = '😀 Hi there. Bye!\n\nNext para? Yes.';
    const spans = sentenceUnits(text);
    const cps = [...text];
    expect(spans.map((u) => cps.slice(u.start, u.end).join(''))).toEqual(['😀 Hi there.', 'Bye!', 'Next para?', 'Yes.']);
    expect(spans[1]).toEqual({ start: 12, end: 16 });
  });

  it('takes each non-blank line as a paragraph, trimmed', () => {
    expect(paragraphUnits('  First line \n\n \nSecond\n')).toEqual([
      { start: 2, end: 12 },
      { start: 17, end: 23 },
    ]);
  });

  it('counts a sentence as coded when any of its characters is', () => {
    const text = 'Alpha one. Beta two. Gamma three. Delta four.';
    // A codes one character of sentence 1; B codes the end of sentence 2 only.
    const r = agree([{ id: 'd1', text }], [
      [A, 'd1', 3, 4],
      [B, 'd1', 17, 20],
    ], 'sentence');
    const t = r.codes[0]!;
    expect(t.units).toBe(4);
    expect(t.counts).toEqual({ both: 0, first_only: 1, second_only: 1, neither: 2 });
    expect(t.percent_agreement).toBe(50);
    // po 0.5, pe (1·1 + 3·3)/16 = 0.625 → kappa = -0.125 / 0.375
    expect(t.kappa_pooled!).toBeCloseTo(-1 / 3, 10);
  });

  it('counts paragraphs the same way, whitespace around them not part of the unit', () => {
    const text = 'First paragraph.\nSecond paragraph.\nThird.';
    const r = agree([{ id: 'd1', text }], [
      [A, 'd1', 0, 17], // ends on the line break: only paragraph 1
      [B, 'd1', 2, 5],
    ], 'paragraph');
    expect(r.codes[0]!.counts).toEqual({ both: 1, first_only: 0, second_only: 0, neither: 2 });
    expect(r.codes[0]!.percent_agreement).toBe(100);
  });

  it('uses whole documents as units: code present or not', () => {
    const r = agree([{ id: 'd1', length: 50 }, { id: 'd2', length: 50 }, { id: 'd3', length: 50 }], [
      [A, 'd1', 0, 5],
      [B, 'd1', 30, 40],
      [A, 'd2', 1, 2],
    ], 'document');
    const t = r.codes[0]!;
    expect(t.counts).toEqual({ both: 1, first_only: 1, second_only: 0, neither: 1 });
    expect(t.percent_agreement).toBeCloseTo(200 / 3, 10);
    // po 2/3, pe (2·1 + 1·2)/9 = 4/9 → kappa (2/9)/(5/9) = 0.4
    expect(t.kappa_pooled!).toBeCloseTo(0.4, 10);
  });
});

describe('report', () => {
  it('warns about a coder who coded nothing instead of failing', () => {
    const r = agree([{ id: 'd1', length: 100 }], [[A, 'd1', 0, 10]]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain('"b"');
    expect(r.codes[0]!.kappa_pooled).toBe(0);
  });

  it('pools the overall figures over codes and reports per document', () => {
    const r = agree([{ id: 'd1', length: 1000 }], [
      [A, 'd1', 0, 150],
      [B, 'd1', 100, 200],
      [A, 'd1', 300, 400, CODE2],
      [B, 'd1', 300, 400, CODE2],
    ]);
    // theme: 50/100/50/800; other: 100/0/0/900 → pooled 150/100/50/1700 over 2,000 units.
    expect(r.overall.counts).toEqual({ both: 150, first_only: 100, second_only: 50, neither: 1700 });
    expect(r.overall.percent_agreement).toBeCloseTo(92.5, 10);
    expect(r.overall.documents[0]!.units).toBe(2000);
  });

  it('refuses fewer than two coders and a threshold outside (0, 1]', () => {
    expect(() => agree([{ id: 'd1', length: 10 }], [], 'char', [A])).toThrow(/at least two coders/);
    expect(() => agree([{ id: 'd1', length: 10 }], [], 'char', [A, B], 1.5)).toThrow(/threshold/);
  });
});

describe('Brennan–Prediger and Fleiss kappa', () => {
  it("gives Brennan–Prediger 2·po − 1 for two coders (free marginals, chance 1/2): NVivo's example 0.70", () => {
    // po = (50 + 800) / 1000 = 0.85 → (0.85 − 0.5) / (1 − 0.5) = 0.70
    expect(brennanPrediger({ both: 50, first_only: 100, second_only: 50, neither: 800 })!).toBeCloseTo(0.7, 12);
    expect(brennanPrediger({ both: 0, first_only: 0, second_only: 0, neither: 0 })).toBeNull();
    const r = agree([{ id: 'd1', length: 1000 }], [
      [A, 'd1', 0, 150],
      [B, 'd1', 100, 200],
    ]);
    expect(r.codes[0]!.kappa_brennan_prediger!).toBeCloseTo(0.7, 12);
    expect(r.codes[0]!.pairs[0]!.kappa_brennan_prediger!).toBeCloseTo(0.7, 12);
    expect(r.overall.kappa_brennan_prediger!).toBeCloseTo(0.7, 12);
  });

  it("gives Scott's pi as Fleiss' kappa for two coders", () => {
    // NVivo's example: 1,000 units, A coded 150, B coded 100 → 2,000 judgements, 250 "coded".
    // byCount = [800 neither, 150 by one, 50 by both]; P̄ = (800 + 50) / 1000 = 0.85.
    // p1 = 250 / 2000 = 0.125 → Pe = 0.125² + 0.875² = 0.78125 → (0.85 − 0.78125) / 0.21875 = 0.314286
    expect(fleissKappa([800, 150, 50], 2)!).toBeCloseTo(0.314286, 6);
  });

  it("matches a hand-computed three-coder example (Fleiss 1971's formulas, two categories)", () => {
    // 8 units, 3 coders; units coded by exactly k coders: k=0: 5, k=1: 1, k=2: 1, k=3: 1.
    // Agreement per unit P_i = [k(k−1) + (3−k)(2−k)] / 6: k=0 → 1, k=1 → 1/3, k=2 → 1/3, k=3 → 1.
    // P̄ = (5 + 1/3 + 1/3 + 1) / 8 = 5/6.
    // p1 = (1 + 2 + 3) / 24 = 0.25, p0 = 0.75 → Pe = 0.0625 + 0.5625 = 0.625.
    // Fleiss: (5/6 − 0.625) / (1 − 0.625) = 0.208333 / 0.375 = 5/9 = 0.555556.
    // Free-marginal (Randolph; Brennan–Prediger for m coders): (5/6 − 1/2) / (1/2) = 2/3.
    expect(fleissKappa([5, 1, 1, 1], 3)!).toBeCloseTo(5 / 9, 12);
    expect(freeMarginalKappa([5, 1, 1, 1], 3)!).toBeCloseTo(2 / 3, 12);
    // With two coders the free-marginal form is Brennan–Prediger's: P̄ = po.
    expect(freeMarginalKappa([800, 150, 50], 2)!).toBeCloseTo(0.7, 12);
    expect(fleissKappa([10, 0, 0, 0], 3)).toBeNull(); // nobody coded anything: undefined
  });

  it("names Light's kappa with three coders and gives Fleiss' kappa beside it", () => {
    // Eight one-character units (documents of length 1): k=0 ×5, k=1 ×1 (C), k=2 ×1 (A, B), k=3 ×1.
    const docs = Array.from({ length: 8 }, (_, i) => ({ id: `d${i}`, length: 1 }));
    const r = agree(docs, [
      [A, 'd0', 0, 1],
      [B, 'd0', 0, 1],
      [C, 'd0', 0, 1],
      [A, 'd1', 0, 1],
      [B, 'd1', 0, 1],
      [C, 'd2', 0, 1],
    ], 'document', [A, B, C]);
    expect(r.kappa_name).toMatch(/^Light's kappa/);
    expect(r.overall.kappa_fleiss!).toBeCloseTo(5 / 9, 12);
    expect(r.overall.kappa_brennan_prediger!).toBeCloseTo(2 / 3, 12);
    // Pairs: A–B 2/0/0/6 → kappa 1; A–C and B–C 1/1/1/5 → po 0.75, pe (2·2 + 6·6)/64 = 0.625 → 1/3.
    // Light's kappa = (1 + 1/3 + 1/3) / 3 = 5/9.
    expect(r.overall.kappa_pooled!).toBeCloseTo(5 / 9, 12);
    expect(agree(docs, [[A, 'd0', 0, 1]], 'document').kappa_name).toBe("Cohen's kappa");
  });
});

describe('codes nobody used', () => {
  it('are marked, keep kappa 1 by the 0/0 convention, and are left out of every overall figure', () => {
    // theme is NVivo's example (50/100/50/800); other is used by neither coder.
    const r = agree([{ id: 'd1', length: 1000 }], [
      [A, 'd1', 0, 150],
      [B, 'd1', 100, 200],
    ]);
    const theme = r.codes.find((c) => c.path === 'theme')!;
    const other = r.codes.find((c) => c.path === 'other')!;
    expect(theme.used).toBe(true);
    expect(theme.kappa_convention).toBeNull();
    expect(other.used).toBe(false);
    expect(other.kappa_convention).toBe('0/0');
    expect(other.kappa_pooled).toBe(1);
    expect(other.counts).toEqual({ both: 0, first_only: 0, second_only: 0, neither: 1000 });
    expect(r.overall.codes_used).toBe(1);
    expect(r.overall.codes_total).toBe(2);
    // Before, "other" added 1,000 "neither" units and a kappa of 1 weighing as much as theme's:
    // weighted (0.3182 + 1) / 2 = 0.659, pooled over 2,000 units 0.3814. Now only theme counts.
    expect(r.overall.counts).toEqual({ both: 50, first_only: 100, second_only: 50, neither: 800 });
    expect(r.overall.kappa_weighted!).toBeCloseTo(0.318182, 6);
    expect(r.overall.kappa_pooled!).toBeCloseTo(0.318182, 6);
    expect(r.overall.percent_agreement!).toBeCloseTo(85, 10);
    expect(r.overall.alpha!).toBeCloseTo(theme.alpha!, 12);
    expect(r.overall.documents[0]!.units).toBe(1000);
  });

  it('leaves every overall figure undefined when no code was used, and says so', () => {
    const r = agree([{ id: 'd1', length: 100 }], []);
    expect(r.overall.codes_used).toBe(0);
    expect(r.overall.kappa_pooled).toBeNull();
    expect(r.overall.kappa_weighted).toBeNull();
    expect(r.overall.percent_agreement).toBeNull();
    expect(r.warnings.join(' ')).toMatch(/no overall agreement/);
  });

  it("gives MAXQDA's segment kappa: segment agreement against chance 1/(codes used)", () => {
    // theme: A and B code [0,100) alike (2 of 2 matched); other: [300,400) alike (2 of 2) and
    // A alone [500,600) (unmatched). 4 of 5 segments matched → po 0.8; 2 codes used → pc 1/2.
    // (0.8 − 0.5) / (1 − 0.5) = 0.6
    const r = agree([{ id: 'd1', length: 1000 }], [
      [A, 'd1', 0, 100],
      [B, 'd1', 0, 100],
      [A, 'd1', 300, 400, CODE2],
      [B, 'd1', 300, 400, CODE2],
      [A, 'd1', 500, 600, CODE2],
    ]);
    expect(r.overall.segments).toEqual({ total: 5, matched: 4 });
    expect(r.overall.kappa_segments!).toBeCloseTo(0.6, 12);
    // One code used: chance would be total, so undefined.
    expect(agree([{ id: 'd1', length: 100 }], [[A, 'd1', 0, 10], [B, 'd1', 0, 10]]).overall.kappa_segments).toBeNull();
  });
});
