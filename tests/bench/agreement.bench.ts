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
 * With --warm it runs instead what the dialog asks of one warm app, through the API: on screen by
 * document, its CSV (downloaded), on screen by sentence, its CSV. After each step it prints this
 * process's peak (VmHWM, on Linux; the target is the main process under 400 MB) and the agreement
 * process's own peak and CPU (each step runs in a process of its own, agreement-child.ts).
 *
 *   npx tsx tests/bench/agreement.bench.ts [--large] [--warm]
 */
import { closeSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LARGE } from './corpus';
import { benchSpec, timed, withCorpusCopy } from './lib';
import { agreementFromProject, agreementRowsFromProject } from '../../main/core/team/agreement';
import { writeAgreementCsv } from '../../main/core/team/agreement-csv';
import { FileSink } from '../../main/core/exchange/export';
import type { AgreementUnit } from '../../main/core/team/units';
import { forkWorkerProcess, useWorkerProcesses, type ChildCost } from '../../main/core/team/agreement-process';
import { agreementJobsOf } from '../../main/api/handlers/team';
import { Session } from '../../main/api/session';
import { dispatch } from '../../main/api/dispatch';
import { takeDownload } from '../../main/api/downloads';
import type { Input, Method, Output } from '../../main/api/contract';
import type { Project } from '../../main/core/project/project';

const spec = process.argv.includes('--large') ? LARGE : benchSpec();
/** Documents listed per code and overall, as the dialog asks (BENCH_AGREEMENT_ROWS=all lists every one). */
const ROWS = process.env.BENCH_AGREEMENT_ROWS === 'all' ? undefined : Number(process.env.BENCH_AGREEMENT_ROWS ?? 200);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 1));
const load = () => loadavg()[0]!.toFixed(1);

/** This process's peak resident memory so far, in MB (Linux; NaN elsewhere). */
function vmHwmMb(): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024;
  } catch {
    return NaN;
  }
}

/** The dialog's calls in one warm app: the figures on screen and the CSV, by document then by sentence. */
async function warm(project: Project): Promise<void> {
  const session = new Session(project, 'alice');
  const call = async <M extends Method>(method: M, input: Input<M>): Promise<Output<M>> => {
    const r = await dispatch({ session }, method, input);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.value as Output<M>;
  };
  // The agreement process's own cost, from its last message.
  let child: ChildCost = {};
  useWorkerProcesses((script, options) => {
    const w = forkWorkerProcess(script, options);
    w.onMessage((m) => {
      const reply = m as ChildCost & { type: string };
      if (reply.type === 'report' || reply.type === 'written') child = reply;
    });
    return w;
  });
  const coderIds = (await call('coders.list', {})).filter((c) => c.name === 'alice' || c.name === 'bob').map((c) => c.id);
  console.log(`warm app, through the API: this process starts at ${vmHwmMb().toFixed(0)} MB   load ${load()}`);
  for (const unit of ['document', 'sentence'] as const) {
    for (const step of ['on screen', 'CSV'] as const) {
      child = {};
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      let said: string;
      if (step === 'on screen') {
        const job = await call('team.agreementStart', { coderIds, unit, documentRows: 500 });
        const done = await agreementJobsOf(session).wait(job.jobId);
        if (!done.report) throw new Error(done.error?.message ?? 'no report');
        said = `kappa ${done.report.overall.kappa_pooled?.toFixed(4)}`;
      } else {
        const file = await call('team.agreementCsv', { coderIds, unit });
        takeDownload(session, file.download.slice('/download/'.length))?.release();
        said = `${(file.bytes / 1e6).toFixed(0)} MB of CSV`;
      }
      const used = process.cpuUsage(c0);
      console.log(
        `  ${step} by ${unit}: ${((performance.now() - t0) / 1000).toFixed(1)} s wall, CPU ${((used.user + used.system) / 1e6).toFixed(1)} s here + ${((child.cpuMs ?? NaN) / 1000).toFixed(1)} s in its process; ` +
          `peak here ${vmHwmMb().toFixed(0)} MB, its process ${((child.peakRssBytes ?? NaN) / 1e6).toFixed(0)} MB; ${said}   load ${load()}`,
      );
    }
  }
  useWorkerProcesses(forkWorkerProcess);
}

async function main(): Promise<void> {
  await withCorpusCopy(spec, 'agreement', async (project) => {
    if (process.argv.includes('--warm')) return warm(project);
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
