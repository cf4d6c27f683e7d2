import { describe, expect, it } from 'vitest';
import { displayColors, hexToHsl, hueDistance } from '../../renderer/src/features/viewer/code-colors';
import { assignLanes, coveredStripes, inWindow, layoutMargin, LABEL_ROW } from '../../renderer/src/features/viewer/stripe-layout';
import { tintPaint, tintRuns } from '../../renderer/src/features/viewer/tint-runs';
import { codedDepth, lineAt, lineBoxes, linesOf } from '../../renderer/src/features/viewer/line-boxes';
import { describeSelection, passageEnds } from '../../renderer/src/features/viewer/use-selection';

const hue = (hex: string) => hexToHsl(hex)!.h;

describe('code colours in the viewer', () => {
  // The sample codebook's casualties family: a red parent with four reddish subcodes.
  const codes = [
    { id: 'c', parent_id: null, color: '#d1495b' },
    { id: 'c1', parent_id: 'c', color: '#b23a48' },
    { id: 'c2', parent_id: 'c', color: '#e07a5f' },
    { id: 'c3', parent_id: 'c', color: '#c9184a' },
    { id: 'c4', parent_id: 'c', color: '#ff8fa3' },
    { id: 'a', parent_id: null, color: '#2e86ab' },
    { id: 'a1', parent_id: 'a', color: '#1b4965' },
  ];

  it('gives each subcode a hue apart from its parent and its siblings', () => {
    const shown = displayColors(codes);
    const family = ['c', 'c1', 'c2', 'c3', 'c4'].map((id) => hue(shown.get(id)!));
    for (let i = 0; i < family.length; i++) for (let j = i + 1; j < family.length; j++) expect(hueDistance(family[i]!, family[j]!)).toBeGreaterThanOrEqual(28);
  });

  it('keeps top-level codes and already distinct colours as stored', () => {
    const shown = displayColors([...codes, { id: 'g', parent_id: 'a', color: '#e9c46a' }]);
    expect(shown.get('c')).toBe('#d1495b');
    expect(shown.get('a')).toBe('#2e86ab');
    expect(shown.get('g')).toBe('#e9c46a');
  });

  it('tells a subcode from a parent that has the very same colour', () => {
    const shown = displayColors([
      { id: 'p', parent_id: null, color: '#888888' },
      { id: 'k', parent_id: 'p', color: '#888888' },
    ]);
    expect(shown.get('k')).not.toBe('#888888');
  });
});

describe('stripe and label placement', () => {
  it('puts each label beside its own stripe, top-aligned, and collapses the rest of a crowded line into a badge', () => {
    const line = 27;
    const five = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, top: 100, height: line }));
    const { stripes, rows, lanes } = layoutMargin(five, 12);
    expect(lanes).toBe(5);
    expect(new Set(stripes.map((s) => s.lane)).size).toBe(5);
    // Every row starts beside its stripe; together they name all five.
    for (const row of rows) {
      const s = stripes.find((x) => x.id === row.id)!;
      expect(row.top).toBeGreaterThanOrEqual(s.top);
      expect(row.top).toBeLessThan(s.top + s.height);
    }
    expect(rows[0]!.top).toBe(100);
    expect(rows.flatMap((r) => [r.id, ...r.more]).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(rows.length).toBeLessThan(5);
    expect(rows.some((r) => r.more.length > 0)).toBe(true);
  });

  it('stacks labels of a long passage down beside it, never past it', () => {
    const { rows } = layoutMargin(
      [
        { id: 'long', top: 0, height: 200 },
        { id: 'x', top: 0, height: 200 },
        { id: 'y', top: 0, height: 200 },
      ],
      12,
    );
    expect(rows.map((r) => r.top)).toEqual([0, LABEL_ROW, 2 * LABEL_ROW]);
    expect(rows.every((r) => r.more.length === 0)).toBe(true);
  });

  it('reuses a lane once the stripe above has ended', () => {
    const { stripes } = layoutMargin(
      [
        { id: 'a', top: 0, height: 30 },
        { id: 'b', top: 40, height: 30 },
      ],
      12,
    );
    expect(stripes.map((s) => s.lane)).toEqual([0, 0]);
  });
});

describe('stripe lanes from the passages, not from the part of the text measured', () => {
  // One paragraph of 1,000 letters, lines of at most 50: a passage's line ends 50 letters after it, or at 1,000.
  const lineEnd = (end: number) => Math.min(end + 50, 1000);
  const passages = [
    { id: 'a', start: 0, end: 400 },
    { id: 'b', start: 200, end: 600 },
    { id: 'c', start: 700, end: 750 },
  ];
  // Where their text lies: a from 0 to 100 px, b from 50 to 150, c from 175 to 190.
  const at = { a: { top: 0, height: 100 }, b: { top: 50, height: 100 }, c: { top: 175, height: 15 } };
  const measured = (ids: (keyof typeof at)[]) => ids.map((id) => ({ id, ...at[id] }));
  const laneOf = (laid: ReturnType<typeof layoutMargin>) => Object.fromEntries(laid.stripes.map((s) => [s.id, s.lane]));

  it('keeps every stripe in its lane when a scroll takes the passage above it out of the measured part', () => {
    const lanes = assignLanes(passages, lineEnd, 12);
    const all = laneOf(layoutMargin(measured(['a', 'b', 'c']), 12, lanes));
    const scrolled = laneOf(layoutMargin(measured(['b', 'c']), 12, lanes));
    expect(all).toEqual({ a: 0, b: 1, c: 0 });
    expect(scrolled).toEqual({ b: 1, c: 0 });
    // The margin is as wide on both: two lanes.
    expect(layoutMargin(measured(['c']), 12, lanes).lanes).toBe(2);
  });

  it('gives passages that may share a line lanes of their own, and passages lines or paragraphs apart one lane', () => {
    // "near" starts 30 letters after "first" ends: both may lie on that line.
    expect([...assignLanes([{ id: 'first', start: 0, end: 100 }, { id: 'near', start: 130, end: 140 }], lineEnd, 12).lane]).toEqual([
      ['first', 0],
      ['near', 1],
    ]);
    expect(assignLanes([{ id: 'first', start: 0, end: 100 }, { id: 'far', start: 150, end: 160 }], lineEnd, 12).lane.get('far')).toBe(0);
    // A paragraph ends at 120: the next starts on a line of its own.
    const paragraphs = (end: number) => (end <= 120 ? 120 : Math.min(end + 50, 1000));
    expect(assignLanes([{ id: 'first', start: 0, end: 100 }, { id: 'next', start: 121, end: 140 }], paragraphs, 12).lane.get('next')).toBe(0);
  });

  it('puts the longest of passages starting at the same letter nearest the text, and shares the lane that frees first past the last', () => {
    const lanes = assignLanes(
      [
        { id: 'short', start: 0, end: 10 },
        { id: 'long', start: 0, end: 300 },
        { id: 'mid', start: 0, end: 100 },
        { id: 'fourth', start: 5, end: 20 },
      ],
      lineEnd,
      3,
    );
    expect(Object.fromEntries(lanes.lane)).toEqual({ long: 0, mid: 1, short: 2, fourth: 2 });
    expect(lanes.count).toBe(3);
  });
});

describe('stripes drawn under others', () => {
  it('finds nothing covered while every stripe has a lane of its own', () => {
    const laid = layoutMargin([0, 1, 2].map((i) => ({ id: `s${i}`, top: 10, height: 40 })), 12);
    expect(coveredStripes(laid.stripes)).toEqual(new Set());
  });

  it('finds a stripe that a later one in its lane covers from top to bottom, and only that one', () => {
    // Past the last lane: "same" shares lane 0 with "short" and lies exactly over it; "later" lies over part of "long".
    const covered = coveredStripes([
      { id: 'long', top: 0, height: 100, lane: 1 },
      { id: 'short', top: 0, height: 30, lane: 0 },
      { id: 'same', top: 0, height: 30, lane: 0 },
      { id: 'later', top: 20, height: 40, lane: 1 },
    ]);
    expect(covered).toEqual(new Set(['short']));
  });

  it('keeps a stripe whose end shows below the one drawn over it', () => {
    const covered = coveredStripes([
      { id: 'under', top: 0, height: 50, lane: 0 },
      { id: 'over', top: 0, height: 30, lane: 0 },
    ]);
    expect(covered).toEqual(new Set());
    expect(coveredStripes([
      { id: 'under', top: 0, height: 50, lane: 0 },
      { id: 'over', top: 0, height: 30, lane: 0 },
      { id: 'below', top: 30, height: 25, lane: 0 },
    ])).toEqual(new Set(['under']));
  });
});

describe('stripes drawn beside the view', () => {
  // A view of the margin from 1,000 to 1,800 px, drawing 300 px above and below it.
  const near = (top: number, bottom: number, overscan = 300) => inWindow(top, bottom, 1000, 1800, overscan);

  it('draws a stripe that crosses the view, or reaches into it from above or below', () => {
    expect(near(1200, 1230)).toBe(true);
    expect(near(400, 1010)).toBe(true);
    expect(near(1790, 2600)).toBe(true);
    // Longer than the view, from above it to below it.
    expect(near(0, 5000)).toBe(true);
  });

  it('draws one in the overscan, and none a screen away', () => {
    expect(near(750, 780)).toBe(true);
    expect(near(2050, 2080)).toBe(true);
    expect(near(100, 600)).toBe(false);
    expect(near(2200, 2230)).toBe(false);
  });

  it('draws only the view itself without overscan (the first frame of a text just opened)', () => {
    expect(near(900, 990, 0)).toBe(false);
    expect(near(1810, 1840, 0)).toBe(false);
    expect(near(990, 1010, 0)).toBe(true);
  });
});

describe('tints', () => {
  it('tints each stretch once: the narrowest code, or the selected one, and counts the codes over it', () => {
    const spans = [
      { id: 'wide', start: 0, end: 100, color: '#111111' },
      { id: 'mid', start: 10, end: 50, color: '#222222' },
      { id: 'narrow', start: 20, end: 30, color: '#333333' },
    ];
    expect(tintRuns(spans, null)).toEqual([
      { start: 0, end: 10, color: '#111111', depth: 1 },
      { start: 10, end: 20, color: '#222222', depth: 2 },
      { start: 20, end: 30, color: '#333333', depth: 3 },
      { start: 30, end: 50, color: '#222222', depth: 2 },
      { start: 50, end: 100, color: '#111111', depth: 1 },
    ]);
    expect(tintRuns(spans, 'wide').every((r) => r.color === '#111111')).toBe(true);
  });

  it('leaves uncoded text untinted', () => {
    expect(tintRuns([{ id: 'a', start: 5, end: 8, color: '#111111' }, { id: 'b', start: 20, end: 22, color: '#111111' }], null).map((r) => [r.start, r.end])).toEqual([
      [5, 8],
      [20, 22],
    ]);
  });
});

describe('the selection in the status bar', () => {
  it('tells the length and the first and last words', () => {
    expect(describeSelection({ start: 368, end: 408, text: 'killing 17 people so far and injuring 31' })).toBe('Selected 40 characters (368–408): “killing 17 … injuring 31”');
    expect(passageEnds('a missile')).toBe('“a missile”');
    expect(describeSelection(null)).toBe('');
  });
});

describe('where coded text lies, from the lines of its paragraph', () => {
  // A paragraph laid out as a fixed-width grid: `perLine` letters a line, lines 27 px apart from y = 100.
  const grid = (perLine: number, length: number) => {
    const count = Math.ceil(length / perLine);
    const boxes = Array.from({ length: count }, (_, i) => ({ top: 100 + i * 27, bottom: 100 + i * 27 + 20 }));
    let asked = 0;
    const topOf = (k: number) => {
      asked++;
      return 100 + Math.floor(k / perLine) * 27;
    };
    return { boxes, topOf, asked: () => asked };
  };

  it('finds where each line starts, asking about a few letters a line rather than every passage', () => {
    const g = grid(70, 1000);
    const lines = linesOf(1000, g.boxes, g.topOf);
    expect(lines.map((l) => l.start)).toEqual(Array.from({ length: 15 }, (_, i) => i * 70));
    expect(lines[3]).toEqual({ start: 210, top: 181, bottom: 201 });
    expect(g.asked()).toBeLessThan(15 * 11);
  });

  it('puts a letter on the line it is drawn in, the last letter of a line included', () => {
    const g = grid(70, 300);
    const lines = linesOf(300, g.boxes, g.topOf);
    expect(lineAt(lines, 0)!.top).toBe(100);
    expect(lineAt(lines, 69)!.top).toBe(100);
    expect(lineAt(lines, 70)!.top).toBe(127);
    expect(lineAt(lines, 299)!.top).toBe(208);
    expect(lineAt([], 5)).toBeUndefined();
  });

  it('never starts a line inside a surrogate pair (an emoji wrapped to the next line goes whole)', () => {
    // Letters 0–9 on the first line; the pair at 9–10 is drawn on the second, so 10 reports its top.
    const topOf = (k: number) => (k < 10 ? 100 : 127);
    const lines = linesOf(30, [{ top: 100, bottom: 120 }, { top: 127, bottom: 147 }], topOf, (k) => k === 10);
    expect(lines.map((l) => l.start)).toEqual([0, 9]);
  });

  it('takes one box per line from rects that split a line, repeat it or stand taller in it', () => {
    const rects = [
      { top: 100, bottom: 120, height: 20 },
      { top: 100.4, bottom: 121, height: 20.6 },
      { top: 0, bottom: 0, height: 0 },
      // An emoji in a fallback font, taller than the line's text: still the same line.
      { top: 97, bottom: 123, height: 26 },
      { top: 127, bottom: 147, height: 20 },
    ];
    expect(lineBoxes(rects)).toEqual([
      { top: 100, bottom: 120 },
      { top: 127, bottom: 147 },
    ]);
  });

  it('counts the passages over the most-coded letter, passages that only touch not overlapping', () => {
    expect(codedDepth([])).toBe(0);
    expect(codedDepth([{ start: 0, end: 5 }, { start: 5, end: 9 }])).toBe(1);
    expect(codedDepth([{ start: 0, end: 10 }, { start: 2, end: 4 }, { start: 3, end: 8 }, { start: 9, end: 12 }, { start: 7, end: 7 }])).toBe(3);
  });
});

describe('the ranges the tint layer paints', () => {
  it('paints side-by-side runs that look the same as one range, and one underline under each stretch of overlaps', () => {
    const runs = tintRuns(
      [
        { id: 'a', start: 0, end: 30, color: '#111111' },
        { id: 'b', start: 10, end: 30, color: '#222222' },
        { id: 'c', start: 10, end: 20, color: '#222222' },
        { id: 'd', start: 40, end: 50, color: '#111111' },
      ],
      null,
    );
    // Under b and c, then under b alone and a: two runs of one look, told apart only by their depth.
    expect(runs.filter((r) => r.color === '#222222').length).toBe(2);
    const { tints, multi } = tintPaint(runs);
    expect(tints).toEqual([
      { start: 0, end: 10, color: '#111111' },
      { start: 10, end: 30, color: '#222222' },
      { start: 40, end: 50, color: '#111111' },
    ]);
    expect(multi).toEqual([{ start: 10, end: 30 }]);
  });

  it('keeps apart runs of one colour that differ in being under one code or several, or that do not touch', () => {
    const { tints, multi } = tintPaint([
      { start: 0, end: 5, color: '#111111', depth: 1 },
      { start: 5, end: 9, color: '#111111', depth: 2 },
      { start: 9, end: 12, color: '#111111', depth: 3 },
      { start: 14, end: 16, color: '#111111', depth: 2 },
    ]);
    expect(tints.map((t) => [t.start, t.end])).toEqual([
      [0, 5],
      [5, 12],
      [14, 16],
    ]);
    expect(multi).toEqual([
      { start: 5, end: 12 },
      { start: 14, end: 16 },
    ]);
  });
});
