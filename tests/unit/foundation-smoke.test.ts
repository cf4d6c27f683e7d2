import { describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';

describe('sample project through the API', () => {
  it('has five documents and the three starter themes', async () => {
    const t = await openTestProject({ sample: true });
    try {
      const docs = await t.call('documents.list', {});
      expect(docs).toHaveLength(5);
      const codes = await t.call('codes.list', {});
      expect(codes.filter((c) => c.depth === 0).map((c) => c.name)).toEqual(['casualties', 'attribution', 'rhetoric']);
    } finally {
      await t.close();
    }
  });
});
