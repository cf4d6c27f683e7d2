import { query } from '../define';
import { Empty } from './common';

/**
 * A project being opened, while it takes time (an older project's upgrade: a minute and a
 * half at 100,000 articles), or the reason it could not be opened when no project is open.
 */
export interface ProjectOpeningOut {
  /** File name, no folders. */
  file: string;
  /**
   * `opening` before the first phase is known, `checking` the file for damage, `upgrading` its
   * schema a step at a time, `compacting` it after the upgrade (giving back the space old tables
   * took), `failed` when it could not be opened (see `error`).
   */
  phase: 'opening' | 'checking' | 'upgrading' | 'compacting' | 'failed';
  /** The schema versions the file is upgraded from and to, and in how many steps; null for a current file. */
  upgrade: { from: number; to: number; steps: number } | null;
  /** The upgrade's step under way (1-based) and its label, while `upgrading`. */
  step: number | null;
  label: string | null;
  /** The file's size in bytes, while `checking` or `compacting`. */
  bytes: number | null;
  /** Milliseconds since the open began. */
  elapsedMs: number;
  /** Why it failed, naming the file and what to do, when `failed`. */
  error: { code: string; message: string } | null;
}

export const openingContract = {
  'project.opening': query<ProjectOpeningOut | null>()(
    Empty,
    'The project being opened and how far it is (damage check, upgrade step k of n, compaction), or why it could not be opened; null once a project is open. Answers while other methods fail with code "opening"; polled by the "Opening…" screen.',
  ),
} as const;
