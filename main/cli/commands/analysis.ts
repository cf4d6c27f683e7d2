import { resolveDocument } from '../../core/documents/documents';
import { addToSet, createSet, documentsOf, listSets } from '../../core/documents/sets';
import { COOCCURRENCE_UNITS, cooccurrence, cooccurrenceCsv, type CooccurrenceUnit } from '../../core/analysis/cooccurrence';
import { crosstab, crosstabCsv, cellShown, type CrosstabBy, type Percent } from '../../core/analysis/crosstab';
import { writeTextFileAtomic } from '../../core/exchange/export';
import type { Measure } from '../../core/exchange/tables';
import { CODER_OPT, JSON_OPT, READ_ONLY_OPT, UsageError, list, str, table, withProject, type Command, type Io, type ParsedArgs } from '../command';

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}; got "${value}"`);
  return value as T;
}

const strings = (args: ParsedArgs, name: string): string[] => {
  const v = args.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
};

/** --coder names whose segments an analysis covers (not who runs it: an analysis changes nothing), or --consensus. */
function scopeOf(args: ParsedArgs) {
  const coders = list(args, 'coder');
  const consensus = !!args.values.consensus;
  if (consensus && coders.length) throw new UsageError('--consensus is a scope of its own: give it or --coder, not both');
  const where = strings(args, 'where');
  return { coders, consensus, set: str(args, 'set'), where };
}

/** CSV on standard output, a record a line (the terminal shows a CR as \u000d; a file written with --out keeps CRLF). */
function printCsv(io: Io, csv: string): void {
  for (const line of csv.replace(/\r\n$/, '').split('\r\n')) io.out(line);
}

const withoutCoder = (args: ParsedArgs): ParsedArgs => ({ ...args, values: { ...args.values, coder: undefined } });

const SCOPE_OPTS = {
  coder: { type: 'string' as const, multiple: true },
  consensus: { type: 'boolean' as const },
  set: { type: 'string' as const },
  where: { type: 'string' as const, multiple: true },
};

export const setsCommand: Command = {
  name: 'sets',
  usage: 'marginalia sets PROJECT [--json]',
  summary: 'List the document sets with how many documents each holds.',
  options: { ...READ_ONLY_OPT, ...JSON_OPT },
  run: (args, io) =>
    withProject(args, async (session) => {
      const sets = await session.project.db.read(listSets);
      if (args.values.json) io.out(JSON.stringify(sets));
      else if (sets.length === 0) io.out('No document sets yet. Make one with "marginalia set-add PROJECT NAME --doc DOC | --query Q | --where ATTR=VALUE".');
      else table(io, sets as unknown as Record<string, unknown>[], ['name', 'document_count', 'description', 'id']);
      return 0;
    }),
};

export const setAddCommand: Command = {
  name: 'set-add',
  usage: 'marginalia set-add PROJECT NAME (--doc DOC... | --query QUERY [--regex] | --where ATTR=VALUE...) [--coder NAME] [--json]',
  summary:
    'Add documents to the document set NAME, making the set when it does not exist: documents by name or id, every document a search matches, or every document with attribute values (one undoable step).',
  options: { doc: { type: 'string', multiple: true }, query: { type: 'string' }, regex: { type: 'boolean' }, where: { type: 'string', multiple: true }, ...CODER_OPT, ...JSON_OPT },
  run: (args, io) =>
    withProject(args, async (session) => {
      const name = args.positionals[1]?.trim();
      if (!name) throw new UsageError('NAME (the document set) is required');
      const docs = strings(args, 'doc');
      const query = str(args, 'query');
      const where = strings(args, 'where');
      if (!docs.length && query === undefined && !where.length) throw new UsageError('say which documents: --doc, --query or --where');
      if (args.values.regex && query === undefined) throw new UsageError('--regex needs --query');
      const db = session.project.db;
      const ids = await db.read(async (r) => {
        const byName: string[] = [];
        for (const d of docs) byName.push((await resolveDocument(r, d)).id);
        return documentsOf(r, { documentIds: byName, query, regex: !!args.values.regex, where });
      });
      const coder = await session.coder();
      const result = await db.action({ kind: 'set.add', summary: `Add ${ids.length} documents to set ${name}`, coderId: coder.id }, async (tx) => {
        const there = await tx.get<{ id: string; name: string }>(`SELECT id, name FROM document_sets WHERE name = ? COLLATE NOCASE`, [name]);
        const id = there?.id ?? (await createSet(tx, { name, createdBy: coder.id }));
        const added = await addToSet(tx, id, ids);
        const size = (await tx.get<{ n: number }>(`SELECT count(*) AS n FROM document_set_members WHERE set_id = ?`, [id]))?.n ?? 0;
        return { id, name: there?.name ?? name, created: !there, matched: ids.length, added, size };
      });
      if (args.values.json) io.out(JSON.stringify(result));
      else io.out(`${result.created ? 'Made' : 'Added to'} set "${result.name}": ${result.added} of ${result.matched} matching documents added (${result.matched - result.added} already in it); it holds ${result.size}.`);
      return 0;
    }),
};

export const cooccurrenceCommand: Command = {
  name: 'cooccurrence',
  usage:
    'marginalia cooccurrence PROJECT [--unit overlap|paragraph|document] [--coder NAME... | --consensus] [--set NAME] [--where ATTR=VALUE]... [--json | --csv [--out PATH]]',
  summary:
    'Code co-occurrence within each coder\'s work: pairs of codes whose segments overlap (or share a paragraph or a document), with counts and Jaccard (c-coefficient for overlaps). Default: every coder but the consensus layer, all documents.',
  options: { unit: { type: 'string' }, ...SCOPE_OPTS, csv: { type: 'boolean' }, out: { type: 'string' }, ...READ_ONLY_OPT, ...JSON_OPT },
  async run(args, io) {
    const unit = oneOf(str(args, 'unit'), COOCCURRENCE_UNITS, 'unit') as CooccurrenceUnit | undefined;
    if (args.values.json && args.values.csv) throw new UsageError('give --json or --csv, not both');
    if (str(args, 'out') && !args.values.csv) throw new UsageError('--out writes the --csv table');
    const filter = scopeOf(args);
    return withProject(withoutCoder(args), async (session) => {
      const c = await session.project.db.read((r) => cooccurrence(r, { unit, filter }));
      if (args.values.json) io.out(JSON.stringify(c));
      else if (args.values.csv) {
        const csv = cooccurrenceCsv(c);
        const out = str(args, 'out');
        if (out) {
          await writeTextFileAtomic(out, csv);
          io.out(`Wrote ${out} (${c.cells.length} pairs of codes).`);
        } else printCsv(io, csv);
      } else {
        io.out(`Co-occurrence by ${c.unit}; coders: ${c.scope}.`);
        const path = new Map(c.codes.map((x) => [x.id, x]));
        table(
          io,
          c.cells.map((x) => ({ code_a: path.get(x.a)!.path, code_b: path.get(x.b)!.path, count: x.count, jaccard: x.jaccard.toFixed(3) })),
          ['code_a', 'code_b', 'count', 'jaccard'],
        );
        if (c.cells.length === 0) io.out('No two codes co-occur in this scope.');
      }
      return 0;
    });
  },
};

const MEASURES: readonly Measure[] = ['count', 'presence', 'characters', 'share'];

export const crosstabCommand: Command = {
  name: 'crosstab',
  usage:
    'marginalia crosstab PROJECT --by document|ATTRIBUTE [--bucket value|month|year] [--measure count|presence|characters|share] [--percent none|row|column] [--rollup] [--coder NAME... | --consensus] [--set NAME] [--where ATTR=VALUE]... [--json | --csv [--out PATH]]',
  summary: 'Codes × documents or codes × attribute values (e.g. outlet, or the month of a date): the matrix export\'s values, per document or added up per value.',
  options: { by: { type: 'string' }, bucket: { type: 'string' }, measure: { type: 'string' }, percent: { type: 'string' }, rollup: { type: 'boolean' }, ...SCOPE_OPTS, csv: { type: 'boolean' }, out: { type: 'string' }, ...READ_ONLY_OPT, ...JSON_OPT },
  async run(args, io) {
    const byName = str(args, 'by');
    if (!byName) throw new UsageError('--by is required: document, or the name of an attribute');
    const bucket = oneOf(str(args, 'bucket'), ['value', 'month', 'year'] as const, 'bucket');
    const by: CrosstabBy = byName === 'document' ? { kind: 'document' } : { kind: 'attribute', name: byName, bucket };
    if (bucket && by.kind === 'document') throw new UsageError('--bucket groups attribute values; it does not apply to --by document');
    const percent: Percent = oneOf(str(args, 'percent'), ['none', 'row', 'column'] as const, 'percent') ?? 'none';
    const measure = oneOf(str(args, 'measure'), MEASURES, 'measure');
    if (percent !== 'none' && measure === 'share') throw new UsageError('--percent adds up counts, presence or characters; shares do not add up');
    if (args.values.json && args.values.csv) throw new UsageError('give --json or --csv, not both');
    const filter = scopeOf(args);
    return withProject(withoutCoder(args), async (session) => {
      const t = await session.project.db.read((r) => crosstab(r, { by, measure, rollup: !!args.values.rollup, filter }));
      if (args.values.json) io.out(JSON.stringify(t));
      else if (args.values.csv) {
        const csv = crosstabCsv(t, percent);
        const out = str(args, 'out');
        if (out) {
          await writeTextFileAtomic(out, csv);
          io.out(`Wrote ${out} (${t.codes.length} codes × ${t.columns.length} columns).`);
        } else printCsv(io, csv);
      } else {
        io.out(`Codes × ${by.kind === 'document' ? 'documents' : by.name}; ${t.measure}${percent === 'none' ? '' : `, % of ${percent}`}; coders: ${t.scope}.`);
        const cols = t.columns.map((c) => c.label);
        table(
          io,
          t.codes.map((c, i) => Object.fromEntries([['code', c.path], ...t.columns.map((_, j) => [cols[j]!, cellShown(t, i, j, percent)]), ['total', t.row_totals[i]]])),
          ['code', ...cols, 'total'],
        );
      }
      return 0;
    });
  },
};

export const ANALYSIS_COMMANDS: Command[] = [setsCommand, setAddCommand, cooccurrenceCommand, crosstabCommand];
