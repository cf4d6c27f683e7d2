import { z } from 'zod';
import { command, query } from '../define';
import { Id, VariableType } from './common';
import type { ImportReport } from '../../core/import/import-files';
import type { ImportProgress } from '../../core/import/import-jobs';
import type { SpreadsheetPreview } from '../../core/import/spreadsheet';
import type { AttributesReport } from '../../core/import/attributes-csv';

/** A file the renderer sends: from <input type=file> or a drop, as base64. */
export const UploadedFile = z
  .object({
    name: z.string().min(1).max(1000),
    dataBase64: z.string().max(200 * 1024 * 1024, { message: 'is larger than the 150 MB a file may have' }),
  })
  .strict();

const ColumnName = z.string().trim().min(1, { message: 'must name a column' }).max(500);

/** How the columns of a spreadsheet of articles (.csv, .tsv, .xlsx, .jsonl) become documents. */
export const SpreadsheetMapping = z
  .object({
    textColumn: ColumnName.optional(),
    nameColumn: ColumnName.optional(),
    attributes: z.array(z.object({ column: ColumnName, type: VariableType }).strict()).max(500).optional(),
  })
  .strict();

const Files = z.array(UploadedFile).max(10_000);

export const importContract = {
  'import.files': command<ImportReport>()(
    z.object({ files: Files.min(1, { message: 'choose at least one file' }), mapping: SpreadsheetMapping.optional(), keepDuplicates: z.boolean().optional() }).strict(),
    'Imports uploaded files as documents and waits; every file is reported as imported, duplicate or failed. keepDuplicates: a text already in the project is imported again as a document of its own (reported with the document it repeats).',
  ),
  'import.start': command<ImportProgress>()(
    z.object({ files: Files, mapping: SpreadsheetMapping.optional(), more: z.boolean().optional(), keepDuplicates: z.boolean().optional() }).strict(),
    'Starts importing uploaded files in the background and returns the job to poll. With more: true, further files follow through import.add.',
  ),
  'import.add': command<ImportProgress>()(
    z.object({ jobId: Id, files: Files, more: z.boolean() }).strict(),
    'Adds uploaded files to a running import; more: false says they are the last.',
  ),
  'import.progress': query<ImportProgress>()(z.object({ jobId: Id }).strict(), 'How far an import has got: files read, current file, and the report once finished.'),
  'import.cancel': command<ImportProgress>()(
    z.object({ jobId: Id }).strict(),
    'Stops an import after the current file; documents already imported stay.',
  ),
  'import.finish': command<ImportReport>()(
    z.object({ jobId: Id }).strict(),
    'Collects the report of a finished import and forgets the job (views refresh after it).',
  ),
  'import.preview': query<SpreadsheetPreview>()(
    z.object({ file: UploadedFile }).strict(),
    'The columns (with detected types), first rows and a suggested mapping of a spreadsheet of articles.',
  ),
  'attributes.import': command<AttributesReport>()(
    z.object({ file: UploadedFile }).strict(),
    'Sets attributes of many documents from a CSV keyed by document name; one undoable step.',
  ),
} as const;
