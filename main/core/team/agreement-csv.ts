import { CsvWriter, StringSink, type Cell, type CsvOptions } from '../exchange/csv';
import type { AgreementReport } from './agreement';

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
] as const;

/**
 * The agreement numbers as one tidy CSV: one row per code × document, per code (document
 * empty) and overall (both empty). Empty cells are undefined figures. Counts are for the
 * first two coders named in the header. Written by the same writer as the other tables, so
 * it quotes, neutralises and takes the delimiter and BOM options the same way.
 */
export function agreementCsv(report: AgreementReport, options: CsvOptions = {}): string {
  const sink = new StringSink();
  const writer = new CsvWriter(sink, options);
  writer.header(HEADER);
  const coders = report.coders.map((c) => c.name).join(' | ');
  type Figures = { segments: { total: number; matched: number }; counts: { both: number; first_only: number; second_only: number; neither: number } };
  const tail = (x: Figures): Cell[] => [x.segments.total, x.segments.matched, x.counts.both, x.counts.first_only, x.counts.second_only, x.counts.neither];
  for (const c of report.codes) {
    writer.row(['code', c.path, '', report.unit, coders, c.units, num(c.percent_agreement), num(c.kappa_weighted), num(c.kappa_pooled), num(c.alpha), num(c.segment_agreement), ...tail(c)]);
    for (const d of c.documents) {
      writer.row(['code_document', c.path, d.name, report.unit, coders, d.units, num(d.percent_agreement), null, num(d.kappa), num(d.alpha), num(d.segment_agreement), ...tail(d)]);
    }
  }
  for (const d of report.overall.documents) {
    writer.row(['document', '', d.name, report.unit, coders, d.units, num(d.percent_agreement), null, num(d.kappa), num(d.alpha), num(d.segment_agreement), ...tail(d)]);
  }
  const o = report.overall;
  writer.row(['overall', '', '', report.unit, coders, o.units, num(o.percent_agreement), num(o.kappa_weighted), num(o.kappa_pooled), num(o.alpha), num(o.segment_agreement), ...tail(o)]);
  writer.flush();
  return sink.toString();
}
