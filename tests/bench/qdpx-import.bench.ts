/**
 * REFI-QDA import benchmark: a generated .qdpx of 40,000 codings (200 texts with emoji, 60
 * codes, 3 users, a memo in every twentieth selection's Description, positions in UTF-16
 * units as NVivo writes them) imported into a new project, then the same file again (every
 * coding already there). Prints the time in all and the time the write lock was held; the
 * file is read, decoded and placed before the lock is taken. Asserts nothing about time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { Project } from '../../main/core/project/project';
import type { ProjectDb } from '../../main/core/db/project-db';
import { importExchangeBytes } from '../../main/core/exchange/qdpx-import';

const CODINGS = Number(process.env.BENCH_QDPX_CODINGS ?? 40_000);
const DOCS = 200;
const CODES = 60;
const WORDS = ['shelling', 'market', 'officials', 'said', 'the', 'attack', 'killed', 'civilians', 'Kostiantynivka', 'missile', '😀', 'forces', 'according', 'to', 'report', '🕊️', 'evidence', 'video', 'witnesses', 'Café'];

const guid = (kind: number, i: number) => `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

function text(i: number): string {
  let seed = i * 2654435761;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 1_000_000) / 1_000_000;
  const words: string[] = [];
  for (let n = 0; n < 900; n++) words.push(WORDS[Math.floor(rand() * WORDS.length)]!);
  return words.join(' ');
}

/** The .qdpx: also the scale import bench's (scale-import.bench.ts). */
export function generate(): { bytes: Uint8Array; codings: number } {
  const users = [1, 2, 3].map((u) => `<User guid="${guid(1, u)}" name="coder ${u}"/>`).join('');
  const codes: string[] = [];
  for (let t = 0; t < 6; t++) {
    const children = Array.from({ length: CODES / 6 - 1 }, (_, c) => `<Code guid="${guid(2, t * 100 + c + 1)}" name="code ${t}.${c}" isCodable="true" color="#336699"/>`).join('');
    codes.push(`<Code guid="${guid(2, t * 100)}" name="theme ${t}" isCodable="true">${children}</Code>`);
  }
  const codeGuids = Array.from({ length: 6 }, (_, t) => Array.from({ length: CODES / 6 }, (_, c) => guid(2, t * 100 + c))).flat();
  const files: Record<string, Uint8Array> = {};
  const sources: string[] = [];
  const perDoc = Math.ceil(CODINGS / DOCS);
  let written = 0;
  for (let d = 0; d < DOCS; d++) {
    const t = text(d);
    files[`sources/${guid(3, d)}.txt`] = strToU8(t);
    const units = t.length;
    const selections: string[] = [];
    for (let k = 0; k < perDoc && written < CODINGS; k++, written++) {
      const start = Math.floor(((k * 7919) % 997) * (units / 1000));
      const end = Math.min(units, start + 20 + (k % 40));
      const memo = k % 20 === 0 ? `<Description>Memo ${d}.${k}: why this passage.</Description>` : '';
      selections.push(
        `<PlainTextSelection guid="${guid(4, written)}" startPosition="${start}" endPosition="${end}" creatingUser="${guid(1, 1 + (k % 3))}">${memo}<Coding guid="${guid(5, written)}" creatingUser="${guid(1, 1 + (k % 3))}"><CodeRef targetGUID="${codeGuids[(d + k) % codeGuids.length]}"/></Coding></PlainTextSelection>`,
      );
    }
    sources.push(`<TextSource guid="${guid(3, d)}" name="article ${d}" plainTextPath="internal://${guid(3, d)}.txt">${selections.join('')}</TextSource>`);
  }
  const qde = `<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="bench" origin="NVivo 14 (bench)"><Users>${users}</Users><CodeBook><Codes>${codes.join('')}</Codes></CodeBook><Sources>${sources.join('')}</Sources></Project>`;
  files['project.qde'] = strToU8(qde);
  return { bytes: zipSync(files, { level: 6 }), codings: written };
}

/** Times every write transaction the import opens: how long others wait for the project. */
export function timeLock(db: ProjectDb): { ms: number } {
  const held = { ms: 0 };
  const action = db.action.bind(db);
  db.action = (async (info: Parameters<ProjectDb['action']>[0], fn: Parameters<ProjectDb['action']>[1]) => {
    const t0 = performance.now();
    try {
      return await action(info, fn);
    } finally {
      held.ms += performance.now() - t0;
    }
  }) as ProjectDb['action'];
  return held;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'marginalia-bench-qdpx-'));
  try {
    const { bytes, codings } = generate();
    console.log(`qdpx import bench: ${codings} codings in ${DOCS} texts, ${(bytes.length / 1024 / 1024).toFixed(1)} MB zipped`);
    const project = await Project.create(join(dir, 'bench.marginalia'), { name: 'Bench' });
    try {
      const lock = timeLock(project.db);
      let t0 = performance.now();
      const first = await importExchangeBytes(project.db, bytes, 'bench.qdpx', 'bench');
      const firstMs = performance.now() - t0;
      if (first.imported.segments !== codings) throw new Error(`expected ${codings} segments, got ${first.imported.segments}: ${JSON.stringify(first.dropped)}`);
      console.log(
        `first import:  ${(firstMs / 1000).toFixed(2)} s (${Math.round(codings / (firstMs / 1000))} codings/s), write lock held ${(lock.ms / 1000).toFixed(2)} s; ` +
          `${first.imported.segments} segments, ${first.imported.memos} memos, ${first.imported.codes} codes`,
      );
      lock.ms = 0;
      t0 = performance.now();
      const again = await importExchangeBytes(project.db, bytes, 'bench.qdpx', 'bench');
      const againMs = performance.now() - t0;
      const doubled = again.dropped.find((d) => d.what === 'coding already in the project')?.count ?? 0;
      console.log(`same file again: ${(againMs / 1000).toFixed(2)} s, write lock held ${(lock.ms / 1000).toFixed(2)} s; ${again.imported.segments} new segments, ${doubled} codings found already there`);
      console.log('aim: a 40,000-coding .qdpx in well under 10 s');
    } finally {
      await project.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run, not when scale-import.bench.ts imports the generator.
if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
