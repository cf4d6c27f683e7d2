import type { z } from 'zod';

/**
 * One method of the contract: its input schema (checked at every transport boundary) and,
 * as a phantom type, its output. `mutates` tells hosts to refresh undo state and views.
 */
export interface MethodDef<I extends z.ZodType = z.ZodType, O = unknown> {
  readonly input: I;
  readonly mutates: boolean;
  readonly doc: string;
  /** Never set at run time: carries the output type. */
  readonly __output?: O;
}

/** A method that only reads. */
export const query =
  <O>() =>
  <I extends z.ZodType>(input: I, doc: string): MethodDef<I, O> => ({ input, mutates: false, doc });

/** A method that changes the project. */
export const command =
  <O>() =>
  <I extends z.ZodType>(input: I, doc: string): MethodDef<I, O> => ({ input, mutates: true, doc });

export type ContractShape = Record<string, MethodDef>;
export type InputOf<D> = D extends MethodDef<infer I, unknown> ? z.input<I> : never;
export type ParsedInputOf<D> = D extends MethodDef<infer I, unknown> ? z.output<I> : never;
export type OutputOf<D> = D extends MethodDef<z.ZodType, infer O> ? O : never;
