import { z } from 'zod';
import { command, query } from '../define';
import { CoderScopeInput, Color, Id, Name } from './common';
import type { Code } from '../../core/codebook/codebook';

const Shortcut = z.number().int().min(1, { message: 'must be a digit from 1 to 9' }).max(9, { message: 'must be a digit from 1 to 9' });

export const codebookContract = {
  'codes.list': query<Code[]>()(
    z.object({ coderId: Id.optional(), ...CoderScopeInput }).strict(),
    'The codebook in tree order, each code with its path, segment and document counts: of one coder (coderId), the chosen coders, the consensus layer, or by default every coder but the consensus layer.',
  ),
  'codes.create': command<{ id: string }>()(
    z
      .object({ name: Name, parentId: Id.nullable().optional(), color: Color.optional(), description: z.string().max(20_000).optional(), shortcut: Shortcut.nullable().optional() })
      .strict(),
    'Creates a code; names are unique among siblings.',
  ),
  'codes.rename': command<void>()(z.object({ id: Id, name: Name }).strict(), 'Renames a code.'),
  'codes.recolor': command<void>()(z.object({ id: Id, color: Color }).strict(), 'Changes the colour of a code.'),
  'codes.describe': command<void>()(z.object({ id: Id, description: z.string().max(20_000) }).strict(), 'Sets the description (the coding rule) of a code.'),
  'codes.setShortcut': command<void>()(z.object({ id: Id, shortcut: Shortcut.nullable() }).strict(), 'Assigns digit 1–9 as the code\'s shortcut, taking it from any other code.'),
  'codes.move': command<void>()(
    z.object({ id: Id, parentId: Id.nullable(), index: z.number().int().min(0).optional() }).strict(),
    'Moves a code under another (null: top level), at a position among its new siblings.',
  ),
  'codes.deleteImpact': query<{ codes: number; segments: number }>()(z.object({ id: Id }).strict(), 'How many codes and segments deleting this code would remove.'),
  'codes.delete': command<{ codes: number; segments: number }>()(z.object({ id: Id }).strict(), 'Deletes a code with its subcodes and their segments (undoable).'),
  'codes.merge': command<{ moved: number; duplicates: number }>()(
    z.object({ sourceId: Id, targetId: Id }).strict(),
    'Merges one code into another: segments, memos and subcodes move to the target; the source is deleted.',
  ),
} as const;

