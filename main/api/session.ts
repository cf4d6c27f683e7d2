import { userInfo } from 'node:os';
import { basename, dirname } from 'node:path';
import type { Project } from '../core/project/project';
import { pendingWork, type OpenProgress, type PendingWork } from '../core/db/open';
import type { ProjectOpeningOut } from './contract/opening';
import { ensureCoder, type Coder } from '../core/coders/coders';
import { MarginaliaError } from '../core/errors';
import { blindScopeFor } from '../core/team/blind';

/** The coder name when none is given: MARGINALIA_CODER, else the OS user name. */
export function defaultCoderName(): string {
  const fromEnv = process.env.MARGINALIA_CODER?.trim();
  if (fromEnv) return fromEnv;
  try {
    return userInfo().username || 'coder';
  } catch {
    return 'coder';
  }
}

/** What a host is told as an open goes on (stderr lines for `marginalia serve`), besides project.opening. */
export type OpeningListener = (progress: OpenProgress) => void;

/**
 * A pause before each phase of an open, for the end-to-end test that watches the "Opening…"
 * screen: set only in the environment of the process that serves (never by the API or the
 * renderer), and capped, so a stray value cannot hang an app for long.
 */
function testDelayMs(): number {
  const ms = Number(process.env.MARGINALIA_TEST_OPEN_STEP_DELAY_MS ?? 0);
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 10_000) : 0;
}

interface Opening {
  path: string;
  file: string;
  started: number;
  upgrade: PendingWork['upgrade'];
  progress: OpenProgress | null;
  error: { code: string; message: string } | null;
}

/**
 * What a host (Electron window, bridge, CLI) holds while it serves the handler table: the
 * open project and who is coding. Handlers never see a transport.
 */
export class Session {
  private coderName: string;
  private coderCache: Coder | null = null;
  private openingNow: Opening | null = null;
  private readonly projectChangeListeners: Array<() => void> = [];

  constructor(
    private current: Project | null,
    coderName: string = defaultCoderName(),
  ) {
    this.coderName = coderName;
    this.scopeReads(current);
  }

  /**
   * Every read of the project is scoped to what this coder may see (blind rounds hide the
   * round's other coders): the one place blind coding is enforced, for every read method.
   */
  private scopeReads(project: Project | null): void {
    project?.db.setReadScope(async (sqlite) => {
      const id =
        this.coderCache?.id ??
        (await sqlite.get<{ id: string }>(`SELECT id FROM main.coders WHERE name = ? ORDER BY created_at LIMIT 1`, [this.coderName.trim()]))?.id;
      return id ? blindScopeFor(sqlite, id) : null;
    });
  }

  get project(): Project {
    if (!this.current) {
      const o = this.openingNow;
      if (o && !o.error) throw new MarginaliaError('opening', `${o.file} is still being opened${o.upgrade ? ' (upgraded from an older Marginalia)' : ''}. Wait until it is open, then try again.`);
      if (o?.error) throw new MarginaliaError('no_project', `No project is open: ${o.error.message}`);
      throw new MarginaliaError('no_project', 'No project is open. Open or create a project first.');
    }
    return this.current;
  }

  /** The open under way (or the one that failed while no project is open), as project.opening answers. */
  get opening(): ProjectOpeningOut | null {
    const o = this.openingNow;
    if (!o) return null;
    const p = o.progress;
    return {
      file: o.file,
      phase: o.error ? 'failed' : (p?.phase ?? 'opening'),
      upgrade: o.upgrade,
      step: p?.phase === 'upgrading' ? p.step : null,
      label: p?.phase === 'upgrading' ? p.label : null,
      bytes: p?.phase === 'checking' || p?.phase === 'compacting' ? p.bytes : null,
      elapsedMs: Date.now() - o.started,
      error: o.error,
    };
  }

  /**
   * Runs `open` (which opens the project at `path`, passing the progress callback to
   * Project.open) while project.opening tells how far it is, and `listener` too. Whether the file
   * needs an upgrade is read first, in milliseconds, so the screen says so from the start; a host
   * that has read it already (to decide whether to show progress) passes it as `work`, and the
   * file is not read twice. Does not make the project current (the host does, with setProject);
   * when it fails, the failure is what project.opening answers for as long as no project is open.
   */
  async watchOpen(
    path: string,
    open: (onProgress: (p: OpenProgress) => Promise<void>) => Promise<Project>,
    listener?: OpeningListener,
    work?: PendingWork,
  ): Promise<Project> {
    const opening: Opening = { path, file: basename(path), started: Date.now(), upgrade: null, progress: null, error: null };
    this.openingNow = opening;
    opening.upgrade = (work ?? (await pendingWork(path))).upgrade;
    const delay = testDelayMs();
    try {
      const project = await open(async (p) => {
        opening.progress = p;
        listener?.(p);
        if (delay) await new Promise((r) => setTimeout(r, delay));
      });
      if (this.openingNow === opening) this.openingNow = null;
      return project;
    } catch (err) {
      if (this.openingNow === opening) {
        // With a project still open (File ▸ Open of a file that is not a project), that one goes on and the host says why.
        if (this.current) this.openingNow = null;
        else opening.error = err instanceof MarginaliaError ? { code: err.code, message: err.message } : { code: 'internal', message: `${opening.file} could not be opened (${(err as Error).message}). Try again; if it happens again, open a copy or a backup of it.` };
      }
      throw err;
    }
  }

  get hasProject(): boolean {
    return this.current !== null;
  }

  /**
   * The folder File ▸ Open project lists: the open project's, else, when none could be opened,
   * that of the file that failed, so another project beside it can still be chosen.
   */
  get folder(): string {
    if (!this.current && this.openingNow?.error) return dirname(this.openingNow.path);
    return dirname(this.project.path);
  }

  get projectFile(): string {
    return basename(this.project.path);
  }

  /**
   * Calls `listener` whenever the open project is replaced or closed, before the previous one is
   * closed: work started on it that goes on in the background (an agreement computation reads the
   * file in a process of its own) is stopped there, and what it made is not handed to the next.
   */
  onProjectChange(listener: () => void): void {
    this.projectChangeListeners.push(listener);
  }

  /** Replaces the open project, closing the previous one. */
  async setProject(project: Project | null): Promise<void> {
    const previous = this.current;
    this.current = project;
    // A project open now: an earlier failure to open another is no longer what the app shows.
    if (project && this.openingNow?.error) this.openingNow = null;
    this.coderCache = null;
    this.scopeReads(project);
    if (previous !== project) for (const listener of this.projectChangeListeners) listener();
    if (previous && previous !== project) await previous.close();
  }

  /**
   * The current coder. Once resolved it is followed by id, so a rename (or its undo) keeps
   * the same person rather than creating a new coder under the old name.
   */
  async coder(): Promise<Coder> {
    if (this.coderCache) {
      const id = this.coderCache.id;
      const fresh = await this.project.db.read((r) => r.get<Coder>(`SELECT id, name, created_at FROM coders WHERE id = ?`, [id]));
      if (fresh) return (this.coderCache = fresh);
    }
    this.coderCache = await ensureCoder(this.project.db, this.coderName);
    return this.coderCache;
  }

  /** The current coder if the project has them already; never creates one (for previews). */
  async existingCoder(): Promise<Coder | null> {
    if (this.coderCache) return this.coder();
    const name = this.coderName.trim();
    return (await this.project.db.read((r) => r.get<Coder>(`SELECT id, name, created_at FROM coders WHERE name = ? ORDER BY created_at LIMIT 1`, [name]))) ?? null;
  }

  async setCoder(name: string): Promise<Coder> {
    this.coderName = name.trim();
    this.coderCache = null;
    return this.coder();
  }
}

export interface Ctx {
  session: Session;
}
