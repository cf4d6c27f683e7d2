import type { Reader } from '../db/project-db';
import { descendantIds, resolveCode } from '../codebook/codebook';
import { resolveCoder } from '../coders/coders';
import { encodeValue, type Variable } from '../documents/documents';
import { invalid } from '../errors';
import type { SqlValue } from '../db/sqlite';

/** What a person asks for: coders and code by name or id, attribute conditions as "outlet=BBC". */
export interface ExportFilter {
  /** Coder ids or names; none means every coder. */
  coders?: string[];
  /** A code id or path ("attribution/blames Russia"). */
  code?: string;
  /** With `code`: its subcodes too. */
  subcodes?: boolean;
  /** "ATTR=VALUE" conditions: values of one attribute are alternatives, different attributes must all hold. */
  where?: string[];
}

/** A filter resolved to SQL over `segments s` and `documents d`. */
export interface ResolvedFilter {
  coderIds: string[] | null;
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

export async function resolveFilter(r: Reader, filter: ExportFilter = {}): Promise<ResolvedFilter> {
  const coderIds: string[] = [];
  for (const c of filter.coders ?? []) coderIds.push((await resolveCoder(r, c)).id);
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
  return { coderIds: coderIds.length ? coderIds : null, codeIds, documentSql, documentParams };
}

/** The WHERE clause over `segments s` joined with `documents d`. */
export function segmentWhere(f: ResolvedFilter): { sql: string; params: SqlValue[] } {
  const parts = [...f.documentSql];
  const params: SqlValue[] = [...f.documentParams];
  if (f.coderIds) {
    parts.push(`s.coder_id IN (${f.coderIds.map(() => '?').join(', ')})`);
    params.push(...f.coderIds);
  }
  if (f.codeIds) {
    parts.push(`s.code_id IN (${f.codeIds.map(() => '?').join(', ')})`);
    params.push(...f.codeIds);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}
