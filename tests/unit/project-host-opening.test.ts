import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/project';
import { projectAtSchema9 } from '../helpers/old-project';
import { ProjectHost } from '../../main/electron/project-host';
import { Session } from '../../main/api/session';
import { dispatch } from '../../main/api/dispatch';
import { SCHEMA_VERSION } from '../../main/core/db/migrations';

describe('the desktop host while it opens an older project', () => {
  it('answers project.opening from the moment the start-up open begins, so the window can be shown first, and the workbench once it is open', async () => {
    const { dir, cleanup } = tempDir();
    const session = new Session(null, 'anna');
    const host = new ProjectHost({ session }, join(dir, 'profile'));
    try {
      const path = join(dir, 'Old.marginalia');
      await projectAtSchema9(path);
      expect(await host.pendingWork(path)).toEqual({ upgrade: { from: 9, to: SCHEMA_VERSION, steps: SCHEMA_VERSION - 9 }, compaction: false });

      const opening = host.openAtStart(path);
      // What the window's first request sees, before any of the open's work has been done.
      const first = await dispatch({ session }, 'project.opening', {});
      expect(first).toMatchObject({ ok: true, value: { file: 'Old.marginalia', error: null } });
      const info = await dispatch({ session }, 'project.info', {});
      expect(info).toMatchObject({ ok: false, error: { code: 'opening' } });

      expect(await opening).toEqual([]);
      expect(session.opening).toBeNull();
      expect(host.currentPath).toBe(path);
      const opened = await dispatch({ session }, 'project.info', {});
      expect(opened).toMatchObject({ ok: true, value: { file: 'Old.marginalia', schema_version: SCHEMA_VERSION } });
      // Open already: File ▸ Open of it again does nothing, so shows no "Opening…" screen.
      expect(await host.pendingWork(path)).toBeNull();
    } finally {
      await host.close();
      cleanup();
    }
  });

  it('File ▸ Open of a file that is not a project keeps the current project, and no "Opening…" state is left behind', async () => {
    const { dir, cleanup } = tempDir();
    const session = new Session(null, 'anna');
    const host = new ProjectHost({ session }, join(dir, 'profile'));
    try {
      const good = join(dir, 'Old.marginalia');
      await projectAtSchema9(good);
      await host.open(good);
      const bad = join(dir, 'notes.marginalia');
      writeFileSync(bad, 'not a project');
      expect(await host.pendingWork(bad)).toEqual({ upgrade: null, compaction: false });
      await expect(host.open(bad)).rejects.toThrow(/notes\.marginalia is not a Marginalia project/);
      expect(session.opening).toBeNull();
      expect(await dispatch({ session }, 'project.info', {})).toMatchObject({ ok: true, value: { file: 'Old.marginalia' } });
    } finally {
      await host.close();
      cleanup();
    }
  });
});
