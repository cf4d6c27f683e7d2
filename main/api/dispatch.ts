import type { z } from 'zod';
import { contract, isMethod, type ApiResult } from './contract';
import { handlers } from './handlers';
import type { Ctx } from './session';
import { MarginaliaError } from '../core/errors';

function describeIssues(method: string, error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`)
    .join('; ')
    .concat(` (in ${method})`);
}

/** Maps an error from any layer to the reply a person can act on. */
export function toApiError(err: unknown): { code: string; message: string } {
  if (err instanceof MarginaliaError) return { code: err.code, message: err.message };
  const e = err as { code?: string; message?: string };
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_')) {
    if (e.code === 'SQLITE_BUSY') return { code: 'io', message: 'The project file is busy in another program; try again in a moment.' };
    if (e.code === 'SQLITE_READONLY') return { code: 'io', message: 'The project file is read-only; save a copy elsewhere to change it.' };
    if (e.message?.includes('FOREIGN KEY')) return { code: 'not_found', message: 'That refers to something that no longer exists; refresh and try again.' };
    if (e.message?.includes('UNIQUE')) return { code: 'conflict', message: `That already exists (${e.message}).` };
  }
  return { code: 'internal', message: e?.message ?? String(err) };
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
