import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import fc from 'fast-check';
import { arbitraryProjectSpec, buildProject } from '../helpers/messy-project';
import { tempDir } from '../helpers/project';

/**
 * The text without any control characters or line breaks, in NFC: what must survive import
 * whatever normalisation does about controls (removes them, makes VT and FF line breaks, or
 * keeps them). Controls go before NFC, as a removed one can let marks around it compose.
 */
const visible = (s: string) => s.replace(/^\uFEFF/, '').replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, '').normalize('NFC');
/** C0 controls other than tab, LF and CR: the ones import may remove. */
const controls = (s: string) => [...s].filter((c) => /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(c)).length;

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
              // Import normalises line ends, NFC and perhaps control characters; it never
              // drops visible text, and whatever controls it drops, the report says so.
              expect(visible(d.text)).toBe(visible(d.raw));
              if (controls(d.text) < controls(d.raw)) expect(d.importNote, 'import report note on removed control characters').toBeTruthy();
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
