import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './fixtures';
import { Workbench } from './pages/workbench';
import { Project } from '../../main/core/project/project';
import { dispatch } from '../../main/api/dispatch';
import { shot } from './shots';

/** Codes in a project file read on its own, with no -wal beside it. */
async function codesIn(bytes: Buffer): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'marginalia-copy-'));
  try {
    const path = join(dir, 'received.marginalia');
    writeFileSync(path, bytes);
    const project = await Project.open(path);
    try {
      return (await project.db.read((r) => r.all<{ name: string }>(`SELECT name FROM codes ORDER BY name`))).map((c) => c.name);
    } finally {
      await project.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test.describe('the project file', () => {
  test('File ▸ Save a copy to share… downloads one complete file with the latest change in it', async ({ page, api }) => {
    const wb = new Workbench(page);
    await wb.ready();
    // Made a moment ago: still in the WAL, not yet in the project file.
    await api.call('codes.create', { name: 'blames NATO' });
    // Waited for before the click: a small project's copy can arrive before the next line runs.
    const [download] = await Promise.all([page.waitForEvent('download'), wb.menu('File', 'Save a copy to share…')]);
    expect(download.suggestedFilename()).toMatch(/^Sample-shared-\d{4}-\d{2}-\d{2}\.marginalia$/);
    await expect(page.getByRole('status').filter({ hasText: 'the complete project in one file, ready to send' })).toBeVisible();
    await shot(page, 'share-copy');
    expect(await codesIn(readFileSync(await download.path()))).toContain('blames NATO');
  });

  test('a full disk is shown with the reason, and saving again after space is freed clears it', async ({ page, session }) => {
    const probe = spawnSync('sh', ['-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d" && rmdir "$d"']);
    const cannotMount = probe.status !== 0 ? `full-disk e2e test skipped: mounting a small tmpfs needs root (${probe.stderr.toString().trim() || 'mount failed'})` : null;
    if (cannotMount) console.log(cannotMount);
    test.skip(cannotMount !== null, cannotMount ?? '');
    const disk = mkdtempSync(join(tmpdir(), 'marginalia-disk-'));
    mkdirSync(disk, { recursive: true });
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk]).status).toBe(0);
    try {
      const path = join(disk, 'study.marginalia');
      copyFileSync(session.project.path, path);
      await session.setProject(await Project.open(path));
      const wb = new Workbench(page);
      await page.reload();
      await wb.ready();
      // Articles committed into the WAL; then the disk fills (other files) before they are saved into the project file.
      const lines = Array.from({ length: 300 }, (_, k) => `Shelling of the market in Kostiantynivka reported ${k}`).join('\n');
      const files = Array.from({ length: 12 }, (_, i) => ({ name: `a${i}.txt`, dataBase64: Buffer.from(`Article ${i}\n${lines}`).toString('base64') }));
      // Imported through the same handler table the page uses, as the import dialog would.
      const r = await dispatch({ session }, 'import.files', { files });
      expect(r.ok && (r.value as { imported: number }).imported).toBe(12);
      const ballast = join(disk, 'other-files.bin');
      const fd = openSync(ballast, 'w');
      try {
        for (;;) writeSync(fd, Buffer.alloc(4096, 1));
      } catch {
        // ENOSPC: the disk is full.
      } finally {
        closeSync(fd);
      }
      const alert = page.getByRole('alert').filter({ hasText: 'Not saved into the project file' });
      await expect(alert).toBeVisible({ timeout: 15_000 });
      await expect(alert).toContainText('the disk is full');
      await expect(alert).toContainText('study.marginalia-wal');
      await shot(page, 'save-problem');
      rmSync(ballast);
      await alert.getByRole('button', { name: 'Try saving again' }).click();
      await expect(alert).toBeHidden();
    } finally {
      await session.setProject(null);
      spawnSync('umount', [disk]);
      rmSync(disk, { recursive: true, force: true });
    }
  });
});
