/**
 * Opens (so upgrades) the project named on the command line and closes it: the child process
 * that upgrade tests kill midway. Says "opening" just before, so a kill is timed from there.
 */
import { openProjectDb } from '../../main/core/db/open';

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
