import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/project';
import { Sqlite } from '../../main/core/db/sqlite';
import { APPLICATION_ID, openProjectDb } from '../../main/core/db/open';
import * as m001 from '../../main/core/db/migrations/001-initial';

describe('migration 2 (team): reliability rounds and consensus decisions', () => {
  it('upgrades a version-1 project with data in it, keeping the data', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'old.marginalia');
      const old = await Sqlite.open(path, { create: true });
      await old.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
      await m001.up(old);
      await old.exec('PRAGMA user_version = 1');
      await old.run(`INSERT INTO coders (id, name, created_at) VALUES ('c1', 'anna', '2024-01-01')`);
      await old.close();

      const db = await openProjectDb(path);
      try {
        const version = await db.read((r) => r.get<{ user_version: number }>('PRAGMA user_version'));
        expect(version!.user_version).toBeGreaterThanOrEqual(2);
        const coders = await db.read((r) => r.all<{ name: string }>('SELECT name FROM coders'));
        expect(coders).toEqual([{ name: 'anna' }]);
        const tables = await db.read((r) => r.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('reliability_rounds', 'consensus_decisions') ORDER BY name`));
        expect(tables.map((x) => x.name)).toEqual(['consensus_decisions', 'reliability_rounds']);
      } finally {
        await db.close();
      }
    } finally {
      cleanup();
    }
  });
});
