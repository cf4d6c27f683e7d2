import { describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';

describe('attribute names that are also names of JavaScript object properties', () => {
  it('are ordinary attributes: set, listed and typed as text', async () => {
    const t = await openTestProject({ sample: true });
    try {
      const doc = (await t.call('documents.list', {}))[0]!;
      for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
        const r = await t.callRaw('documents.setAttributes', { id: doc.id, attributes: { [name]: `value of ${name}` } });
        expect(r.ok, `${name}: ${r.ok ? '' : r.error.message}`).toBe(true);
      }
      const after = (await t.call('documents.list', {})).find((d) => d.id === doc.id)!;
      expect(after.attributes).toMatchObject({ constructor: 'value of constructor', toString: 'value of toString', valueOf: 'value of valueOf' });
    } finally {
      await t.close();
    }
  });
});
