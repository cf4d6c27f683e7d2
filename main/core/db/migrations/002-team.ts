import type { Sqlite } from '../sqlite';

/**
 * Version 2: what co-researchers need kept in the project. Reliability rounds (their sample,
 * seed, coders and results, so a methods section can cite them) and consensus decisions
 * (which coder's coding a disagreement was settled with, and why).
 */
export async function up(db: Sqlite): Promise<void> {
  await db.exec(`
    CREATE TABLE reliability_rounds (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
      -- How the sample was drawn: {"kind":"share","value":0.2} or {"kind":"count","value":10}.
      sample_spec TEXT NOT NULL,
      seed INTEGER NOT NULL,
      -- JSON arrays of ids, in the order they were drawn and named.
      document_ids TEXT NOT NULL,
      coder_ids TEXT NOT NULL,
      unit TEXT NOT NULL,
      threshold REAL NOT NULL,
      created_at TEXT NOT NULL,
      created_by TEXT REFERENCES coders(id),
      closed_at TEXT,
      -- The agreement report computed when the round was closed (JSON).
      results TEXT
    );

    CREATE TABLE consensus_decisions (
      id TEXT PRIMARY KEY,
      -- No foreign keys on document and code: deleting either must not be blocked by an old
      -- decision, which is then simply no longer shown.
      document_id TEXT NOT NULL,
      code_id TEXT NOT NULL,
      start INTEGER NOT NULL,
      end INTEGER NOT NULL,
      -- The coder whose coding was kept; null when the passage was settled as not coded.
      chosen_coder_id TEXT REFERENCES coders(id),
      reason TEXT NOT NULL,
      decided_by TEXT REFERENCES coders(id),
      decided_at TEXT NOT NULL
    );
    CREATE INDEX consensus_decisions_document ON consensus_decisions(document_id, start);
  `);
}
