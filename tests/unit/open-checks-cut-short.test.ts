/**
 * A project file cut short (an interrupted copy, download or sync) is told apart from other
 * damage: the message says how much of the file is there and what to do, in the command
 * line and through the API the app uses, never SQLite's "database disk image is malformed".
 */
import { describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { Project } from '../../main/core/project/project';
import { tempDir } from '../helpers/project';

async function withSample(fn: (dir: string, path: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'study.marginalia');
    expect((await runCli('new', path, '--sample')).code).toBe(0);
    await fn(dir, path);
  } finally {
    cleanup();
  }
}

describe('a project file cut short', () => {
  it('is named as cut short, with how much is there, and never written to', async () => {
    await withSample(async (_dir, path) => {
      const whole = statSync(path).size;
      for (const keep of [Math.floor(whole / 3), whole - 8192]) {
        const copy = path.replace('study', `study-${keep}`);
        copyFileSync(path, copy);
        truncateSync(copy, keep);
        const before = readFileSync(copy);
        for (const argv of [['docs', copy], ['add-code', copy, 'new code']]) {
          const r = await runCli(...argv);
          expect(r.code, argv.join(' ')).toBe(1);
          expect(r.err).toMatch(new RegExp(`study-${keep}\\.marginalia is damaged \\(it is cut short: \\d+ KB of its ${Math.round(whole / 1024)} KB are there`));
          expect(r.err).toMatch(/interrupted copy/);
          expect(r.err).not.toMatch(/malformed|SQLITE_/);
        }
        expect(readFileSync(copy).equals(before), 'the cut-short file is left as it was').toBe(true);
      }
    });
  });

  it('through the API the app opens projects with, the same words', async () => {
    await withSample(async (_dir, path) => {
      truncateSync(path, Math.floor(statSync(path).size / 2));
      await expect(Project.open(path)).rejects.toMatchObject({ code: 'damaged', message: expect.stringMatching(/is damaged \(it is cut short: .* are there/) });
    });
  });

  it('opened read-only, says that cannot help either, and names the automatic backup when there is one', async () => {
    await withSample(async (dir, path) => {
      const backup = 'study.backup-2026-12-01T10-00-00.marginalia';
      copyFileSync(path, join(dir, backup));
      truncateSync(path, Math.floor(statSync(path).size / 3));
      const r = await runCli('docs', path, '--read-only');
      expect(r.code).toBe(1);
      // A third of the file: SQLite cannot even read the schema, so read-only is no rescue.
      expect(r.err).toMatch(/cut short.*cannot be read, not even read-only/);
      expect(r.err).toContain(backup);
    });
  });

  it('a file whose header is whole but whose -wal still holds its latest pages is not called cut short', async () => {
    await withSample(async (_dir, path) => {
      const short = Math.floor(statSync(path).size / 2);
      truncateSync(path, short);
      // A -wal with content: SQLite may complete the file from it, so the size proves nothing.
      writeFileSync(`${path}-wal`, Buffer.alloc(32, 1));
      const r = await runCli('docs', path);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/is damaged/);
      expect(r.err).not.toMatch(/cut short/);
    });
  });
});
