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

describe('attribute columns named like JavaScript internals, from a spreadsheet', () => {
  it('"__proto__" and "constructor" columns become attributes with their values', async () => {
    const t = await openTestProject({ sample: true });
    try {
      const doc = (await t.call('documents.list', {}))[0]!;
      const csv = `document,__proto__,constructor\r\n"${doc.name.replace(/"/g, '""')}",pro value,ctor value\r\n`;
      const report = await t.call('attributes.import', { file: { name: 'attrs.csv', dataBase64: Buffer.from(csv).toString('base64') } });
      expect(report).toMatchObject({ updated: 1, failed: [] });
      const after = (await t.call('documents.list', {})).find((d) => d.id === doc.id)!;
      expect(Object.getOwnPropertyNames(after.attributes)).toEqual(expect.arrayContaining(['__proto__', 'constructor']));
      expect(Object.getOwnPropertyDescriptor(after.attributes, '__proto__')?.value).toBe('pro value');
      expect(Object.getOwnPropertyDescriptor(after.attributes, 'constructor')?.value).toBe('ctor value');
    } finally {
      await t.close();
    }
  });
});
