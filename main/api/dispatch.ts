import type { z } from 'zod';
import { contract, isMethod, type ApiResult } from './contract';
import { handlers } from './handlers';
import type { Ctx } from './session';
import { basename } from 'node:path';
import { MarginaliaError } from '../core/errors';
import { describeFileError } from '../core/db/file-errors';

const KIND: Record<string, string> = { string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', array: 'a list', object: 'an object', bigint: 'a number' };

/** One problem with an input field, in words (zod's own wording says "received undefined"). */
function describeIssue(i: z.core.$ZodIssue): string {
  const field = i.path.length ? i.path.join('.') : 'input';
  const generic = /^(Invalid|Too big|Too small|Unrecognized key)/.test(i.message);
  if (!generic) return `${field}: ${i.message}`;
  switch (i.code) {
    case 'invalid_type':
      // zod leaves the input out of its issues; its own wording still says what was received.
      return /received undefined$/.test(i.message) ? `${field} is missing` : `${field} must be ${KIND[i.expected] ?? i.expected}`;
    case 'too_big':
      return i.origin === 'string'
        ? `${field} is longer than the ${String(i.maximum)} characters it may have`
        : i.origin === 'array' || i.origin === 'set'
          ? `${field} has more than the ${String(i.maximum)} items it may have`
          : `${field} must be at most ${String(i.maximum)}`;
    case 'too_small':
      return i.origin === 'string'
        ? Number(i.minimum) <= 1 ? `${field} must not be empty` : `${field} must have at least ${String(i.minimum)} characters`
        : i.origin === 'array' || i.origin === 'set'
          ? `${field} must have at least ${String(i.minimum)} item${Number(i.minimum) === 1 ? '' : 's'}`
          : `${field} must be at least ${String(i.minimum)}`;
    case 'unrecognized_keys':
      return `${i.keys.map((k) => `"${k}"`).join(', ')} ${i.keys.length === 1 ? 'is not a field' : 'are not fields'} of ${field === 'input' ? 'this request' : field}`;
    case 'invalid_value':
      return `${field} must be one of ${i.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return `${field} is not in the expected form${i.format === 'regex' ? '' : ` (${i.format})`}`;
    default:
      return `${field} is not valid`;
  }
}

function describeIssues(method: string, error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map(describeIssue)
    .join('; ')
    .concat(` (in ${method})`);
}

type Coded = { code?: unknown; message?: unknown; path?: unknown };

/** What the person sees for a failure nobody foresaw: no library wording, a way on, the detail only on request. */
function unforeseen(err: unknown): { code: string; message: string } {
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  if (process.env.MARGINALIA_DEBUG) console.error(err);
  return {
    code: 'internal',
    message: `Marginalia ran into an internal problem and did not finish this. Try again; if it happens again, please report it with what you were doing${process.env.MARGINALIA_DEBUG ? ` (${detail})` : ' (set MARGINALIA_DEBUG=1 to see the details)'}.`,
  };
}

/** Maps an error from any layer to the reply a person can act on. */
export function toApiError(err: unknown): { code: string; message: string } {
  if (err instanceof MarginaliaError) return { code: err.code, message: err.message };
  const e = (typeof err === 'object' && err !== null ? err : {}) as Coded;
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (code === 'SQLITE_CONSTRAINT') {
    if (message.includes('FOREIGN KEY')) return { code: 'not_found', message: 'That refers to something that no longer exists; refresh and try again.' };
    if (message.includes('UNIQUE')) return { code: 'conflict', message: 'That already exists; refresh to see it, or choose another name.' };
    return { code: 'invalid_input', message: 'The project refused a value that breaks its rules, so nothing was changed. Check what you entered and try again.' };
  }
  // The project file or another file: which one is known to the layer that opened it, which
  // names it; here only the file's own name from the error is left.
  const fileName = typeof e.path === 'string' ? e.path : 'the project';
  const described = describeFileError(err, fileName);
  if (described) return { code: described.code, message: described.message };
  if (code === 'ENOENT') return { code: 'not_found', message: `${basename(fileName)} does not exist (any more). Check the name and the folder, then try again.` };
  if (code === 'EISDIR' || code === 'ENOTDIR') return { code: 'invalid_input', message: `${basename(fileName)} is a folder where a file was expected, or the other way round. Choose a file.` };
  if (code === 'EMFILE' || code === 'ENFILE') return { code: 'io', message: 'Too many files are open at once. Close some programs, or import fewer files at a time, then try again.' };
  return unforeseen(err);
}

/**
 * The one entry point every transport calls: checks the method and its input against the
 * contract, runs the handler, and wraps the outcome. It never throws.
 */
export async function dispatch(ctx: Ctx, method: string, rawInput: unknown): Promise<ApiResult<unknown>> {
  if (!isMethod(method)) return { ok: false, error: { code: 'invalid_input', message: `Unknown method "${method}".` } };
  const parsed = contract[method].input.safeParse(rawInput ?? {});
  if (!parsed.success) return { ok: false, error: { code: 'invalid_input', message: describeIssues(method, parsed.error) } };
  try {
    const handler = handlers[method] as (ctx: Ctx, input: unknown) => Promise<unknown>;
    const value = await handler(ctx, parsed.data);
    return { ok: true, value: value === undefined ? null : value, ...(contract[method].mutates ? { mutated: true } : {}) };
  } catch (err) {
    return { ok: false, error: toApiError(err) };
  }
}
