import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION } from '../../main/core/db/migrations';
import { Project } from '../../main/core/project/project';
import { listDocuments } from '../../main/core/documents/documents';
import { listSegments } from '../../main/core/coding/segments';
import { projectFileAtSchema } from '../helpers/old-schema';
import { tempDir } from '../helpers/project';

/** Writes a project as the version that had schema `version` would have, with data in it. */
async function projectAtVersion(path: string, version: number): Promise<void> {
  const db = await projectFileAtSchema(path, version);
  // Rows every schema since version 1 can hold.
  await db.exec(`
    INSERT INTO project (key, value) VALUES ('name', 'Old study');
    INSERT INTO coders (id, name, created_at) VALUES ('11111111-1111-4111-8111-111111111111', 'ana', '2024-01-01T00:00:00Z');
    INSERT INTO documents (id, name, text, text_sha256, length, imported_at, sort_order)
      VALUES ('22222222-2222-4222-8222-222222222222', 'Old article', 'Seventeen 😀 people were killed.', 'x', 31, '2024-01-01T00:00:00Z', 1);
    INSERT INTO codes (id, name, color, created_at) VALUES ('33333333-3333-4333-8333-333333333333', 'casualties', '#d1495b', '2024-01-01T00:00:00Z');
    INSERT INTO segments (id, document_id, code_id, coder_id, start, end, created_at, updated_at)
      VALUES ('44444444-4444-4444-8444-444444444444', '22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333',
              '11111111-1111-4111-8111-111111111111', 12, 18, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z');
  `);
  await db.close();
}

describe('migrations', () => {
  for (const m of MIGRATIONS.slice(0, -1)) {
    it(`opens a project written at schema ${m.version} (${m.name}), upgrades it to ${SCHEMA_VERSION} and keeps its data`, async () => {
      const { dir, cleanup } = tempDir();
      try {
        const path = join(dir, `v${m.version}.marginalia`);
        await projectAtVersion(path, m.version);
        const p = await Project.open(path);
        const version = await p.db.read((r) => r.get<{ user_version: number }>('PRAGMA user_version'));
        expect(version!.user_version).toBe(SCHEMA_VERSION);
        const docs = await p.db.read(listDocuments);
        expect(docs.map((d) => d.name)).toEqual(['Old article']);
        const segs = await p.db.read((r) => listSegments(r));
        expect(segs.map((s) => [s.text, s.coder_name])).toEqual([['people', 'ana']]);
        await p.close();
      } finally {
        cleanup();
      }
    });
  }

  it('numbers its steps 1, 2, 3… without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });
});
