/**
 * Intercoder agreement on the bench corpora (10,000 and, with MARGINALIA_BENCH_LARGE=1 or
 * --large, 100,000 generated news articles, about ten segments each): two coders (alice and
 * bob code every document) at the document, sentence and paragraph units, all codes, all
 * documents, listing the first 200 documents as the dialog, and the CSV of every document by document and sentence as Export CSV writes it,
 * asks for it (BENCH_AGREEMENT_ROWS=all lists every one, as the command line's --json does). Prints wall and CPU time, peak RSS (each run's own, on Linux) and the overall
 * kappa, and the load average (the machine is shared: compare CPU times); BENCH_RUNS=n runs each
 * unit n times and prints the median and the slowest. Asserts nothing about time. Works on a copy
 * of the cached corpus.
 *
 *   npx tsx tests/bench/agreement.bench.ts [--large]
 */
import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LARGE } from './corpus';
import { benchSpec, timed, withCorpusCopy } from './lib';
import { agreementFromProject, agreementRowsFromProject } from '../../main/core/team/agreement';
import { writeAgreementCsv } from '../../main/core/team/agreement-csv';
import { FileSink } from '../../main/core/exchange/export';
import type { AgreementUnit } from '../../main/core/team/units';

const spec = process.argv.includes('--large') ? LARGE : benchSpec();
/** Documents listed per code and overall, as the dialog asks (BENCH_AGREEMENT_ROWS=all lists every one). */
const ROWS = process.env.BENCH_AGREEMENT_ROWS === 'all' ? undefined : Number(process.env.BENCH_AGREEMENT_ROWS ?? 200);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 1));
const load = () => loadavg()[0]!.toFixed(1);

async function main(): Promise<void> {
  await withCorpusCopy(spec, 'agreement', async (project) => {
    const db = project.db;
    const n = (await db.read((r) => r.get<{ d: number; s: number }>('SELECT (SELECT count(*) FROM documents) AS d, (SELECT count(*) FROM segments) AS s')))!;
    const coders = await db.read((r) => r.all<{ id: string; name: string }>(`SELECT id, name FROM coders WHERE name IN ('alice', 'bob') ORDER BY name`));
    console.log(`${n.d.toLocaleString('en')} documents, ${n.s.toLocaleString('en')} segments; coders ${coders.map((c) => c.name).join(' and ')}`);
    const units: AgreementUnit[] = ['document', 'sentence', 'paragraph'];
    for (const unit of units) {
      const wall: number[] = [];
      const cpu: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        await timed(
          `agreement, 2 coders, all codes, by ${unit}`,
          () => db.readLong((r) => agreementFromProject(r, { coderIds: coders.map((c) => c.id), unit, documentRows: ROWS })),
          (rep) => `${rep.overall.units.toLocaleString('en')} units, kappa ${rep.overall.kappa_pooled?.toFixed(4)}, alpha ${rep.overall.alpha?.toFixed(4)}   load ${load()}`,
        );
        const used = process.cpuUsage(c0);
        wall.push((performance.now() - t0) / 1000);
        cpu.push((used.user + used.system) / 1e6);
      }
      if (unit !== 'paragraph') {
        // The CSV of every document, as the dialog's Export CSV writes it: 2.2 million rows by document at 100k.
        const file = join(tmpdir(), `marginalia-agreement-bench-${process.pid}.csv`);
        await timed(
          `agreement CSV, every document, by ${unit}`,
          async () => {
            const { report, rows } = await db.read((r) => agreementRowsFromProject(r, { coderIds: coders.map((c) => c.id), unit }));
            const fd = openSync(file, 'w');
            try {
              const sink = new FileSink(fd);
              writeAgreementCsv(report, {}, sink, rows);
              sink.flush();
            } finally {
              closeSync(fd);
            }
            return statSync(file).size;
          },
          (bytes) => `${(bytes / 1e6).toFixed(0)} MB of CSV   load ${load()}`,
        );
        rmSync(file, { force: true });
      }
      if (RUNS > 1) {
        const at = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]!.toFixed(2);
        console.log(`  by ${unit}, ${RUNS} runs: wall p50 ${at(wall, 0.5)} s, p95 ${at(wall, 0.95)} s; cpu p50 ${at(cpu, 0.5)} s, p95 ${at(cpu, 0.95)} s`);
      }
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
