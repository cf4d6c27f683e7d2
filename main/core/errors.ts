/**
 * Stable error codes the UI and the command line explain to a person. Every error that
 * crosses the API boundary carries one of these and a message naming the file, row or field.
 */
export type ErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'conflict'
  | 'not_a_project'
  | 'newer_version'
  | 'no_project'
  /** A project is still being opened (an older one upgraded): try again when it is open. */
  | 'opening'
  | 'unsupported'
  | 'too_large'
  | 'io'
  /** The project file fails SQLite's consistency check: it is opened read-only or not at all. */
  | 'damaged'
  | 'cancelled'
  | 'internal';

export class MarginaliaError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MarginaliaError';
  }
}

export const notFound = (what: string, id: string): MarginaliaError =>
  new MarginaliaError('not_found', `No ${what} with id or name "${id}". List them to see what exists.`);

export const invalid = (field: string, problem: string): MarginaliaError =>
  new MarginaliaError('invalid_input', `${field}: ${problem}`);
