import { joinOverlapping, type Span } from './units';

/** A 2×2 table of units for two coders: both coded, only the first, only the second, neither. */
export interface PairCounts {
  both: number;
  first_only: number;
  second_only: number;
  neither: number;
}

export const emptyPair = (): PairCounts => ({ both: 0, first_only: 0, second_only: 0, neither: 0 });

export function addPair(into: PairCounts, from: PairCounts): void {
  into.both += from.both;
  into.first_only += from.first_only;
  into.second_only += from.second_only;
  into.neither += from.neither;
}

/** The 2×2 table of coders i and j read off a histogram of coder bitmasks. */
export function pairCounts(hist: ReadonlyMap<number, number>, i: number, j: number): PairCounts {
  const out = emptyPair();
  for (const [mask, n] of hist) {
    const a = (mask >> i) & 1;
    const b = (mask >> j) & 1;
    if (a && b) out.both += n;
    else if (a) out.first_only += n;
    else if (b) out.second_only += n;
    else out.neither += n;
  }
  return out;
}

/** Percent (0–100) of units on which all m coders agree (all coded or none did); null with no units. */
export function percentAgreement(hist: ReadonlyMap<number, number>, m: number): number | null {
  const full = (1 << m) - 1;
  let total = 0;
  let agree = 0;
  for (const [mask, n] of hist) {
    total += n;
    if (mask === 0 || mask === full) agree += n;
  }
  return total === 0 ? null : (100 * agree) / total;
}

/**
 * Cohen's kappa from a 2×2 table, as NVivo's coding comparison computes it. When chance
 * agreement is total (both coders coded every unit, or neither coded any) the coders cannot
 * disagree and kappa is 1; a code only one coder used gives 0 on its own. Null with no units.
 */
export function cohenKappa(c: PairCounts): number | null {
  const n = c.both + c.first_only + c.second_only + c.neither;
  if (n === 0) return null;
  const po = (c.both + c.neither) / n;
  const first = c.both + c.first_only;
  const second = c.both + c.second_only;
  const pe = (first * second + (n - first) * (n - second)) / (n * n);
  if (pe >= 1) return 1;
  return (po - pe) / (1 - pe);
}

/**
 * Krippendorff's alpha for nominal data (coded / not coded) with m coders and no missing
 * values, from `byCount[k]` = units that exactly k coders coded. Null when it is undefined:
 * no units, or no variation at all (nobody coded anything, or everybody coded everything).
 */
export function krippendorffAlpha(byCount: readonly number[], m: number): number | null {
  if (m < 2) return null;
  let n1 = 0; // pairable values "coded"
  let n0 = 0; // pairable values "not coded"
  let o01 = 0; // coincidences of coded with not coded, one direction
  byCount.forEach((units, k) => {
    n1 += units * k;
    n0 += units * (m - k);
    o01 += (units * k * (m - k)) / (m - 1);
  });
  const n = n0 + n1;
  if (n0 === 0 || n1 === 0) return null;
  // 1 - Do/De with Do = 2·o01/n and De = 2·n0·n1/(n(n-1)).
  return 1 - ((n - 1) * o01) / (n0 * n1);
}

/** Units coded by exactly k coders, k = 0..m, read off a histogram of bitmasks. */
export function countByCoders(hist: ReadonlyMap<number, number>, m: number): number[] {
  const out = new Array<number>(m + 1).fill(0);
  for (const [mask, n] of hist) {
    let k = 0;
    for (let i = 0; i < m; i++) k += (mask >> i) & 1;
    out[k]! += n;
  }
  return out;
}

/** Segment matches of two coders on one code in one document, MAXQDA style. */
export interface SegmentMatch {
  /** Segments of both coders after joining each coder's overlapping ones. */
  total: number;
  matched: number;
}

/** Intersection over union of two spans (0 when they do not overlap). */
export function overlapShare(a: Span, b: Span): number {
  const inter = Math.min(a.end, b.end) - Math.max(a.start, b.start);
  if (inter <= 0) return 0;
  const union = a.end - a.start + (b.end - b.start) - inter;
  return inter / union;
}

/**
 * A segment of either coder counts as matched when the other coder has a segment that
 * overlaps it by at least `threshold` (intersection over union). Each coder's overlapping
 * segments are first joined into one; touching ones stay two.
 */
export function segmentMatch(first: readonly Span[], second: readonly Span[], threshold: number): SegmentMatch {
  const a = joinOverlapping(first);
  const b = joinOverlapping(second);
  // A tiny tolerance so that 0.9 of a 10-character span is not lost to floating point.
  const hit = (s: Span, others: Span[]) => others.some((o) => overlapShare(s, o) >= threshold - 1e-9);
  let matched = 0;
  for (const s of a) if (hit(s, b)) matched++;
  for (const s of b) if (hit(s, a)) matched++;
  return { total: a.length + b.length, matched };
}

export function percentOf(m: SegmentMatch): number | null {
  return m.total === 0 ? null : (100 * m.matched) / m.total;
}

/** The mean of the numbers that are defined; null when none is. */
export function meanDefined(values: readonly (number | null)[]): number | null {
  const xs = values.filter((v): v is number => v !== null);
  return xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length;
}

/**
 * Brennan and Prediger's kappa (free-marginal, as MAXQDA reports it) for two categories
 * (coded / not coded): chance agreement is 1/2 whatever the coders' marginals, so
 * kappa_n = (po - 1/2) / (1 - 1/2) = 2·po - 1. Null with no units.
 */
export function brennanPrediger(c: PairCounts): number | null {
  const n = c.both + c.first_only + c.second_only + c.neither;
  if (n === 0) return null;
  return (2 * (c.both + c.neither)) / n - 1;
}

/**
 * MAXQDA's segment-based kappa (Brennan and Prediger): observed agreement is the share of
 * segments matched, chance agreement 1/k with k the codes in the comparison (those used).
 * Null with no segments, or fewer than two codes (chance would be total).
 */
export function segmentKappa(seg: SegmentMatch, codes: number): number | null {
  if (seg.total === 0 || codes < 2) return null;
  const pc = 1 / codes;
  return (seg.matched / seg.total - pc) / (1 - pc);
}

/**
 * Mean pairwise agreement over units (Fleiss' P̄) from `byCount[k]` = units exactly k of
 * the m coders coded: a unit coded by k agrees on k(k-1) + (m-k)(m-k-1) of m(m-1) ordered pairs.
 */
function meanUnitAgreement(byCount: readonly number[], m: number): { n: number; p: number; coded: number } {
  let n = 0;
  let agree = 0;
  let coded = 0;
  byCount.forEach((units, k) => {
    n += units;
    agree += (units * (k * (k - 1) + (m - k) * (m - k - 1))) / (m * (m - 1));
    coded += units * k;
  });
  return { n, p: n === 0 ? 0 : agree / n, coded };
}

/**
 * Fleiss' kappa for m coders and two categories, from `byCount[k]` = units exactly k coders
 * coded. Chance agreement is p1² + p0² with p1 the share of all m·N judgements that were
 * "coded". Null when undefined: no units, or no variation (chance agreement 1).
 */
export function fleissKappa(byCount: readonly number[], m: number): number | null {
  if (m < 2) return null;
  const { n, p, coded } = meanUnitAgreement(byCount, m);
  if (n === 0) return null;
  const p1 = coded / (n * m);
  const pe = p1 * p1 + (1 - p1) * (1 - p1);
  if (pe >= 1) return null;
  return (p - pe) / (1 - pe);
}

/**
 * Free-marginal multirater kappa (Randolph 2005), the Brennan–Prediger kappa for m coders:
 * (P̄ - 1/2) / (1 - 1/2). With two coders it equals `brennanPrediger`. Null with no units.
 */
export function freeMarginalKappa(byCount: readonly number[], m: number): number | null {
  if (m < 2) return null;
  const { n, p } = meanUnitAgreement(byCount, m);
  return n === 0 ? null : 2 * p - 1;
}
