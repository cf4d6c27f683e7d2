import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openTestProject } from '../helpers/project';
import { main } from '../../main/cli/index';

describe('marginalia agreement --csv', () => {
  it("writes the same bytes as the app's download, for every unit and option, with and without --json", async () => {
    const t = await openTestProject({ sample: true, coder: 'anna' });
    try {
      const docs = await t.call('documents.list', {});
      const codes = (await t.call('codes.list', {})).filter((c) => ['casualties', 'rhetoric'].includes(c.path));
      expect(codes).toHaveLength(2);
      const anna = (await t.call('coders.current', {})).id;
      // Both coders code most documents, overlapping in part, so there are per-document rows of every kind.
      for (const [i, d] of docs.entries()) for (const [k, c] of codes.entries()) await t.call('segments.create', { documentId: d.id, codeId: c.id, start: 10 * k, end: 40 + 10 * k + i });
      const ben = (await t.call('coders.setCurrent', { name: 'ben' })).id;
      for (const [i, d] of docs.entries()) if (i !== 1) await t.call('segments.create', { documentId: d.id, codeId: codes[i % 2]!.id, start: 5 + i, end: 60 });
      const cases: Array<{ unit: 'char' | 'sentence' | 'paragraph' | 'document'; delimiter?: 'comma' | 'semicolon' | 'tab'; excel?: boolean; raw?: boolean }> = [
        { unit: 'char' },
        { unit: 'document', delimiter: 'semicolon', excel: true },
        { unit: 'sentence', delimiter: 'tab', raw: true },
        { unit: 'paragraph', excel: true, raw: true },
      ];
      const expected = [];
      for (const c of cases) expected.push(t.download(await t.call('team.agreementCsv', { coderIds: [anna, ben], codeIds: [], unit: c.unit, threshold: 0.9, delimiter: c.delimiter, excel: c.excel, raw: c.raw })));
      await t.session.setProject(null);
      for (const [i, c] of cases.entries()) {
        expect(expected[i]!.toString('utf8').split('\n').filter((l) => l.startsWith('code_document')).length, c.unit).toBeGreaterThan(2);
        for (const json of [false, true]) {
          const file = join(t.dir, `agreement-${i}-${json}.csv`);
          const out: string[] = [];
          const args = ['agreement', t.path, '--coders', 'anna,ben', '--unit', c.unit, '--csv', file];
          if (c.delimiter) args.push('--delimiter', c.delimiter);
          if (c.excel) args.push('--excel');
          if (c.raw) args.push('--raw');
          if (json) args.push('--json');
          expect(await main(args, { out: (l) => out.push(l), err: () => undefined })).toBe(0);
          expect(readFileSync(file).equals(expected[i]!), `${c.unit}${json ? ' --json' : ''}`).toBe(true);
          if (json) expect((JSON.parse(out.join('\n')) as { unit: string }).unit).toBe(c.unit);
          else expect(out.at(-1)).toBe(`Wrote ${file}.`);
        }
      }
    } finally {
      await t.close();
    }
  });
});
