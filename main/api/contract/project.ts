import { z } from 'zod';
import { command, query } from '../define';
import { Empty, Id } from './common';
import type { ProjectInfo } from '../../core/project/info';
import type { HistoryEntry, HistoryState } from '../../core/events/undo';
import type { Coder } from '../../core/coders/coders';
import type { ExportedFileOut } from './exchange';
import { CountsFor, type CountsAfter } from './coding';
import type { DocumentSegmentsOut } from './workbench';

/**
 * Undo and redo: with `counts`, the answer carries the counts the step moved over those coders;
 * with `openDocumentId` as well, the segments of the document open in the viewer, over the same
 * coders, when the step touched it, so the stripes come back with the answer and not one
 * request after it.
 */
const Step = z.object({ counts: CountsFor.optional(), openDocumentId: Id.optional() }).strict();
interface SteppedAnswer {
  counts?: CountsAfter;
  /** The open document's segments after the step, when it touched them (asked with `openDocumentId` and `counts`). */
  segments?: { documentId: string; segments: DocumentSegmentsOut };
}

/** Whether everything committed is in the project file itself, and if not, why. */
export interface SaveStateOut {
  /** Why the last save into the file failed (a full disk), or null when the file is complete. */
  problem: string | null;
  /** The project was opened read-only (a damaged file): nothing can be changed. */
  readOnly: boolean;
}

export interface ProjectInfoOut extends ProjectInfo {
  /** File name of the project (no folders: the renderer needs no paths). */
  file: string;
  schema_version: number;
}

/** A project file beside the open one. */
export interface ProjectFileOut {
  /** File name, no folders. */
  file: string;
  /** It is the project open now. */
  current: boolean;
}

/** A project file's name: one name, no folders; ".marginalia" is added when missing. */
const ProjectFileName = z
  .string()
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(200)
  .refine((s) => !/[\\/:*?"<>|\u0000-\u001f]/.test(s) && s !== '.' && s !== '..', { message: 'must be a file name without folders or any of \\ / : * ? " < > |' });

export const projectContract = {
  'project.info': query<ProjectInfoOut>()(Empty, 'Name, file and counts of the open project.'),
  'project.historyState': query<HistoryState>()(Empty, 'What Undo and Redo would do next, as words for the Edit menu.'),
  'project.history': query<HistoryEntry[]>()(z.object({ limit: z.number().int().min(1).max(10_000).optional() }).strict(), 'The events log, newest first: the audit trail.'),
  'project.undo': command<{ undone: string; kind: string } & SteppedAnswer>()(
    Step,
    'Undoes the latest action; says which, and its kind ("segment.delete"), so a view reloads only what it touched; with `counts`, answers with the counts it moved, and with `openDocumentId` too, that document\'s segments for the viewer when it touched them.',
  ),
  'project.redo': command<{ redone: string; kind: string } & SteppedAnswer>()(
    Step,
    'Redoes the latest undone action; says which, and its kind; with `counts` (and `openDocumentId`), answers as undo does.',
  ),
  'project.saveState': query<SaveStateOut>()(Empty, 'Whether the project file on disk holds every change, or why saving into it failed.'),
  'project.save': query<SaveStateOut>()(Empty, 'Writes every committed change into the project file now (a WAL checkpoint); fails with the reason, e.g. a full disk.'),
  'project.shareCopy': query<ExportedFileOut>()(
    Empty,
    'A complete single-file copy of the open project, consistent even while coding goes on, to send to a colleague or keep as a backup.',
  ),
  'project.files': query<ProjectFileOut[]>()(Empty, 'The project files in the folder of the open project, by name: what File ▸ Open project offers.'),
  'project.create': command<ProjectInfoOut>()(
    z.object({ name: ProjectFileName }).strict(),
    'Creates an empty project file named after `name` in the folder of the open project and opens it (the open one is closed; nothing in it is lost).',
  ),
  'project.open': command<ProjectInfoOut>()(
    z.object({ file: ProjectFileName }).strict(),
    'Opens another project file from the folder of the open project, by its file name (as project.files lists it).',
  ),
  'coders.list': query<Coder[]>()(Empty, 'Every coder in the project.'),
  'coders.current': query<Coder>()(Empty, 'The coder new segments and memos are attributed to.'),
  'coders.rename': command<void>()(
    z.object({ id: Id, name: z.string().trim().min(1, { message: 'must not be empty' }).max(200) }).strict(),
    'Renames a coder, for example to tell apart two coders who share a name after a merge.',
  ),
  'coders.setCurrent': command<Coder>()(
    z.object({ name: z.string().trim().min(1, { message: 'must not be empty' }).max(200) }).strict(),
    'Switches the current coder by name, creating the coder on first use.',
  ),
} as const;
