import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Project } from './project';
import { tempBeside } from '../files/temp-files';

/** Automatic backups are `<stem>.backup-auto-<time>.marginalia`; merge backups keep their own names. */
const AUTO = '.backup-auto-';

/** Backups of larger projects would hold up opening for seconds; their users back up with `share`. */
export const AUTO_BACKUP_MAX_BYTES = 300 * 1024 * 1024;
export const AUTO_BACKUPS_KEPT = 3;
const DAY_MS = 24 * 60 * 60 * 1000;

export const MERGE_BACKUPS_KEPT = 5;

/** The backups of one kind beside a project, oldest first (their names hold the time). */
function backupsOf(projectPath: string, kind: 'auto' | 'merge'): { name: string; mtime: number }[] {
  const stem = basename(projectPath).replace(/\.marginalia$/i, '');
  const dir = dirname(projectPath);
  const mine = (f: string) =>
    kind === 'auto' ? f.startsWith(`${stem}${AUTO}`) : f.startsWith(`${stem}.backup-`) && !f.startsWith(`${stem}${AUTO}`) && /^\d{4}-\d\d-\d\dT/.test(f.slice(stem.length + 8));
  try {
    return readdirSync(dir)
      .filter((f) => mine(f) && f.endsWith('.marginalia'))
      .map((f) => ({ name: f, mtime: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => a.name.localeCompare(b.name));
  } catch {
    return [];
  }
}

const autoBackups = (projectPath: string) => backupsOf(projectPath, 'auto');

/**
 * After a merge: only the newest MERGE_BACKUPS_KEPT backups that merges wrote stay beside
 * the project (a weekly merge would otherwise pile up full copies). Returns the names removed.
 */
export function pruneMergeBackups(projectPath: string): string[] {
  const old = backupsOf(projectPath, 'merge').slice(0, -MERGE_BACKUPS_KEPT);
  for (const b of old) rmSync(join(dirname(projectPath), b.name), { force: true });
  return old.map((b) => b.name);
}

/**
 * The desktop app's safety net: at most once a day, when a project that passed its check on
 * opening is opened, a consistent copy goes beside it, and only the newest AUTO_BACKUPS_KEPT
 * are kept. A damaged file then has a recent good state to go back to, which the damaged-file
 * message names. Returns the backup's file name, or null when none was due (or it failed: a
 * backup must never stop the project from opening).
 */
export async function dailyBackup(project: Project, now = new Date()): Promise<string | null> {
  try {
    if (project.db.readOnly || statSync(project.path).size > AUTO_BACKUP_MAX_BYTES) return null;
    // A large file is checked in the background (core/db/open.ts): never back up one that fails.
    if (!(await project.db.checkedIntact())) return null;
    const existing = autoBackups(project.path);
    const newest = existing[existing.length - 1];
    if (newest && now.getTime() - newest.mtime < DAY_MS) return null;
    const stem = basename(project.path).replace(/\.marginalia$/i, '');
    const name = `${stem}${AUTO}${now.toISOString().replace(/[:.]/g, '-')}.marginalia`;
    const target = join(dirname(project.path), name);
    const tmp = tempBeside(target, 'backing-up');
    try {
      await project.db.copyTo(tmp);
      renameSync(tmp, target);
    } catch {
      rmSync(tmp, { force: true });
      return null;
    }
    for (const old of autoBackups(project.path).slice(0, -AUTO_BACKUPS_KEPT)) rmSync(join(dirname(project.path), old.name), { force: true });
    return name;
  } catch {
    return null;
  }
}
