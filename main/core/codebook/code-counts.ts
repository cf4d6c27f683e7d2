import type { RowChange, Tx } from '../db/project-db';

/**
 * Moving many segments between codes, counted once (migration 12). Migration 9's trigger
 * keeps the codebook's counts as each segment moves, at some 25 µs a row; recounting a code
 * reads its part of the (code, document, coder) index, at well under 1 µs a segment. So a
 * move recounts when that is cheaper: a merge of 20,000 segments into a code of 20,000
 * recounts 40,000 index entries instead of paying 20,000 trigger runs, while recoding one
 * segment of a code of 100,000 still costs one trigger run.
 */
const ROW_COST_IN_INDEX_ENTRIES = 50;

const CONSENSUS_KEYS = `(SELECT k.key FROM main.coder_keys k JOIN main.coders c ON c.id = k.id WHERE c.name = 'consensus')`;

/**
 * Runs `move`, which changes the code of up to `moves` segments, each from and to one of `codeIds`
 * only. Where recounting those codes is cheaper than counting each move, the count trigger
 * leaves them alone meanwhile and they are recounted afterwards, in the same transaction.
 */
export async function withCodesRecounted<T>(tx: Tx, codeIds: Iterable<string>, moves: number, move: () => Promise<T>): Promise<T> {
  if (moves === 0) return move();
  const ids = JSON.stringify([...new Set(codeIds)]);
  // Within an enclosing move the trigger is off already, so these codes are recounted whatever the cost.
  const outer = await tx.get(`SELECT 1 FROM main.code_counts_deferred`);
  if (!outer) {
    const held = await tx.get<{ n: number }>(`SELECT ifnull(sum(segments), 0) AS n FROM main.code_coder_counts WHERE code_id IN (SELECT value FROM json_each(?))`, [ids]);
    if (moves * ROW_COST_IN_INDEX_ENTRIES < (held?.n ?? 0)) return move();
    await tx.run(`INSERT INTO main.code_counts_deferred (held) VALUES (1)`);
  }
  const cache = outer ? null : await holdPagesInMemory(tx, moves);
  try {
    return await move();
  } finally {
    // Also after a failure: the caller rolls back, but counts left stale must never be committed.
    if (cache !== null) await tx.run(`PRAGMA cache_size = ${cache}`);
    if (!outer) await tx.run(`DELETE FROM main.code_counts_deferred`);
    await recountCodes(tx, ids);
  }
}

/** About what one moved segment dirties: its row's page and its index entries' (two of 4 KiB, and room). */
const KIB_PER_MOVE = 10;
/**
 * At most 32 MB: the pages SQLite frees afterwards stay in the process (malloc keeps them), and
 * with 200 MB for a move of 20,000 segments the app's process at 100,000 articles ended over its
 * 400 MB budget after a merge and its undo (peak 423 MB with a counted search and a CSV saved;
 * 358 MB at 32 MB). On the machine of 2026-12-04 the cache bought little: the merge and its undo
 * took 725 / 665 ms with 200 MB, 794 / 816 ms with 32 MB, 769 / 850 ms with SQLite's own 2 MB.
 */
const MAX_CACHE_KIB = 32 * 1024;

/**
 * Gives the connection's page cache room for the pages a bulk move changes, for its length;
 * returns the size to restore. Segments of one code lie scattered over the file, so moving
 * 20,000 of them at a million segments changes some 34,000 pages: with the default cache of
 * 2 MB SQLite writes most of them to the WAL midway and reads them back, the kernel's work
 * half of the move's. Smaller again afterwards, SQLite frees the pages.
 */
async function holdPagesInMemory(tx: Tx, moves: number): Promise<number | null> {
  const now = (await tx.get<{ cache_size: number }>(`PRAGMA cache_size`))?.cache_size;
  if (now === undefined) return null;
  const wanted = Math.min(MAX_CACHE_KIB, moves * KIB_PER_MOVE);
  // Negative: KiB; positive: pages (of 4 KiB in a project).
  const nowKib = now < 0 ? -now : now * 4;
  if (wanted <= nowKib) return null;
  await tx.run(`PRAGMA cache_size = -${wanted}`);
  return now;
}

/** The codes that changes to rows move segments between, and how many segments move (undo, redo). */
export function codeMoves(changes: readonly RowChange[]): { codeIds: Set<string>; moves: number } {
  const codeIds = new Set<string>();
  let moves = 0;
  for (const c of changes) {
    if (c.table !== 'segments' || !c.before || !c.after || typeof c.before.code_id !== 'string' || typeof c.after.code_id !== 'string') continue;
    codeIds.add(c.before.code_id);
    codeIds.add(c.after.code_id);
    moves++;
  }
  return { codeIds, moves };
}

/** Recounts the given codes (a JSON array of ids) in both count tables, from the stored segments and their keys (migration 13). */
async function recountCodes(tx: Tx, ids: string): Promise<void> {
  const codes = `(SELECT value FROM json_each(?))`;
  const keys = `(SELECT key FROM main.code_keys WHERE id IN ${codes})`;
  await tx.run(`DELETE FROM main.code_coder_counts WHERE code_id IN ${codes}`, [ids]);
  // Grouped by code, document and coder first, in the index's order: distinct documents need no set.
  await tx.run(
    `INSERT INTO main.code_coder_counts (code_id, coder_id, segments, documents)
       SELECT c.id, k.id, g.segments, g.documents FROM (
         SELECT code_key, coder_key, sum(n) AS segments, count(*) AS documents FROM (
           SELECT code_key, document_key, coder_key, count(*) AS n FROM main.segment_rows WHERE code_key IN ${keys}
           GROUP BY code_key, document_key, coder_key)
         GROUP BY code_key, coder_key) g
       JOIN main.code_keys c ON c.key = g.code_key JOIN main.coder_keys k ON k.key = g.coder_key`,
    [ids],
  );
  await tx.run(`DELETE FROM main.code_counts WHERE code_id IN ${codes}`, [ids]);
  await tx.run(
    `INSERT INTO main.code_counts (code_id, segments, documents)
       SELECT c.id, g.segments, g.documents FROM (
         SELECT code_key, sum(n) AS segments, count(*) AS documents FROM (
           SELECT code_key, document_key, count(*) AS n FROM main.segment_rows WHERE code_key IN ${keys} AND coder_key NOT IN ${CONSENSUS_KEYS}
           GROUP BY code_key, document_key)
         GROUP BY code_key) g
       JOIN main.code_keys c ON c.key = g.code_key`,
    [ids],
  );
}
