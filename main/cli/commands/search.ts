import { dispatch } from '../../api/dispatch';
import type { Input, Method, Output } from '../../api/contract';
import type { Session } from '../../api/session';
import { resolveCode } from '../../core/codebook/codebook';
import { MarginaliaError } from '../../core/errors';
import { SYNTAX_HELP } from '../../core/search/query';
import { CODER_OPT, JSON_OPT, READ_ONLY_OPT, UsageError, int, str, withProject, type Command, type ParsedArgs } from '../command';

const SEARCH_OPTS = {
  regex: { type: 'boolean' as const },
  'case-sensitive': { type: 'boolean' as const },
  where: { type: 'string' as const },
  set: { type: 'string' as const },
};

async function call<M extends Method>(session: Session, method: M, input: Input<M>): Promise<Output<M>> {
  const r = await dispatch({ session }, method, input);
  if (!r.ok) throw new MarginaliaError(r.error.code as never, r.error.message);
  return r.value as Output<M>;
}

function queryArg(args: ParsedArgs): string {
  const query = args.positionals.slice(1).join(' ');
  if (!query.trim()) throw new UsageError('QUERY is required');
  return query;
}

/** --where NAME=VALUE: one attribute value. */
function attributeArg(args: ParsedArgs): { name: string; value: string } | undefined {
  const where = str(args, 'where');
  if (where === undefined) return undefined;
  const eq = where.indexOf('=');
  if (eq <= 0) throw new UsageError(`--where takes NAME=VALUE (e.g. --where outlet=RT), got "${where}"`);
  return { name: where.slice(0, eq).trim(), value: where.slice(eq + 1).trim() };
}

async function setArg(session: Session, args: ParsedArgs): Promise<string | undefined> {
  const ref = str(args, 'set');
  if (ref === undefined) return undefined;
  const found = await session.project.db.read((r) =>
    r.get<{ id: string }>(`SELECT id FROM document_sets WHERE id = ? OR name = ? COLLATE NOCASE ORDER BY id = ? DESC LIMIT 1`, [ref, ref.trim(), ref]),
  );
  if (!found) throw new MarginaliaError('not_found', `No document set "${ref}". List the sets to see their names.`);
  return found.id;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ');
}

export const searchCommand: Command = {
  name: 'search',
  usage: 'marginalia search PROJECT QUERY [--regex] [--case-sensitive] [--where NAME=VALUE] [--set SET] [--page N] [--page-size N] [--read-only] [--json]',
  summary: `Every hit of a search as keyword-in-context lines with offsets, a page at a time. ${SYNTAX_HELP}`,
  options: { ...SEARCH_OPTS, page: { type: 'string' }, 'page-size': { type: 'string' }, ...READ_ONLY_OPT, ...JSON_OPT },
  run: (args, io) => {
    const query = queryArg(args);
    const page = int(args, 'page');
    const pageSize = int(args, 'page-size');
    if (page === 0) throw new UsageError('--page counts from 1');
    const attribute = attributeArg(args);
    return withProject(args, async (session) => {
      const result = await call(session, 'search.hits', {
        query,
        regex: args.values.regex === true,
        caseSensitive: args.values['case-sensitive'] === true,
        attribute,
        setId: await setArg(session, args),
        page,
        pageSize,
      });
      if (args.values.json) {
        io.out(JSON.stringify(result, null, 2));
        return 0;
      }
      const counts = new Map(result.documents.map((d) => [d.document_id, d.hits]));
      let last = '';
      for (const h of result.hits) {
        if (h.document_id !== last) {
          io.out(`${h.document_name} [${h.document_id}]: ${counts.get(h.document_id)} hit${counts.get(h.document_id) === 1 ? '' : 's'}`);
          last = h.document_id;
        }
        io.out(`  ${String(h.start).padStart(7)}-${String(h.end).padEnd(7)} …${oneLine(h.before)}[${oneLine(h.hit)}]${oneLine(h.after)}…`);
      }
      const { total_hits: hits, total_documents: docs } = result;
      io.out(
        `${hits} hit${hits === 1 ? '' : 's'} in ${docs} document${docs === 1 ? '' : 's'}.` +
          (result.pages > 1 ? ` Page ${result.page} of ${result.pages}; --page N for another.` : ''),
      );
      return 0;
    });
  },
};

export const autocodeCommand: Command = {
  name: 'autocode',
  usage: 'marginalia autocode PROJECT QUERY --code PATH --extend hit|sentence|paragraph [--regex] [--case-sensitive] [--where NAME=VALUE] [--set SET] [--coder NAME] [--dry-run] [--json]',
  summary: 'Code every hit of a search with a code, widened to the hit, its sentence or its paragraph, as one undoable action (--dry-run: only say what it would do).',
  options: { ...SEARCH_OPTS, code: { type: 'string' }, extend: { type: 'string' }, 'dry-run': { type: 'boolean' }, ...CODER_OPT, ...JSON_OPT },
  run: (args, io) => {
    const query = queryArg(args);
    const codeRef = str(args, 'code');
    if (!codeRef) throw new UsageError('--code is required');
    const given = str(args, 'extend') ?? 'hit';
    if (given !== 'hit' && given !== 'sentence' && given !== 'paragraph') throw new UsageError(`--extend must be hit, sentence or paragraph, got "${given}"`);
    const extend: 'hit' | 'sentence' | 'paragraph' = given;
    const attribute = attributeArg(args);
    return withProject(args, async (session) => {
      const code = await session.project.db.read((r) => resolveCode(r, codeRef));
      const input = { query, regex: args.values.regex === true, caseSensitive: args.values['case-sensitive'] === true, attribute, setId: await setArg(session, args), codeId: code.id, extend };
      const dry = args.values['dry-run'] === true;
      const result = dry ? await call(session, 'autocode.preview', input) : await call(session, 'autocode.apply', input);
      if (args.values.json) io.out(JSON.stringify({ dry_run: dry, code: code.path, extend, ...result }, null, 2));
      else {
        const what = `${result.segments} segment${result.segments === 1 ? '' : 's'} in ${result.documents} document${result.documents === 1 ? '' : 's'}`;
        io.out(
          `${dry ? 'Would code' : 'Coded'} ${what} with ${code.path} (${result.hits} hit${result.hits === 1 ? '' : 's'}, extended to the ${extend}` +
            `${result.already_coded ? `; ${result.already_coded} already coded, skipped` : ''}).` +
            (dry ? ' Run again without --dry-run to apply.' : ' "marginalia undo" takes it back.'),
        );
      }
      return 0;
    });
  },
};

export const SEARCH_COMMANDS: Command[] = [searchCommand, autocodeCommand];
