import type { Reader } from '../db/project-db';
import { MarginaliaError, invalid, notFound } from '../errors';
import { CHUNK } from '../db/in-chunks';
import { SentencePool } from './sentence-pool';
import { sentenceSplitter } from './agreement-sentences';
import { listCodes } from '../codebook/codebook';
import {
  addPair,
  brennanPrediger,
  cohenKappa,
  fleissKappa,
  freeMarginalKappa,
  countByCoders,
  emptyPair,
  krippendorffAlpha,
  meanDefined,
  pairCounts,
  percentAgreement,
  percentOf,
  segmentKappa,
  segmentMatch,
  type PairCounts,
  type SegmentMatch,
} from './statistics';
import { boundsOf, coverage, maskHistogram, newSentenceSegmenter, unitBounds, type AgreementUnit, type Span } from './units';
import { hiddenAmong } from './blind-scope';
import { keysOf } from '../coding/segment-rows';
import { Ints, Tape } from './agreement-rows';

/** The figures reported for a code, for a document, and overall. Null where a figure is undefined. */
export interface AgreementFigures {
  /** Percent (0–100) of units on which all chosen coders agree. */
  percent_agreement: number | null;
  /** Cohen's kappa per document, averaged with document length as weight (mean over pairs for 3+ coders). */
  kappa_weighted: number | null;
  /** Cohen's kappa over all units pooled (mean over pairs for 3+ coders: Light's kappa). */
  kappa_pooled: number | null;
  /** Krippendorff's alpha, nominal, over all units and all chosen coders. */
  alpha: number | null;
  /** Percent (0–100) of segments of all coders matched by another coder's segment (MAXQDA). */
  segment_agreement: number | null;
  /**
   * Brennan and Prediger's free-marginal kappa over all units pooled (chance agreement 1/2, as
   * MAXQDA reports it); for 3+ coders the multirater form (Randolph), from mean pairwise agreement.
   */
  kappa_brennan_prediger: number | null;
  /** Fleiss' kappa over all units pooled and all chosen coders (reported beside Light's kappa for 3+ coders). */
  kappa_fleiss: number | null;
}

/** One pair of coders' figures (the same numbers as the whole when two coders are chosen). */
export interface PairFigures {
  coders: [string, string];
  percent_agreement: number | null;
  kappa_weighted: number | null;
  kappa_pooled: number | null;
  segment_agreement: number | null;
  kappa_brennan_prediger: number | null;
  counts: PairCounts;
  segments: SegmentMatch;
}

export interface DocumentAgreement {
  document_id: string;
  name: string;
  /** Length in characters (code points): the weight of this document in kappa_weighted. */
  length: number;
  /** Units of the chosen kind in this document. */
  units: number;
  percent_agreement: number | null;
  kappa: number | null;
  alpha: number | null;
  segment_agreement: number | null;
  kappa_brennan_prediger: number | null;
  kappa_fleiss: number | null;
  /** "0/0" when no chosen coder coded anything here, so the kappa of 1 is the convention, not a measurement. */
  kappa_convention: '0/0' | null;
  /** The 2×2 table of units for the first two coders. */
  counts: PairCounts;
  segments: SegmentMatch;
}

export interface CodeAgreement extends AgreementFigures {
  code_id: string;
  path: string;
  /**
   * Whether at least one chosen coder applied the code in the chosen documents. A code nobody
   * used agrees trivially: its kappa is 1 by the 0/0 convention (NVivo's), and it is left out
   * of every overall figure.
   */
  used: boolean;
  /** "0/0" when the kappa of an unused code is 1 by convention rather than measured; null otherwise. */
  kappa_convention: '0/0' | null;
  units: number;
  /** Confusion table in units for the first two coders: both, first only, second only, neither. */
  counts: PairCounts;
  segments: SegmentMatch;
  pairs: PairFigures[];
  documents: DocumentAgreement[];
}

export interface AgreementReport {
  coders: { id: string; name: string }[];
  unit: AgreementUnit;
  threshold: number;
  /**
   * What kappa_weighted and kappa_pooled are: Cohen's kappa for two coders; for 3+ coders the
   * mean of the pairwise Cohen's kappas (Light's kappa), with Fleiss' kappa beside it.
   */
  kappa_name: string;
  codes: CodeAgreement[];
  overall: AgreementFigures & {
    /** Codes the overall figures cover: those at least one chosen coder applied. */
    codes_used: number;
    /** Codes chosen, used or not. */
    codes_total: number;
    /**
     * MAXQDA's segment-based kappa (Brennan and Prediger): segment agreement against chance
     * 1/codes_used. Null with no segments or fewer than two codes used.
     */
    kappa_segments: number | null;
    units: number;
    counts: PairCounts;
    segments: SegmentMatch;
    pairs: PairFigures[];
    /** Per document, over the used codes (the first `documentRows` documents when a limit was asked for). */
    documents: DocumentAgreement[];
    /** Documents compared: every figure covers them all, whatever the lists hold. */
    documents_total: number;
  };
  /** Things a person should know, such as a chosen coder who coded nothing. */
  warnings: string[];
}

export interface AgreementInput {
  coders: { id: string; name: string }[];
  codes: { id: string; path: string }[];
  /** `units` null means characters. */
  documents: { id: string; name: string; length: number; units: Span[] | null }[];
  segments: { document_id: string; code_id: string; coder_id: string; start: number; end: number }[];
  unit: AgreementUnit;
  threshold: number;
}

const MAX_CODERS = 20;
/** Below this many documents sentences and paragraphs are split on the main thread: starting workers would cost more. */
const POOL_FROM_DOCUMENTS = 2_000;

function pairsOf(m: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) out.push([i, j]);
  return out;
}

/** Scratch for unitHistogram: each unit's coder mask, and the units touched (grown as needed). */
let maskOfUnit = new Int32Array(1024);
let touchedUnits = new Int32Array(1024);

/**
 * maskHistogram (units.ts) for units, looking only at the units some coder's coverage touches:
 * a unit is coded by coder i when one of its spans overlaps it, found by binary search in the
 * sorted bounds. The others (most sentences of most codes) are counted, not visited.
 */
function unitHistogram(units: Int32Array, covered: readonly Span[][]): Map<number, number> {
  const n = units.length >> 1;
  if (maskOfUnit.length < n) {
    maskOfUnit = new Int32Array(n * 2);
    touchedUnits = new Int32Array(n * 2);
  }
  let touched = 0;
  for (let i = 0; i < covered.length; i++) {
    const bit = 1 << i;
    for (const s of covered[i]!) {
      // The first unit that ends after the span starts; then every unit that starts before it ends.
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (units[2 * mid + 1]! > s.start) hi = mid;
        else lo = mid + 1;
      }
      for (let u = lo; u < n && units[2 * u]! < s.end; u++) {
        if (maskOfUnit[u] === 0) touchedUnits[touched++] = u;
        maskOfUnit[u]! |= bit;
      }
    }
  }
  const hist = new Map<number, number>();
  for (let t = 0; t < touched; t++) {
    const u = touchedUnits[t]!;
    const mask = maskOfUnit[u]!;
    maskOfUnit[u] = 0;
    hist.set(mask, (hist.get(mask) ?? 0) + 1);
  }
  if (n > touched) hist.set(0, n - touched);
  return hist;
}

let splitSentences: ((text: string) => Int32Array) | null = null;

/** The units of one document, as `unitBounds` gives them (sentences split the fast way). */
function boundsFor(unit: AgreementUnit, text: string, length: number): Int32Array | null {
  if (unit !== 'sentence') return unitBounds(unit, text, length);
  return (splitSentences ??= sentenceSplitter(newSentenceSegmenter()))(text);
}

function sumHist(into: Map<number, number>, from: ReadonlyMap<number, number>): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}

function totalOf(hist: ReadonlyMap<number, number>): number {
  let n = 0;
  for (const v of hist.values()) n += v;
  return n;
}

/** Running sums for one pair of coders over many (code, document) cells. */
class PairAcc {
  counts = emptyPair();
  segments: SegmentMatch = { total: 0, matched: 0 };
  weighted = 0;
  weight = 0;
  add(counts: PairCounts, seg: SegmentMatch, length: number): void {
    addPair(this.counts, counts);
    this.segments.total += seg.total;
    this.segments.matched += seg.matched;
    const k = cohenKappa(counts);
    if (k !== null && length > 0) {
      this.weighted += k * length;
      this.weight += length;
    }
  }
  /** Adds `units` units nobody coded, from documents of `length` characters in all (kappa 1 each). */
  addNeither(units: number, length: number): void {
    this.counts.neither += units;
    this.weighted += length;
    this.weight += length;
  }
  figures(coders: [string, string]): PairFigures {
    const n = this.counts.both + this.counts.first_only + this.counts.second_only + this.counts.neither;
    return {
      coders,
      percent_agreement: n === 0 ? null : (100 * (this.counts.both + this.counts.neither)) / n,
      kappa_weighted: this.weight === 0 ? null : this.weighted / this.weight,
      kappa_pooled: cohenKappa(this.counts),
      segment_agreement: percentOf(this.segments),
      kappa_brennan_prediger: brennanPrediger(this.counts),
      counts: { ...this.counts },
      segments: { ...this.segments },
    };
  }
}

/** Per-document sums over codes, for the overall per-document table. */
interface DocAcc {
  hist: Map<number, number>;
  pairs: PairCounts[];
  segments: SegmentMatch;
}

function docFigures(
  doc: { id: string; name: string; length: number },
  hist: ReadonlyMap<number, number>,
  pairs: PairCounts[],
  seg: SegmentMatch,
  m: number,
): DocumentAgreement {
  return {
    document_id: doc.id,
    name: doc.name,
    length: doc.length,
    units: totalOf(hist),
    percent_agreement: percentAgreement(hist, m),
    kappa: meanDefined(pairs.map(cohenKappa)),
    alpha: krippendorffAlpha(countByCoders(hist, m), m),
    segment_agreement: percentOf(seg),
    kappa_brennan_prediger: freeMarginalKappa(countByCoders(hist, m), m),
    kappa_fleiss: fleissKappa(countByCoders(hist, m), m),
    kappa_convention: totalOf(hist) > 0 && [...hist.keys()].every((mask) => mask === 0) ? '0/0' : null,
    counts: pairs[0] ? { ...pairs[0] } : emptyPair(),
    segments: { ...seg },
  };
}

/** A segment as agreement reads it. */
export interface AgreementSegment {
  document_id: string;
  code_id: string;
  coder_id: string;
  start: number;
  end: number;
}

interface Setup {
  coders: { id: string; name: string }[];
  codes: { id: string; path: string }[];
  unit: AgreementUnit;
  threshold: number;
  /** How many documents to list per code and overall; every document counts in the figures. */
  documentRows: number;
  /**
   * Keep the listed documents' rows as numbers (agreement-rows.ts) for `rows()`, and leave
   * the report's lists empty: for the CSV of every document, whose rows as objects took 820 MB at 100,000.
   */
  compact?: boolean;
}

/** The per-document rows of a report, for its CSV: made one at a time as they are read. */
export interface AgreementRows {
  /** The rows of code `k` (its place in the report's codes), one per listed document, in document order. */
  codeDocuments(k: number): Iterable<DocumentAgreement>;
  /** The overall rows, one per listed document, in document order. */
  documents(): Iterable<DocumentAgreement>;
  /** Frees what the rows are kept in, once they have been written (or the writing stopped): they cannot be read after. */
  release?(): void;
}

/** The rows a report holds itself (every one it lists). */
export function rowsOfReport(report: AgreementReport): AgreementRows {
  return { codeDocuments: (k) => report.codes[k]!.documents, documents: () => report.overall.documents };
}

/**
 * A stored (code, document) cell where the code was used, as whole numbers one after another
 * (agreement-rows.ts): the listed document's number, the place of the code's next used cell in
 * document order (-1: none), the segments and those matched, then its histogram of coder masks
 * (how many entries, then mask and units of each, in the order made). Its figures are made
 * again from these when the CSV reads it, by the same docFigures from the same histogram: the
 * same numbers, in a third of the room six doubles and ten integers took.
 */
const [C_DOC, C_NEXT, C_SEGMENTS, C_MATCHED, C_HIST] = [0, 1, 2, 3, 4] as const;

/** What one listed document holds over the codes it was coded with, before the others are added. */
interface ListedDoc {
  doc: { id: string; name: string; length: number };
  units: number;
  /** Codes used in it. */
  used: number;
  acc: DocAcc;
}

/**
 * Agreement computed one document at a time, in document order, keeping running sums only.
 *
 * Most codes are not applied in most documents. Such a (code, document) cell is all
 * "neither": its histogram is `n` units at mask 0, its 2×2 table `n` neither, its kappa 1
 * (the 0/0 convention) weighted by the document's length. Those cells are never built: their
 * sums are added per code at the end from two running totals over all documents (units, and
 * length where there are units) minus what the documents using the code took. The overall
 * figures cover the codes used anywhere, which is only known at the end; a code used in a
 * document is used, so the cells of used codes are added as they come and the "neither"
 * cells of the others once their number is known.
 */
class AgreementRun {
  private readonly m: number;
  private readonly pairs: [number, number][];
  private readonly coded: number[];
  private readonly used: Uint8Array;
  private readonly codeHist: Map<number, number>[];
  private readonly codePairs: PairAcc[][];
  /** Units and length weight of the documents where each code was used. */
  private readonly usedUnits: Float64Array;
  private readonly usedWeight: Float64Array;
  private readonly codeRows: DocumentAgreement[][];
  private readonly overallHist = new Map<number, number>();
  private readonly overallPairs: PairAcc[];
  private readonly listed: ListedDoc[] = [];
  /** With `compact`: the used cells of listed documents, each code's first and last, the listed documents and their units. */
  private readonly cells: Ints | null = null;
  private readonly firstCell: Int32Array;
  private readonly lastCell: Int32Array;
  private readonly listedDocs: { id: string; name: string; length: number }[] = [];
  private readonly listedUnits: number[] = [];
  /** With `compact`, per listed document: units, codes used, segments and matched, each pair's 4 counts, the histogram's size and entries. */
  private readonly docTape: Tape | null = null;
  /** Per code, where add() keeps its spans in the current document; -1 when not used there. */
  private readonly slot: Int32Array;
  /** Over all documents: units, length of documents with units, and both times the codes used there. */
  private units = 0;
  private weight = 0;
  private usedTimesUnits = 0;
  private usedTimesWeight = 0;
  private documents = 0;

  constructor(private readonly setup: Setup) {
    const m = setup.coders.length;
    if (m < 2) throw invalid('coders', 'choose at least two coders to compare.');
    if (m > MAX_CODERS) throw invalid('coders', `at most ${MAX_CODERS} coders can be compared at once.`);
    if (!(setup.threshold > 0 && setup.threshold <= 1)) throw invalid('threshold', `must be more than 0 and at most 1 (0.9 means 90% overlap); got ${setup.threshold}.`);
    this.m = m;
    this.pairs = pairsOf(m);
    const n = setup.codes.length;
    this.coded = new Array<number>(m).fill(0);
    this.used = new Uint8Array(n);
    this.codeHist = setup.codes.map(() => new Map());
    this.codePairs = setup.codes.map(() => this.pairs.map(() => new PairAcc()));
    this.usedUnits = new Float64Array(n);
    this.usedWeight = new Float64Array(n);
    this.codeRows = setup.codes.map(() => []);
    this.overallPairs = this.pairs.map(() => new PairAcc());
    this.slot = new Int32Array(n).fill(-1);
    this.firstCell = new Int32Array(setup.compact ? n : 0).fill(-1);
    this.lastCell = new Int32Array(setup.compact ? n : 0).fill(-1);
    if (setup.compact) {
      this.cells = new Ints();
      this.docTape = new Tape();
    }
  }

  /** Keeps what makes the row of code `k` in the listed document `d` (where the code was used): its histogram and segments. */
  private storeCell(k: number, d: number, hist: ReadonlyMap<number, number>, seg: SegmentMatch): void {
    const cells = this.cells!;
    const cell = cells.push(d);
    cells.push(-1);
    cells.push(seg.total);
    cells.push(seg.matched);
    cells.push(hist.size);
    for (const [mask, units] of hist) {
      cells.push(mask);
      cells.push(units);
    }
    if (this.lastCell[k]! >= 0) cells.set(this.lastCell[k]! + C_NEXT, cell);
    else this.firstCell[k] = cell;
    this.lastCell[k] = cell;
  }

  /** The row of a stored cell, made as add() made it. */
  private cellRow(cell: number, doc: { id: string; name: string; length: number }): DocumentAgreement {
    const cells = this.cells!;
    const hist = new Map<number, number>();
    for (let at = cell + C_HIST + 1, end = at + 2 * cells.get(cell + C_HIST); at < end; at += 2) hist.set(cells.get(at), cells.get(at + 1));
    const seg: SegmentMatch = { total: cells.get(cell + C_SEGMENTS), matched: cells.get(cell + C_MATCHED) };
    return docFigures(doc, hist, this.pairs.map(([i, j]) => pairCounts(hist, i, j)), seg, this.m);
  }

  /** Code `k`'s rows of the listed documents: its stored cells, and "neither" rows where it was not used. */
  private *codeRowsOf(k: number): Generator<DocumentAgreement> {
    const { m, pairs } = this;
    let cell = this.firstCell[k]!;
    for (let d = 0; d < this.listedDocs.length; d++) {
      const doc = this.listedDocs[d]!;
      if (cell >= 0 && this.cells!.get(cell + C_DOC) === d) {
        yield this.cellRow(cell, doc);
        cell = this.cells!.get(cell + C_NEXT);
      } else {
        const n = this.listedUnits[d]!;
        yield docFigures(doc, neitherHist(n), pairs.map(() => neitherPair(n)), { total: 0, matched: 0 }, m);
      }
    }
  }

  /** The overall rows of the listed documents, over the `codesUsed` codes used anywhere. */
  private *overallRows(codesUsed: number): Generator<DocumentAgreement> {
    const { m, pairs } = this;
    const read = this.docTape!.reader();
    for (const doc of this.listedDocs) {
      const units = read();
      const used = read();
      const segments = { total: read(), matched: read() };
      const counts = pairs.map(() => {
        const both = read();
        const first_only = read();
        const second_only = read();
        return { both, first_only, second_only, neither: read() };
      });
      const hist = new Map<number, number>();
      for (let size = read(); size > 0; size--) {
        const mask = read();
        hist.set(mask, read());
      }
      const rest = (codesUsed - used) * units;
      addNeither(hist, rest);
      for (const p of counts) p.neither += rest;
      yield docFigures(doc, hist, counts, segments, m);
    }
  }

  /** The rows kept by a `compact` run, for the report it made (which lists none itself). */
  rows(report: AgreementReport): AgreementRows {
    if (!this.cells) return rowsOfReport(report);
    let released = false;
    const kept = () => {
      if (released) throw new Error('Agreement rows: these rows were written once and freed; compute the agreement again to write them again.');
    };
    return {
      codeDocuments: (k) => (kept(), this.codeRowsOf(k)),
      documents: () => (kept(), this.overallRows(report.overall.codes_used)),
      release: () => {
        released = true;
        this.cells!.release();
        this.docTape!.release();
      },
    };
  }

  /**
   * Adds one document: its units as flat bounds (null for characters) and its segments of the
   * chosen codes by the chosen coders, flat: [code index, coder index, start, end, …].
   */
  add(doc: { id: string; name: string; length: number }, units: Int32Array | null, codings: readonly number[]): void {
    const { m, pairs, setup } = this;
    const n = units === null ? Math.max(0, doc.length) : units.length / 2;
    const weight = n > 0 && doc.length > 0 ? doc.length : 0;
    // spans[code][coder], for the codes used here only, in codebook order: where each code's
    // spans are kept (its slot) is noted per code and cleared after the document.
    const here: number[] = [];
    const spansHere: Span[][][] = [];
    const slot = this.slot;
    for (let x = 0; x < codings.length; x += 4) {
      const k = codings[x]!;
      const ci = codings[x + 1]!;
      let at = slot[k]!;
      if (at < 0) {
        at = slot[k] = spansHere.length;
        here.push(k);
        const byCoder: Span[][] = [];
        for (let i = 0; i < m; i++) byCoder.push([]);
        spansHere.push(byCoder);
      }
      spansHere[at]![ci]!.push({ start: codings[x + 2]!, end: codings[x + 3]! });
      this.coded[ci]!++;
    }
    const codesHere = here.length > 1 ? [...here].sort((a, b) => a - b) : here;
    const list = this.documents < setup.documentRows;
    this.documents++;
    const acc: DocAcc | null = list ? { hist: new Map(), pairs: pairs.map(emptyPair), segments: { total: 0, matched: 0 } } : null;
    for (const k of codesHere) {
      const raw = spansHere[slot[k]!]!;
      const covered: Span[][] = [];
      for (let i = 0; i < m; i++) covered.push(coverage(raw[i]!));
      const hist = units === null ? maskHistogram(setup.unit, doc.length, units, covered) : unitHistogram(units, covered);
      const docPairs: PairCounts[] = [];
      const docSeg: SegmentMatch = { total: 0, matched: 0 };
      for (let p = 0; p < pairs.length; p++) {
        const [i, j] = pairs[p]!;
        const counts = pairCounts(hist, i, j);
        docPairs.push(counts);
        const seg = segmentMatch(raw[i]!, raw[j]!, setup.threshold);
        docSeg.total += seg.total;
        docSeg.matched += seg.matched;
        this.codePairs[k]![p]!.add(counts, seg, doc.length);
        this.overallPairs[p]!.add(counts, seg, doc.length);
      }
      sumHist(this.codeHist[k]!, hist);
      sumHist(this.overallHist, hist);
      this.used[k] = 1;
      this.usedUnits[k]! += n;
      this.usedWeight[k]! += weight;
      if (acc) {
        sumHist(acc.hist, hist);
        docPairs.forEach((c, p) => addPair(acc.pairs[p]!, c));
        acc.segments.total += docSeg.total;
        acc.segments.matched += docSeg.matched;
        if (this.cells) this.storeCell(k, this.documents - 1, hist, docSeg);
        else this.codeRows[k]!.push(docFigures(doc, hist, docPairs, docSeg, m));
      }
    }
    for (const k of here) slot[k] = -1;
    this.units += n;
    this.weight += weight;
    this.usedTimesUnits += here.length * n;
    this.usedTimesWeight += here.length * weight;
    if (acc && this.docTape) {
      // Rows of the codes not applied here are made when they are read: all "neither".
      const tape = this.docTape;
      this.listedDocs.push(doc);
      this.listedUnits.push(n);
      for (const v of [n, here.length, acc.segments.total, acc.segments.matched]) tape.push(v);
      for (const p of acc.pairs) for (const v of [p.both, p.first_only, p.second_only, p.neither]) tape.push(v);
      tape.push(acc.hist.size);
      for (const [mask, count] of acc.hist) {
        tape.push(mask);
        tape.push(count);
      }
    } else if (acc) {
      this.listed.push({ doc: { id: doc.id, name: doc.name, length: doc.length }, units: n, used: here.length, acc });
      // The rows of the codes not applied here: all "neither".
      const neither = neitherHist(n);
      const neitherPairs = pairs.map(() => neitherPair(n));
      const none: SegmentMatch = { total: 0, matched: 0 };
      const usedHere = new Set(here);
      for (let k = 0; k < setup.codes.length; k++) if (!usedHere.has(k)) this.codeRows[k]!.push(docFigures(doc, neither, neitherPairs, none, m));
    }
  }

  report(): AgreementReport {
    const { m, pairs, setup } = this;
    const pairIds = pairs.map(([i, j]) => [setup.coders[i]!.id, setup.coders[j]!.id] as [string, string]);
    const warnings = setup.coders
      .filter((_, i) => this.coded[i] === 0)
      .map((c) => `Coder "${c.name}" has coded none of the chosen codes in the chosen documents; counted as having coded nothing.`);
    const codes: CodeAgreement[] = setup.codes.map((code, k) => {
      const used = this.used[k] === 1;
      // The documents that did not use the code: all neither, kappa 1 weighted by their length.
      const restUnits = this.units - this.usedUnits[k]!;
      const restWeight = this.weight - this.usedWeight[k]!;
      const codeHist = this.codeHist[k]!;
      addNeither(codeHist, restUnits);
      const pf = this.codePairs[k]!.map((acc, p) => {
        acc.addNeither(restUnits, restWeight);
        return acc.figures(pairIds[p]!);
      });
      const segs = pf.reduce((s, p) => ({ total: s.total + p.segments.total, matched: s.matched + p.segments.matched }), { total: 0, matched: 0 });
      const byCount = countByCoders(codeHist, m);
      const kappaPooled = meanDefined(pf.map((p) => p.kappa_pooled));
      return {
        code_id: code.id,
        path: code.path,
        used,
        kappa_convention: !used && kappaPooled !== null ? '0/0' : null,
        units: totalOf(codeHist),
        percent_agreement: percentAgreement(codeHist, m),
        kappa_weighted: meanDefined(pf.map((p) => p.kappa_weighted)),
        kappa_pooled: kappaPooled,
        alpha: krippendorffAlpha(byCount, m),
        segment_agreement: percentOf(segs),
        kappa_brennan_prediger: freeMarginalKappa(byCount, m),
        kappa_fleiss: fleissKappa(byCount, m),
        counts: { ...pf[0]!.counts },
        segments: segs,
        pairs: pf,
        documents: this.codeRows[k]!,
      };
    });
    const codesUsed = codes.filter((c) => c.used).length;
    // Each used code not applied in a document adds that document's units as "neither".
    addNeither(this.overallHist, codesUsed * this.units - this.usedTimesUnits);
    for (const acc of this.overallPairs) acc.addNeither(codesUsed * this.units - this.usedTimesUnits, codesUsed * this.weight - this.usedTimesWeight);
    const opf = this.overallPairs.map((acc, p) => acc.figures(pairIds[p]!));
    const osegs = opf.reduce((s, p) => ({ total: s.total + p.segments.total, matched: s.matched + p.segments.matched }), { total: 0, matched: 0 });
    const obyCount = countByCoders(this.overallHist, m);
    if (codesUsed === 0) warnings.push('None of the chosen coders applied any of the chosen codes in the chosen documents: there is no overall agreement to report.');
    return {
      coders: setup.coders.map((c) => ({ id: c.id, name: c.name })),
      unit: setup.unit,
      threshold: setup.threshold,
      kappa_name: m === 2 ? "Cohen's kappa" : `Light's kappa (mean of the ${pairs.length} pairwise Cohen's kappas)`,
      codes,
      overall: {
        codes_used: codesUsed,
        codes_total: codes.length,
        kappa_segments: segmentKappa(osegs, codesUsed),
        units: totalOf(this.overallHist),
        percent_agreement: percentAgreement(this.overallHist, m),
        kappa_weighted: meanDefined(opf.map((p) => p.kappa_weighted)),
        kappa_pooled: meanDefined(opf.map((p) => p.kappa_pooled)),
        alpha: krippendorffAlpha(obyCount, m),
        segment_agreement: percentOf(osegs),
        kappa_brennan_prediger: freeMarginalKappa(obyCount, m),
        kappa_fleiss: fleissKappa(obyCount, m),
        counts: { ...opf[0]!.counts },
        segments: osegs,
        pairs: opf,
        documents: this.listed.map(({ doc, units, used, acc }) => {
          const rest = (codesUsed - used) * units;
          addNeither(acc.hist, rest);
          for (const p of acc.pairs) p.neither += rest;
          return docFigures(doc, acc.hist, acc.pairs, acc.segments, m);
        }),
        documents_total: this.documents,
      },
      warnings,
    };
  }
}

function addNeither(hist: Map<number, number>, n: number): void {
  if (n > 0) hist.set(0, (hist.get(0) ?? 0) + n);
}

const neitherHist = (n: number): Map<number, number> => (n > 0 ? new Map([[0, n]]) : new Map());
const neitherPair = (n: number): PairCounts => ({ both: 0, first_only: 0, second_only: 0, neither: n });

/**
 * Agreement of two or more coders over chosen codes and documents. Pure: the project is
 * read by `agreementFromProject`, so tests can feed hand-made cases.
 */
export function computeAgreement(input: AgreementInput, options: { documentRows?: number } = {}): AgreementReport {
  const run = new AgreementRun({ coders: input.coders, codes: input.codes, unit: input.unit, threshold: input.threshold, documentRows: options.documentRows ?? Infinity });
  const coderIndex = new Map(input.coders.map((c, i) => [c.id, i]));
  const codeIndex = new Map(input.codes.map((c, k) => [c.id, k]));
  const byDoc = new Map<string, number[]>();
  for (const s of input.segments) {
    const ci = coderIndex.get(s.coder_id);
    const k = codeIndex.get(s.code_id);
    if (ci === undefined || k === undefined) continue;
    let list = byDoc.get(s.document_id);
    if (!list) byDoc.set(s.document_id, (list = []));
    list.push(k, ci, s.start, s.end);
  }
  for (const d of input.documents) run.add(d, d.units === null ? null : boundsOf(d.units), byDoc.get(d.id) ?? []);
  return run.report();
}

export interface AgreementOptions {
  coderIds: string[];
  /** Codes to compare; all codes when empty or absent. */
  codeIds?: string[];
  /** Documents to compare over; all documents when empty or absent. */
  documentIds?: string[];
  /** Only the documents of this document set (of `documentIds`, when both are given). */
  setId?: string;
  unit: AgreementUnit;
  threshold?: number;
  /** List at most this many documents per code and overall (the first in document order); all when absent. */
  documentRows?: number;
}

/** How a long computation tells how far it has got, and learns that it should stop. */
export interface AgreementProgress {
  /** Called with documents done and the total, from 0 to the total; a returned promise is awaited. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
  /** Checked between batches: true stops the computation with a "cancelled" error. */
  isCancelled?: () => boolean;
  /** Documents read per statement (default 500). */
  batchSize?: number;
  /** Worker threads that split sentences and paragraphs (0: none, on the main thread); by default some for a large project. */
  workers?: number;
  /** Documents per page when the whole project's codings are read at once (default 2,000): for tests of several pages. */
  scanPage?: number;
}

/**
 * "code coder start end code coder start end …" (whole numbers, code -1 for one not compared)
 * as [code index, coder index, start, end, …] without the codes not compared. Read character
 * by character: splitting a million segments into strings costs more than counting them.
 */
function parseCodings(text: string | undefined): number[] {
  if (!text) return [];
  const out: number[] = [];
  const field = [0, 0, 0, 0];
  let f = 0;
  let value = 0;
  let negative = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (c >= 48 && c <= 57) value = value * 10 + (c - 48);
    else if (c === 45) negative = true;
    else if (c === 32) {
      field[f++] = negative ? -value : value;
      value = 0;
      negative = false;
      if (f === 4) {
        if (field[0]! >= 0) out.push(field[0]!, field[1]!, field[2]!, field[3]!);
        f = 0;
      }
    }
  }
  return out;
}

/**
 * SQL for a segment's code as its number among `ids` (-1 for any other code): a binary search
 * over the ids in SQLite's order, then one equality test. A million segments against a
 * codebook compared one WHEN after another took a second of SQLite's time at 100,000 documents.
 */
function codeSearch(keys: number[]): { sql: string; params: number[] } {
  // Codes by their integer key in the stored rows (migration 13), compared as numbers.
  const sorted = keys.map((key, k) => ({ key, k })).sort((a, b) => a.key - b.key);
  const params: number[] = [];
  const search = (lo: number, hi: number): string => {
    if (hi - lo === 1) {
      params.push(sorted[lo]!.key);
      return `CASE WHEN s.code_key = ? THEN ${sorted[lo]!.k} ELSE -1 END`;
    }
    const mid = (lo + hi) >> 1;
    params.push(sorted[mid]!.key);
    const sql = `CASE WHEN s.code_key < ? THEN ${search(lo, mid)} ELSE `;
    return `${sql}${search(mid, hi)} END`;
  };
  return { sql: search(0, sorted.length), params };
}

export const agreementCancelled = (): MarginaliaError => new MarginaliaError('cancelled', 'Cancelled: the agreement was not computed.');

/** Documents per page of the scan of the whole project's codings (a few hundred KB of rows). */
const SCAN_PAGE = 2000;

/** Reads the chosen coders, codes, documents and segments, and computes agreement. */
export async function agreementFromProject(r: Reader, options: AgreementOptions, progress: AgreementProgress = {}): Promise<AgreementReport> {
  return (await runFromProject(r, options, progress, false)).report();
}

/**
 * The same agreement for its CSV: the report without its document lists, and the listed
 * documents' rows kept as numbers and made one at a time as the CSV reads them. By document
 * over 100,000 documents the rows are 2.2 million; the CSV lists them code by code while they
 * are computed document by document, so they are all kept until the end, but not as objects.
 */
export async function agreementRowsFromProject(r: Reader, options: AgreementOptions, progress: AgreementProgress = {}): Promise<{ report: AgreementReport; rows: AgreementRows }> {
  const run = await runFromProject(r, options, progress, true);
  const report = run.report();
  return { report, rows: run.rows(report) };
}

async function runFromProject(r: Reader, options: AgreementOptions, progress: AgreementProgress, compact: boolean): Promise<AgreementRun> {
  const coderIds = [...new Set(options.coderIds)];
  if (coderIds.length < 2) throw invalid('coders', 'choose at least two different coders to compare.');
  const coders: { id: string; name: string }[] = [];
  for (const id of coderIds) {
    const c = await r.get<{ id: string; name: string }>(`SELECT id, name FROM coders WHERE id = ?`, [id]);
    if (!c) throw notFound('coder', id);
    coders.push(c);
  }
  // Under blind coding a hidden coder's work reads as none: figures against it would mislead.
  const hidden = await hiddenAmong(r, coderIds);
  if (hidden.length > 0) {
    const names = coders.filter((c) => hidden.includes(c.id)).map((c) => `"${c.name}"`).join(' and ');
    throw invalid(
      'coders',
      `the coding of ${names} is hidden from you while a reliability round you code in is open, so agreement with ${hidden.length > 1 ? 'them' : 'that coder'} cannot be computed yet. Compare once the round is closed, or as a coder outside the round.`,
    );
  }
  const allCodes = await listCodes(r, { counts: false });
  let codes = allCodes;
  if (options.codeIds && options.codeIds.length > 0) {
    const byId = new Map(allCodes.map((c) => [c.id, c]));
    codes = [...new Set(options.codeIds)].map((id) => {
      const c = byId.get(id);
      if (!c) throw notFound('code', id);
      return c;
    });
  }
  if (codes.length === 0) throw new MarginaliaError('invalid_input', 'codes: the project has no codes to compare. Add codes and code some documents first.');
  let docs = await r.all<{ id: string; name: string; length: number }>(`SELECT id, name, length FROM documents ORDER BY sort_order, name COLLATE NOCASE`);
  if (options.documentIds && options.documentIds.length > 0) {
    const byId = new Map(docs.map((d) => [d.id, d]));
    docs = [...new Set(options.documentIds)].map((id) => {
      const d = byId.get(id);
      if (!d) throw notFound('document', id);
      return d;
    });
  }
  if (options.setId) {
    if (!(await r.get(`SELECT 1 FROM document_sets WHERE id = ?`, [options.setId]))) throw notFound('document set', options.setId);
    const members = new Set((await r.all<{ document_id: string }>(`SELECT document_id FROM document_set_members WHERE set_id = ?`, [options.setId])).map((m) => m.document_id));
    docs = docs.filter((d) => members.has(d.id));
  }
  const run = new AgreementRun({
    coders,
    codes: codes.map((c) => ({ id: c.id, path: c.path })),
    unit: options.unit,
    threshold: options.threshold ?? 0.9,
    documentRows: options.documentRows ?? Infinity,
    compact,
  });
  const withText = options.unit === 'sentence' || options.unit === 'paragraph';
  const size = Math.max(1, Math.min(progress.batchSize ?? CHUNK, CHUNK));
  const chosenIds = coders.map((c) => c.id);
  // Each segment comes back as "code coder start end", code and coder by their number in the
  // comparison (-1: a code not compared), one row per document holding all of its segments:
  // not one object per segment.
  // Read from the stored rows by their integer keys: no id is looked up per segment, only the
  // document's once per row returned, and the rows come grouped along the (document, …) index.
  const code = codeSearch(await keysOf(r, 'code_keys', codes.map((c) => c.id)));
  const chosenKeys = await keysOf(r, 'coder_keys', chosenIds);
  const coderCase = `CASE s.coder_key ${coders.map((_, i) => `WHEN ? THEN ${i}`).join(' ')} END`;
  const codings = `group_concat(printf('%d %d %d %d', ${code.sql}, ${coderCase}, s.start, s.end), ' ') AS codings`;
  const caseParams = [...code.params, ...chosenKeys];
  const documentId = `(SELECT id FROM main.document_keys WHERE key = s.document_key) AS document_id`;
  const coderMarks = coders.map(() => '?').join(',');
  const totalDocuments = (await r.get<{ n: number }>(`SELECT count(*) AS n FROM documents`))!.n;
  await progress.onProgress?.(0, docs.length);
  // Most of the project: one pass over the (document, code, coder, start, end) index is far
  // cheaper than looking each batch's documents up in it. Not as one array: 100,000 rows would
  // be held beside the map made of them.
  const scanned = docs.length * 2 >= totalDocuments ? new Map<string, string>() : null;
  if (scanned) {
    // A page of documents at a time, each page after the last one's document key. One
    // statement over all of them (r.each) lets node-sqlite3's worker thread read rows ahead of
    // the callback with nothing to hold it back, and the native memory of that backlog stays
    // with the thread's malloc arena once freed (one arena per thread: the next computation's
    // scan may grow another). Read a page at a time, the backlog is a page. At 100k, the
    // on-screen report by sentence right after the CSV by document: peak 575 → 451-498 MB.
    const pageSize = Math.max(1, progress.scanPage ?? SCAN_PAGE);
    let after = -1;
    for (;;) {
      const page = await r.all<{ document_key: number; document_id: string; codings: string }>(
        `SELECT s.document_key, ${documentId}, ${codings} FROM segment_rows s WHERE s.coder_key IN (${coderMarks}) AND s.document_key > ? GROUP BY s.document_key ORDER BY s.document_key LIMIT ?`,
        [...caseParams, ...chosenKeys, after, pageSize],
      );
      for (const row of page) scanned.set(row.document_id, row.codings);
      if (page.length < pageSize) break;
      after = page[page.length - 1]!.document_key;
    }
  }
  if (progress.isCancelled?.()) throw agreementCancelled();
  // Sentences and paragraphs of many documents are split on worker threads, a few batches ahead.
  const workers = progress.workers ?? (docs.length >= POOL_FROM_DOCUMENTS ? SentencePool.size() : 0);
  const pool = (options.unit === 'sentence' || options.unit === 'paragraph') && workers > 0 ? new SentencePool(workers) : null;
  // One batch of documents: their texts (for sentences and paragraphs; for the workers the
  // bytes stored, which they decode: all of the batch's in one buffer, with each one's id and
  // length in bytes, in the same order) and, unless they were all read at once, their segments
  // by the chosen coders.
  const read = async (from: number) => {
    const batch = docs.slice(from, from + size);
    const ids = batch.map((d) => d.id);
    const marks = ids.map(() => '?').join(',');
    const [texts, joined, segments] = await Promise.all([
      withText && !pool ? r.all<{ id: string; text: string }>(`SELECT id, text FROM documents WHERE id IN (${marks})`, ids) : Promise.resolve([]),
      pool
        ? r.get<{ ids: string; lengths: string; bytes: Uint8Array | null }>(
            `SELECT json_group_array(id) AS ids, json_group_array(length(CAST(text AS BLOB))) AS lengths, CAST(group_concat(text, '') AS BLOB) AS bytes FROM documents WHERE id IN (${marks})`,
            ids,
          )
        : Promise.resolve(undefined),
      scanned
        ? Promise.resolve([])
        : r.all<{ document_id: string; codings: string }>(`SELECT ${documentId}, ${codings} FROM segment_rows s
             WHERE s.document_key IN (SELECT key FROM main.document_keys WHERE id IN (${marks})) AND s.coder_key IN (${coderMarks}) GROUP BY s.document_key`, [
            ...caseParams,
            ...ids,
            ...chosenKeys,
          ]),
    ]);
    return { batch, texts, joined, segments };
  };
  const prepare = async (from: number) => {
    const { batch, texts, joined, segments } = await read(from);
    let units: (Int32Array | null)[];
    if (pool && (options.unit === 'sentence' || options.unit === 'paragraph')) {
      const order = JSON.parse(joined?.ids ?? '[]') as string[];
      const lengths = JSON.parse(joined?.lengths ?? '[]') as number[];
      const starts = new Int32Array(order.length + 1);
      lengths.forEach((n, i) => (starts[i + 1] = starts[i]! + n));
      const split = await pool.units(options.unit, joined?.bytes ?? new Uint8Array(0), starts);
      const unitsOf = new Map(order.map((id, i) => [id, split[i]!]));
      units = batch.map((d) => unitsOf.get(d.id) ?? new Int32Array(0));
    } else {
      const textOf = new Map(texts.map((t) => [t.id, t.text]));
      units = batch.map((d) => boundsFor(options.unit, textOf.get(d.id) ?? '', d.length));
    }
    return { batch, units, codingsOf: scanned ?? new Map(segments.map((s) => [s.document_id, s.codings])) };
  };
  const ahead = pool ? pool.count + 1 : 1;
  const pending: Promise<Awaited<ReturnType<typeof prepare>>>[] = [];
  let queued = 0;
  const fill = () => {
    while (pending.length < ahead && queued < docs.length) {
      const p = prepare(queued);
      p.catch(() => undefined); // awaited in turn below; a batch read after a stop is dropped
      pending.push(p);
      queued += size;
    }
  };
  try {
    let done = 0;
    fill();
    while (pending.length > 0) {
      const { batch, units, codingsOf } = await pending.shift()!;
      if (progress.isCancelled?.()) throw agreementCancelled();
      // The next batches are read (and their sentences split) while this one is counted.
      fill();
      batch.forEach((d, i) => run.add(d, units[i]!, parseCodings(codingsOf.get(d.id))));
      done += batch.length;
      await progress.onProgress?.(done, docs.length);
    }
  } finally {
    // Reads still on their way finish before the connection's transaction ends.
    await Promise.allSettled(pending);
    await pool?.close();
  }
  if (progress.isCancelled?.()) throw agreementCancelled();
  return run;
}
