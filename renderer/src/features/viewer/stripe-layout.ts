/**
 * Where stripes and their labels go in the margin, from where their text is on the page.
 * Pure: the viewer measures, this places.
 *
 * Stripes take lanes beside the text (lane 0 nearest), the longest of those starting on the
 * same line nearest the text. Each label is placed in a row left of the lanes, top-aligned
 * with its own stripe, or in the first free row below that still lies beside the stripe.
 * When none does (five codes on one line have room for two labels), the label is collapsed
 * into the count badge of the last row beside it, which lists them on hover or focus: a
 * label is never drawn beside someone else's stripe.
 */

export interface Measured {
  id: string;
  /** Top of the coded text, relative to the page. */
  top: number;
  height: number;
}

export interface PlacedStripe extends Measured {
  lane: number;
}

export interface LabelRow {
  top: number;
  /** The stripe whose label this row shows. */
  id: string;
  /** Stripes whose labels did not fit beside them, shown by this row's badge. */
  more: string[];
}

export interface MarginLayout {
  stripes: PlacedStripe[];
  rows: LabelRow[];
  lanes: number;
}

export const LABEL_ROW = 15;
export const MIN_STRIPE = 6;

export function layoutMargin(measured: Measured[], maxLanes: number): MarginLayout {
  const sorted = [...measured].map((m) => ({ ...m, height: Math.max(m.height, MIN_STRIPE) })).sort((a, b) => a.top - b.top || b.height - a.height || (a.id < b.id ? -1 : 1));
  const laneEnds: number[] = [];
  const stripes: PlacedStripe[] = [];
  const rows: LabelRow[] = [];
  let rowsBottom = -Infinity;
  for (const m of sorted) {
    let lane = laneEnds.findIndex((end) => end <= m.top + 1);
    if (lane === -1) lane = laneEnds.length < maxLanes ? laneEnds.length : laneEnds.indexOf(Math.min(...laneEnds));
    laneEnds[lane] = m.top + m.height;
    stripes.push({ ...m, lane });
    const top = Math.max(m.top, rowsBottom);
    // The row must start beside the stripe.
    if (top < m.top + m.height - 2) {
      rows.push({ top, id: m.id, more: [] });
      rowsBottom = top + LABEL_ROW;
    } else {
      const last = rows[rows.length - 1];
      if (last) last.more.push(m.id);
    }
  }
  return { stripes, rows, lanes: Math.max(0, ...stripes.map((s) => s.lane + 1)) };
}
