import type { Reader } from '../db/project-db';
import { MarginaliaError, invalid, notFound } from '../errors';
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
import { coverage, maskHistogram, unitsOf, type AgreementUnit, type Span } from './units';
import { hiddenAmong } from './blind-scope';

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
    /** Per document, over the used codes. */
    documents: DocumentAgreement[];
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

function pairsOf(m: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) out.push([i, j]);
  return out;
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

/**
 * Agreement of two or more coders over chosen codes and documents. Pure: the project is
 * read by `agreementFromProject`, so tests can feed hand-made cases.
 */
export function computeAgreement(input: AgreementInput): AgreementReport {
  const m = input.coders.length;
  if (m < 2) throw invalid('coders', 'choose at least two coders to compare.');
  if (m > MAX_CODERS) throw invalid('coders', `at most ${MAX_CODERS} coders can be compared at once.`);
  if (!(input.threshold > 0 && input.threshold <= 1)) throw invalid('threshold', `must be more than 0 and at most 1 (0.9 means 90% overlap); got ${input.threshold}.`);
  const coderIndex = new Map(input.coders.map((c, i) => [c.id, i]));
  const codeIds = new Set(input.codes.map((c) => c.id));
  const docIds = new Set(input.documents.map((d) => d.id));

  // spans[code][doc][coder]
  const spans = new Map<string, Map<string, Span[][]>>();
  const coded = new Array<number>(m).fill(0);
  for (const s of input.segments) {
    const ci = coderIndex.get(s.coder_id);
    if (ci === undefined || !codeIds.has(s.code_id) || !docIds.has(s.document_id)) continue;
    let byDoc = spans.get(s.code_id);
    if (!byDoc) spans.set(s.code_id, (byDoc = new Map()));
    let byCoder = byDoc.get(s.document_id);
    if (!byCoder) byDoc.set(s.document_id, (byCoder = input.coders.map(() => [])));
    byCoder[ci]!.push({ start: s.start, end: s.end });
    coded[ci]!++;
  }
  const warnings = input.coders
    .filter((_, i) => coded[i] === 0)
    .map((c) => `Coder "${c.name}" has coded none of the chosen codes in the chosen documents; counted as having coded nothing.`);

  const pairs = pairsOf(m);
  const pairIds = pairs.map(([i, j]) => [input.coders[i]!.id, input.coders[j]!.id] as [string, string]);
  const overallPairs = pairs.map(() => new PairAcc());
  const overallHist = new Map<number, number>();
  const docAcc = new Map<string, DocAcc>(
    input.documents.map((d) => [d.id, { hist: new Map(), pairs: pairs.map(emptyPair), segments: { total: 0, matched: 0 } }]),
  );
  const empty: Span[][] = input.coders.map(() => []);

  const codes: CodeAgreement[] = input.codes.map((code) => {
    const codeHist = new Map<number, number>();
    const codePairs = pairs.map(() => new PairAcc());
    const used = spans.has(code.id);
    const documents = input.documents.map((doc) => {
      const raw = spans.get(code.id)?.get(doc.id) ?? empty;
      const hist = maskHistogram(input.unit, doc.length, doc.units, raw.map(coverage));
      const docPairs = pairs.map(([i, j]) => pairCounts(hist, i, j));
      const docSeg: SegmentMatch = { total: 0, matched: 0 };
      pairs.forEach(([i, j], p) => {
        const seg = segmentMatch(raw[i]!, raw[j]!, input.threshold);
        docSeg.total += seg.total;
        docSeg.matched += seg.matched;
        codePairs[p]!.add(docPairs[p]!, seg, doc.length);
        // A code nobody used would only add its 0/0 kappas of 1 and its "neither" units.
        if (used) overallPairs[p]!.add(docPairs[p]!, seg, doc.length);
      });
      sumHist(codeHist, hist);
      if (used) {
        sumHist(overallHist, hist);
        const acc = docAcc.get(doc.id)!;
        sumHist(acc.hist, hist);
        docPairs.forEach((c, p) => addPair(acc.pairs[p]!, c));
        acc.segments.total += docSeg.total;
        acc.segments.matched += docSeg.matched;
      }
      return docFigures(doc, hist, docPairs, docSeg, m);
    });
    const pf = codePairs.map((acc, p) => acc.figures(pairIds[p]!));
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
      documents,
    };
  });

  const opf = overallPairs.map((acc, p) => acc.figures(pairIds[p]!));
  const osegs = opf.reduce((s, p) => ({ total: s.total + p.segments.total, matched: s.matched + p.segments.matched }), { total: 0, matched: 0 });
  const obyCount = countByCoders(overallHist, m);
  const codesUsed = codes.filter((c) => c.used).length;
  if (codesUsed === 0) warnings.push('None of the chosen coders applied any of the chosen codes in the chosen documents: there is no overall agreement to report.');
  return {
    coders: input.coders.map((c) => ({ id: c.id, name: c.name })),
    unit: input.unit,
    threshold: input.threshold,
    kappa_name: m === 2 ? "Cohen's kappa" : `Light's kappa (mean of the ${pairs.length} pairwise Cohen's kappas)`,
    codes,
    overall: {
      codes_used: codesUsed,
      codes_total: codes.length,
      kappa_segments: segmentKappa(osegs, codesUsed),
      units: totalOf(overallHist),
      percent_agreement: percentAgreement(overallHist, m),
      kappa_weighted: meanDefined(opf.map((p) => p.kappa_weighted)),
      kappa_pooled: meanDefined(opf.map((p) => p.kappa_pooled)),
      alpha: krippendorffAlpha(obyCount, m),
      segment_agreement: percentOf(osegs),
      kappa_brennan_prediger: freeMarginalKappa(obyCount, m),
      kappa_fleiss: fleissKappa(obyCount, m),
      counts: { ...opf[0]!.counts },
      segments: osegs,
      pairs: opf,
      documents: input.documents.map((d) => {
        const acc = docAcc.get(d.id)!;
        return docFigures(d, acc.hist, acc.pairs, acc.segments, m);
      }),
    },
    warnings,
  };
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
}

/** Reads the chosen coders, codes, documents and segments, and computes agreement. */
export async function agreementFromProject(r: Reader, options: AgreementOptions): Promise<AgreementReport> {
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
  const allCodes = await listCodes(r);
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
  const documents: AgreementInput['documents'] = [];
  for (const d of docs) {
    let units: Span[] | null = null;
    if (options.unit !== 'char') {
      const text = options.unit === 'document' ? '' : ((await r.get<{ text: string }>(`SELECT text FROM documents WHERE id = ?`, [d.id]))?.text ?? '');
      units = unitsOf(options.unit, text, d.length);
    }
    documents.push({ ...d, units });
  }
  const segments = await r.all<AgreementInput['segments'][number]>(
    `SELECT document_id, code_id, coder_id, start, end FROM segments WHERE coder_id IN (${coders.map(() => '?').join(',')})`,
    coders.map((c) => c.id),
  );
  return computeAgreement({ coders, codes: codes.map((c) => ({ id: c.id, path: c.path })), documents, segments, unit: options.unit, threshold: options.threshold ?? 0.9 });
}
