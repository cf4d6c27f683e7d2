import { userInfo } from 'node:os';
import { basename } from 'node:path';
import type { Project } from '../core/project/project';
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

/**
 * What a host (Electron window, bridge, CLI) holds while it serves the handler table: the
 * open project and who is coding. Handlers never see a transport.
 */
export class Session {
  private coderName: string;
  private coderCache: Coder | null = null;

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
    if (!this.current) throw new MarginaliaError('no_project', 'No project is open. Open or create a project first.');
    return this.current;
  }

  get hasProject(): boolean {
    return this.current !== null;
  }

  get projectFile(): string {
    return basename(this.project.path);
  }

  /** Replaces the open project, closing the previous one. */
  async setProject(project: Project | null): Promise<void> {
    const previous = this.current;
    this.current = project;
    this.coderCache = null;
    this.scopeReads(project);
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
