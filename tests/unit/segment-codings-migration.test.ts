import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectFileAtSchema } from '../helpers/old-schema';
import { tempDir } from '../helpers/project';
import { openProjectDb } from '../../main/core/db/open';

const T0 = '2024-01-01T00:00:00Z';

describe('migration 4 (segment-codings): the index behind the duplicate-coding rule', () => {
  it('upgrades a version-3 project that holds the same coding twice, keeping both, and answers the duplicate question from the index', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'v3.marginalia');
      const old = await projectFileAtSchema(path, 3);
      await old.exec(`
        INSERT INTO coders (id, name, created_at) VALUES ('k1', 'anna', '${T0}');
        INSERT INTO documents (id, name, text, text_sha256, length, imported_at, sort_order) VALUES ('d1', 'Article', 'Five people were killed.', 'x', 24, '${T0}', 1);
        INSERT INTO codes (id, name, color, created_at) VALUES ('c1', 'casualties', '#d1495b', '${T0}');
        INSERT INTO segments (id, document_id, code_id, coder_id, start, end, created_at, updated_at) VALUES
          ('s1', 'd1', 'c1', 'k1', 0, 11, '${T0}', '${T0}'),
          ('s2', 'd1', 'c1', 'k1', 0, 11, '${T0}', '${T0}');
      `);
      await old.close();

      const db = await openProjectDb(path);
      try {
        const version = await db.read((r) => r.get<{ user_version: number }>('PRAGMA user_version'));
        expect(version!.user_version).toBeGreaterThanOrEqual(4);
        // Not a unique index: a coder may have applied a code to a span twice, and both stay.
        const segs = await db.read((r) => r.all<{ id: string }>('SELECT id FROM segments ORDER BY id'));
        expect(segs.map((s) => s.id)).toEqual(['s1', 's2']);
        const plan = await db.read((r) =>
          r.all<{ detail: string }>(
            `EXPLAIN QUERY PLAN SELECT id FROM segments WHERE (document_id, code_id, coder_id, start, end) IN (VALUES (?, ?, ?, ?, ?))`,
            ['d1', 'c1', 'k1', 0, 11],
          ),
        );
        expect(plan.map((p) => p.detail).join('\n')).toContain('USING INDEX segments_coding');
      } finally {
        await db.close();
      }
    } finally {
      cleanup();
    }
  });
});
