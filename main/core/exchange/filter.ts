import type { Reader } from '../db/project-db';
import { descendantIds, resolveCode } from '../codebook/codebook';
import { resolveCoder } from '../coders/coders';
import { encodeValue, type Variable } from '../documents/documents';
import { invalid } from '../errors';
import type { SqlValue } from '../db/sqlite';

/** What a person asks for: coders and code by name or id, attribute conditions as "outlet=BBC". */
export interface ExportFilter {
  /** Coder ids or names; none means every coder but the consensus layer. */
  coders?: string[];
  /** The consensus layer alone (settled codings); never combined with `coders`. */
  consensus?: boolean;
  /** A code id or path ("attribution/blames Russia"). */
  code?: string;
  /** With `code`: its subcodes too. */
  subcodes?: boolean;
  /** "ATTR=VALUE" conditions: values of one attribute are alternatives, different attributes must all hold. */
  where?: string[];
  /** A document set, by name or id: only its documents. */
  set?: string;
}

/**
 * Whose segments an export or a count covers, said in words wherever it is used (dialog,
 * CLI, README). The consensus layer is its own scope: it never adds to coders' counts.
 */
export interface CoderScope {
  kind: 'all' | 'coders' | 'consensus';
  /** The coders covered, by name: for "all", those who have coded (the consensus layer aside). */
  coders: { id: string; name: string }[];
  /** For people: "all coders (ana, ben), each counted apart; the consensus layer left out". */
  label: string;
}

/** A filter resolved to SQL over `segments s` and `documents d`. */
export interface ResolvedFilter {
  coderIds: string[] | null;
  /** Coders whose segments are left out when `coderIds` is null: the consensus layer. */
  excludedCoderIds?: string[];
  scope?: CoderScope;
  codeIds: string[] | null;
  /** SQL conditions on d.id, and their parameters. */
  documentSql: string[];
  documentParams: SqlValue[];
}

/** Parses "outlet=BBC" conditions, naming the condition that is wrong. */
export function parseWhere(where: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const w of where) {
    const eq = w.indexOf('=');
    if (eq <= 0) throw invalid('where', `"${w}" is not a condition like outlet=BBC (an attribute name, "=", a value).`);
    const name = w.slice(0, eq).trim();
    const list = out.get(name.toLowerCase()) ?? [];
    list.push(w.slice(eq + 1).trim());
    out.set(name.toLowerCase(), list);
  }
  return out;
}

const CONSENSUS = 'consensus';
const names = (cs: { name: string }[]) => cs.map((c) => c.name).join(', ');

/** Resolves the coder part of a filter to one explicit scope. */
export async function resolveCoderScope(r: Reader, filter: Pick<ExportFilter, 'coders' | 'consensus'> = {}): Promise<{ scope: CoderScope; coderIds: string[] | null; excludedCoderIds: string[] }> {
  const consensus = await r.all<{ id: string; name: string }>(`SELECT id, name FROM coders WHERE name = ? ORDER BY id`, [CONSENSUS]);
  const consensusIds = new Set(consensus.map((c) => c.id));
  if (filter.consensus) {
    if (filter.coders?.length) throw invalid('coders', 'the consensus layer is a scope of its own; export either chosen coders or the consensus layer, not both.');
    if (!consensus.length) throw invalid('consensus', 'the project has no consensus layer yet. Settle disagreements under Compare coders first, or choose coders.');
    return { scope: { kind: 'consensus', coders: consensus, label: 'the consensus layer (settled codings) only' }, coderIds: consensus.map((c) => c.id), excludedCoderIds: [] };
  }
  if (filter.coders?.length) {
    const chosen: { id: string; name: string }[] = [];
    for (const ref of filter.coders) {
      const c = await resolveCoder(r, ref);
      if (!chosen.some((x) => x.id === c.id)) chosen.push({ id: c.id, name: c.name });
    }
    if (chosen.some((c) => consensusIds.has(c.id))) {
      if (chosen.length > 1) throw invalid('coders', 'the consensus layer is a scope of its own; it never adds to other coders. Export it alone (--consensus) or leave it out.');
      return { scope: { kind: 'consensus', coders: chosen, label: 'the consensus layer (settled codings) only' }, coderIds: chosen.map((c) => c.id), excludedCoderIds: [] };
    }
    const label = chosen.length === 1 ? `one coder: ${chosen[0]!.name}` : `coders ${names(chosen)}, each counted apart`;
    return { scope: { kind: 'coders', coders: chosen, label }, coderIds: chosen.map((c) => c.id), excludedCoderIds: [] };
  }
  // Who has coded, from the maintained counts (migration 9; shadowed in a blind round like the
  // segments): no index on the segments leads by coder, and a scan of a million is seconds.
  const coded = await r.all<{ id: string; name: string }>(
    `SELECT k.id, k.name FROM coders k WHERE k.name <> ? AND EXISTS (SELECT 1 FROM code_coder_counts c WHERE c.coder_id = k.id AND c.segments > 0) ORDER BY k.name COLLATE NOCASE, k.id`,
    [CONSENSUS],
  );
  const label =
    coded.length === 0 ? 'all coders (none has coded yet)' : coded.length === 1 ? `all coders: ${coded[0]!.name}, the only one who has coded` : `all coders (${names(coded)}), each counted apart`;
  return {
    scope: { kind: 'all', coders: coded, label: consensus.length ? `${label}; the consensus layer left out` : label },
    coderIds: null,
    excludedCoderIds: [...consensusIds],
  };
}

export async function resolveFilter(r: Reader, filter: ExportFilter = {}): Promise<ResolvedFilter> {
  const { scope, coderIds, excludedCoderIds } = await resolveCoderScope(r, filter);
  let codeIds: string[] | null = null;
  if (filter.code) {
    const code = await resolveCode(r, filter.code);
    codeIds = filter.subcodes ? await descendantIds(r, code.id) : [code.id];
  }
  const documentSql: string[] = [];
  const documentParams: SqlValue[] = [];
  const conditions = parseWhere(filter.where ?? []);
  if (conditions.size > 0) {
    const variables = await r.all<Variable>(`SELECT id, name, type FROM variables`);
    for (const [key, values] of conditions) {
      const variable = variables.find((v) => v.name.toLowerCase() === key);
      if (!variable) {
        throw invalid('where', `the project has no attribute "${key}". Attributes: ${variables.map((v) => v.name).join(', ') || 'none'}.`);
      }
      // Stored values are canonical text ("3", "true", "2024-05-01"); compare in that form.
      const encoded = values.map((v) => encodeValue(variable, v) ?? '');
      documentSql.push(`d.id IN (SELECT document_id FROM document_values WHERE variable_id = ? AND value IN (${encoded.map(() => '?').join(', ')}))`);
      documentParams.push(variable.id, ...encoded);
    }
  }
  if (filter.set) {
    const set = await documentSet(r, filter.set);
    documentSql.push(`d.id IN (SELECT document_id FROM document_set_members WHERE set_id = ?)`);
    documentParams.push(set.id);
  }
  return { coderIds, excludedCoderIds, scope, codeIds, documentSql, documentParams };
}

/** A document set by id or name (core/documents/sets.ts keeps them), naming the sets there are when none matches. */
async function documentSet(r: Reader, ref: string): Promise<{ id: string; name: string }> {
  const found = await r.get<{ id: string; name: string }>(`SELECT id, name FROM document_sets WHERE id = ? OR name = ? COLLATE NOCASE ORDER BY id = ? DESC LIMIT 1`, [ref, ref.trim(), ref]);
  if (found) return found;
  const names = (await r.all<{ name: string }>(`SELECT name FROM document_sets ORDER BY name COLLATE NOCASE`)).map((x) => x.name);
  throw invalid('set', `the project has no document set "${ref}". Sets: ${names.join(', ') || 'none'}.`);
}

/** The WHERE clause over `segments s` joined with `documents d`. */
export function segmentWhere(f: ResolvedFilter): { sql: string; params: SqlValue[] } {
  const parts = [...f.documentSql];
  const params: SqlValue[] = [...f.documentParams];
  if (f.coderIds) {
    parts.push(`s.coder_id IN (${f.coderIds.map(() => '?').join(', ')})`);
    params.push(...f.coderIds);
  } else if (f.excludedCoderIds?.length) {
    parts.push(`s.coder_id NOT IN (${f.excludedCoderIds.map(() => '?').join(', ')})`);
    params.push(...f.excludedCoderIds);
  }
  if (f.codeIds) {
    parts.push(`s.code_id IN (${f.codeIds.map(() => '?').join(', ')})`);
    params.push(...f.codeIds);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}
