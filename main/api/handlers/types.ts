import type { Ctx } from '../session';
import type { ContractShape, OutputOf, ParsedInputOf } from '../define';

/** The handlers of one contract: one async function per method, input already validated. */
export type HandlersOf<C extends ContractShape> = {
  [M in keyof C]: (ctx: Ctx, input: ParsedInputOf<C[M]>) => Promise<OutputOf<C[M]>>;
};
