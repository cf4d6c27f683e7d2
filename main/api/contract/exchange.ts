import { z } from 'zod';
import { command, query } from '../define';
import type { ExchangeImportReport } from '../../core/exchange/qdpx-import';
import type { ExportJobState } from '../../core/exchange/export-jobs';

export const ExportFormat = z.enum(['segments', 'matrix', 'codebook', 'documents', 'memos', 'bundle', 'qdpx', 'qdc']);
export const TableFormat = z.enum(['segments', 'matrix', 'codebook', 'documents', 'memos']);

/** Which segments count: by coder, by code (with or without subcodes), by document attribute. */
export const ExportFilterInput = z
  .object({
    coders: z.array(z.string().trim().min(1).max(200)).max(100).optional(),
    /** The consensus layer alone; never combined with coders. Without either: every coder but the consensus layer. */
    consensus: z.boolean().optional(),
    code: z.string().trim().min(1).max(2000).optional(),
    subcodes: z.boolean().optional(),
    where: z.array(z.string().max(2000).regex(/=/, { message: 'must be a condition like outlet=BBC' })).max(50).optional(),
    /** A document set (name or id): only its documents. */
    set: z.string().trim().min(1).max(500).optional(),
  })
  .strict();

const TableOptionsInput = {
  filter: ExportFilterInput.optional(),
  measure: z.enum(['count', 'presence', 'characters', 'share']).optional(),
  rollup: z.boolean().optional(),
};

export interface ExportPreview {
  columns: string[];
  rows: string[][];
  /** Whose segments the table covers, in words ("all coders (ana, ben), each counted apart"). */
  scope: string;
}

export interface ExportedFileOut {
  fileName: string;
  mime: string;
  dataBase64: string;
  bytes: number;
  /** For tables and the bundle: whose segments the export covers, in words. */
  scope?: string;
}

/** What a file export is asked for: the format, the filters, and how its CSV is written. */
const ExportInput = z
  .object({
    format: ExportFormat,
    ...TableOptionsInput,
    delimiter: z.enum(['comma', 'semicolon', 'tab']).optional(),
    excel: z.boolean().optional(),
    raw: z.boolean().optional(),
    /** For qdpx: 'nvivo' writes positions in UTF-16 units, as NVivo reads them; 'standard' (the default) in code points. */
    for: z.enum(['standard', 'nvivo']).optional(),
  })
  .strict();

const ExportJobId = z.object({ jobId: z.string().uuid() }).strict();

export type { ExportJobState };

export const exchangeContract = {
  'exchange.preview': query<ExportPreview>()(
    z.object({ format: TableFormat, ...TableOptionsInput, limit: z.number().int().min(1).max(200).optional() }).strict(),
    'The header and first rows of a table export under the given filters, as the Export dialog shows them.',
  ),
  'exchange.export': query<ExportedFileOut>()(
    ExportInput,
    'Exports a table (CSV), the dataset bundle (.zip), the project (.qdpx) or the codebook (.qdc) as bytes in the reply: for small exports and scripts; the app saves through exchange.exportStart.',
  ),
  'exchange.exportStart': query<ExportJobState>()(
    ExportInput,
    'Starts writing an export (as exchange.export) to a temporary file in the background and answers at once with the job: poll exchange.exportProgress for rows and bytes written; once finished, its download address serves the file once (GET, no API token: the address is the key). exchange.exportCancel stops it.',
  ),
  'exchange.exportProgress': query<ExportJobState>()(ExportJobId, 'Where an export being written stands: rows and bytes so far, and its one-time download address once finished.'),
  'exchange.exportCancel': query<ExportJobState>()(
    ExportJobId,
    'Stops an export being written, or drops a finished one not yet downloaded: its temporary file is removed and its download address refused.',
  ),
  'exchange.import': command<ExchangeImportReport>()(
    z
      .object({
        name: z
          .string()
          .min(1)
          .max(1000)
          .regex(/\.(qdpx|qdc|qde)$/i, { message: 'must be a REFI-QDA file ending in .qdpx, .qdc or .qde' }),
        dataBase64: z.string().max(200 * 1024 * 1024, { message: 'is larger than the 150 MB a file may have' }),
      })
      .strict(),
    'Imports a REFI-QDA project (.qdpx) or codebook (.qdc); reports what came in and what was dropped or converted.',
  ),
} as const;
