import { projectContract } from './project';
import { documentsContract } from './documents';
import { codebookContract } from './codebook';
import { codingContract } from './coding';
import { importContract } from './import';
import { workbenchContract } from './workbench';
import { exchangeContract } from './exchange';
import { teamContract } from './team';
import { analysisContract } from './analysis';
import { wordsContract } from './words';
import { duplicatesContract } from './duplicates';
import { searchContract } from './search';
import { openingContract } from './opening';
import type { InputOf, OutputOf } from '../define';

/**
 * The whole API: every data operation Marginalia has, by name. Electron IPC and the HTTP
 * bridge expose exactly these methods, nothing else. Each feature adds its own file here.
 */
export const contract = {
  ...projectContract,
  ...openingContract,
  ...documentsContract,
  ...codebookContract,
  ...codingContract,
  ...importContract,
  ...workbenchContract,
  ...exchangeContract,
  ...teamContract,
  ...analysisContract,
  ...wordsContract,
  ...duplicatesContract,
  ...searchContract,
} as const;

export type Contract = typeof contract;
export type Method = keyof Contract;
export type Input<M extends Method> = InputOf<Contract[M]>;
export type Output<M extends Method> = OutputOf<Contract[M]>;

export const METHODS = Object.keys(contract) as Method[];

export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(contract, name);
}

/** How every reply crosses a transport: a value, or an error with a stable code. */
/** `mutated` is set when the method changed the project, so views know to refresh. */
export type ApiResult<T> = { ok: true; value: T; mutated?: boolean } | { ok: false; error: { code: string; message: string } };
