/**
 * Code merge benchmark: 20,000 codings of one code merged into another that already holds
 * 10,000, half of them on the same spans by the same coders (each such pair becomes one
 * segment), through the handler table the UI calls; then its undo and redo. 200 texts, 2 coders.
 * Prints wall and CPU times; asserts nothing about time.
 *
 *   npx tsx tests/bench/merge-codes.bench.ts   (BENCH_MERGE_CODINGS=N for another size)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Project } from '../../main/core/project/project';
import { Session } from '../../main/api/session';
import { dispatch } from '../../main/api/dispatch';
import type { Input, Method, Output } from '../../main/api/contract';

const CODINGS = Number(process.env.BENCH_MERGE_CODINGS ?? 20_000);
const DOCS = 200;
const WORDS = ['shelling', 'market', 'officials', 'said', 'the', 'attack', 'killed', 'civilians', 'missile', 'forces', 'according', 'to', 'report', 'evidence'];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'marginalia-bench-merge-'));
  try {
    const project = await Project.create(join(dir, 'bench.marginalia'), { name: 'Bench' });
    const session = new Session(project, 'ana');
    const call = async <M extends Method>(method: M, input: Input<M>): Promise<Output<M>> => {
      const r = await dispatch({ session }, method, input);
      if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
      return r.value as Output<M>;
    };
    try {
      const files = Array.from({ length: DOCS }, (_, d) => {
        let seed = d * 2654435761 + 1;
        const words = Array.from({ length: 1500 }, () => WORDS[(seed = (seed * 1103515245 + 12345) >>> 0) % WORDS.length]);
        return { name: `article ${d}.txt`, dataBase64: Buffer.from(words.join(' ')).toString('base64') };
      });
      await call('import.files', { files });
      const docs = await call('documents.list', {});
      const source = await call('codes.create', { name: 'source code' });
      const target = await call('codes.create', { name: 'target code' });
      const ben = await project.db.transaction(async (tx) => {
        const id = 'bench-coder-ben';
        await tx.run(`INSERT INTO coders (id, name, created_at) VALUES (?, 'ben', ?)`, [id, new Date().toISOString()]);
        return id;
      });
      const me = (await project.db.read((r) => r.get<{ id: string }>(`SELECT id FROM coders WHERE name = 'ana'`)))?.id;
      if (!me) throw new Error('the session coder "ana" is not in the project');
      // Segments written in bulk (the merge is what is measured): source spans every 30 points,
      // target on every other one of the same spans, so 10,000 of the 20,000 collapse into one.
      await project.db.transaction(async (tx) => {
        const now = new Date().toISOString();
        for (let i = 0; i < CODINGS; i++) {
          const doc = docs[i % DOCS]!;
          const k = Math.floor(i / DOCS);
          const coder = i % 2 === 0 ? me : ben;
          const start = k * 30;
          await tx.run(`INSERT INTO segments (id, document_id, code_id, coder_id, start, end, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [`s${i}`, doc.id, source.id, coder, start, start + 25, now, now]);
          if (i % 2 === 0) await tx.run(`INSERT INTO segments (id, document_id, code_id, coder_id, start, end, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [`t${i}`, doc.id, target.id, coder, start, start + 25, now, now]);
        }
      });
      const before = (await call('codes.list', {})).filter((c) => c.id === source.id || c.id === target.id).map((c) => `${c.name} ${c.segment_count}`);
      console.log(`merge bench: ${before.join(', ')} segments in ${DOCS} texts`);
      const time = async (label: string, fn: () => Promise<unknown>) => {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await fn();
        const wall = performance.now() - t0;
        const cpu = process.cpuUsage(c0);
        // CPU of the whole process (SQLite works on node's thread pool): comparable when the machine is busy.
        console.log(`${label}: ${(wall / 1000).toFixed(2)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s CPU`);
      };
      await time(`merge ${CODINGS.toLocaleString('en')} codings into a code`, () => call('codes.merge', { sourceId: source.id, targetId: target.id }));
      const after = (await call('codes.list', {})).find((c) => c.id === target.id)!;
      console.log(`  the target now holds ${after.segment_count} segments`);
      await time('undo of that merge', () => call('project.undo', {}));
      await time('redo of that merge', () => call('project.redo', {}));
    } finally {
      await project.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
