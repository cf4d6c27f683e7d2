/**
 * A large project opens at once and is checked for damage in the background (core/db/open.ts):
 * reads go ahead, writes wait for the check, and a damaged file is still never written to.
 * `backgroundCheckOver: 0` makes the small sample count as large.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/project';
import { Project } from '../../main/core/project/project';
import { createSampleProject } from '../../main/core/sample/sample';
import { createCode, listCodes } from '../../main/core/codebook/codebook';
import { dailyBackup } from '../../main/core/project/backup';
import { ensureCoder } from '../../main/core/coders/coders';

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

async function sample(dir: string): Promise<string> {
  const path = join(dir, 'study.marginalia');
  const p = await createSampleProject(path, 'anna');
  await p.close();
  return path;
}

/** Overwrites the events log's first page, as the durability test does: the documents stay readable. */
async function damageEvents(path: string): Promise<void> {
  const p = await Project.open(path);
  const page = (await p.db.read((r) => r.get<{ rootpage: number }>(`SELECT rootpage FROM sqlite_master WHERE name = 'events'`)))!.rootpage;
  const size = (await p.db.read((r) => r.get<{ page_size: number }>(`PRAGMA page_size`)))!.page_size;
  await p.close();
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(size, 0xab), 0, size, size * (page - 1));
  closeSync(fd);
}

describe('a large project checked for damage in the background', () => {
  it('opens a damaged file for reading, then refuses every write with the damaged-file message and leaves the file untouched', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = await sample(dir);
      await damageEvents(path);
      // Checked first (the default for a small file), it is refused at once.
      await expect(Project.open(path)).rejects.toMatchObject({ code: 'damaged' });
      const before = sha(path);
      const p = await Project.open(path, { backgroundCheckOver: 0 });
      try {
        const codes = await p.db.read((r) => listCodes(r, { counts: false }));
        expect(codes.map((c) => c.name)).toContain('casualties');
        // The app names its coder on opening: a coder already there is read, not written.
        expect((await ensureCoder(p.db, 'anna')).name).toBe('anna');
        await expect(ensureCoder(p.db, 'someone new')).rejects.toMatchObject({ code: 'damaged' });
        await expect(p.db.transaction((tx) => createCode(tx, { name: 'new theme' }))).rejects.toMatchObject({ code: 'damaged', message: expect.stringMatching(/study\.marginalia is damaged.*will not write to it/) });
        // And so does every later write, without checking again; no automatic backup is taken of it.
        await expect(p.db.transaction((tx) => createCode(tx, { name: 'another' }))).rejects.toMatchObject({ code: 'damaged' });
        expect(await dailyBackup(p)).toBeNull();
      } finally {
        await p.close();
      }
      expect(sha(path)).toBe(before);
    } finally {
      cleanup();
    }
  });

  it('lets the writes of a whole file through once it is checked, in the order they were asked', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = await sample(dir);
      const p = await Project.open(path, { backgroundCheckOver: 0 });
      try {
        // Asked at once, before the check can have ended: both wait for it, then run in order.
        const [a, b] = await Promise.all([
          p.db.transaction((tx) => createCode(tx, { name: 'first' })),
          p.db.transaction((tx) => createCode(tx, { name: 'second' })),
        ]);
        const names = (await p.db.read((r) => listCodes(r, { counts: false }))).map((c) => c.name);
        expect(names).toEqual(expect.arrayContaining(['first', 'second']));
        expect(a).not.toEqual(b);
        expect(await dailyBackup(p)).toMatch(/^study\.backup-auto-.*\.marginalia$/);
      } finally {
        await p.close();
      }
      // Closing while a check runs stops it without a word.
      const q = await Project.open(path, { backgroundCheckOver: 0 });
      await q.close();
    } finally {
      cleanup();
    }
  });

  it('starts the check a while after opening, or at once for the first write, which still waits for it', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = await sample(dir);
      // The check's moment is an hour away: only the write can have started it.
      const p = await Project.open(path, { backgroundCheckOver: 0, backgroundCheckAfter: 3_600_000 });
      try {
        await p.db.transaction((tx) => createCode(tx, { name: 'coded before the hour' }));
        expect(await p.db.checkedIntact()).toBe(true);
      } finally {
        await p.close();
      }
      // Closed before the check's moment: it never runs, and closing does not wait for it.
      const q = await Project.open(path, { backgroundCheckOver: 0, backgroundCheckAfter: 3_600_000 });
      await q.close();
      // A damaged file opened the same way: the first write starts the check and is refused by it.
      await damageEvents(path);
      const before = sha(path);
      const d = await Project.open(path, { backgroundCheckOver: 0, backgroundCheckAfter: 3_600_000 });
      try {
        await expect(d.db.transaction((tx) => createCode(tx, { name: 'new theme' }))).rejects.toMatchObject({ code: 'damaged' });
      } finally {
        await d.close();
      }
      expect(sha(path)).toBe(before);
    } finally {
      cleanup();
    }
  });
});
