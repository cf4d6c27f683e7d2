/**
 * Opens (so upgrades) the project named on the command line and closes it: the child process
 * that upgrade tests kill midway. Says "opening" just before, so a kill is timed from there.
 * With MARGINALIA_TEST_HOLD_AT_VACUUM set it says "compacting" where the open would start its
 * VACUUM and waits there to be killed: the VACUUM is one transaction, so a kill anywhere inside
 * it leaves the file as a kill at its start does (its frames in the -wal are never committed).
 */
import { openProjectDb } from '../../main/core/db/open';
import { Sqlite } from '../../main/core/db/sqlite';

if (process.env.MARGINALIA_TEST_HOLD_AT_VACUUM) {
  const exec = Sqlite.prototype.exec;
  Sqlite.prototype.exec = function (this: Sqlite, sql: string) {
    if (sql.trim().toUpperCase() !== 'VACUUM') return exec.call(this, sql);
    process.stdout.write('compacting\n');
    return new Promise<void>(() => undefined);
  };
}

async function main(): Promise<void> {
  process.stdout.write('opening\n');
  const db = await openProjectDb(process.argv[2]!);
  await db.close();
  process.stdout.write('done\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
