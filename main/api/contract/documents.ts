import { z } from 'zod';
import { command, query } from '../define';
import { AttributeValue, CoderScopeInput, Empty, Id, Name, VariableType } from './common';
import type { DocumentSummary, DocumentText, Variable } from '../../core/documents/documents';

export const documentsContract = {
  'documents.list': query<DocumentSummary[]>()(
    z.object(CoderScopeInput).strict(),
    'Every document with its attributes and segment count (of the chosen coders; by default every coder but the consensus layer).',
  ),
  'documents.get': query<DocumentText>()(z.object({ id: Id }).strict(), 'One document with its whole stored text.'),
  'documents.rename': command<void>()(z.object({ id: Id, name: Name }).strict(), 'Renames a document.'),
  'documents.delete': command<void>()(z.object({ id: Id }).strict(), 'Deletes a document with its segments and memos (undoable).'),
  'documents.setAttributes': command<void>()(
    z
      .object({
        id: Id,
        attributes: z.record(z.string().min(1).max(200), AttributeValue),
        types: z.record(z.string(), VariableType).optional(),
      })
      .strict(),
    'Sets attribute values of one document; null or "" clears one. New attributes take the given type, text by default.',
  ),
  'variables.list': query<Variable[]>()(Empty, 'The document attributes (variables) of the project with their types.'),
} as const;
