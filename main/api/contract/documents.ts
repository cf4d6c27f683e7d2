import { z } from 'zod';
import { command, query } from '../define';
import { AttributeValue, CoderScopeInput, Empty, Id, Name, VariableType } from './common';
import type { DocumentPage, DocumentSummary, DocumentText, Variable } from '../../core/documents/documents';

export const documentsContract = {
  'documents.list': query<DocumentSummary[]>()(
    z.object({ ...CoderScopeInput, setId: Id.optional() }).strict(),
    'Every document (or those of a document set) with its attributes and segment count (of the chosen coders; by default every coder but the consensus layer).',
  ),
  'documents.page': query<DocumentPage>()(
    z
      .object({
        ...CoderScopeInput,
        sort: z.enum(['order', 'name', 'segments', 'attribute']).optional(),
        attribute: z.string().min(1).max(200).optional(),
        descending: z.boolean().optional(),
        filter: z.string().max(1000).optional(),
        /** Only the documents of this document set. */
        setId: Id.optional(),
        after: z.object({ key: z.union([z.string(), z.number(), z.null()]), id: Id }).strict().nullable().optional(),
        offset: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(1000).optional(),
      })
      .strict()
      .refine((v) => v.sort !== 'attribute' || v.attribute, { message: 'name the attribute to sort by', path: ['attribute'] }),
    'One window of the document list (keyset: `after` the previous page\'s `next`, or an `offset`), sorted by import order, name, segment count or an attribute (documents without a value last), filtered by name; with the total and the attributes and segment counts of its rows only.',
  ),
  'documents.summary': query<DocumentSummary>()(
    z.object({ id: Id, ...CoderScopeInput }).strict(),
    'One document with its attributes and segment count (of the chosen coders), without its text.',
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
