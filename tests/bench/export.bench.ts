/**
 * The segments CSV export beside sqlite3 writing the same join as CSV (issue 13: at most 2×
 * `sqlite3 -csv` at 100,000 documents / 1,000,000 segments), on the cached bench corpus
 * (tests/bench/corpus.ts: 10,000 articles / 100,000 segments; `--large` adds 100,000 /
 * 1,000,000, `--large-only` runs that alone). Three rounds, ours then sqlite3's, each with wall
 * and CPU time: on a shared machine the wall clock also counts others' work, so CPU is the
 * figure to compare. The floor's query is checked to be the export's own join first: sqlite3
 * quoting the cells as the export does writes the export's bytes, compared byte for byte.
 * Before that, the same project as REFI-QDA .qdpx (twice at 10,000 articles, once at 100,000),
 * with wall and CPU time and the process's peak RSS, which is then the .qdpx's own (issue 13:
 * the main process under 400 MB).
 *
 * Run: npx tsx tests/bench/export.bench.ts [--large | --large-only]
 *      MARGINALIA_BENCH_DB=project.marginalia npx tsx tests/bench/export.bench.ts   (a copy of that project instead)
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportToFile } from '../../main/core/exchange/export';
import { LARGE, SMALL, type CorpusSpec } from './corpus';
import { copyOfCorpus } from './lib';
import { Project } from '../../main/core/project/project';
import { compareWithFloor } from './segments-csv-floor';

const args = process.argv.slice(2);
const specs: CorpusSpec[] = args.includes('--large-only') ? [LARGE] : args.includes('--large') ? [SMALL, LARGE] : [SMALL];

/** A copy of the project named by MARGINALIA_BENCH_DB, in `dir`. */
function copyOfGiven(dir: string): { path: string; remove: () => void } {
  const path = join(dir, 'given.marginalia');
  copyFileSync(process.env.MARGINALIA_BENCH_DB!, path);
  return { path, remove: () => undefined };
}

async function bench(spec: CorpusSpec): Promise<void> {
  const given = process.env.MARGINALIA_BENCH_DB;
  console.log(`\n${given ?? `${spec.documents.toLocaleString('en')} documents, about ${(spec.documents * spec.segmentsPerDocument).toLocaleString('en')} segments`}`);
  const dir = mkdtempSync(join(tmpdir(), 'marginalia-bench-export-'));
  const copy = given ? copyOfGiven(dir) : await copyOfCorpus(spec, 'export');
  const project = await Project.open(copy.path);
  try {
    if (!given) {
      // The REFI-QDA project, streamed into its file: first, so that the peak RSS is its own.
      for (let run = 1; run <= (spec === SMALL ? 2 : 1); run++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        const r = await exportToFile(project.db, { format: 'qdpx' }, join(dir, `project-${run}.qdpx`));
        const cpu = process.cpuUsage(c0);
        console.log(
          `run ${run}: export qdpx ${((performance.now() - t0) / 1000).toFixed(2)} s wall ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s cpu (${(r.bytes / 1e6).toFixed(1)} MB), peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB | load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
        );
        rmSync(r.path);
      }
    }
    await compareWithFloor(project.db, copy.path, dir, 3, true);
    console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  } finally {
    await project.close();
    rmSync(dir, { recursive: true, force: true });
    copy.remove();
  }
}

async function main(): Promise<void> {
  for (const spec of process.env.MARGINALIA_BENCH_DB ? [SMALL] : specs) await bench(spec);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
