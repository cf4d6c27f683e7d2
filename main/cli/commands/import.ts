import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { VariableType } from '../../core/documents/documents';
import { importPaths, LISTED_OUTCOMES, type ImportOutcome } from '../../core/import/import-files';
import { importAttributes } from '../../core/import/attributes-csv';
import type { SpreadsheetMapping } from '../../core/import/spreadsheet';
import { MarginaliaError } from '../../core/errors';
import { importExchangeFile, isExchangeFile, printExchangeReport } from './export';
import { CODER_OPT, JSON_OPT, UsageError, safeName, str, withProject, type Command, type ParsedArgs } from '../command';

const TYPES: readonly VariableType[] = ['text', 'number', 'date', 'boolean'];

/** --attribute COLUMN[:TYPE], repeatable; a column name may itself hold a colon. */
function attributeFlags(args: ParsedArgs): { column: string; type: VariableType }[] | undefined {
  const raw = args.values.attribute;
  if (raw === undefined || typeof raw === 'boolean') return undefined;
  return (Array.isArray(raw) ? raw : [raw]).map((spec) => {
    const colon = spec.lastIndexOf(':');
    const type = colon >= 0 ? spec.slice(colon + 1).trim().toLowerCase() : '';
    if (colon >= 0 && TYPES.includes(type as VariableType)) return { column: spec.slice(0, colon).trim(), type: type as VariableType };
    if (colon >= 0 && type && !spec.slice(0, colon).trim()) throw new UsageError(`--attribute "${spec}" names no column`);
    if (colon >= 0 && /^[a-z]+$/.test(type)) throw new UsageError(`--attribute "${spec}": the type must be one of ${TYPES.join(', ')}`);
    return { column: spec.trim(), type: 'text' as const };
  });
}

function mappingOf(args: ParsedArgs): SpreadsheetMapping | undefined {
  const mapping: SpreadsheetMapping = {};
  const text = str(args, 'text-column');
  const name = str(args, 'name-column');
  const attributes = attributeFlags(args);
  if (text) mapping.textColumn = text;
  if (name) mapping.nameColumn = name;
  if (attributes) mapping.attributes = attributes;
  return Object.keys(mapping).length ? mapping : undefined;
}

function where(o: ImportOutcome): string {
  return o.row ? `${safeName(o.file)} row ${o.row}` : safeName(o.file);
}

export const importCommand: Command = {
  name: 'import',
  usage:
    'marginalia import PROJECT PATH... [--text-column COL] [--name-column COL] [--attribute COL[:text|number|date|boolean]]... [--keep-duplicates] [--coder NAME] [--json]',
  summary:
    'Import files and folders (recursively): .txt .md .html .docx .odt .rtf .pdf, and .csv .tsv .xlsx .jsonl with one article per row. A text already in the project is reported as a duplicate and not imported again, unless --keep-duplicates (the same wire story from another source: a document of its own, reported as the same text). Exits 1 if any file failed, after importing the rest. REFI-QDA files from ATLAS.ti, MAXQDA, NVivo, QualCoder and others (a project .qdpx or .qde, a codebook .qdc) are imported on their own, with a report of what came across, was converted or dropped.',
  options: { 'text-column': { type: 'string' }, 'name-column': { type: 'string' }, attribute: { type: 'string', multiple: true }, 'keep-duplicates': { type: 'boolean' }, ...CODER_OPT, ...JSON_OPT },
  async run(args, io) {
    const paths = args.positionals.slice(1);
    if (paths.length === 0) throw new UsageError('give at least one PATH to import');
    for (const p of paths) if (!existsSync(p)) throw new MarginaliaError('not_found', `${p}: no such file or folder.`);
    if (paths.every(isExchangeFile)) {
      return withProject(args, async (session) => {
        for (const p of paths) {
          const report = await importExchangeFile(session, p, str(args, 'coder'));
          if (args.values.json) io.out(JSON.stringify(report, null, 2));
          else printExchangeReport(io, report);
        }
        return 0;
      });
    }
    const mapping = mappingOf(args);
    return withProject(args, async (session) => {
      const coder = await session.coder();
      const tty = process.stderr.isTTY;
      let lastLine = 0;
      const report = await importPaths(session.project, paths, {
        importedBy: coder.id,
        mapping,
        keepDuplicates: args.values['keep-duplicates'] === true,
        onProgress: (done, total, current) => {
          if (!current) return;
          if (tty) process.stderr.write(`\r${`Importing ${done + 1}/${total}: ${safeName(current)}`.slice(0, 100).padEnd(100)}`);
          else if (Date.now() - lastLine > 1000) {
            // Not a terminal (a log file, a pipeline): one line a second, not one per file.
            lastLine = Date.now();
            process.stderr.write(`Importing ${done + 1}/${total}: ${safeName(current)}\n`);
          }
        },
      });
      if (tty) process.stderr.write(`\r${' '.repeat(100)}\r`);
      if (args.values.json) io.out(JSON.stringify(report, null, 2));
      else {
        for (const o of report.outcomes) {
          if (o.status === 'imported') io.out(`imported   ${where(o)}${o.name !== basename(o.file).replace(/\.[^.]+$/, '') ? ` as "${safeName(o.name)}"` : ''}${o.note ? ` (${safeName(o.note)})` : ''}`);
          else if (o.status === 'duplicate') io.out(`duplicate  ${where(o)} (same text as "${safeName(o.duplicateOf.name)}")`);
          else io.err(`failed     ${where(o)}: ${safeName(o.reason)}`);
        }
        const { unlisted } = report;
        if (unlisted.imported) io.out(`…          ${unlisted.imported} more imported, not listed`);
        if (unlisted.duplicates) io.out(`…          ${unlisted.duplicates} more duplicates, not listed`);
        if (unlisted.failed) io.err(`…          ${unlisted.failed} more failed, not listed: the first ${LISTED_OUTCOMES} are above; fix those rows and import the file again (rows already in are skipped as duplicates) to see the rest`);
        io.out(`${report.imported} imported, ${report.duplicates} duplicates, ${report.failed} failed.`);
      }
      return report.failed > 0 ? 1 : 0;
    });
  },
};

export const attributesCommand: Command = {
  name: 'attributes',
  usage: 'marginalia attributes PROJECT FILE.csv [--coder NAME] [--json]',
  summary:
    'Set document attributes in bulk from a CSV (or .tsv/.xlsx) keyed by document name: a "document" or "name" column (else the first), one column per attribute. Exits 1 if any row failed.',
  options: { ...CODER_OPT, ...JSON_OPT },
  async run(args, io) {
    const file = args.positionals[1];
    if (!file) throw new UsageError('FILE.csv is required');
    if (!existsSync(file)) throw new MarginaliaError('not_found', `${file}: no such file.`);
    const bytes = readFileSync(file);
    return withProject(args, async (session) => {
      const coder = await session.coder();
      const report = await importAttributes(session.project, bytes, basename(file), coder.id);
      if (args.values.json) io.out(JSON.stringify(report, null, 2));
      else {
        for (const f of report.failed) io.err(`failed     ${safeName(f.reason)}`);
        io.out(`${report.updated} documents updated (${report.attributes.map((a) => `${safeName(a.name)}: ${a.type}`).join(', ')}), ${report.failed.length} rows failed.`);
      }
      return report.failed.length > 0 ? 1 : 0;
    });
  },
};

export const IMPORT_COMMANDS: Command[] = [importCommand, attributesCommand];
