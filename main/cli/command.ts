import type { ParseArgsConfig } from 'node:util';
import { MarginaliaError } from '../core/errors';
import { basename } from 'node:path';
import { Project } from '../core/project/project';
import { pendingWork, type OpenOptions, type OpenProgress } from '../core/db/open';
import { Session, defaultCoderName } from '../api/session';
import { safeName, terminalSafe } from '../api/contract/safe-text';
import { fileSize } from '../api/contract/file-size';

/** A wrong invocation: exit 2 with the usage line. */
export class UsageError extends Error {}

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

export interface Command {
  name: string;
  /** One line: "marginalia code PROJECT --doc DOC ...". */
  usage: string;
  summary: string;
  options: Options;
  /** Returns the exit code (0 or 1). */
  run(args: ParsedArgs, io: Io): Promise<number>;
}

export function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireStr(args: ParsedArgs, name: string): string {
  const v = str(args, name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}

export function int(args: ParsedArgs, name: string): number | undefined {
  const v = str(args, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number, got "${v}"`);
  return Number(v);
}

export function list(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  if (v === undefined || typeof v === 'boolean') return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
}

export function projectArg(args: ParsedArgs): string {
  const p = args.positionals[0];
  if (!p) throw new UsageError('PROJECT is required');
  return p;
}

/** One line of an open's progress, for stderr: a line per phase and per upgrade step, never a flood. */
export function openingLine(file: string, p: OpenProgress): string {
  switch (p.phase) {
    case 'checking':
      return `${file}: checking the file for damage (${fileSize(p.bytes)})…`;
    case 'upgrading':
      // What is safe is said once, with the first step.
      return `${file}: upgrading from an older Marginalia, step ${p.step} of ${p.steps}: ${p.label}…${p.step === 1 ? ' (done once; if interrupted, the file stays whole and the next open goes on from the last finished step)' : ''}`;
    case 'compacting':
      return `${file}: compacting after the upgrade (${fileSize(p.bytes)}), giving back the space the old tables took… (if interrupted, the upgraded file stays whole and is compacted at the next open)`;
  }
}

/** The line that closes an open whose progress was shown. */
export function openedLine(file: string, ms: number): string {
  return `${file}: open (${ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`}).`;
}

let openingIo: Io | null = null;

/** Where withProject tells an upgrade's progress: the stderr of the command running (main sets it; stdout carries data). */
export function tellOpeningTo(io: Io | null): void {
  openingIo = io;
}

/**
 * Project.open for a command: an older project's upgrade (or a compaction still owed) is told
 * on stderr a line per phase, since at 100,000 articles it takes a minute and a half; a current
 * file opens without a word.
 */
export async function openForCommand(path: string, options: OpenOptions = {}, io: Io | null = openingIo): Promise<Project> {
  const work = io && !options.readOnly ? await pendingWork(path) : null;
  if (!io || !work || (!work.upgrade && !work.compaction)) return Project.open(path, options);
  const file = basename(path);
  const started = Date.now();
  const project = await Project.open(path, { ...options, onProgress: (p) => io.err(openingLine(file, p)) });
  io.err(openedLine(file, Date.now() - started));
  return project;
}

/** Opens PROJECT for one command and closes it afterwards, whatever happens. */
export async function withProject<T>(args: ParsedArgs, fn: (session: Session) => Promise<T>): Promise<T> {
  const project = await openForCommand(projectArg(args), { readOnly: args.values['read-only'] === true });
  const session = new Session(project, str(args, 'coder') ?? defaultCoderName());
  let result: T;
  try {
    result = await fn(session);
  } catch (err) {
    await project.close().catch(() => undefined);
    throw err;
  }
  // Closing folds the WAL into the file; if that fails (a full disk) the command fails too,
  // however well the work itself went: the user must not copy a stale file believing it whole.
  await project.close();
  return result;
}

export { terminalSafe, safeName };

/** Columns of running text (coded passages, memos, descriptions): their line breaks are shown as spaces. */
const PROSE = new Set(['text', 'memo', 'description', 'summary', 'snippet']);

/**
 * Prints rows as aligned columns, for people; --json prints the objects instead. A name's
 * control characters (a line break too) are shown escaped, so each row stays one line.
 */
export function table(io: Io, rows: Record<string, unknown>[], columns: string[]): void {
  if (rows.length === 0) return;
  const text = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const cells = columns.map((c) => (PROSE.has(c) ? (v: unknown) => safeName(text(v).replace(/\s+/g, ' ')) : (v: unknown) => safeName(text(v)).replace(/ +/g, ' ')));
  const cell = (v: unknown, i: number) => cells[i]!(v);
  const widths = columns.map((c, i) => Math.min(60, Math.max(c.length, ...rows.map((r) => cell(r[c], i).length))));
  const fmt = (vals: string[]) => vals.map((v, i) => (v.length > widths[i]! ? v.slice(0, widths[i]! - 1) + '…' : v.padEnd(widths[i]!))).join('  ').trimEnd();
  io.out(fmt(columns));
  for (const r of rows) io.out(fmt(columns.map((c, i) => cell(r[c], i))));
}

export const JSON_OPT = { json: { type: 'boolean' as const } };
export const CODER_OPT = { coder: { type: 'string' as const } };
/** For commands that only read: opens a damaged file without writing to it, to export what is left. */
export const READ_ONLY_OPT = { 'read-only': { type: 'boolean' as const } };

export { MarginaliaError };
