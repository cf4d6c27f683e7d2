import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { defaultCoderName, type Session } from '../../api/session';
import { EXPORT_FORMATS, exportToFile, type ExportFormat } from '../../core/exchange/export';
import { QDPX_TARGETS } from '../../core/exchange/qdpx-export';
import type { Delimiter } from '../../core/exchange/csv';
import type { Measure } from '../../core/exchange/tables';
import { importExchangeBytes, isExchangeFile, type ExchangeImportReport } from '../../core/exchange/qdpx-import';
import { MarginaliaError } from '../../core/errors';
import { resolveCoderScope } from '../../core/exchange/filter';
import { JSON_OPT, READ_ONLY_OPT, UsageError, list, requireStr, safeName, str, withProject, type Command, type Io } from '../command';

const DELIMITER_NAMES: readonly Delimiter[] = ['comma', 'semicolon', 'tab'];
const MEASURES: readonly Measure[] = ['count', 'presence', 'characters', 'share'];
/** A .qdpx larger than this is refused before it is read into memory. */
const MAX_IMPORT_BYTES = 500 * 1024 * 1024;

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}; got "${value}"`);
  return value as T;
}

export const exportCommand: Command = {
  name: 'export',
  usage:
    'marginalia export PROJECT --format segments|matrix|codebook|documents|memos|bundle|qdpx|qdc --out PATH [--for standard|nvivo] [--delimiter comma|semicolon|tab] [--excel] [--raw] [--coder NAME... | --consensus] [--code PATH [--subcodes]] [--where ATTR=VALUE]... [--set NAME] [--measure count|presence|characters|share] [--rollup] [--read-only] [--json]',
  summary:
    'Export the coded dataset: a CSV table, the dataset bundle (.zip with datapackage.json and README.txt), the project as REFI-QDA .qdpx, or the codebook as .qdc. Offsets are code points, 0-based, half-open; a .qdpx --for nvivo counts them in UTF-16 units, as NVivo does (ATLAS.ti, MAXQDA and QualCoder read the standard code points).',
  options: {
    format: { type: 'string' },
    out: { type: 'string' },
    for: { type: 'string' },
    delimiter: { type: 'string' },
    excel: { type: 'boolean' },
    raw: { type: 'boolean' },
    coder: { type: 'string', multiple: true },
    consensus: { type: 'boolean' },
    code: { type: 'string' },
    subcodes: { type: 'boolean' },
    where: { type: 'string', multiple: true },
    set: { type: 'string' },
    measure: { type: 'string' },
    rollup: { type: 'boolean' },
    ...READ_ONLY_OPT,
    ...JSON_OPT,
  },
  async run(args, io) {
    const format = oneOf(requireStr(args, 'format'), EXPORT_FORMATS, 'format') as ExportFormat;
    const out = requireStr(args, 'out');
    const measure = oneOf(str(args, 'measure'), MEASURES, 'measure');
    if ((measure || args.values.rollup) && format !== 'matrix' && format !== 'bundle') throw new UsageError('--measure and --rollup apply to --format matrix or bundle');
    if (args.values.subcodes && !str(args, 'code')) throw new UsageError('--subcodes needs --code');
    const target = oneOf(str(args, 'for'), QDPX_TARGETS, 'for');
    if (target && format !== 'qdpx') throw new UsageError('--for applies to --format qdpx');
    if (str(args, 'set') && (format === 'qdpx' || format === 'qdc')) throw new UsageError('--set applies to tables and the bundle; a .qdpx carries the whole project, its sets included');
    const where = Array.isArray(args.values.where) ? args.values.where : [];
    // --coder here filters the export; it is not who is exporting (an export changes nothing).
    const coders = list(args, 'coder');
    const withoutCoder = { ...args, values: { ...args.values, coder: undefined } };
    const consensus = !!args.values.consensus;
    if (consensus && coders.length) throw new UsageError('--consensus is a scope of its own: give it or --coder, not both');
    return withProject(withoutCoder, async (session) => {
      // Which coders' segments the export covers, said every time (tables and the bundle).
      const scoped = format !== 'qdpx' && format !== 'qdc';
      const scope = scoped ? (await session.project.db.read((r) => resolveCoderScope(r, { coders, consensus }))).scope.label : null;
      const result = await exportToFile(
        session.project.db,
        {
          format,
          filter: { coders, consensus, code: str(args, 'code'), subcodes: !!args.values.subcodes, where, set: str(args, 'set') },
          measure,
          rollup: !!args.values.rollup,
          delimiter: oneOf(str(args, 'delimiter'), DELIMITER_NAMES, 'delimiter'),
          excel: !!args.values.excel,
          raw: !!args.values.raw,
          for: target,
        },
        out,
      );
      if (args.values.json) io.out(JSON.stringify({ format, ...result, ...(scope ? { scope } : {}) }));
      else {
        io.out(`Wrote ${result.path} (${format}${result.rows !== null ? `, ${result.rows} rows` : ''}, ${result.bytes} bytes).`);
        if (scope) io.out(`Coders: ${scope}.`);
      }
      return 0;
    });
  },
};

/** Imports a REFI-QDA file from disk into the session's project (the `import` command's branch for .qdpx/.qdc). */
export async function importExchangeFile(session: Session, path: string, coderName?: string): Promise<ExchangeImportReport> {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    throw new MarginaliaError('not_found', `${path}: no such file.`);
  }
  if (size > MAX_IMPORT_BYTES) throw new MarginaliaError('too_large', `${path}: is ${Math.round(size / 1024 / 1024)} MB, past the ${MAX_IMPORT_BYTES / 1024 / 1024} MB a REFI-QDA import allows.`);
  // The person importing is credited only where the file names no user; given by name, they are added only when needed.
  return importExchangeBytes(session.project.db, readFileSync(path), basename(path), coderName ?? defaultCoderName());
}

export { isExchangeFile };

/** The import report for people: counts, then what was matched, converted and dropped. */
export function printExchangeReport(io: Io, r: ExchangeImportReport): void {
  const i = r.imported;
  io.out(`${safeName(r.file)}: ${r.format}${r.origin ? ` from ${safeName(r.origin)}` : ''}`);
  io.out(`imported   ${i.documents} documents, ${i.codes} codes, ${i.segments} segments, ${i.coders} coders, ${i.memos} memos, ${i.attributeValues} attribute values${i.sets ? `, ${i.sets} document sets` : ''}`);
  // When positions were converted, the converted line below says so.
  if (r.positions && r.positions.unit === 'code points') io.out(`positions  ${r.positions.reason}`);
  const m = r.matched;
  if (m.documents + m.codes + m.coders > 0) io.out(`matched    ${m.documents} documents, ${m.codes} codes, ${m.coders} coders already in the project`);
  // Each match found by name, path or text, or under another name; the same item by its id under its own name is counted above.
  for (const x of r.matches) {
    if (x.by === 'id' && x.file === x.project) continue;
    io.out(`matched    ${x.kind} "${safeName(x.file)}"${x.file === x.project ? '' : ` to "${safeName(x.project)}"`} (by ${x.by})`);
  }
  for (const c of r.converted) io.out(`converted  ${c.count} ${c.what}: ${safeName(c.detail)}`);
  for (const d of r.dropped) io.out(`dropped    ${d.count} ${d.what}: ${safeName(d.detail)}`);
}

export const EXCHANGE_COMMANDS: Command[] = [exportCommand];
