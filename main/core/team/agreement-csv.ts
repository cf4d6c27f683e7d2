import { stringify } from 'csv-stringify/sync';
import type { AgreementReport } from './agreement';

/** A spreadsheet runs a cell starting with these as a formula; a leading apostrophe stops it. */
function safeText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

const num = (v: number | null): string => (v === null ? '' : String(Math.round(v * 1e6) / 1e6));

/**
 * The agreement numbers as one tidy CSV: one row per code × document, per code (document
 * empty) and overall (both empty). Empty cells are undefined figures. Counts are for the
 * first two coders named in the header.
 */
export function agreementCsv(report: AgreementReport): string {
  const header = [
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
  ];
  const coders = report.coders.map((c) => c.name).join(' | ');
  const rows: string[][] = [header];
  for (const c of report.codes) {
    rows.push([
      'code', safeText(c.path), '', report.unit, safeText(coders), String(c.units),
      num(c.percent_agreement), num(c.kappa_weighted), num(c.kappa_pooled), num(c.alpha), num(c.segment_agreement),
      String(c.segments.total), String(c.segments.matched),
      String(c.counts.both), String(c.counts.first_only), String(c.counts.second_only), String(c.counts.neither),
    ]);
    for (const d of c.documents) {
      rows.push([
        'code_document', safeText(c.path), safeText(d.name), report.unit, safeText(coders), String(d.units),
        num(d.percent_agreement), '', num(d.kappa), num(d.alpha), num(d.segment_agreement),
        String(d.segments.total), String(d.segments.matched),
        String(d.counts.both), String(d.counts.first_only), String(d.counts.second_only), String(d.counts.neither),
      ]);
    }
  }
  for (const d of report.overall.documents) {
    rows.push([
      'document', '', safeText(d.name), report.unit, safeText(coders), String(d.units),
      num(d.percent_agreement), '', num(d.kappa), num(d.alpha), num(d.segment_agreement),
      String(d.segments.total), String(d.segments.matched),
      String(d.counts.both), String(d.counts.first_only), String(d.counts.second_only), String(d.counts.neither),
    ]);
  }
  const o = report.overall;
  rows.push([
    'overall', '', '', report.unit, safeText(coders), String(o.units),
    num(o.percent_agreement), num(o.kappa_weighted), num(o.kappa_pooled), num(o.alpha), num(o.segment_agreement),
    String(o.segments.total), String(o.segments.matched),
    String(o.counts.both), String(o.counts.first_only), String(o.counts.second_only), String(o.counts.neither),
  ]);
  return stringify(rows);
}
