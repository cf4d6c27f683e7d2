import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';

/** How many projects File ▸ Open Recent lists. */
export const MAX_RECENT = 10;

const SettingsSchema = z.object({
  version: z.literal(1),
  /** The project to reopen on the next start (absolute path). */
  lastProject: z.string().min(1).nullable(),
  /** Most recent first, absolute paths, no duplicates. */
  recent: z.array(z.string().min(1)).max(100),
});

export type Settings = z.infer<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = { version: 1, lastProject: null, recent: [] };

/**
 * The desktop shell's small memory (userData/settings.json): the last project and the recent
 * list. Read with zod; a missing, unreadable or malformed file gives the defaults (and
 * `firstRun` is true only when there was no file at all).
 */
export function readSettings(file: string): { settings: Settings; firstRun: boolean } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    return { settings: structuredClone(DEFAULT_SETTINGS), firstRun: missing };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { settings: structuredClone(DEFAULT_SETTINGS), firstRun: false };
  }
  const parsed = SettingsSchema.safeParse(json);
  if (!parsed.success) return { settings: structuredClone(DEFAULT_SETTINGS), firstRun: false };
  const s = parsed.data;
  return { settings: { ...s, recent: dedupe(s.recent).slice(0, MAX_RECENT) }, firstRun: false };
}

/** Writes atomically (temp file, then rename), so a crash never leaves half a file. */
export function writeSettings(file: string, settings: Settings): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(settings, null, 2) + '\n', 'utf8');
  renameSync(tmp, file);
}

function dedupe(paths: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of paths) {
    const key = resolve(p);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(key);
  }
  return out;
}

/** The settings after `path` was opened: it becomes the last project and heads the recent list. */
export function withOpened(settings: Settings, path: string): Settings {
  const full = resolve(path);
  return { ...settings, lastProject: full, recent: dedupe([full, ...settings.recent]).slice(0, MAX_RECENT) };
}

/** The settings without `path` in the recent list (it could not be opened). */
export function withoutRecent(settings: Settings, path: string): Settings {
  const full = resolve(path);
  return {
    ...settings,
    lastProject: settings.lastProject && resolve(settings.lastProject) === full ? null : settings.lastProject,
    recent: settings.recent.filter((p) => resolve(p) !== full),
  };
}
