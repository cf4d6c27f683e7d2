import { accessSync, constants, existsSync, openSync, readSync, closeSync, readdirSync, statSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';
import { MarginaliaError } from '../errors';
import { Sqlite } from './sqlite';
import { ProjectDb } from './project-db';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';
import { damaged, describeFileError } from './file-errors';

/** PRAGMA application_id of every Marginalia project: "MRGN". */
export const APPLICATION_ID = 0x4d52474e;

const SQLITE_MAGIC = 'SQLite format 3\0';

export interface OpenOptions {
  /**
   * Opens without writing a byte: no schema upgrade, every change refused. For a damaged
   * file, this is how what can still be read is exported.
   */
  readOnly?: boolean;
  /**
   * Files larger than this (bytes) are checked for damage in the background, on a connection
   * of its own, instead of before the project opens: reading every page of a 1.5 GB project
   * takes seconds, and the first screen should not wait for it. Writes wait for the check and
   * are refused if it finds damage, so a damaged file is still never written to. Default
   * 64 MB; Infinity checks every file first (a colleague's file about to be merged).
   */
  backgroundCheckOver?: number;
  /**
   * How long after opening the background check starts (ms), unless a write comes first: the
   * check reads every page of the file, seconds of a core and of the disk that the first
   * screen (the document list, the codebook, the first document) would otherwise share on a
   * small machine. Default 3000; 0 starts it at once.
   */
  backgroundCheckAfter?: number;
  /**
   * Told where the open is, phase by phase, before each begins: an older project's upgrade
   * takes a minute and a half at 100,000 articles, and a host shows it rather than nothing.
   * Awaited, between the steps (never inside one's transaction); what it throws is ignored.
   */
  onProgress?: (progress: OpenProgress) => void | Promise<void>;
}

/**
 * One phase of opening a project, told before it begins: the damage check (only when it runs
 * before the project opens, not in the background), each schema step of an upgrade ("step k of
 * n"), and the compaction owed after an upgrade. A current file that is small or compacted only
 * ever tells `checking`, if anything.
 */
export type OpenProgress =
  | { phase: 'checking'; bytes: number }
  | { phase: 'upgrading'; step: number; steps: number; version: number; label: string }
  | { phase: 'compacting'; bytes: number };

/** What opening a file will do before it can be used, read without writing (pendingWork). */
export interface PendingWork {
  /** The schema versions an upgrade goes from and to, or null when the file is current. */
  upgrade: { from: number; to: number; steps: number } | null;
  /** An earlier upgrade's compaction is still owed (its VACUUM was interrupted). */
  compaction: boolean;
}

const BACKGROUND_CHECK_OVER = 64 * 1024 * 1024;
/** The first screen of a 100,000-document project asks its questions within about two seconds of opening. */
const BACKGROUND_CHECK_AFTER = 3000;

function readHeader(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(100);
    const n = readSync(fd, buf, 0, 100, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/**
 * Checks, without writing a byte, that `path` is an SQLite file at all. Whether it is a
 * Marginalia project, and which schema it has, is read through a connection afterwards:
 * the main file's header is stale while the truth is still in the `-wal` beside it (a
 * project created by a process that was then killed).
 */
export function inspectProjectFile(path: string): void {
  const name = basename(path);
  if (!existsSync(path)) throw new MarginaliaError('not_found', `${name}: no such file. Check the path, or create a project with "marginalia new".`);
  if (!statSync(path).isFile()) throw new MarginaliaError('not_a_project', `${name} is a folder, not a Marginalia project file.`);
  let header: Buffer;
  try {
    header = readHeader(path);
  } catch (err) {
    throw describeFileError(err, path) ?? err;
  }
  if (header.length === 0) {
    throw new MarginaliaError('not_a_project', `${name} is empty (0 bytes): it is not a project, perhaps a copy that was interrupted. Open the original, or a backup.`);
  }
  if (header.length < 100 || header.subarray(0, 16).toString('latin1') !== SQLITE_MAGIC) {
    throw new MarginaliaError('not_a_project', `${name} is not a Marginalia project (not an SQLite file). Open a .marginalia file, or import this file instead.`);
  }
}

/** Sizes as a person reads them: "95 KB", "1.2 MB". */
function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Whether the file is shorter than its own header says (an interrupted copy, download or
 * sync), said in those words; null when it is not, or when a -wal beside it may still
 * complete it (a checkpoint killed midway writes the header before the later pages).
 */
function cutShort(path: string): string | null {
  try {
    if (sizeOf(`${path}-wal`) > 0) return null;
    const header = readHeader(path);
    if (header.length < 100) return null;
    const pageSize = header.readUInt16BE(16) === 1 ? 65536 : header.readUInt16BE(16);
    const pages = header.readUInt32BE(28);
    // The page count is only valid when its "valid for" stamp matches the change counter.
    if (pages === 0 || header.readUInt32BE(24) !== header.readUInt32BE(92)) return null;
    const expected = pages * pageSize;
    const actual = statSync(path).size;
    if (actual >= expected) return null;
    return `it is cut short: ${size(actual)} of its ${size(expected)} are there, as an interrupted copy, download or sync leaves a file`;
  } catch {
    return null;
  }
}

/** The newest `<stem>.backup-*.marginalia` beside the project, for the damaged-file message. */
export function latestBackup(path: string): string | undefined {
  const stem = basename(path).replace(/\.marginalia$/i, '');
  try {
    return readdirSync(dirname(path))
      .filter((f) => f.startsWith(`${stem}.backup-`) && f.endsWith('.marginalia'))
      .map((f) => ({ f, st: statSync(`${dirname(path)}/${f}`) }))
      .filter((x) => x.st.size > 0)
      .sort((a, b) => a.st.mtimeMs - b.st.mtimeMs)
      .pop()?.f;
  } catch {
    return undefined;
  }
}

/** Application id and schema version, read through the connection so the WAL counts. */
async function identify(sqlite: Sqlite, name: string): Promise<number> {
  const appId = (await sqlite.get<{ application_id: number }>('PRAGMA application_id'))?.application_id ?? 0;
  const version = (await sqlite.get<{ user_version: number }>('PRAGMA user_version'))?.user_version ?? 0;
  if (appId !== APPLICATION_ID) {
    throw new MarginaliaError('not_a_project', `${name} is an SQLite database but not a Marginalia project. It was left untouched.`);
  }
  if (version > SCHEMA_VERSION) {
    throw new MarginaliaError(
      'newer_version',
      `${name} was saved by a newer Marginalia (schema ${version}; this one reads up to ${SCHEMA_VERSION}). Update Marginalia to open it; the file was left untouched.`,
    );
  }
  return version;
}

/**
 * SQLite's quick consistency check (it reads every page but skips the index cross-checks
 * that make integrity_check slow): a damaged file is found before anything is written to it.
 */
async function checkIntact(sqlite: Sqlite, path: string): Promise<void> {
  let problems: string[];
  try {
    problems = (await sqlite.all<{ quick_check: string }>('PRAGMA quick_check(5)')).map((r) => r.quick_check);
  } catch (err) {
    throw damaged(basename(path), cutShort(path) ?? (err as Error).message.replace(/^SQLITE_\w+:\s*/, ''), latestBackup(path));
  }
  if (problems.length !== 1 || problems[0] !== 'ok') throw damaged(basename(path), cutShort(path) ?? problems.slice(0, 2).join('; '), latestBackup(path));
}

async function configure(sqlite: Sqlite, readOnly: boolean): Promise<void> {
  await sqlite.exec('PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  // NORMAL in WAL mode: a commit survives the process being killed (not a power cut), and
  // the idle checkpoint moves it into the main file within seconds.
  if (!readOnly) await sqlite.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
}

/**
 * The `project` row that says an upgrade's compaction is still owed. Written in each upgrade
 * step's transaction and deleted once the VACUUM after it has run, so a kill during that VACUUM
 * (a minute at 100,000 articles) leaves it behind and the next open compacts instead. Only
 * this row starts a VACUUM at open: a file that is sparse for another reason (a large import
 * deleted) is never rewritten unasked, its free pages are reused as it grows.
 */
const COMPACTION_OWED = 'compaction_owed_after_upgrade';

/** Tells a host's progress callback, which may not stop the open by throwing. */
async function tell(onProgress: OpenOptions['onProgress'], progress: OpenProgress): Promise<void> {
  try {
    await onProgress?.(progress);
  } catch {
    // Showing progress is a courtesy: the open goes on.
  }
}

async function migrate(sqlite: Sqlite, from: number, path?: string, onProgress?: OpenOptions['onProgress']): Promise<void> {
  const steps = MIGRATIONS.filter((m) => m.version > from);
  for (const [i, m] of steps.entries()) {
    await tell(onProgress, { phase: 'upgrading', step: i + 1, steps: steps.length, version: m.version, label: m.label });
    await sqlite.exec('BEGIN IMMEDIATE');
    try {
      await m.up(sqlite);
      await sqlite.exec(`PRAGMA user_version = ${m.version}`);
      // Committed with the step: an upgraded file always knows it may owe a compaction.
      if (from > 0) await sqlite.run(`INSERT OR REPLACE INTO project (key, value) VALUES (?, ?)`, [COMPACTION_OWED, String(m.version)]);
      await sqlite.exec('COMMIT');
    } catch (err) {
      await sqlite.exec('ROLLBACK').catch(() => undefined);
      throw new MarginaliaError('internal', `Upgrading the project to schema ${m.version} (${m.name}) failed and was rolled back: ${(err as Error).message}`);
    }
  }
  if (path) await compactAfterUpgrade(sqlite, path, onProgress);
}

/**
 * Up to this size a VACUUM after an upgrade takes seconds (155 MB: 5 s), so even a twentieth of
 * the file free is worth giving back; above it only a quarter or more is.
 */
const COMPACT_SMALL_MAX_BYTES = 400e6;

/** How large the file is, how much of it is free, and how much disk there is for the rewrite. */
export interface CompactionSizes {
  pages: number;
  free: number;
  pageSize: number;
  /** Free bytes on the project's disk, and on the disk of SQLite's temporary files (the same number when they are one disk). */
  diskFree: number;
  tempFree: number;
  /** Whether the project and SQLite's temporary files are on the same disk. */
  sameDisk: boolean;
}

/**
 * Whether the file is rewritten after its upgrade. An upgrade that drops or rebuilds tables and
 * indexes (migrations 10, 13, 15) leaves their pages free inside the file, which SQLite reuses
 * but never gives back: the 100,000-article bench project upgraded to schema 15 kept 488 MB of
 * its 1,430 MB free. A VACUUM writes the file anew without them (that project: 38 s wall, 15 s
 * CPU on the loaded 2-core machine, 1,430 → 935 MB), once, as part of an upgrade that takes
 * about a minute there anyway; a researcher gets the disk back without knowing to "Save a copy".
 * It needs room for two copies of what is in use: SQLite builds the new file in a temporary
 * file, then writes it through the -wal (peak 1.95 GB beside the 1.4 GB file). Where the disk
 * has less (with a margin), it is not started, so a nearly full disk is not filled to the brim.
 */
export function compactionWanted(s: CompactionSizes): boolean {
  const fileBytes = s.pages * s.pageSize;
  const inUse = (s.pages - s.free) * s.pageSize;
  const enough = s.free * 4 >= s.pages || (s.free * 20 >= s.pages && fileBytes <= COMPACT_SMALL_MAX_BYTES);
  if (!enough) return false;
  // The temporary copy and the -wal each hold what is in use; a tenth more, and 50 MB, to spare.
  const need = (bytes: number) => bytes * 1.1 + 50e6;
  return s.sameDisk ? s.diskFree >= need(2 * inUse) : s.diskFree >= need(inUse) && s.tempFree >= need(inUse);
}

/** Where SQLite puts its temporary files on Unix: the first of these that is a folder (os_unix.c, unixTempFileDir). */
function sqliteTempDir(): string {
  const candidates = [process.env.SQLITE_TMPDIR, process.env.TMPDIR, '/var/tmp', '/usr/tmp', '/tmp'];
  for (const dir of candidates) {
    try {
      if (dir && statSync(dir).isDirectory()) return dir;
    } catch {
      // Not there: the next one.
    }
  }
  return tmpdir();
}

function diskOf(dir: string): { free: number; id: number } {
  const s = statfsSync(dir);
  return { free: s.bavail * s.bsize, id: statSync(dir).dev };
}

/**
 * Whether the compaction an upgrade owes (COMPACTION_OWED) is due now: `compact` when
 * `compactionWanted` says so, `no-room` while the disk lacks room for the rewrite, `not-needed`
 * when the file frees too little to want one; null when none is owed. Only reads.
 */
async function compactionDue(sqlite: Sqlite, path: string): Promise<'compact' | 'no-room' | 'not-needed' | null> {
  try {
    if (!(await sqlite.get(`SELECT 1 FROM project WHERE key = ?`, [COMPACTION_OWED]))) return null;
    const size = await sqlite.get<{ pages: number; free: number; pageSize: number }>(
      'SELECT (SELECT page_count FROM pragma_page_count) AS pages, (SELECT freelist_count FROM pragma_freelist_count) AS free, (SELECT page_size FROM pragma_page_size) AS pageSize',
    );
    if (!size) return null;
    const disk = diskOf(dirname(path));
    const temp = diskOf(sqliteTempDir());
    if (compactionWanted({ ...size, diskFree: disk.free, tempFree: temp.free, sameDisk: disk.id === temp.id })) return 'compact';
    return compactionWanted({ ...size, diskFree: Infinity, tempFree: Infinity, sameDisk: true }) ? 'no-room' : 'not-needed';
  } catch {
    // No project table yet (a file killed while being created), or no disk to ask: nothing owed.
    return null;
  }
}

/**
 * The VACUUM owed after an upgrade, when it is due (compactionDue). It is one transaction
 * through the -wal: a kill midway leaves the upgraded file as it was (the -wal's uncommitted
 * frames are ignored at the next open) and the row saying it is owed, so the next open
 * compacts; a disk that fills up rolls it back (SQLITE_FULL; the -wal it grew is truncated
 * again). Not fatal when it fails: the project is upgraded and whole, only not smaller, and its
 * free pages are reused as it grows. The row goes once the VACUUM has run or failed (a failing
 * minute-long rewrite is not repeated at every open) or the file frees too little to want one;
 * it stays while the disk lacks room, which is looked at again at the next open.
 */
async function compactAfterUpgrade(sqlite: Sqlite, path: string, onProgress?: OpenOptions['onProgress']): Promise<void> {
  const due = await compactionDue(sqlite, path);
  if (due === null || due === 'no-room') return;
  if (due === 'compact') {
    await tell(onProgress, { phase: 'compacting', bytes: sizeOf(path) + sizeOf(`${path}-wal`) });
    try {
      await sqlite.exec('VACUUM');
    } catch {
      // Left as it is: reused as the project grows.
    }
  }
  await sqlite.run(`DELETE FROM project WHERE key = ?`, [COMPACTION_OWED]).catch(() => undefined);
  // The -wal holds the rewritten file (or, after a failure, frames never committed): given back either way.
  if (due === 'compact') await sqlite.exec('PRAGMA wal_checkpoint(TRUNCATE)').catch(() => undefined);
}

async function openConnection(path: string, options: { readonly?: boolean; create?: boolean; immutable?: boolean }): Promise<Sqlite> {
  try {
    return await Sqlite.open(path, options);
  } catch (err) {
    throw describeFileError(err, path) ?? err;
  }
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    accessSync(dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);

/**
 * How a project that cannot be written (a read-only file or folder: a CD, a shared drive, a
 * colleague's folder) is still read. SQLite in WAL mode needs a -shm beside the file even to
 * read; where none can be created, a file whose changes are all in it (no -wal) is opened as
 * immutable. Changes still waiting in a -wal cannot be read without one: that is said.
 */
function readOnlyPlace(path: string): { immutable: boolean; reason: string } {
  const name = basename(path);
  const reason = `${name} is in a read-only folder (or is itself read-only), so it was opened for reading only and nothing can be changed. Copy the project to a folder you can write to, such as your Documents, and open it there.`;
  const walWaiting = sizeOf(`${path}-wal`) > 0;
  if (!walWaiting) return { immutable: true, reason };
  if (existsSync(`${path}-shm`)) return { immutable: false, reason };
  throw new MarginaliaError(
    'io',
    `${name} cannot be read here: its folder is read-only, and its latest changes are in ${name}-wal beside it, which SQLite can read only with a ${name}-shm it cannot create. Copy ${name} and ${name}-wal together to a folder you can write to, and open the copy there.`,
  );
}

/**
 * What opening `path` will do before the project can be used: an upgrade from an older schema,
 * a compaction still owed. Reads two numbers and one row on a read-only connection of its own,
 * in milliseconds whatever the file's size, so a host can decide before any work whether to show
 * an "Opening…" screen. Never throws: a file it cannot read has no pending work here, and
 * openProjectDb then says what is wrong with it.
 */
export async function pendingWork(path: string): Promise<PendingWork> {
  const none: PendingWork = { upgrade: null, compaction: false };
  let sqlite: Sqlite | null = null;
  try {
    inspectProjectFile(path);
    sqlite = await Sqlite.open(path, { readonly: true });
    const appId = (await sqlite.get<{ application_id: number }>('PRAGMA application_id'))?.application_id ?? 0;
    const version = (await sqlite.get<{ user_version: number }>('PRAGMA user_version'))?.user_version ?? 0;
    if (appId !== APPLICATION_ID || version > SCHEMA_VERSION) return none;
    const steps = MIGRATIONS.filter((m) => m.version > version).length;
    const owed = await sqlite.get(`SELECT 1 FROM project WHERE key = ?`, [COMPACTION_OWED]).catch(() => undefined);
    return { upgrade: steps > 0 ? { from: version, to: SCHEMA_VERSION, steps } : null, compaction: owed !== undefined };
  } catch {
    return none;
  } finally {
    await sqlite?.close().catch(() => undefined);
  }
}

/**
 * Opens an existing project, upgrading its schema when it is older. A file that is not a
 * project, is from a newer version or is damaged is refused before anything is written.
 * One that cannot be written is opened for reading, and every change is refused saying why.
 */
export async function openProjectDb(path: string, options: OpenOptions = {}): Promise<ProjectDb> {
  const name = basename(path);
  inspectProjectFile(path);
  const place = !options.readOnly && !canWrite(path) ? readOnlyPlace(path) : null;
  const readOnly = (options.readOnly ?? false) || place !== null;
  const sqlite = await openConnection(path, { readonly: readOnly, immutable: place?.immutable ?? false });
  let background = false;
  try {
    let version: number;
    try {
      version = await identify(sqlite, name);
    } catch (err) {
      if (err instanceof MarginaliaError) throw err;
      // A header that says SQLite over pages that are not (a truncated or overwritten file).
      const described = describeFileError(err, path);
      const short = described?.code === 'damaged' || !described ? cutShort(path) : null;
      if (short && readOnly) {
        // Read-only is the rescue the damaged-file message offers; here it cannot help.
        const backup = latestBackup(path);
        throw new MarginaliaError(
          'damaged',
          `${name} is damaged (${short}) and cannot be read, not even read-only. Copy it again from where it came from, or ${backup ? `open the automatic backup ${backup} beside it` : 'open a copy you sent or backed up earlier'}.`,
        );
      }
      throw short ? damaged(name, short, latestBackup(path)) : (described ?? damaged(name, (err as Error).message, latestBackup(path)));
    }
    // An upgrade writes, so it needs the check first, and so does a compaction an earlier one
    // still owes (its VACUUM killed); so does a file small enough to check at once.
    background =
      !readOnly &&
      version >= SCHEMA_VERSION &&
      statSync(path).size > (options.backgroundCheckOver ?? BACKGROUND_CHECK_OVER) &&
      (await compactionDue(sqlite, path)) !== 'compact';
    if (!readOnly && !background) {
      await tell(options.onProgress, { phase: 'checking', bytes: sizeOf(path) + sizeOf(`${path}-wal`) });
      await checkIntact(sqlite, path);
    }
    await configure(sqlite, readOnly);
    if (readOnly && version < SCHEMA_VERSION) {
      throw new MarginaliaError('unsupported', `${name} was saved by an older Marginalia (schema ${version}) and must be upgraded before it can be read; open it normally (not read-only) to upgrade it.`);
    }
    if (!readOnly) await migrate(sqlite, version, path, options.onProgress);
  } catch (err) {
    await sqlite.close().catch(() => undefined);
    throw describeFileError(err, path) ?? err;
  }
  const db = new ProjectDb(sqlite, { fileName: name, path, readOnly, ...(place ? { readOnlyReason: place.reason } : {}) });
  if (background) db.holdWritesUntil((checker) => checkIntact(checker, path), { after: options.backgroundCheckAfter ?? BACKGROUND_CHECK_AFTER });
  return db;
}

/** Creates a new, empty project file. Refuses to overwrite an existing file. */
export async function createProjectDb(path: string): Promise<ProjectDb> {
  if (existsSync(path)) {
    throw new MarginaliaError('conflict', `${basename(path)} already exists. Choose another name, or open it instead.`);
  }
  const sqlite = await openConnection(path, { create: true });
  try {
    await sqlite.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
    await configure(sqlite, false);
    await migrate(sqlite, 0);
  } catch (err) {
    await sqlite.close().catch(() => undefined);
    throw describeFileError(err, path) ?? err;
  }
  return new ProjectDb(sqlite, { fileName: basename(path), path, readOnly: false });
}
