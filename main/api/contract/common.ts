import { z } from 'zod';

/** Ids are UUIDs; anything else is refused before a handler runs. */
export const Id = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, { message: 'must be an id (a UUID)' });
export const Empty = z.object({}).strict();
export const Offset = z.number({ message: 'must be a number' }).int({ message: 'must be a whole number' }).min(0, { message: 'must be 0 or more' });
export const Color = z.string().regex(/^#[0-9a-fA-F]{6}$/, { message: 'must be a colour like #2e86ab' });
export const Name = z.string().trim().min(1, { message: 'must not be empty' }).max(500, { message: 'must be at most 500 characters' });
export const AttributeValue = z.union([z.string().max(100_000), z.number(), z.boolean(), z.null()]);
export const VariableType = z.enum(['text', 'number', 'date', 'boolean']);

/**
 * Whose segments a count or view covers. Neither field: every coder, the consensus layer left
 * out (it holds copies of coders' work). `coderIds`: those coders. `consensus`: that layer alone.
 */
export const CoderScopeInput = {
  coderIds: z.array(Id).max(1000).optional(),
  consensus: z.boolean().optional(),
};
