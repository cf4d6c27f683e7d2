import { statfsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { MarginaliaError } from '../errors';

/** An error as node-sqlite3 or Node's fs gives it: a code such as SQLITE_FULL or ENOSPC. */
interface CodedError {
  code?: string;
  errno?: number;
  message?: string;
}

const isCoded = (err: unknown): err is CodedError => typeof err === 'object' && err !== null && 'code' in err;

/** Less free space than this on the file's disk makes an I/O error a full disk. */
const NEARLY_FULL_BYTES = 1024 * 1024;

/** Whether the disk holding `path` is (nearly) full: SQLite reports a full disk as a plain I/O error when it cannot even create its -wal or -shm. */
function diskFull(path: string): boolean {
  try {
    const s = statfsSync(dirname(path));
    return s.bavail * s.bsize < NEARLY_FULL_BYTES;
  } catch {
    return false;
  }
}

/**
 * The message a person can act on for a failure of the project file itself, in their words:
 * what happened to which file, whether anything was lost, and what to do. Returns null for
 * errors that are not about the file (a constraint, a bug), which callers report as they are.
 * `path` is the project file's path (its folder is checked for free space) or just its name.
 */
export function describeFileError(err: unknown, path: string): MarginaliaError | null {
  if (err instanceof MarginaliaError || !isCoded(err) || typeof err.code !== 'string') return null;
  const message = err.message ?? '';
  const fileName = basename(path);
  const code = (err.code === 'SQLITE_IOERR' || err.code === 'EIO' || err.code === 'SQLITE_CANTOPEN') && path !== fileName && diskFull(path) ? 'SQLITE_FULL' : err.code;
  switch (code) {
    case 'SQLITE_FULL':
    case 'ENOSPC':
      return new MarginaliaError(
        'io',
        `${fileName}: the disk is full, so Marginalia could not write to the project. Nothing was half-written: free some space, then do it again. Keep ${fileName} and any ${fileName}-wal beside it together until then.`,
      );
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      return damaged(fileName, message.replace(/^SQLITE_\w+:\s*/, ''));
    case 'SQLITE_READONLY':
    case 'EROFS':
    case 'EACCES':
    case 'EPERM':
      return new MarginaliaError(
        'io',
        `${fileName} cannot be changed: the file or its folder is read-only (SQLite needs to write ${fileName}-wal beside it). Copy the project to a folder you can write to, such as your Documents, and open it there.`,
      );
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return new MarginaliaError(
        'io',
        `${fileName} is busy: another program (another Marginalia window, a sync client or a backup tool) is writing to it. Close that program or wait a moment, then try again.`,
      );
    case 'SQLITE_CANTOPEN':
      return new MarginaliaError(
        'io',
        `${fileName} could not be opened: the file or its folder is missing or not readable (a disconnected drive, or permissions). Check the path and that the drive is connected.`,
      );
    case 'SQLITE_IOERR':
    case 'EIO':
      return new MarginaliaError(
        'io',
        `${fileName}: the disk reported an error while reading or writing (${message.replace(/^SQLITE_\w+:\s*/, '')}). The last change was not saved. Check the drive (a removed USB stick or a network folder that went away), then try again.`,
      );
    default:
      return null;
  }
}

/** The message for a file that fails SQLite's own consistency check. */
export function damaged(fileName: string, detail: string, backup?: string): MarginaliaError {
  // SQLite's wording ("*** in database main *** Tree 21 page 21: …") says where; keep the page.
  const page = /page (\d+)/.exec(detail)?.[1];
  const what = page ? `SQLite found page ${page} of the file unreadable` : detail.replace(/\*\*\* in database \w+ \*\*\*\s*/g, '').trim();
  const restore = backup
    ? `Restore the automatic backup ${backup} (beside it) by opening that file instead`
    : 'Restore a copy you sent or backed up earlier';
  return new MarginaliaError(
    'damaged',
    `${fileName} is damaged (${what || 'SQLite reports the file is malformed'}). Marginalia will not write to it, so nothing more is lost. ${restore}, or open it read-only (the app offers this; on the command line add --read-only, e.g. "marginalia export ${fileName} --read-only --format bundle --out rescue.zip") and export what can still be read.`,
  );
}
