import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectFileAtSchema } from '../helpers/old-schema';
import { tempDir } from '../helpers/project';
import { openProjectDb } from '../../main/core/db/open';
import { listCodes } from '../../main/core/codebook/codebook';

const T0 = '2024-01-01T00:00:00Z';

describe('migration 6 (list-indexes): the indexes the codebook counts and the windowed lists read', () => {
  it('upgrades a version-5 project with segments, keeps its counts, and reads them from the new index', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'v5.marginalia');
      const old = await projectFileAtSchema(path, 5);
      await old.exec(`
        INSERT INTO coders (id, name, created_at) VALUES ('k1', 'anna', '${T0}'), ('k2', 'consensus', '${T0}');
        INSERT INTO documents (id, name, text, text_sha256, length, imported_at, sort_order) VALUES
          ('d1', 'Article', 'Five people were killed.', 'x', 24, '${T0}', 1),
          ('d2', 'Other', 'Nobody was hurt.', 'y', 16, '${T0}', 2);
        INSERT INTO codes (id, name, color, created_at) VALUES ('c1', 'casualties', '#d1495b', '${T0}');
        INSERT INTO segments (id, document_id, code_id, coder_id, start, end, created_at, updated_at) VALUES
          ('s1', 'd1', 'c1', 'k1', 0, 11, '${T0}', '${T0}'),
          ('s2', 'd1', 'c1', 'k1', 5, 11, '${T0}', '${T0}'),
          ('s3', 'd2', 'c1', 'k1', 0, 6, '${T0}', '${T0}'),
          ('s4', 'd2', 'c1', 'k2', 0, 6, '${T0}', '${T0}');
      `);
      await old.close();

      const db = await openProjectDb(path);
      try {
        // The consensus copy is left out by default: 3 segments in 2 documents.
        const [code] = await db.read((r) => listCodes(r));
        expect([code!.segment_count, code!.document_count]).toEqual([3, 2]);
        const plan = await db.read((r) =>
          r.all<{ detail: string }>(`EXPLAIN QUERY PLAN SELECT s.code_id, s.document_id, count(*) FROM segments s WHERE s.coder_id <> 'k2' GROUP BY s.code_id, s.document_id`),
        );
        expect(plan.map((p) => p.detail).join('\n')).toContain('COVERING INDEX segments_code_document');
        // documents_order_id went in migration 15: documents_order_summary begins with its columns.
        const names = await db.read((r) => r.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('documents_name', 'documents_order_id', 'documents_order_summary', 'document_values_variable', 'segments_code', 'documents_sort_order') ORDER BY name`));
        expect(names.map((n) => n.name)).toEqual(['document_values_variable', 'documents_name', 'documents_order_summary']);
      } finally {
        await db.close();
      }
    } finally {
      cleanup();
    }
  });
});
