import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Temporary files and folders carry the id of the process that made them, so the next run
 * can tell a leftover of a killed process (remove it) from the work of one still running
 * (leave it): `.<name>.<tag>-<pid>-<hex>` beside a file, `marginalia-<tag>-<pid>-<random>`
 * in the system temp folder.
 */

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the entries of `folder` whose name gives a process id (`pidOf`) of a process that has ended. */
function removeLeftovers(folder: string, pidOf: (name: string) => number): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = pidOf(name);
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) {
      try {
        rmSync(join(folder, name), { recursive: true, force: true });
      } catch {
        // Someone else's file we may not remove: it is ignored, as before.
      }
    }
  }
}

/** `<prefix><pid>-…`: the system temp folder's names. */
const afterPrefix = (prefix: string) => (name: string) => (name.startsWith(prefix) ? Number(name.slice(prefix.length).split('-')[0]) : NaN);

/**
 * `.<name>.<tag>-<pid>-<hex>` beside any file of the folder (and SQLite's -journal or -wal
 * beside them). Any name, not only the one about to be written: a killed merge's backup
 * carried the time in its name, so no later backup is ever written under that name again.
 */
function taggedBeside(tag: string): (name: string) => number {
  const pattern = new RegExp(`^\\..+\\.${tag.replace(/[^a-z0-9]/gi, '\\$&')}-(\\d+)-[0-9a-f]{8}`);
  return (name) => Number(pattern.exec(name)?.[1]);
}

/**
 * A temporary name beside `path` for a file that is renamed onto `path` when complete.
 * Leftovers of killed runs with the same `tag` in that folder are removed first.
 */
export function tempBeside(path: string, tag: string): string {
  removeLeftovers(dirname(path), taggedBeside(tag));
  return join(dirname(path), `.${basename(path)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** A private folder in the system temp folder; leftovers of killed runs with the same tag are removed first. */
export function tempFolder(tag: string): string {
  const prefix = `marginalia-${tag}-`;
  removeLeftovers(tmpdir(), afterPrefix(prefix));
  return mkdtempSync(join(tmpdir(), `${prefix}${process.pid}-`));
}
