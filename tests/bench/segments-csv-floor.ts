/**
 * The sqlite3 floor for the segments CSV export (issue 13: "at most 2× sqlite3 -csv of the same
 * join"). The query is the export's own: the same columns in the same order (attributes one
 * column per variable, code path and theme through the code tree, the coded text, memos, both
 * timestamps), the same cell values (formula-looking text neutralised as the export does unless
 * raw, numbers left alone) and the same row order.
 *
 * Two ways to run it:
 * - `floorCsvArgs`: `sqlite3 -csv -header`, the timed floor. The shell quotes more cells than RFC
 *   4180 needs (any holding a space or a non-ASCII character), so its file is a little larger
 *   than ours; the cells are the same.
 * - `sameBytesArgs`: the same query with the export's quoting done in SQL, written in list mode
 *   with CRLF rows: its output is byte for byte the export's, which proves the two are the same
 *   join (the bench `cmp`s them).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectDb, Reader } from '../../main/core/db/project-db';
import { neutralise } from '../../main/core/exchange/csv';
import { exportToFile } from '../../main/core/exchange/export';
import { writeTable } from '../../main/core/exchange/tables';

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** The export's formula neutralising, in SQL: a quote before = + - @ tab CR at the start. */
const neutralised = (x: string) => `CASE WHEN substr(${x}, 1, 1) IN ('=', '+', '-', '@', char(9), char(13)) THEN '''' || ${x} ELSE ${x} END`;

/** RFC 4180 quoting as the export does it: only a cell holding the delimiter, a quote, CR or LF. */
const quoted = (x: string) =>
  `CASE WHEN instr(${x}, ',') OR instr(${x}, '"') OR instr(${x}, char(10)) OR instr(${x}, char(13)) THEN '"' || replace(${x}, '"', '""') || '"' ELSE ${x} END`;

interface Column {
  name: string;
  sql: string;
  /** Text that the export neutralises (numbers are not). */
  text: boolean;
}

export interface Floor {
  /** The header as the export writes it. */
  header: string[];
  /** The query giving the cells (neutralised), for `sqlite3 -csv`. */
  csvSql: string;
  /** The query giving whole CSV lines, quoted as the export quotes, for list mode. */
  sameBytesSql: string;
}

/** The floor query for this project's segments table (no filter, comma, not raw). */
export async function segmentsFloor(r: Reader): Promise<Floor> {
  let header: string[] = [];
  await writeTable(r, 'segments', { limit: 0 }, { header: (names) => void (header = [...names]), row: () => undefined });
  const variables = await r.all<{ id: string; type: string }>(`SELECT id, type FROM variables ORDER BY sort_order, name COLLATE NOCASE, id`);
  const attribute = (v: { id: string }) => `(SELECT value FROM document_values WHERE document_id = d.id AND variable_id = ${sqlString(v.id)})`;
  const columns: Column[] = [
    { name: 'segment_id', sql: 's.id', text: true },
    { name: 'document_id', sql: 's.document_id', text: true },
    { name: 'document_name', sql: 'd.name', text: true },
    ...variables.map((v) => ({ name: '', sql: attribute(v), text: v.type !== 'number' })),
    { name: 'code_id', sql: 's.code_id', text: true },
    { name: 'code_path', sql: 't.path', text: true },
    { name: 'code_name', sql: 'c.name', text: true },
    { name: 'theme', sql: 't.theme', text: true },
    { name: 'coder_id', sql: 's.coder_id', text: true },
    { name: 'coder', sql: 'k.name', text: true },
    { name: 'start', sql: 's.start', text: false },
    { name: 'end', sql: 's.end', text: false },
    { name: 'length', sql: 's.end - s.start', text: false },
    { name: 'text', sql: 'substr(d.text, s.start + 1, s.end - s.start)', text: true },
    {
      name: 'memo',
      sql: `coalesce((SELECT group_concat(x.text, char(10) || char(10)) FROM (SELECT m.text FROM memos m WHERE m.target_kind = 'segment' AND m.target_id = s.id ORDER BY m.created_at, m.id) x), '')`,
      text: true,
    },
    { name: 'created_at', sql: 's.created_at', text: true },
    { name: 'updated_at', sql: 's.updated_at', text: true },
  ];
  if (columns.length !== header.length) throw new Error(`the floor has ${columns.length} columns, the export ${header.length}`);
  // The cells are computed once each in an inner query (kept from being flattened into the
  // outer one by its OFFSET, so a subquery is not run again for each use of its value) and
  // neutralised and quoted in the outer one.
  const inner = `WITH RECURSIVE tree(id, path, theme) AS (
      SELECT id, name, name FROM codes WHERE parent_id IS NULL
      UNION ALL SELECT c.id, t.path || '/' || c.name, t.theme FROM codes c JOIN tree t ON c.parent_id = t.id)
    SELECT * FROM (SELECT ${columns.map((c, i) => `${c.sql} AS c${i}`).join(',\n      ')}
    FROM documents d CROSS JOIN segments s ON s.document_id = d.id JOIN codes c ON c.id = s.code_id JOIN tree t ON t.id = s.code_id JOIN coders k ON k.id = s.coder_id
    ORDER BY d.sort_order, d.id, s.start, s.end, s.id LIMIT -1 OFFSET 0)`;
  const outer = (cells: string, from: string) => from.replace('SELECT * FROM', `SELECT ${cells} FROM`);
  const neutralisedCells = outer(columns.map((c, i) => `${c.text ? neutralised(`c${i}`) : `c${i}`} AS ${ident(header[i]!)}`).join(',\n      '), inner);
  const csvSql = `${neutralisedCells};`;
  // One more level for the quoting, so that each neutralised cell is worked out once.
  const sameBytesSql = `SELECT ${header.map((h, i) => (columns[i]!.text ? `coalesce(${quoted(ident(h))}, '')` : `coalesce(${ident(h)}, '')`)).join(" || ',' || ")} FROM (${neutralisedCells} LIMIT -1 OFFSET 0);`;
  return { header: header.map((h) => neutralise(h)), csvSql, sameBytesSql };
}

/** Arguments for `sqlite3 -csv -header` running the floor query on `path`. */
export function floorCsvArgs(path: string, floor: Floor): string[] {
  return ['-csv', '-header', '-readonly', path, floor.csvSql];
}

/** Arguments for sqlite3 writing the export's exact bytes (header line first, CRLF rows). */
export function sameBytesArgs(path: string, floor: Floor): string[] {
  const headerLine = floor.header.map((h) => (/[",\r\n]/.test(h) ? `"${h.replace(/"/g, '""')}"` : h)).join(',');
  return ['-readonly', '-list', '-noheader', '-newline', '\r\n', path, `SELECT ${sqlString(headerLine)};\n${floor.sameBytesSql}`];
}

export interface Timing {
  wallMs: number;
  /** CPU of every thread of the process that did the work; null where it cannot be read. */
  cpuMs: number | null;
  bytes: number;
}

/** CPU seconds of this process's waited-for children (Linux), in ms. */
function childrenCpuMs(): number | null {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // Fields 16 and 17 of stat (cutime, cstime), counted from "state" as field 3.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return null;
  }
}

/** Runs sqlite3 with `args`, its output to `out`; wall and CPU time. */
export function runSqlite3(args: string[], out: string): Timing {
  const fd = openSync(out, 'w');
  const c0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync('sqlite3', args, { stdio: ['ignore', fd, 'pipe'] });
  const wallMs = performance.now() - t0;
  const c1 = childrenCpuMs();
  closeSync(fd);
  if (r.status !== 0) throw new Error(`sqlite3 failed (${r.status}): ${r.stderr?.toString() ?? r.error?.message}`);
  return { wallMs, cpuMs: c0 === null || c1 === null ? null : c1 - c0, bytes: statSync(out).size };
}

/** Our segments export to `out` through the streamed file path (the CLI's, and a save to disk). */
export async function timeExport(db: ProjectDb, out: string): Promise<Timing & { rows: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await exportToFile(db, { format: 'segments' }, out);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, bytes: r.bytes, rows: r.rows ?? 0 };
}

/** Whether two files hold the same bytes; else the offset of the first difference. */
export function firstDifference(a: string, b: string): number | null {
  const fa = openSync(a, 'r');
  const fb = openSync(b, 'r');
  try {
    const ba = Buffer.alloc(1 << 20);
    const bb = Buffer.alloc(1 << 20);
    for (let offset = 0; ; ) {
      const na = readSync(fa, ba, 0, ba.length, offset);
      const nb = readSync(fb, bb, 0, bb.length, offset);
      const n = Math.min(na, nb);
      const i = ba.subarray(0, n).compare(bb.subarray(0, n)) === 0 ? -1 : ba.subarray(0, n).findIndex((x, j) => x !== bb[j]);
      if (i >= 0) return offset + i;
      if (na !== nb) return offset + n;
      if (na === 0) return null;
      offset += n;
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

const sec = (ms: number | null) => (ms === null ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * `runs` rounds of our export and the floor, one after the other, on the project at `path`
 * (open in `db`), files in `dir`; prints each and returns the best (least CPU) ratio lines.
 * With `sameBytes`, first checks the floor's query is the export's join (sqlite3 writes our bytes).
 */
export async function compareWithFloor(db: ProjectDb, path: string, dir: string, runs: number, sameBytes: boolean): Promise<{ ours: Timing & { rows: number }; floor: Timing }[]> {
  const floor = await db.read((r) => segmentsFloor(r));
  const results: { ours: Timing & { rows: number }; floor: Timing }[] = [];
  for (let run = 1; run <= runs; run++) {
    const ours = await timeExport(db, join(dir, `segments-${run}.csv`));
    const cli = runSqlite3(floorCsvArgs(path, floor), join(dir, `sqlite3-${run}.csv`));
    results.push({ ours, floor: cli });
    const ratio = (a: number | null, b: number | null) => (a === null || b === null ? 'n/a' : `${(a / b).toFixed(2)}×`);
    console.log(
      `run ${run}: export segments ${sec(ours.wallMs)} wall ${sec(ours.cpuMs)} cpu (${ours.rows.toLocaleString('en')} rows, ${mb(ours.bytes)}) | ` +
        `sqlite3 -csv same join ${sec(cli.wallMs)} wall ${sec(cli.cpuMs)} cpu (${mb(cli.bytes)}) | ratio ${ratio(ours.wallMs, cli.wallMs)} wall, ${ratio(ours.cpuMs, cli.cpuMs)} cpu | peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
    if (run === 1 && sameBytes) {
      const same = runSqlite3(sameBytesArgs(path, floor), join(dir, 'sqlite3-same-bytes.csv'));
      const diff = firstDifference(join(dir, 'segments-1.csv'), join(dir, 'sqlite3-same-bytes.csv'));
      console.log(
        diff === null
          ? `  same join: sqlite3 quoting cells as the export does writes the export's ${mb(same.bytes)} byte for byte (${sec(same.wallMs)})`
          : `  NOT the same join: sqlite3's bytes differ from the export's at byte ${diff}`,
      );
    }
  }
  return results;
}
