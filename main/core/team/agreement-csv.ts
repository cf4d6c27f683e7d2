import { CsvWriter, StringSink, type Cell, type CsvOptions, type Sink } from '../exchange/csv';
import { rowsOfReport, type AgreementReport, type AgreementRows } from './agreement';

/** Six decimals: the same bytes on every export. A number cell, so a negative kappa is data, never neutralised. */
const num = (v: number | null): number | null => (v === null ? null : Math.round(v * 1e6) / 1e6);

const HEADER = [
  'scope',
  'code',
  'document',
  'unit',
  'coders',
  'units',
  'percent_agreement',
  'kappa_weighted',
  'kappa',
  'alpha',
  'segment_agreement',
  'segments',
  'segments_matched',
  'both',
  'first_only',
  'second_only',
  'neither',
  'kappa_brennan_prediger',
  'kappa_fleiss',
  'code_used',
  'kappa_convention',
  'codes_used',
  'kappa_segments',
  'kappa_name',
] as const;

/**
 * The agreement numbers as one tidy CSV: one row per code × document, per code (document
 * empty) and overall (both empty). Empty cells are undefined figures. Counts (the confusion
 * table: both, first_only, second_only, neither) are for the first two coders named in the
 * coders column. `code_used` is 1 or 0 on code rows (0: no chosen coder applied the code, its
 * kappa is 1 by the 0/0 convention named in `kappa_convention`, which also marks
 * a document where no chosen coder applied the code); document and overall rows
 * cover only the used codes, how many is in `codes_used`; the overall row adds
 * MAXQDA's segment-based kappa (`kappa_segments`). `kappa_name` says what `kappa` and
 * `kappa_weighted` are: Cohen's kappa for two coders, Light's (the mean of the pairwise Cohen's)
 * for three or more, with Fleiss' kappa in `kappa_fleiss`. Written by the same writer as the other tables, so
 * it quotes, neutralises and takes the delimiter and BOM options the same way.
 */
export function agreementCsv(report: AgreementReport, options: CsvOptions = {}): string {
  const sink = new StringSink();
  writeAgreementCsv(report, options, sink);
  return sink.toString();
}

/**
 * The same CSV written into `sink` as it is made: by document over 100,000 documents it has
 * 2,200,000 rows (301 MB), which as one string took 3.7 GB of heap and 77 s. The per-document
 * rows come from `rows`: the report's own lists, or those `agreementRowsFromProject` kept as numbers,
 * whose memory is freed once they are written (or the writing stops): in a process that has just
 * made another report, the numbers of 100,000 documents otherwise waited for a collection beside the next one's.
 */
export function writeAgreementCsv(report: AgreementReport, options: CsvOptions, sink: Sink, rows: AgreementRows = rowsOfReport(report)): void {
  try {
    writeRows(report, options, sink, rows);
  } finally {
    rows.release?.();
  }
}

function writeRows(report: AgreementReport, options: CsvOptions, sink: Sink, rows: AgreementRows): void {
  const writer = new CsvWriter(sink, options);
  writer.header(HEADER);
  const coders = report.coders.map((c) => c.name).join(' | ');
  const name = report.kappa_name;
  type Figures = { segments: { total: number; matched: number }; counts: { both: number; first_only: number; second_only: number; neither: number } };
  type Free = { kappa_brennan_prediger: number | null; kappa_fleiss: number | null };
  const tail = (x: Figures): Cell[] => [x.segments.total, x.segments.matched, x.counts.both, x.counts.first_only, x.counts.second_only, x.counts.neither];
  const free = (x: Free): Cell[] => [num(x.kappa_brennan_prediger), num(x.kappa_fleiss)];
  const o = report.overall;
  for (const [k, c] of report.codes.entries()) {
    const used: Cell[] = [c.used ? 1 : 0, c.kappa_convention, null, null];
    writer.row(['code', c.path, '', report.unit, coders, c.units, num(c.percent_agreement), num(c.kappa_weighted), num(c.kappa_pooled), num(c.alpha), num(c.segment_agreement), ...tail(c), ...free(c), ...used, name]);
    for (const d of rows.codeDocuments(k)) {
      writer.row(['code_document', c.path, d.name, report.unit, coders, d.units, num(d.percent_agreement), null, num(d.kappa), num(d.alpha), num(d.segment_agreement), ...tail(d), ...free(d), used[0]!, d.kappa_convention, null, null, name]);
    }
  }
  for (const d of rows.documents()) {
    writer.row(['document', '', d.name, report.unit, coders, d.units, num(d.percent_agreement), null, num(d.kappa), num(d.alpha), num(d.segment_agreement), ...tail(d), ...free(d), null, d.kappa_convention, o.codes_used, null, name]);
  }
  writer.row(['overall', '', '', report.unit, coders, o.units, num(o.percent_agreement), num(o.kappa_weighted), num(o.kappa_pooled), num(o.alpha), num(o.segment_agreement), ...tail(o), ...free(o), null, null, o.codes_used, num(o.kappa_segments), name]);
  writer.flush();
}
