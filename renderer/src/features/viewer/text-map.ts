import { codePointLength, codePointToUtf16, hasAstral } from '../../../../main/api/contract/text-offsets';

/**
 * Offsets in the stored text are Unicode code points; the DOM counts UTF-16 units. This table
 * of paragraph starts converts between the two at the DOM boundary only.
 */
export interface TextMap {
  text: string;
  paras: string[];
  /** Start of each paragraph in UTF-16 units of `text`. */
  startU16: number[];
  /** Start of each paragraph in code points. */
  startCp: number[];
  /** Whether a paragraph holds astral characters (surrogate pairs); most do not. */
  astral: boolean[];
  lengthCp: number;
}

export function buildTextMap(text: string): TextMap {
  const paras = text.split('\n');
  const startU16: number[] = [];
  const startCp: number[] = [];
  const astral: boolean[] = [];
  let u = 0;
  let c = 0;
  for (const p of paras) {
    startU16.push(u);
    startCp.push(c);
    const a = hasAstral(p);
    astral.push(a);
    u += p.length + 1;
    c += (a ? codePointLength(p) : p.length) + 1;
  }
  return { text, paras, startU16, startCp, astral, lengthCp: c - 1 };
}

/** Index of the last paragraph whose start is <= value. */
function paragraphAt(starts: number[], value: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function u16ToCp(map: TextMap, u16: number): number {
  const i = paragraphAt(map.startU16, u16);
  const local = u16 - map.startU16[i]!;
  return map.startCp[i]! + (map.astral[i] ? codePointLength(map.paras[i]!.slice(0, local)) : local);
}

/** A code point offset as (paragraph, UTF-16 offset inside it), for DOM ranges. */
export function cpToLocal(map: TextMap, cp: number): { para: number; offset: number } {
  const i = paragraphAt(map.startCp, cp);
  const local = cp - map.startCp[i]!;
  const p = map.paras[i]!;
  if (map.astral[i]) return { para: i, offset: codePointToUtf16(p, local) };
  return { para: i, offset: Math.min(local, p.length) };
}

export function cpToU16(map: TextMap, cp: number): number {
  const { para, offset } = cpToLocal(map, cp);
  return map.startU16[para]! + offset;
}

/** Narrows [start, end) (UTF-16) so it neither starts nor ends with whitespace; null if nothing is left. */
export function trimU16(text: string, start: number, end: number): [number, number] | null {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return end > start ? [start, end] : null;
}

/** The stored text between two code point offsets. */
export function sliceCp(map: TextMap, start: number, end: number): string {
  return map.text.slice(cpToU16(map, start), cpToU16(map, end));
}
