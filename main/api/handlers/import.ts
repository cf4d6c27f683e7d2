import { importContract } from '../contract/import';
import type { HandlersOf } from './types';
import { importSources } from '../../core/import/import-files';

export const importHandlers: HandlersOf<typeof importContract> = {
  'import.files': async ({ session }, { files }) => {
    const coder = await session.coder();
    const sources = files.map((f) => ({ name: f.name, bytes: Buffer.from(f.dataBase64, 'base64') }));
    return importSources(session.project, sources, sources.length, { importedBy: coder.id });
  },
};
