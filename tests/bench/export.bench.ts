/**
 * Segments-table export on a generated corpus (10,000 documents, 100,000 segments), timed
 * beside the sqlite3 command-line tool writing the same join as CSV in the same run; then
 * the same project as REFI-QDA .qdpx.
 * Run: npx tsx tests/bench/export.bench.ts   (MARGINALIA_BENCH_DOCS / _SEGMENTS to resize)
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Project } from '../../main/core/project/project';
import { exportToFile } from '../../main/core/exchange/export';
import { codePointLength, sha256 } from '../../main/core/text/normalise';

const DOCS = Number(process.env.MARGINALIA_BENCH_DOCS ?? 10_000);
const SEGMENTS = Number(process.env.MARGINALIA_BENCH_SEGMENTS ?? 100_000);
const SQLITE3 = '/usr/bin/sqlite3';

/** A deterministic pseudo-random sequence, so every run builds the same corpus. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const WORDS = 'the market strike killed civilians according to officials shelling residential buildings ministry reported injured people region attack claimed video witnesses said 😀 Донецьк'.split(' ');

async function build(path: string): Promise<void> {
  const project = await Project.create(path, { name: 'Export benchmark' });
  const rand = rng(42);
  const now = new Date('2024-01-01T00:00:00Z').toISOString();
  await project.db.transaction(async (tx) => {
    const coders = [randomUUID(), randomUUID()];
    for (const [i, id] of coders.entries()) await tx.run(`INSERT INTO coders (id, name, created_at) VALUES (?, ?, ?)`, [id, `coder ${i + 1}`, now]);
    const vars = [
      { id: randomUUID(), name: 'outlet', type: 'text' },
      { id: randomUUID(), name: 'date', type: 'date' },
      { id: randomUUID(), name: 'words', type: 'number' },
    ];
    for (const [i, v] of vars.entries()) await tx.run(`INSERT INTO variables (id, name, type, sort_order) VALUES (?, ?, ?, ?)`, [v.id, v.name, v.type, i]);
    const codes: string[] = [];
    for (let t = 0; t < 3; t++) {
      const parent = randomUUID();
      await tx.run(`INSERT INTO codes (id, parent_id, name, color, sort_order, created_at) VALUES (?, NULL, ?, '#336699', ?, ?)`, [parent, `theme ${t}`, t, now]);
      codes.push(parent);
      for (let c = 0; c < 4; c++) {
        const id = randomUUID();
        await tx.run(`INSERT INTO codes (id, parent_id, name, color, sort_order, created_at) VALUES (?, ?, ?, '#336699', ?, ?)`, [id, parent, `code ${t}.${c}`, c, now]);
        codes.push(id);
      }
    }
    const insDoc = await tx.prepare(
      `INSERT INTO documents (id, name, text, text_sha256, length, source_name, source_format, imported_at, sort_order) VALUES (?, ?, ?, ?, ?, ?, 'txt', ?, ?)`,
    );
    const insVal = await tx.prepare(`INSERT INTO document_values (document_id, variable_id, value) VALUES (?, ?, ?)`);
    const insSeg = await tx.prepare(`INSERT INTO segments (id, document_id, code_id, coder_id, start, end, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    const insMemo = await tx.prepare(`INSERT INTO memos (id, target_kind, target_id, author_id, title, content, text, created_at, updated_at) VALUES (?, 'segment', ?, ?, '', '{}', ?, ?, ?)`);
    const perDoc = Math.ceil(SEGMENTS / DOCS);
    let made = 0;
    for (let d = 0; d < DOCS; d++) {
      const words: string[] = [];
      for (let w = 0; w < 300; w++) words.push(WORDS[Math.floor(rand() * WORDS.length)]!);
      const text = words.join(' ');
      const length = codePointLength(text);
      const id = randomUUID();
      await insDoc.run([id, `Article ${d}`, text, sha256(text), length, `article-${d}.txt`, now, d]);
      await insVal.run([id, vars[0]!.id, `Outlet ${d % 7}`]);
      await insVal.run([id, vars[1]!.id, `2024-0${1 + (d % 9)}-1${d % 10}`]);
      await insVal.run([id, vars[2]!.id, String(300)]);
      for (let s = 0; s < perDoc && made < SEGMENTS; s++, made++) {
        const start = Math.floor(rand() * (length - 200));
        const end = start + 10 + Math.floor(rand() * 150);
        const segId = randomUUID();
        await insSeg.run([segId, id, codes[Math.floor(rand() * codes.length)]!, coders[made % 2]!, start, end, now, now]);
        if (made % 100 === 0) await insMemo.run([randomUUID(), segId, coders[0]!, `memo on segment ${made}`, now, now]);
      }
    }
    for (const st of [insDoc, insVal, insSeg, insMemo]) await st.finalize();
  });
  await project.close();
}

/** The same join the exporter runs, attributes included, for the sqlite3 tool. */
const CLI_SQL = `SELECT s.id AS segment_id, s.document_id, d.name AS document_name,
  (SELECT value FROM document_values dv JOIN variables v ON v.id = dv.variable_id WHERE dv.document_id = d.id AND v.name = 'outlet') AS outlet,
  (SELECT value FROM document_values dv JOIN variables v ON v.id = dv.variable_id WHERE dv.document_id = d.id AND v.name = 'date') AS date,
  (SELECT value FROM document_values dv JOIN variables v ON v.id = dv.variable_id WHERE dv.document_id = d.id AND v.name = 'words') AS words,
  s.code_id, c.name AS code_name, s.coder_id, k.name AS coder, s.start, s.end, s.end - s.start AS length,
  substr(d.text, s.start + 1, s.end - s.start) AS text,
  (SELECT group_concat(x.text, char(10) || char(10)) FROM (SELECT m.text FROM memos m WHERE m.target_kind = 'segment' AND m.target_id = s.id ORDER BY m.created_at, m.id) x) AS memo,
  s.created_at, s.updated_at
FROM documents d CROSS JOIN segments s ON s.document_id = d.id JOIN codes c ON c.id = s.code_id JOIN coders k ON k.id = s.coder_id
ORDER BY d.sort_order, d.id, s.start, s.end, s.id;`;

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'marginalia-bench-export-'));
  try {
    // MARGINALIA_BENCH_DB reuses (or keeps) a generated corpus between runs.
    const path = process.env.MARGINALIA_BENCH_DB ?? join(dir, 'bench.marginalia');
    let t0 = process.hrtime.bigint();
    if (!existsSync(path)) {
      await build(path);
      console.log(`setup: ${DOCS} documents, ${SEGMENTS} segments in ${ms(t0).toFixed(0)} ms`);
    }
    const project = await Project.open(path);
    const rows: string[] = [];
    for (let run = 1; run <= 3; run++) {
      const out = join(dir, `segments-${run}.csv`);
      t0 = process.hrtime.bigint();
      const r = await exportToFile(project.db, { format: 'segments' }, out);
      const ours = ms(t0);
      const cliOut = join(dir, `sqlite3-${run}.csv`);
      const fd = openSync(cliOut, 'w');
      t0 = process.hrtime.bigint();
      execFileSync(SQLITE3, ['-csv', '-header', '-readonly', path, CLI_SQL], { stdio: ['ignore', fd, 'inherit'] });
      const cli = ms(t0);
      closeSync(fd);
      rows.push(
        `run ${run}: marginalia export segments ${ours.toFixed(0)} ms (${r.rows} rows, ${(r.bytes / 1e6).toFixed(1)} MB) | sqlite3 -csv same join ${cli.toFixed(0)} ms (${(statSync(cliOut).size / 1e6).toFixed(1)} MB) | ratio ${(ours / cli).toFixed(2)}x`,
      );
      console.log(rows.at(-1));
    }
    // The REFI-QDA project: one XML document built whole, then zipped with the texts.
    for (let run = 1; run <= 2; run++) {
      const out = join(dir, `project-${run}.qdpx`);
      t0 = process.hrtime.bigint();
      const r = await exportToFile(project.db, { format: 'qdpx' }, out);
      console.log(`run ${run}: marginalia export qdpx ${ms(t0).toFixed(0)} ms (${(r.bytes / 1e6).toFixed(1)} MB)`);
    }
    console.log(`peak RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
    await project.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
