/**
 * The project file is a complete project on its own: after a killed first run, while the app
 * is open, after a full disk, and when damaged (then it is refused, never written to). Each
 * case is one the researcher met: see the issue "Every byte that leaves Marginalia is exact".
 */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync, openSync, writeSync, closeSync, truncateSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { runCli } from '../helpers/cli';
import { Project } from '../../main/core/project/project';
import { Session } from '../../main/api/session';
import { dispatch } from '../../main/api/dispatch';
import { CHECKPOINT_IDLE_MS } from '../../main/core/db/project-db';
import { tempDir } from '../helpers/project';

const root = resolve(__dirname, '../..');

const run = runCli;

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A new empty project "study.marginalia" in a temp folder, open with a session as coder "ana". */
async function inNewProject(fn: (t: { dir: string; path: string; project: Project; session: Session }) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir();
  try {
    const path = join(dir, 'study.marginalia');
    const project = await Project.create(path);
    try {
      await fn({ dir, path, project, session: new Session(project, 'ana') });
    } finally {
      await project.close().catch(() => undefined);
    }
  } finally {
    cleanup();
  }
}

async function codeNames(path: string): Promise<string[]> {
  const project = await Project.open(path);
  try {
    return (await project.db.read((r) => r.all<{ name: string }>(`SELECT name FROM codes ORDER BY name`))).map((c) => c.name);
  } finally {
    await project.close();
  }
}

describe('the project file on its own', () => {
  it('a project whose first run was killed right after it started opens with everything in it', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'new.marginalia');
      const child = spawn(process.execPath, [join(root, 'bin', 'marginalia.js'), 'serve', path, '--sample'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      for (let i = 0; i < 400 && !out.includes('#token='); i++) await sleep(25);
      expect(out).toContain('#token=');
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
      const docs = await run('docs', path, '--json');
      expect(docs.err).toBe('');
      expect(JSON.parse(docs.out)).toHaveLength(5);
    } finally {
      cleanup();
    }
  });

  it('holds every change within seconds of the last write, while the project stays open', async () => {
    await inNewProject(async ({ dir, path, session }) => {
      const r = await dispatch({ session }, 'codes.create', { name: 'casualties' });
      expect(r.ok).toBe(true);
      // Copied alone (no -wal) as a researcher would to a USB stick or sync folder.
      await sleep(CHECKPOINT_IDLE_MS + 700);
      copyFileSync(path, join(dir, 'copied.marginalia'));
      expect(await codeNames(join(dir, 'copied.marginalia'))).toEqual(['casualties']);
      expect(statSync(`${path}-wal`).size).toBe(0);
    });
  });

  it('"share" writes a complete single-file copy while the app has unsaved changes in the WAL', async () => {
    await inNewProject(async ({ dir, path, session }) => {
      await dispatch({ session }, 'codes.create', { name: 'attribution' });
      // At once, before the idle checkpoint: the change is only in the WAL.
      const copy = join(dir, 'for-ben.marginalia');
      const shared = await run('share', path, copy);
      expect(shared.code, shared.err).toBe(0);
      expect(shared.out).toMatch(/complete copy/);
      expect(existsSync(`${copy}-wal`)).toBe(false);
      expect(await codeNames(copy)).toEqual(['attribution']);
      // An existing copy is replaced only when asked.
      const again = await run('share', path, copy);
      expect(again.code).toBe(1);
      expect(again.err).toMatch(/already exists.*--force/);
      expect((await run('share', path, copy, '--force')).code).toBe(0);
      // The app's File ▸ Save a copy to share… gets the same copy as bytes for its save dialog.
      const viaApi = await dispatch({ session }, 'project.shareCopy', {});
      expect(viaApi.ok).toBe(true);
      if (viaApi.ok) {
        const file = viaApi.value as { fileName: string; dataBase64: string };
        expect(file.fileName).toMatch(/^study-shared-\d{4}-\d{2}-\d{2}\.marginalia$/);
        writeFileSync(join(dir, file.fileName), Buffer.from(file.dataBase64, 'base64'));
        expect(await codeNames(join(dir, file.fileName))).toEqual(['attribution']);
      }
      expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
    });
  });

  it('the events log records the columns that changed, not whole rows', async () => {
    await inNewProject(async ({ project, session }) => {
      const text = 'Long article. '.repeat(70_000); // about 1 MB
      await dispatch({ session }, 'import.files', { files: [{ name: 'long.txt', dataBase64: Buffer.from(text).toString('base64') }] });
      const list = await dispatch({ session }, 'documents.list', {});
      if (!list.ok) throw new Error(list.error.message);
      const id = (list.value as { id: string }[])[0]!.id;
      const renamed = await dispatch({ session }, 'documents.rename', { id, name: 'Renamed article' });
      expect(renamed.ok).toBe(true);
      const logged = await project.db.read((r) => r.get<{ n: number }>(`SELECT length(changes) AS n FROM events WHERE kind LIKE '%rename%' ORDER BY seq DESC LIMIT 1`));
      expect(logged!.n).toBeLessThan(1000);
      // And undo still gives the old name back.
      expect((await dispatch({ session }, 'project.undo', {})).ok).toBe(true);
      expect(await project.db.read((r) => r.get<{ name: string }>(`SELECT name FROM documents WHERE id = ?`, [id]))).toEqual({ name: 'long' });
    });
  });
});

describe('the events log', () => {
  it('does not copy imported texts, yet undo and redo of an import give the whole text back', async () => {
    await inNewProject(async ({ project, session }) => {
      const text = 'Long article about the strike. '.repeat(10_000); // about 310 KB
      const imported = await dispatch({ session }, 'import.files', { files: [{ name: 'long.txt', dataBase64: Buffer.from(text).toString('base64') }] });
      expect(imported.ok).toBe(true);
      const logged = async () => (await project.db.read((r) => r.get<{ n: number }>(`SELECT sum(length(changes)) AS n FROM events`)))!.n;
      expect(await logged()).toBeLessThan(10_000);
      const stored = (await project.db.read((r) => r.get<{ text: string }>(`SELECT text FROM documents`)))!.text;
      expect(stored.length).toBeGreaterThan(300_000);
      expect((await dispatch({ session }, 'project.undo', {})).ok).toBe(true);
      expect(await project.db.read((r) => r.get<{ n: number }>(`SELECT count(*) AS n FROM documents`))).toEqual({ n: 0 });
      expect((await dispatch({ session }, 'project.redo', {})).ok).toBe(true);
      const back = await project.db.read((r) => r.get<{ text: string }>(`SELECT text FROM documents`));
      expect(back?.text).toBe(stored);
      // The search index follows the text back.
      const hits = await dispatch({ session }, 'search.hits', { query: 'strike' });
      expect(hits.ok && (hits.value as { total_documents: number }).total_documents).toBe(1);
    });
  });
});

describe('a full disk is reported, never passed over', () => {
  // A real full disk: a 1.2 MB tmpfs. Mounting needs root, which CI and these machines have.
  const probe = spawnSync('sh', ['-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d" && rmdir "$d"']);
  const canMount = probe.status === 0;
  if (!canMount) console.log(`full-disk test skipped: mounting a small tmpfs needs root (${probe.stderr.toString().trim() || 'mount failed'})`);

  /** A tmpfs of `size` at `disk`; `ballast` fills what is left of it, as other files on a full disk would. */
  function mount(disk: string, size: string) {
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', disk]).status).toBe(0);
  }
  function fillUp(file: string) {
    // Written in small pieces until the disk refuses: what is left is less than a page.
    const fd = openSync(file, 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(4096, 1));
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
  }
  const articles = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ name: `a${i}.txt`, dataBase64: Buffer.from(`Article ${i}\n${Array.from({ length: 300 }, (_, k) => `Shelling of the market in Kostiantynivka reported ${k}`).join('\n')}`).toString('base64') }));

  it.skipIf(!canMount)('an import on a full disk fails with the reason, exit 1, and nothing half-written', async () => {
    const { dir, cleanup } = tempDir();
    const disk = join(dir, 'disk');
    mkdirSync(disk);
    mount(disk, '2m');
    try {
      const path = join(disk, 'p.marginalia');
      expect((await run('new', path)).code).toBe(0);
      const src = join(dir, 'articles');
      mkdirSync(src);
      for (const a of articles(8)) writeFileSync(join(src, a.name), Buffer.from(a.dataBase64, 'base64'));
      fillUp(join(disk, 'ballast'));
      const imported = await run('import', path, src);
      expect(imported.code).toBe(1);
      expect(imported.out + imported.err).toMatch(/disk is full/);
      expect(imported.out + imported.err).not.toMatch(/SQLITE_/);
      // Space freed: the project opens whole, with what was reported imported.
      rmSync(join(disk, 'ballast'));
      const docs = await run('docs', path, '--json');
      expect(docs.code, docs.err).toBe(0);
      const reported = Number(/(\d+) imported/.exec(imported.out)?.[1] ?? 0);
      expect(JSON.parse(docs.out)).toHaveLength(reported);
    } finally {
      spawnSync('umount', [disk]);
      cleanup();
    }
  });

  it.skipIf(!canMount)('changes committed before the disk filled stay safe when saving them into the file fails, and closing says so', async () => {
    const { dir, cleanup } = tempDir();
    const disk = join(dir, 'disk');
    mkdirSync(disk);
    mount(disk, '2m');
    try {
      const path = join(disk, 'p.marginalia');
      expect((await run('new', path)).code).toBe(0);
      const project = await Project.open(path);
      const session = new Session(project, 'ana');
      const r = await dispatch({ session }, 'import.files', { files: articles(12) });
      expect(r.ok && (r.value as { imported: number }).imported).toBe(12);
      // The documents are committed in the WAL; then the disk fills before they are saved into the file.
      fillUp(join(disk, 'ballast'));
      const closing = await project.close().then(
        () => null,
        (err: Error) => err,
      );
      expect(closing?.message).toMatch(/disk is full/);
      expect(closing?.message).toMatch(/p\.marginalia-wal/);
      rmSync(join(disk, 'ballast'));
      const docs = await run('docs', path, '--json');
      expect(JSON.parse(docs.out)).toHaveLength(12);
      expect(existsSync(`${path}-wal`)).toBe(false);
    } finally {
      spawnSync('umount', [disk]);
      cleanup();
    }
  });
});

describe('a damaged, truncated, read-only or busy file', () => {
  /** The sample project, made through the command line, in a temp folder removed afterwards. */
  async function withSample(fn: (dir: string, path: string) => Promise<void>): Promise<void> {
    const { dir, cleanup } = tempDir();
    try {
      await fn(dir, await sample(dir));
    } finally {
      cleanup();
    }
  }

  async function sample(dir: string): Promise<string> {
    const path = join(dir, 'study.marginalia');
    expect((await run('new', path, '--sample')).code).toBe(0);
    return path;
  }

  it('a page overwritten mid-file: refused with what to do, never written to, readable read-only', async () => {
    await withSample(async (_dir, path) => {
      // The page overwritten is the events log's first page: the documents, which the
      // read-only rescue below reads, stay intact, as after most real single-page damage.
      const project = await Project.open(path);
      const eventsPage = (await project.db.read((r) => r.get<{ rootpage: number }>(`SELECT rootpage FROM sqlite_master WHERE name = 'events'`)))!.rootpage;
      await project.close();
      const fd = openSync(path, 'r+');
      writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, 4096 * (eventsPage - 1));
      closeSync(fd);
      const before = sha(path);
      for (const argv of [['codes', path], ['add-code', path, 'new code'], ['import', path, join(root, 'corpus')]]) {
        const r = await run(...argv);
        expect(r.code, argv.join(' ')).toBe(1);
        expect(r.err).toMatch(/study\.marginalia is damaged/);
        expect(r.err).toMatch(/will not write to it/);
        expect(r.err).toMatch(/--read-only/);
        expect(r.err).not.toMatch(/SQLITE_/);
      }
      expect(sha(path)).toBe(before);
      const rescued = await run('docs', path, '--read-only', '--json');
      expect(rescued.code, rescued.err).toBe(0);
      expect(sha(path)).toBe(before);
    });
  });

  it('a truncated file gets a message in the user’s words', async () => {
    await withSample(async (_dir, path) => {
      truncateSync(path, Math.floor(statSync(path).size / 3));
      const r = await run('docs', path);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/damaged/);
      expect(r.err).not.toMatch(/SQLITE_/);
      truncateSync(path, 0);
      const empty = await run('docs', path);
      expect(empty.err).toMatch(/is empty \(0 bytes\)/);
    });
  });

  it('a file in a read-only folder: says so and what to do', async () => {
    await withSample(async (dir, path) => {
      chmodSync(dir, 0o555);
      // root ignores permissions, so the check runs as the unprivileged "nobody" where it can.
      const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
      const r = spawnSync(asNobody[0] ?? process.execPath, [...asNobody.slice(1), ...(asNobody.length ? [process.execPath] : []), join(root, 'bin', 'marginalia.js'), 'add-code', path, 'x'], { encoding: 'utf8' });
      chmodSync(dir, 0o755);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/read-only/);
      expect(r.stderr).toMatch(/Copy the project to a folder you can write to/);
      expect(r.stderr).not.toMatch(/SQLITE_/);
    });
  });

  it('a file another program holds locked: busy, try again', async () => {
    await withSample(async (_dir, path) => {
      const sqlite3 = (await import('sqlite3')).default;
      const other = new sqlite3.Database(path);
      await new Promise<void>((done, fail) => other.exec('BEGIN EXCLUSIVE; CREATE TABLE lock_holder(x);', (e) => (e ? fail(e) : done())));
      try {
        const r = await run('add-code', path, 'x');
        expect(r.code).toBe(1);
        expect(r.err).toMatch(/is busy: another program/);
        expect(r.err).not.toMatch(/SQLITE_/);
      } finally {
        await new Promise<void>((done) => other.exec('ROLLBACK', () => other.close(() => done())));
      }
    });
  });
});

describe('the automatic backup', () => {
  it('is written once a day on opening, and the damaged-file message names it', async () => {
    const { dailyBackup } = await import('../../main/core/project/backup');
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'study.marginalia');
      expect((await run('new', path, '--sample')).code).toBe(0);
      const project = await Project.open(path);
      const first = await dailyBackup(project);
      expect(first).toMatch(/^study\.backup-auto-.*\.marginalia$/);
      expect(await dailyBackup(project)).toBeNull(); // not twice in a day
      await project.close();
      const fd = openSync(path, 'r+');
      writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, 4096 * 20);
      closeSync(fd);
      const r = await run('docs', path);
      expect(r.err).toContain(`Restore the automatic backup ${first}`);
      // The backup is a whole project.
      expect((await run('docs', join(dir, first!), '--json')).code).toBe(0);
    } finally {
      cleanup();
    }
  });
});
