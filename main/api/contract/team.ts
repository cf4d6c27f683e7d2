import { z } from 'zod';
import { command, query } from '../define';
import { Empty, Id, Offset } from './common';
import type { AgreementReport } from '../../core/team/agreement';
import type { AgreementJobState } from '../../core/team/agreement-jobs';
import type { MergePreview, MergeResult } from '../../core/team/merge';
import type { Disagreement, ResolveResult } from '../../core/team/consensus';
import type { ReliabilityRound, VisibleCoders } from '../../core/team/rounds';

const Unit = z.enum(['char', 'sentence', 'paragraph', 'document']);
const Threshold = z
  .number({ message: 'must be a number' })
  .gt(0, { message: 'must be more than 0 (0.9 means 90% overlap)' })
  .max(1, { message: 'must be at most 1 (0.9 means 90% overlap)' });

const AgreementInput = z
  .object({
    coderIds: z.array(Id).min(2, { message: 'choose at least two coders' }).max(20),
    codeIds: z.array(Id).max(10_000).optional(),
    documentIds: z.array(Id).max(1_000_000).optional(),
    /** Only the documents of this document set (with documentIds: those of them in the set). */
    setId: Id.optional(),
    unit: Unit.default('char'),
    threshold: Threshold.default(0.9),
    /** List at most this many documents per code and overall (the first in document order); all when absent. The figures cover every document. */
    documentRows: z.number().int().min(0).max(1_000_000).optional(),
  })
  .strict();

const AgreementCsvInput = AgreementInput.extend({ delimiter: z.enum(['comma', 'semicolon', 'tab']).optional(), excel: z.boolean().optional(), raw: z.boolean().optional() });

const Upload = z
  .object({
    fileName: z.string().min(1).max(1000),
    // Base64 of the colleague's file; about 750 MB of project at most.
    dataBase64: z.string().min(1, { message: 'the file is empty' }).max(1_000_000_000, { message: 'the file is too large to merge here; use "marginalia merge" instead' }),
  })
  .strict();

/**
 * A file main wrote for the page to save: downloaded once from `download` (`/download/<token>`
 * on the page's own origin), as an export's file is, so its bytes never pass through a reply.
 */
export interface CsvFile {
  fileName: string;
  mime: string;
  bytes: number;
  download: string;
}

export const teamContract = {
  'team.agreement': query<AgreementReport>()(
    AgreementInput,
    'Intercoder agreement of 2+ coders over chosen codes and documents (all when absent): per code, per document and overall.',
  ),
  'team.agreementStart': query<AgreementJobState>()(
    AgreementInput,
    'Starts computing intercoder agreement in the background (as team.agreement) and returns the job to poll with team.agreementProgress.',
  ),
  'team.agreementProgress': query<AgreementJobState>()(
    z.object({ jobId: Id }).strict(),
    'How far an agreement computation or its CSV has got (documents done of total, then `writing` while the CSV is written), and its report, file or error once finished; a finished job is then forgotten.',
  ),
  'team.agreementCancel': query<AgreementJobState>()(
    z.object({ jobId: Id }).strict(),
    'Stops an agreement computation (or its CSV) at once; nothing is kept.',
  ),
  'team.agreementCsv': query<CsvFile>()(
    AgreementCsvInput,
    'The agreement numbers as a CSV file to download once from its address; delimiter, Excel byte order mark and raw values as for table exports.',
  ),
  'team.agreementCsvStart': query<AgreementJobState>()(
    AgreementCsvInput,
    'Starts writing the agreement CSV (as team.agreementCsv) in the background; poll with team.agreementProgress (file once finished), stop with team.agreementCancel.',
  ),
  'team.mergePreview': query<MergePreview & { uploadId: string }>()(
    Upload,
    "Uploads a colleague's .marginalia file and previews the merge: what will be added, what exists, the conflicts. Nothing is written to the project.",
  ),
  'team.mergeApply': command<MergeResult>()(
    z
      .object({
        uploadId: Id,
        /** Per conflict id: "keep-mine" | "take-theirs" for codes, "add" | "skip" for documents. */
        choices: z.record(z.string().max(200), z.enum(['keep-mine', 'take-theirs', 'add', 'skip'])).default({}),
      })
      .strict(),
    'Backs up the project beside it, then merges the uploaded file as one undoable step.',
  ),
  'team.mergeCancel': query<void>()(z.object({ uploadId: Id }).strict(), 'Forgets an uploaded file without merging it.'),
  'team.disagreements': query<Disagreement[]>()(
    z.object({ documentId: Id, coderIds: z.array(Id).min(2, { message: 'choose at least two coders' }).max(20), codeIds: z.array(Id).max(10_000).optional() }).strict(),
    'Passages of one document that some of the compared coders coded with a code and others did not, in reading order.',
  ),
  'team.resolve': command<ResolveResult>()(
    z
      .object({
        documentId: Id,
        codeId: Id,
        start: Offset,
        end: Offset,
        chosenCoderId: Id.nullable(),
        reason: z.string().trim().min(1, { message: 'say why this coding was chosen' }).max(100_000),
      })
      .strict()
      .refine((v) => v.end > v.start, { message: 'must be greater than start', path: ['end'] }),
    'Settles a disagreement: copies the chosen coder\'s coding (or none) into the "consensus" coder with a memo saying why.',
  ),
  'team.rounds.list': query<ReliabilityRound[]>()(Empty, 'Reliability rounds, newest first, with their sample, seed and results.'),
  'team.rounds.create': command<ReliabilityRound>()(
    z
      .object({
        name: z.string().trim().min(1, { message: 'must not be empty' }).max(500),
        sample: z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('share'), value: z.number().gt(0).max(1) }).strict(),
          z.object({ kind: z.literal('count'), value: z.number().int().min(1) }).strict(),
        ]),
        seed: z.number().int().min(0).max(4_294_967_295).optional(),
        coderIds: z.array(Id).min(2, { message: 'choose at least two coders' }).max(20),
        documentIds: z.array(Id).max(1_000_000).optional(),
        unit: Unit.default('char'),
        threshold: Threshold.default(0.9),
      })
      .strict(),
    'Draws a seeded random sample of documents for the named coders and opens the round (their work is hidden from each other).',
  ),
  'team.rounds.close': command<ReliabilityRound>()(z.object({ id: Id }).strict(), 'Closes a round and keeps the agreement computed on exactly its sample.'),
  'team.visibleCoders': query<VisibleCoders>()(Empty, "Whose segments the current coder may see: while a round they are in is open, the round's other coders are hidden."),
} as const;
