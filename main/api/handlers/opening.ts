import type { openingContract } from '../contract/opening';
import type { HandlersOf } from './types';

export const openingHandlers: HandlersOf<typeof openingContract> = {
  // Never touches session.project: it answers while the project is being opened, or could not be.
  'project.opening': ({ session }) => Promise.resolve(session.opening),
};
