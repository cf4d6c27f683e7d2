import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import fc from 'fast-check';
import { arbitraryProjectSpec, buildProject } from '../helpers/messy-project';
import { tempDir } from '../helpers/project';

/** Without control characters, the form the stored text must keep every printable character of. */
const printable = (s: string) => s.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').normalize('NFC').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');

describe('generated messy projects', () => {
  it('build through the API, and what they store is what was asked for', async () => {
    const out = tempDir();
    let n = 0;
    try {
      await fc.assert(
        fc.asyncProperty(arbitraryProjectSpec(), async (spec) => {
          const built = await buildProject(spec, join(out.dir, `p${n++}.marginalia`));
          try {
            const w = built.written;
            expect(w.documents).toHaveLength(spec.documents.length);
            expect(w.codes).toHaveLength(spec.codes.length);
            expect(w.segments).toHaveLength(spec.segments.length);
            // Trees are 1 to 6 levels deep (depth counts from 0 at the top).
            expect(Math.max(...w.codes.map((c) => c.depth))).toBeLessThan(6);
            for (const d of w.documents) {
              // Import may normalise line ends, NFC and (by design choice of the import layer)
              // control characters; it must never silently drop printable text.
              expect(printable(d.text)).toBe(printable(d.raw));
            }
            for (const s of w.segments) expect(s.end).toBeGreaterThan(s.start);
          } finally {
            await built.close();
          }
        }),
        { numRuns: 8 },
      );
    } finally {
      out.cleanup();
    }
  });
});
