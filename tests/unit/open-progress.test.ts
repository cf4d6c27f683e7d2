import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/project';
import { projectAtSchema9 } from '../helpers/old-project';
import { runCli } from '../helpers/cli';
import { main } from '../../main/cli/index';
import { MIGRATIONS, SCHEMA_VERSION } from '../../main/core/db/migrations';
import { pendingWork, type OpenProgress } from '../../main/core/db/open';
import { Project } from '../../main/core/project/project';
import { Sqlite } from '../../main/core/db/sqlite';
import { Session } from '../../main/api/session';
import { dispatch } from '../../main/api/dispatch';
import type { ProjectOpeningOut } from '../../main/api/contract/opening';

/** Everything a file holds, as text: each table's and index's definition, and each table's rows in rowid order. */
async function contentsOf(path: string): Promise<string> {
  const db = await Sqlite.open(path, { readonly: true });
  try {
    const objects = await db.all<{ type: string; name: string; sql: string | null }>(`SELECT type, name, sql FROM sqlite_master ORDER BY type, name`);
    const parts: string[] = [];
    for (const o of objects) {
      parts.push(`${o.type} ${o.name}: ${o.sql ?? ''}`);
      // FTS5's own shadow tables are read through their content; virtual tables are not read directly.
      if (o.type !== 'table' || !o.sql || /VIRTUAL TABLE/i.test(o.sql)) continue;
      const withoutRowid = /WITHOUT ROWID/i.test(o.sql);
      const rows = await db.all(`SELECT * FROM "${o.name}"${withoutRowid ? '' : ' ORDER BY rowid'}`);
      parts.push(JSON.stringify(rows));
    }
    const version = await db.get<{ user_version: number }>('PRAGMA user_version');
    parts.push(`user_version ${version!.user_version}`);
    return parts.join('\n');
  } finally {
    await db.close();
  }
}

describe('opening an older project tells its progress', () => {
  it('tells the damage check, each upgrade step with its label, then the compaction, in order; and says beforehand that an upgrade is due', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'old.marginalia');
      await projectAtSchema9(path);
      expect(await pendingWork(path)).toEqual({ upgrade: { from: 9, to: SCHEMA_VERSION, steps: SCHEMA_VERSION - 9 }, compaction: false });

      const told: OpenProgress[] = [];
      const project = await Project.open(path, { onProgress: (p) => void told.push(p) });
      await project.close();

      const steps = MIGRATIONS.filter((m) => m.version > 9);
      expect(told[0]).toMatchObject({ phase: 'checking' });
      expect(told.slice(1, 1 + steps.length)).toEqual(
        steps.map((m, i) => ({ phase: 'upgrading', step: i + 1, steps: steps.length, version: m.version, label: m.label })),
      );
      // Migrations 10, 13 and 15 rebuild tables: the upgrade frees pages, so the file is compacted last.
      expect(told.slice(1 + steps.length)).toEqual([{ phase: 'compacting', bytes: expect.any(Number) as number }]);
      for (const m of MIGRATIONS) expect(m.label.length, `migration ${m.version} has a label`).toBeGreaterThan(3);

      // Once upgraded, there is nothing to tell: a current file opens without a step.
      expect(await pendingWork(path)).toEqual({ upgrade: null, compaction: false });
      const again: OpenProgress[] = [];
      await (await Project.open(path, { onProgress: (p) => void again.push(p) })).close();
      expect(again.map((p) => p.phase)).toEqual(['checking']);
    } finally {
      cleanup();
    }
  });

  it('the file upgraded while telling its progress holds exactly what one upgraded without it holds', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const watched = join(dir, 'watched.marginalia');
      const plain = join(dir, 'plain.marginalia');
      await projectAtSchema9(watched);
      copyFileSync(watched, plain);
      // A slow listener, as a screen that shows each step: the steps wait for it, and still do the same.
      await (await Project.open(watched, { onProgress: () => new Promise((r) => setTimeout(r, 5)) })).close();
      await (await Project.open(plain)).close();
      const a = await contentsOf(watched);
      expect(a).toContain(`user_version ${SCHEMA_VERSION}`);
      expect(a).toBe(await contentsOf(plain));
    } finally {
      cleanup();
    }
  });

  it('a listener that throws does not stop the upgrade', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'old.marginalia');
      await projectAtSchema9(path);
      const project = await Project.open(path, {
        onProgress: () => {
          throw new Error('the screen went away');
        },
      });
      await project.close();
      expect(await pendingWork(path)).toEqual({ upgrade: null, compaction: false });
    } finally {
      cleanup();
    }
  });
});

describe('project.opening while a session opens a project', () => {
  it('answers the phase and step while other methods say the project is still being opened; null once it is open', async () => {
    const { dir, cleanup } = tempDir();
    const session = new Session(null, 'anna');
    try {
      const path = join(dir, 'Old Interviews.marginalia');
      await projectAtSchema9(path);
      const seen: Array<{ opening: ProjectOpeningOut | null; info: { ok: boolean; code?: string; message?: string } }> = [];
      const project = await session.watchOpen(
        path,
        (onProgress) => Project.open(path, { onProgress }),
        () => {
          const opening = session.opening;
          seen.push({ opening, info: { ok: false } });
          const entry = seen[seen.length - 1]!;
          void dispatch({ session }, 'project.info', {}).then((r) => (entry.info = r.ok ? { ok: true } : { ok: false, ...r.error }));
        },
      );
      await session.setProject(project);
      const steps = SCHEMA_VERSION - 9;
      expect(seen.map((s) => [s.opening?.phase, s.opening?.step])).toEqual([
        ['checking', null],
        ...Array.from({ length: steps }, (_, i) => ['upgrading', i + 1]),
        ['compacting', null],
      ]);
      expect(seen[2]!.opening).toMatchObject({ file: 'Old Interviews.marginalia', upgrade: { from: 9, to: SCHEMA_VERSION, steps }, label: MIGRATIONS.find((m) => m.version === 11)!.label, error: null });
      for (const s of seen) {
        expect(s.info.ok).toBe(false);
        expect(s.info.code).toBe('opening');
        expect(s.info.message).toContain('Old Interviews.marginalia is still being opened');
      }
      const after = await dispatch({ session }, 'project.opening', {});
      expect(after).toMatchObject({ ok: true, value: null });
      expect((await dispatch({ session }, 'project.info', {})).ok).toBe(true);
    } finally {
      await session.setProject(null);
      cleanup();
    }
  });

  it('with the pending work a host read already, the open starts at once and project.opening tells that upgrade, the file not read again', async () => {
    const { dir, cleanup } = tempDir();
    const session = new Session(null, 'anna');
    try {
      const path = join(dir, 'Old Interviews.marginalia');
      await projectAtSchema9(path);
      const work = await pendingWork(path);
      let started = false;
      const opened = session.watchOpen(
        path,
        (onProgress) => {
          started = true;
          return Project.open(path, { onProgress });
        },
        undefined,
        work,
      );
      // Nothing was awaited before the open began: no second read of the file came first.
      expect(started).toBe(true);
      expect(session.opening).toMatchObject({ file: 'Old Interviews.marginalia', upgrade: { from: 9, to: SCHEMA_VERSION, steps: SCHEMA_VERSION - 9 } });
      await session.setProject(await opened);
      expect(session.opening).toBeNull();
    } finally {
      await session.setProject(null);
      cleanup();
    }
  });

  it('when the open fails with no project open, project.opening says why, naming the file', async () => {
    const { dir, cleanup } = tempDir();
    const session = new Session(null, 'anna');
    try {
      const path = join(dir, 'notes.marginalia');
      writeFileSync(path, 'These are my notes, not a project.');
      await expect(session.watchOpen(path, (onProgress) => Project.open(path, { onProgress }))).rejects.toThrow(/notes\.marginalia is not a Marginalia project/);
      const r = await dispatch({ session }, 'project.opening', {});
      expect(r).toMatchObject({ ok: true, value: { file: 'notes.marginalia', phase: 'failed', error: { code: 'not_a_project' } } });
      const info = await dispatch({ session }, 'project.info', {});
      expect(info).toMatchObject({ ok: false, error: { code: 'no_project' } });
      expect(!info.ok && info.error.message).toContain('notes.marginalia is not a Marginalia project');
    } finally {
      cleanup();
    }
  });
});

describe('the command line tells an upgrade on stderr', () => {
  it('one line per phase and step on stderr, the data alone on stdout', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'old.marginalia');
      await projectAtSchema9(path);
      const r = await runCli('docs', path, '--json');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toHaveLength(60);
      const lines = r.err.split('\n');
      const steps = SCHEMA_VERSION - 9;
      expect(lines).toHaveLength(1 + steps + 1 + 1);
      expect(lines[0]).toMatch(/^old\.marginalia: checking the file for damage \(\d+ (KB|MB)\)…$/);
      expect(lines[1]).toContain(`old.marginalia: upgrading from an older Marginalia, step 1 of ${steps}: ${MIGRATIONS.find((m) => m.version === 10)!.label}…`);
      expect(lines[1]).toContain('if interrupted, the file stays whole');
      expect(lines[steps]).toBe(`old.marginalia: upgrading from an older Marginalia, step ${steps} of ${steps}: ${MIGRATIONS[MIGRATIONS.length - 1]!.label}…`);
      expect(lines[steps + 1]).toMatch(/^old\.marginalia: compacting after the upgrade/);
      expect(lines[steps + 2]).toMatch(/^old\.marginalia: open \(\d/);

      // A current file opens without a word on stderr.
      const again = await runCli('docs', path, '--json');
      expect(again.err).toBe('');
    } finally {
      cleanup();
    }
  });
});

describe('marginalia serve on an older project', () => {
  it('gives its address at once and answers project.opening while the upgrade runs, its progress on stderr and nothing more on stdout', async () => {
    const { dir, cleanup } = tempDir();
    const delay = process.env.MARGINALIA_TEST_OPEN_STEP_DELAY_MS;
    // Slows each phase a little, as the e2e test does, so the open is still under way when asked.
    process.env.MARGINALIA_TEST_OPEN_STEP_DELAY_MS = '150';
    const signals = { SIGINT: new Set(process.listeners('SIGINT')), SIGTERM: new Set(process.listeners('SIGTERM')) };
    const out: string[] = [];
    const err: string[] = [];
    let served: Promise<number> | null = null;
    try {
      const path = join(dir, 'old.marginalia');
      await projectAtSchema9(path);
      served = main(['serve', path, '--port', '0', '--coder', 'anna'], { out: (l) => out.push(l), err: (l) => err.push(l) });
      for (let i = 0; i < 400 && !out.some((l) => l.startsWith('Open ')); i++) await new Promise((r) => setTimeout(r, 10));
      const url = out.find((l) => l.startsWith('Open '))!.slice('Open '.length);
      const token = /token=([^&]+)/.exec(url)![1]!;
      const ask = async (method: string) => {
        const res = await fetch(new URL(`/api/${method}`, url), { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: '{}' });
        return (await res.json()) as { ok: boolean; value?: { phase: string } | null; error?: { code: string } };
      };
      const first = await ask('project.opening');
      expect(first.ok).toBe(true);
      expect(first.value).toMatchObject({ phase: expect.stringMatching(/opening|checking|upgrading/) as string });
      expect(await ask('documents.page')).toMatchObject({ ok: false, error: { code: 'opening' } });
      let now = first;
      for (let i = 0; i < 600 && now.value !== null; i++) {
        await new Promise((r) => setTimeout(r, 20));
        now = await ask('project.opening');
      }
      expect(now).toEqual({ ok: true, value: null });
      expect(await ask('project.info')).toMatchObject({ ok: true });

      expect(out).toEqual([`Marginalia is serving ${path}`, expect.stringMatching(/^Open http:\/\/127\.0\.0\.1:\d+\/.*token=/) as string, 'Press Ctrl+C to stop.']);
      expect(err[0]).toMatch(/^old\.marginalia: checking the file for damage/);
      expect(err.filter((l) => l.includes(' upgrading from an older Marginalia, step '))).toHaveLength(SCHEMA_VERSION - 9);
      expect(err[err.length - 1]).toMatch(/^old\.marginalia: open \(/);
    } finally {
      // Ctrl+C, as serve hears it: its own listeners only, not the test runner's.
      for (const sig of ['SIGINT', 'SIGTERM'] as const) {
        for (const l of process.listeners(sig).filter((l) => !signals[sig].has(l))) {
          process.removeListener(sig, l);
          if (sig === 'SIGTERM') (l as () => void)();
        }
      }
      if (served) expect(await served).toBe(0);
      if (delay === undefined) delete process.env.MARGINALIA_TEST_OPEN_STEP_DELAY_MS;
      else process.env.MARGINALIA_TEST_OPEN_STEP_DELAY_MS = delay;
      cleanup();
    }
  });
});
