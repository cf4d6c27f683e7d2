/**
 * Where a project file's bytes go (issue 13, "the file stays lean"): the text it holds, the FTS
 * index, and every other table with its indexes, read with sqlite3's dbstat, against the
 * budget of twice the text plus the FTS index.
 *
 *   npx tsx tests/bench/storage.ts [--large]   upgrades a copy of the cached bench corpus through
 *                                              the app, closes it and prints its breakdown
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1)} MB`;

/** The groups a file is reported in: each table with its indexes; the FTS shadow tables as one. */
const GROUP_SQL = `
  WITH pages AS (
    SELECT s.name, s.pgsize, coalesce(m.tbl_name, s.name) AS tbl FROM dbstat s LEFT JOIN sqlite_master m ON m.name = s.name
  )
  SELECT CASE
      WHEN tbl LIKE 'documents_fts%' THEN 'FTS index'
      WHEN tbl = 'documents' THEN 'documents'
      WHEN tbl IN ('segments', 'segment_rows') THEN 'segments'
      WHEN tbl IN ('document_keys', 'code_keys', 'coder_keys') THEN 'keys'
      WHEN tbl = 'events' THEN 'events log'
      WHEN tbl IN ('document_fingerprints', 'near_duplicates') THEN 'duplicate signatures'
      WHEN tbl IN ('document_values', 'document_value_rows', 'variables', 'variable_keys') THEN 'attributes'
      ELSE 'other' END AS grp,
    sum(pgsize) AS bytes,
    sum(CASE WHEN name = tbl THEN pgsize ELSE 0 END) AS table_bytes
  FROM pages GROUP BY grp ORDER BY bytes DESC;`;

export interface Storage {
  file: number;
  text: number;
  fts: number;
  free: number;
  groups: Array<{ group: string; bytes: number; tableBytes: number }>;
}

/** The breakdown of a closed (checkpointed) project file; null where the sqlite3 CLI has no dbstat. */
export function storage(path: string): Storage | null {
  const sql = (q: string) => execFileSync('sqlite3', ['-readonly', '-separator', '\t', path, q], { maxBuffer: 1e8 }).toString().trim();
  try {
    const groups = sql(GROUP_SQL)
      .split('\n')
      .map((line) => line.split('\t'))
      .map(([group, bytes, table]) => ({ group: group!, bytes: Number(bytes), tableBytes: Number(table) }));
    const [text, free] = sql(`SELECT sum(length(CAST(text AS BLOB))) FROM documents; SELECT freelist_count * page_size FROM pragma_freelist_count, pragma_page_size;`)
      .split('\n')
      .map(Number);
    return { file: statSync(path).size, text: text ?? 0, fts: groups.find((g) => g.group === 'FTS index')?.bytes ?? 0, free: free ?? 0, groups };
  } catch {
    return null;
  }
}

/** The figure and the breakdown as lines for the bench's table. */
export function storageLines(s: Storage): Array<{ figure: string; value: string }> {
  const budget = 2 * s.text + s.fts;
  const parts = s.groups.map((g) => (g.group === 'segments' ? `segments ${mb(g.bytes)} (rows ${mb(g.tableBytes)}, indexes ${mb(g.bytes - g.tableBytes)})` : `${g.group} ${mb(g.bytes)}`));
  if (s.free > 0) parts.push(`free pages ${mb(s.free)}`);
  return [
    {
      figure: 'project file vs text it holds',
      value:
        `${mb(s.file)} for ${mb(s.text)} of text (FTS index ${mb(s.fts)}): ${(s.file / s.text).toFixed(2)}× the text; ${(s.file / budget).toFixed(2)}× the budget of 2× text + FTS (${mb(budget)})` +
        // Free pages: left by writes and deletes (reused as the project grows), or by an upgrade the disk had no room to compact (open.ts); a shared copy is written without them.
        (s.free > 0 ? `; without its free pages ${mb(s.file - s.free)}: ${((s.file - s.free) / budget).toFixed(2)}× the budget` : ''),
    },
    { figure: 'project file, where the bytes go', value: parts.join(', ') },
  ];
}

async function main(): Promise<void> {
  const { ensureCorpus, SMALL, LARGE } = await import('./corpus');
  const { Project } = await import('../../main/core/project/project');
  const spec = process.argv.includes('--large') ? LARGE : SMALL;
  const cached = await ensureCorpus(spec);
  const dir = mkdtempSync(join(tmpdir(), 'marginalia-bench-storage-'));
  try {
    const path = join(dir, 'bench.marginalia');
    copyFileSync(cached, path);
    const before = storage(path);
    if (before) for (const l of storageLines(before)) console.log(`  as generated: ${l.figure}: ${l.value}`);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const project = await Project.open(path);
    // CPU as well as wall time: the upgrade's SQLite work runs on this process's threads, and on a shared machine the wall clock counts others' work too.
    const cpu = process.cpuUsage(cpu0);
    console.log(`  opened (and upgraded) in ${((performance.now() - t0) / 1000).toFixed(1)} s, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (load ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
    await project.close();
    const after = storage(path);
    if (after) for (const l of storageLines(after)) console.log(`  opened by this version: ${l.figure}: ${l.value}`);
    else console.log('  not measured: this sqlite3 has no dbstat');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
