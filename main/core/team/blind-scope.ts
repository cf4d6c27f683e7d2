import type { Reader } from '../db/project-db';

/**
 * The TEMP view that lists, while a read runs under blind coding (blind.ts), the coders hidden
 * from the viewer. A read that takes coders as input (agreement) asks it, so that it can say a
 * coder is hidden instead of treating their hidden work as no work.
 */
export const HIDDEN_CODERS_VIEW = 'blind_hidden_coders';

/** Which of `coderIds` the current read may not see: empty outside blind coding. */
export async function hiddenAmong(r: Reader, coderIds: readonly string[]): Promise<string[]> {
  if (coderIds.length === 0) return [];
  const hidden = await hiddenCoders(r);
  return coderIds.filter((id) => hidden.has(id));
}

/** Every coder the current read may not see: empty outside blind coding. */
export async function hiddenCoders(r: Reader): Promise<Set<string>> {
  const scoped = await r.get<{ n: number }>(`SELECT count(*) AS n FROM sqlite_temp_master WHERE type = 'view' AND name = ?`, [HIDDEN_CODERS_VIEW]);
  if (!scoped?.n) return new Set();
  return new Set((await r.all<{ id: string }>(`SELECT id FROM temp.${HIDDEN_CODERS_VIEW}`)).map((x) => x.id));
}

