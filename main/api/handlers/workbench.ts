import type { workbenchContract, ViewerSegment } from '../contract/workbench';
import type { HandlersOf } from './types';
import { coderCondition } from '../../core/coders/scope';

export const workbenchHandlers: HandlersOf<typeof workbenchContract> = {
  'workbench.documentSegments': ({ session }, { documentId, ...scope }) =>
    session.project.db.read(async (r) => {
      const who = await coderCondition(r, scope);
      return r.all<ViewerSegment>(
        `SELECT s.id, s.document_id, s.code_id, c.name AS code_name, c.color AS code_color, s.coder_id, k.name AS coder_name,
                s.start, s.end,
                ifnull((SELECT m.text FROM memos m WHERE m.target_kind = 'segment' AND m.target_id = s.id ORDER BY m.created_at LIMIT 1), '') AS memo,
                s.created_at, s.updated_at
         FROM segments s JOIN codes c ON c.id = s.code_id JOIN coders k ON k.id = s.coder_id
         WHERE s.document_id = ? AND ${who.sql}
         ORDER BY s.start, s.end, c.sort_order, s.id`,
        [documentId, ...who.params],
      );
    }),
};
