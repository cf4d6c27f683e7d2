import { resolve } from 'node:path';
import { resolveCoder } from '../../core/coders/coders';
import { resolveCode } from '../../core/codebook/codebook';
import { resolveDocument } from '../../core/documents/documents';
import { agreementFromProject, agreementRowsFromProject, type AgreementReport } from '../../core/team/agreement';
import { writeAgreementCsv } from '../../core/team/agreement-csv';
import { writeTextFileStreaming } from '../../core/exchange/export';
import { DELIMITERS as DELIMITER_CHARACTERS, type Delimiter } from '../../core/exchange/csv';

const DELIMITERS = Object.keys(DELIMITER_CHARACTERS) as Delimiter[];
import { applyMerge, previewMerge, type MergePreview, type MergeResult } from '../../core/team/merge';
import { readMergeSource } from '../../core/team/merge-source';
import { AGREEMENT_UNITS, type AgreementUnit } from '../../core/team/units';
import { CODER_OPT, JSON_OPT, UsageError, list, safeName, str, table, withProject, type Command, type Io } from '../command';

const LIST_LIMIT = 50;

function section(io: Io, title: string, items: { label: string; note?: string }[], total: number): void {
  io.out(`${title}: ${total}`);
  for (const item of items.slice(0, LIST_LIMIT)) io.out(`    ${safeName(item.label)}${item.note ? `  (${safeName(item.note)})` : ''}`);
  if (items.length > LIST_LIMIT) io.out(`    … and ${items.length - LIST_LIMIT} more (--json lists all)`);
}

/** The merge report in words: the same sections the merge dialog shows. */
/** ", 2 document sets (14 documents into sets)" when their file has sets to bring. */
function setWords(c: MergePreview['add']['counts']): string {
  if (!c.sets && !c.set_members) return '';
  return `, ${c.sets} document sets (${c.set_members} documents into sets)`;
}

export function printMergeReport(io: Io, report: MergePreview | MergeResult, dryRun: boolean): void {
  const { add, existing } = report;
  io.out(`Merging ${safeName(report.source.file)} (project "${safeName(report.source.project_name)}")${dryRun ? ' — preview, nothing written' : ''}`);
  io.out('');
  io.out(
    `To add: ${add.counts.documents} documents, ${add.counts.codes} codes, ${add.counts.coders} coders, ${add.counts.segments} segments, ${add.counts.memos} memos, ${add.counts.attributes} attribute values${setWords(add.counts)}`,
  );
  section(io, '  Documents to add', add.documents, add.counts.documents);
  section(io, '  Codes to add', add.codes, add.counts.codes);
  section(io, '  Coders to add', add.coders, add.counts.coders);
  io.out(`Already here: ${existing.counts.documents} documents, ${existing.counts.codes} codes, ${existing.counts.coders} coders, ${existing.counts.segments} segments, ${existing.counts.memos} memos${existing.counts.sets ? `, ${existing.counts.sets} document sets` : ''}`);
  const renamed = existing.documents.filter((d) => d.note);
  if (renamed.length) section(io, '  Same text, other name', renamed, renamed.length);
  io.out(`Conflicts: ${report.conflicts.length}`);
  for (const c of report.conflicts) {
    io.out(`  [${c.id}] ${c.kind} "${safeName(c.label)}": ${safeName(c.detail)}`);
    io.out(`      choices: ${c.choices.map((x) => `${x.value}${x.value === c.default ? ' (default)' : ''}`).join(', ')}`);
  }
  if (report.same_name_coders.length) {
    io.out(`Coders with the same name as a coder here (kept as two; rename one to tell them apart): ${report.same_name_coders.length}`);
    for (const s of report.same_name_coders) io.out(`  "${safeName(s.name)}": theirs ${s.their_id}, ours ${s.our_id}`);
  }
  for (const s of report.skipped) io.out(`Left out: ${safeName(s)}`);
  if ('backup' in report) io.out(`\nMerged. Backup made first: ${report.backup}. Undo with "marginalia undo".`);
  else if (dryRun) io.out('\nNothing was written. Run again without --dry-run to merge (choices: --choice ID=VALUE, --take-theirs, --skip-new-documents).');
}

export const mergeCommand: Command = {
  name: 'merge',
  usage: 'marginalia merge PROJECT OTHER [--dry-run] [--choice ID=VALUE]... [--take-theirs] [--skip-new-documents] [--coder NAME] [--json]',
  summary:
    "Merge a colleague's project file into PROJECT: documents by text, codes by id then path, coders by id. Backs up PROJECT first; one undoable step. --dry-run prints the preview only.",
  options: {
    'dry-run': { type: 'boolean' },
    choice: { type: 'string', multiple: true },
    'take-theirs': { type: 'boolean' },
    'skip-new-documents': { type: 'boolean' },
    ...CODER_OPT,
    ...JSON_OPT,
  },
  run: (args, io) =>
    withProject(args, async (session) => {
      const otherPath = args.positionals[1];
      if (!otherPath) throw new UsageError('OTHER (the colleague\'s project file) is required');
      if (resolve(otherPath) === resolve(session.project.path)) throw new UsageError('OTHER is the project itself; name the colleague\'s file');
      const dryRun = !!args.values['dry-run'];
      // A preview writes nothing, not even the current coder's row.
      const other = await readMergeSource(otherPath, undefined, dryRun ? await session.existingCoder() : await session.coder());
      const db = session.project.db;
      const preview = await previewMerge(db, other);
      // Blanket choices first, then each --choice, so a single one can override a blanket.
      const choices: Record<string, string> = {};
      for (const c of preview.conflicts) {
        if (c.kind === 'code' && args.values['take-theirs']) choices[c.id] = 'take-theirs';
        if (c.kind === 'document' && args.values['skip-new-documents']) choices[c.id] = 'skip';
      }
      for (const raw of list(args, 'choice')) {
        const eq = raw.lastIndexOf('=');
        if (eq <= 0) throw new UsageError(`--choice must look like ID=VALUE (for example code:<id>=take-theirs); got "${raw}"`);
        const key = raw.slice(0, eq).trim();
        if (!preview.conflicts.some((c) => c.id === key)) throw new UsageError(`--choice ${key}: no such conflict; run with --dry-run to list them`);
        choices[key] = raw.slice(eq + 1).trim();
      }
      const report = dryRun ? await previewMerge(db, other, choices) : await applyMerge(db, session.project.path, other, choices, (await session.coder()).id);
      if (args.values.json) io.out(JSON.stringify(report, null, 2));
      else printMergeReport(io, report, dryRun);
      return 0;
    }),
};

const fmt = (v: number | null, digits: number) => (v === null ? '—' : v.toFixed(digits));

function printAgreement(io: Io, report: AgreementReport): void {
  io.out(`Coders: ${report.coders.map((c) => safeName(c.name)).join(', ')}   unit: ${report.unit}   segment overlap threshold: ${report.threshold}`);
  const many = report.coders.length > 2;
  const [first, second] = report.coders.map((c) => safeName(c.name));
  const nobody = many ? 'not used by any chosen coder' : 'not used by either coder';
  io.out(`Kappa: ${report.kappa_name}${many ? "; Fleiss' kappa beside it" : ''}. Both / first only / second only / neither: units coded by ${first} and ${second}.`);
  type Row = Record<string, string | number>;
  const figures = (x: AgreementReport['overall'] | AgreementReport['codes'][number]): Row => ({
    'agree %': fmt(x.percent_agreement, 2),
    'kappa (weighted)': fmt(x.kappa_weighted, 4),
    'kappa (pooled)': fmt(x.kappa_pooled, 4),
    ...(many ? { 'Fleiss kappa': fmt(x.kappa_fleiss, 4) } : {}),
    'Brennan-Prediger': fmt(x.kappa_brennan_prediger, 4),
    alpha: fmt(x.alpha, 4),
    'segments %': fmt(x.segment_agreement, 2),
    both: x.counts.both,
    'first only': x.counts.first_only,
    'second only': x.counts.second_only,
    neither: x.counts.neither,
  });
  const rows: Row[] = report.codes.map((c) => ({
    code: c.used ? c.path : `${c.path} [${nobody}]`,
    units: c.units,
    ...figures(c),
  }));
  const o = report.overall;
  rows.push({ code: `(overall, over the ${o.codes_used} of ${o.codes_total} codes used)`, units: o.units, ...figures(o) });
  const columns = ['code', 'units', 'agree %', 'kappa (weighted)', 'kappa (pooled)', ...(many ? ['Fleiss kappa'] : []), 'Brennan-Prediger', 'alpha', 'segments %', 'both', 'first only', 'second only', 'neither'];
  table(io, rows, columns);
  io.out(`Segment kappa (Brennan-Prediger, chance 1/${o.codes_used} codes, as MAXQDA): ${fmt(o.kappa_segments, 4)}`);
  if (report.codes.some((c) => !c.used)) io.out(`Codes ${nobody} agree trivially: their kappa is 1 by the 0/0 convention, and the overall figures leave them out.`);
}

/**
 * Documents compared so far, on stderr: rewritten in place on a terminal, otherwise (a log
 * file, a pipeline) one line a second at most, so a large project shows it is moving.
 */
function progressLine(io: Io): (done: number, total: number) => void {
  const started = Date.now();
  let last = started;
  return (done, total) => {
    const line = `Agreement: ${done.toLocaleString('en')} of ${total.toLocaleString('en')} documents compared`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line.padEnd(60)}`);
    else if (Date.now() - last >= 1000 || (done === total && Date.now() - started >= 1000)) {
      last = Date.now();
      io.err(line);
    }
  };
}

export const agreementCommand: Command = {
  name: 'agreement',
  usage:
    'marginalia agreement PROJECT --coders A,B[,C] [--codes PATH,...] [--docs DOC,...] [--unit char|sentence|paragraph|document] [--threshold 0.9] [--json] [--csv FILE [--delimiter comma|semicolon|tab] [--excel] [--raw]]',
  summary:
    'Intercoder agreement per code, per document and overall: percent agreement, Cohen\'s kappa (weighted by document length, and pooled; Light\'s mean of pairs and Fleiss\' kappa for 3+ coders), Brennan-Prediger kappa, Krippendorff\'s alpha, segment agreement, and the both/first only/second only/neither table. Overall figures cover only the codes a chosen coder applied. --json: {coders, unit, kappa_name, codes: [{path, used, kappa_convention, percent_agreement, kappa_weighted, kappa_pooled, kappa_brennan_prediger, kappa_fleiss, alpha, segment_agreement, counts, documents}], overall: {codes_used, codes_total, …}}, null where undefined.',
  options: {
    coders: { type: 'string', multiple: true },
    codes: { type: 'string', multiple: true },
    docs: { type: 'string', multiple: true },
    unit: { type: 'string' },
    threshold: { type: 'string' },
    csv: { type: 'string' },
    delimiter: { type: 'string' },
    excel: { type: 'boolean' },
    raw: { type: 'boolean' },
    ...JSON_OPT,
  },
  run: (args, io) =>
    withProject(args, async (session) => {
      const coderRefs = list(args, 'coders');
      if (coderRefs.length < 2) throw new UsageError('--coders needs at least two coders, like --coders anna,ben');
      const unit = (str(args, 'unit') ?? 'char') as AgreementUnit;
      if (!AGREEMENT_UNITS.includes(unit)) throw new UsageError(`--unit must be one of ${AGREEMENT_UNITS.join(', ')}; got "${unit}"`);
      const rawThreshold = str(args, 'threshold');
      const threshold = rawThreshold === undefined ? 0.9 : Number(rawThreshold);
      if (!(threshold > 0 && threshold <= 1)) throw new UsageError(`--threshold must be more than 0 and at most 1 (0.9 means 90% overlap); got "${rawThreshold}"`);
      const csv = str(args, 'csv');
      const delimiter = str(args, 'delimiter');
      if (delimiter !== undefined && !(DELIMITERS as readonly string[]).includes(delimiter)) throw new UsageError(`--delimiter must be one of ${DELIMITERS.join(', ')}; got "${delimiter}"`);
      if ((delimiter || args.values.excel || args.values.raw) && !csv) throw new UsageError('--delimiter, --excel and --raw apply to the --csv file');
      const { report, rows } = await session.project.db.read(async (r) => {
        const coderIds: string[] = [];
        for (const ref of coderRefs) coderIds.push((await resolveCoder(r, ref)).id);
        const codeIds: string[] = [];
        for (const ref of list(args, 'codes')) codeIds.push((await resolveCode(r, ref)).id);
        const documentIds: string[] = [];
        for (const ref of list(args, 'docs')) documentIds.push((await resolveDocument(r, ref)).id);
        // The CSV alone keeps its per-document rows as numbers, as the app's download does (by
        // document at 100,000 they are 2,200,000 rows); --json prints them, so it needs them as objects.
        if (csv && !args.values.json) return agreementRowsFromProject(r, { coderIds, codeIds, documentIds, unit, threshold }, { onProgress: progressLine(io) });
        // The table prints no per-document rows: only --json and --csv need them.
        const documentRows = args.values.json ? undefined : 0;
        return { report: await agreementFromProject(r, { coderIds, codeIds, documentIds, unit, threshold, documentRows }, { onProgress: progressLine(io) }), rows: undefined };
      });
      if (process.stderr.isTTY) process.stderr.write(`\r${' '.repeat(60)}\r`);
      for (const w of report.warnings) io.err(`warning: ${w}`);
      // Written to the file as it is made (a megabyte at a time), never held whole as one string.
      if (csv) await writeTextFileStreaming(csv, (sink) => writeAgreementCsv(report, { delimiter: delimiter as Delimiter | undefined, excel: args.values.excel === true, raw: args.values.raw === true }, sink, rows));
      if (args.values.json) io.out(JSON.stringify(report, null, 2));
      else {
        printAgreement(io, report);
        if (csv) io.out(`Wrote ${csv}.`);
      }
      return 0;
    }),
};

export const TEAM_COMMANDS: Command[] = [mergeCommand, agreementCommand];
