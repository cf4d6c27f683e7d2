import type { ExchangeRead } from '../exchange/qdpx-read';
import type { Extracted } from '../import/extract';
import type { SpreadsheetFormat, SpreadsheetMapping, SpreadsheetPreview, Table } from '../import/spreadsheet';

/** What the app asks of the extraction worker. */
export type SandboxRequest =
  /** `path`, when given, holds the file instead of `bytes` (an upload stored in a temporary file): the worker reads it. */
  | { type: 'extract'; id: number; name: string; bytes: Uint8Array; path?: string; error?: string; mapping?: SpreadsheetMapping }
  /** Inflate a REFI-QDA archive and read its project XML. */
  | { type: 'archive'; id: number; name: string; bytes: Uint8Array }
  /** Read a spreadsheet whole (attributes by document, a preview). */
  | { type: 'table'; id: number; name: string; bytes: Uint8Array; format: SpreadsheetFormat }
  /** Read a spreadsheet and answer only its preview (columns, first rows, suggested mapping): the rows stay in the worker. */
  | { type: 'preview'; id: number; name: string; bytes: Uint8Array; path?: string; format: SpreadsheetFormat }
  /** The text of a Word document found inside a REFI-QDA archive (`name` says where, for messages). */
  | { type: 'docx'; id: number; name: string; bytes: Uint8Array }
  /** The last batch is taken; make the next. */
  | { type: 'more'; id: number }
  /** The app wants no more of this file. */
  | { type: 'stop'; id: number };

/** What the worker answers; heapPeak is its heap high-water mark in bytes so far for this file. */
export type SandboxReply =
  /** The worker has loaded its readers and waits for files. */
  | { type: 'ready'; id: 0; heapPeak: number }
  | { type: 'batch'; id: number; docs: Extracted[]; heapPeak: number }
  /** `read`: the project read into plain data; else `root`, its whole tree, for the app to read (a Word text inside). */
  | { type: 'archive'; id: number; qde: string | null; root: Record<string, unknown> | null; files: Map<string, Uint8Array>; read: ExchangeRead | null; heapPeak: number }
  | { type: 'table'; id: number; table: Table; heapPeak: number }
  | { type: 'preview'; id: number; preview: SpreadsheetPreview; heapPeak: number }
  | { type: 'text'; id: number; text: string; heapPeak: number }
  | { type: 'done'; id: number; heapPeak: number }
  | { type: 'error'; id: number; code: string; message: string; heapPeak: number };
