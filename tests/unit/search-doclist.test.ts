import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sqlite } from '../../main/core/db/sqlite';
import { Reader, Tx } from '../../main/core/db/project-db';
import { readPostings, type Postings } from '../../main/core/search/fts-doclist';

/*
 * The search counts words from the FTS5 index's own pages (fts-doclist.ts). Held here to what
 * FTS5 itself says (its fts5vocab "instance" view) for every word and some prefixes, on an index
 * that has what a long-used project has: many segments on several levels with a merge under way,
 * deleted and changed documents (entries that hide older ones), and doclists over many pages
 * (small pages: each page's first rowid is written whole).
 */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

const WORDS = ['the', 'of', 'kyiv', 'київ', 'strike', 'striker', 'strikes', 'drone', 'zelensky', 'a', 'é', 'über', 'überall', 'missile', 'z', 'zz', 'zzz'];

async function index(pgsz: number): Promise<Sqlite> {
  const dir = mkdtempSync(join(tmpdir(), 'marginalia-doclist-'));
  dirs.push(dir);
  const db = await Sqlite.open(join(dir, 't.db'), { create: true });
  await db.exec(`CREATE VIRTUAL TABLE t USING fts5(name, text, tokenize = 'unicode61 remove_diacritics 2')`);
  await db.run(`INSERT INTO t (t, rank) VALUES ('pgsz', ?)`, [pgsz]);
  await db.run(`INSERT INTO t (t, rank) VALUES ('automerge', 2)`);
  await db.run(`INSERT INTO t (t, rank) VALUES ('crisismerge', 4)`);
  const rand = prng(pgsz);
  const text = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(rand() ** 2 * WORDS.length)]!).join(' ');
  let rowid = 1;
  for (let batch = 0; batch < 40; batch++) {
    await db.exec('BEGIN');
    for (let k = 0; k < 15; k++) await db.run(`INSERT INTO t (rowid, name, text) VALUES (?, ?, ?)`, [rowid++, text(3), text(5 + Math.floor(rand() * 60))]);
    // Some documents leave, some change (a delete and an insert of the same rowid), some lose every word of the text.
    if (batch % 3 === 2) await db.run(`DELETE FROM t WHERE rowid = ?`, [1 + Math.floor(rand() * (rowid - 1))]);
    if (batch % 4 === 1) await db.run(`UPDATE t SET text = ? WHERE rowid = ?`, [text(20), 1 + Math.floor(rand() * (rowid - 1))]);
    if (batch % 5 === 4) await db.run(`UPDATE t SET text = '' WHERE rowid = ?`, [1 + Math.floor(rand() * (rowid - 1))]);
    await db.exec('COMMIT');
  }
  await db.exec(`CREATE VIRTUAL TABLE temp.t_instances USING fts5vocab(main, 't', 'instance')`);
  return db;
}

/** What fts5vocab says, as postings: documents ascending, each one's positions in the text column ascending. */
async function fromVocab(db: Sqlite, term: string, prefix: boolean): Promise<Array<[number, number[]]>> {
  const rows = await db.all<{ doc: number; offset: number }>(
    `SELECT doc, offset FROM temp.t_instances WHERE ${prefix ? 'term >= ? AND term <= ?' : 'term = ?'} AND col = 'text'`,
    prefix ? [term, `${term}\u{10FFFF}`] : [term],
  );
  const byDoc = new Map<number, number[]>();
  for (const r of rows) byDoc.set(r.doc, [...(byDoc.get(r.doc) ?? []), r.offset]);
  return [...byDoc.entries()].sort((a, b) => a[0] - b[0]).map(([doc, offsets]) => [doc, offsets.sort((a, b) => a - b)]);
}

function asLists(p: Postings, positions: boolean): Array<[number, number[] | number]> {
  return Array.from(p.docs, (doc, k) => {
    const from = k === 0 ? 0 : p.ends[k - 1]!;
    return [doc, positions ? Array.from(p.offsets.subarray(from, p.ends[k]!)) : p.ends[k]! - from];
  });
}

describe('words read from the FTS5 index pages', () => {
  it('are the documents and positions fts5vocab lists, for every word and prefix, over segments, deletions and page breaks', async () => {
    for (const pgsz of [64, 4050]) {
      const db = await index(pgsz);
      const r = new Reader(db);
      const structure = await db.get<{ n: number }>(`SELECT count(*) AS n FROM t_data WHERE id > 10`);
      expect(structure!.n).toBeGreaterThan(pgsz === 64 ? 200 : 3);
      const terms = (await db.all<{ term: string }>(`SELECT DISTINCT term FROM temp.t_instances`)).map((t) => t.term);
      expect(terms.length).toBeGreaterThan(10);
      const asked: Array<[string, boolean]> = [...terms.map((t): [string, boolean] => [t, false]), ['strik', true], ['z', true], ['', true], ['über', true], ['kyi', true], ['absent', false], ['absen', true]];
      for (const [term, prefix] of asked) {
        const want = await fromVocab(db, term, prefix);
        const got = await readPostings(r, 't', 1, term, prefix);
        expect(asLists(got!, true), `${term}${prefix ? '*' : ''}`).toEqual(want);
        // Counted only: each document's number of positions.
        const counted = await readPostings(r, 't', 1, term, prefix, false);
        expect(asLists(counted!, false), `${term}${prefix ? '*' : ''} counted`).toEqual(want.map(([doc, offsets]) => [doc, offsets.length]));
      }
      // The name column, for a word in both.
      const names = await readPostings(r, 't', 0, 'the', false);
      const nameRows = await db.all<{ doc: number; offset: number }>(`SELECT doc, offset FROM temp.t_instances WHERE term = 'the' AND col = 'name'`);
      expect(names!.offsets.length).toBe(nameRows.length);
      await db.close();
    }
  });

  it('is not read inside a write transaction, whose changes FTS5 may still hold in memory', async () => {
    const db = await index(4050);
    expect(await readPostings(new Tx(db), 't', 1, 'the', false)).toBeNull();
    expect(await readPostings(new Reader(db), 't', 1, 'the', false)).not.toBeNull();
    await db.close();
  });
});
