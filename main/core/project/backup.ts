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

function autoBackups(projectPath: string): { name: string; mtime: number }[] {
  const stem = basename(projectPath).replace(/\.marginalia$/i, '');
  const dir = dirname(projectPath);
  try {
    return readdirSync(dir)
      .filter((f) => f.startsWith(`${stem}${AUTO}`) && f.endsWith('.marginalia'))
      .map((f) => ({ name: f, mtime: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => a.name.localeCompare(b.name));
  } catch {
    return [];
  }
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
