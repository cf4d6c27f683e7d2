import type { Session } from '../session';
import { visibleCoders } from '../../core/team/rounds';

/**
 * Coders whose work the current coder may not see: while a reliability round they take part
 * in is open, each coder codes blind. Views filter these out on the main side, so no
 * renderer can show them by mistake.
 */
export async function hiddenCoderIds(session: Session): Promise<Set<string>> {
  const coder = await session.coder();
  const v = await session.project.db.read((r) => visibleCoders(r, coder.id));
  return new Set(v.hidden_coder_ids);
}
