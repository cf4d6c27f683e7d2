import { z } from 'zod';
import { command } from '../define';
import type { ImportReport } from '../../core/import/import-files';

/** A file the renderer sends: from <input type=file> or a drop, as base64. */
export const UploadedFile = z
  .object({
    name: z.string().min(1).max(1000),
    dataBase64: z.string().max(200 * 1024 * 1024, { message: 'is larger than the 150 MB a file may have' }),
  })
  .strict();

export const importContract = {
  'import.files': command<ImportReport>()(
    z.object({ files: z.array(UploadedFile).min(1, { message: 'choose at least one file' }).max(10_000) }).strict(),
    'Imports uploaded files as documents; every file is reported as imported, duplicate or failed.',
  ),
} as const;
