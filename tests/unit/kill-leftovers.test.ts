/**
 * What killed runs leave beside a project or an export (hidden temporaries named with their
 * process id) is removed by the next run that writes there, whatever name that run writes:
 * a killed merge's half-written backup carried the time in its name, so waiting for a later
 * backup of the same name left it (tens of MB) beside the project for good.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { Project } from '../../main/core/project/project';
import { dailyBackup } from '../../main/core/project/backup';
import { tempDir } from '../helpers/project';

/** The id of a process that has ended, as a killed run's temporaries carry. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('temporaries of killed runs', () => {
  it('are removed by the next run with the same kind of write, whatever file it writes; live and foreign files stay', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'study.marginalia');
      expect((await runCli('new', path, '--sample')).code).toBe(0);
      const dead = deadPid();
      const leftovers = [
        // A merge killed while writing its backup (with SQLite's journal beside it).
        `.study.backup-2026-12-02T14-42-54-620Z.marginalia.backing-up-${dead}-23dfc74f`,
        `.study.backup-2026-12-02T14-42-54-620Z.marginalia.backing-up-${dead}-23dfc74f-journal`,
        // An export killed midway, to another file name than the next export's.
        `.coded-segments.csv.exporting-${dead}-0a1b2c3d.tmp`,
        // A share killed midway.
        `.study-for-ben.marginalia.copying-${dead}-deadbeef`,
      ];
      const stay = [
        // A write still running in this process.
        `.other.csv.exporting-${process.pid}-01234567.tmp`,
        // The researcher's own files, however they are named.
        '.study-notes.txt',
        `notes.exporting-${dead}-0a1b2c3d.tmp`,
      ];
      for (const name of [...leftovers, ...stay]) writeFileSync(join(dir, name), 'x');

      expect((await runCli('export', path, '--format', 'codebook', '--out', join(dir, 'codebook.csv'))).code).toBe(0);
      expect((await runCli('share', path, join(dir, 'copy.marginalia'))).code).toBe(0);
      const project = await Project.open(path);
      try {
        expect(await dailyBackup(project)).toMatch(/^study\.backup-auto-/);
      } finally {
        await project.close();
      }

      const names = readdirSync(dir);
      for (const name of leftovers) expect(names, name).not.toContain(name);
      for (const name of stay) expect(existsSync(join(dir, name)), name).toBe(true);
    } finally {
      cleanup();
    }
  });
});
