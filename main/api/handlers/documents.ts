import { documentsContract } from '../contract/documents';
import type { HandlersOf } from './types';
import { deleteDocument, documentSummary, getDocumentText, listDocuments, listVariables, pageDocuments, renameDocument, resolveDocument, setAttributes } from '../../core/documents/documents';

export const documentsHandlers: HandlersOf<typeof documentsContract> = {
  'documents.list': ({ session }, scope) => session.project.db.read((r) => listDocuments(r, scope)),
  'documents.page': ({ session }, input) => session.project.db.read((r) => pageDocuments(r, input)),
  'documents.summary': ({ session }, { id, ...scope }) => session.project.db.read((r) => documentSummary(r, id, scope)),
  'documents.get': ({ session }, { id }) => session.project.db.read((r) => getDocumentText(r, id)),
  'documents.rename': async ({ session }, { id, name }) => {
    const coder = await session.coder();
    const doc = await session.project.db.read((r) => resolveDocument(r, id));
    await session.project.db.action({ kind: 'document.rename', summary: `Rename document ${doc.name}`, coderId: coder.id }, (tx) => renameDocument(tx, id, name));
  },
  'documents.delete': async ({ session }, { id }) => {
    const coder = await session.coder();
    const doc = await session.project.db.read((r) => resolveDocument(r, id));
    await session.project.db.action({ kind: 'document.delete', summary: `Delete document ${doc.name}`, coderId: coder.id }, (tx) => deleteDocument(tx, id));
  },
  'documents.setAttributes': async ({ session }, { id, attributes, types }) => {
    const coder = await session.coder();
    const doc = await session.project.db.read((r) => resolveDocument(r, id));
    await session.project.db.action({ kind: 'document.attributes', summary: `Edit attributes of ${doc.name}`, coderId: coder.id }, (tx) =>
      setAttributes(tx, id, attributes, types),
    );
  },
  'variables.list': ({ session }) => session.project.db.read(listVariables),
};
