import { Sqlite } from '../../main/core/db/sqlite';
import { FTS_TOKENIZE_SQL } from '../../main/core/search/tokenizer';

/**
 * The words the search index makes of each text, in order: the texts go through a real FTS5
 * table with the project's tokenizer (in memory), and its vocabulary is read back. What the
 * matcher (query.ts) does with the same texts is held to this.
 */
export async function indexTermsOf(texts: readonly string[]): Promise<string[][]> {
  const db = await Sqlite.open(':memory:', { create: true });
  try {
    await db.exec(`CREATE VIRTUAL TABLE t USING fts5(x, ${FTS_TOKENIZE_SQL}); CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, 't', 'instance');`);
    await db.exec('BEGIN');
    for (let i = 0; i < texts.length; i += 500) {
      const slice = texts.slice(i, i + 500);
      await db.run(`INSERT INTO t (rowid, x) VALUES ${slice.map(() => '(?, ?)').join(',')}`, slice.flatMap((s, k) => [i + k + 1, s]));
    }
    await db.exec('COMMIT');
    const terms: string[][] = texts.map(() => []);
    for (const r of await db.all<{ doc: number; term: string }>(`SELECT doc, term FROM temp.v ORDER BY doc, offset`)) terms[r.doc - 1]!.push(r.term);
    return terms;
  } finally {
    await db.close();
  }
}
