import { describe, expect, it } from 'vitest';
import { CodePointIndex, codePointLength, normaliseText, sliceCodePoints } from '../../main/core/text/normalise';
import { openTestProject } from '../helpers/project';
import fc from 'fast-check';
import { codePointToUtf16, CodePointIndex as SharedIndex } from '../../main/api/contract/text-offsets';
import { buildTextMap, cpToU16, u16ToCp } from '../../renderer/src/features/viewer/text-map';

describe('text normalisation', () => {
  it('drops a BOM, turns CRLF and lone CR into LF, and composes to NFC', () => {
    const raw = '\uFEFFline one\r\nline two\rline thre\u0301e';
    expect(normaliseText(raw)).toBe('line one\nline two\nline thr\u00e9e');
    expect(normaliseText(raw)).not.toContain('\r');
    expect(normaliseText(raw).startsWith('\uFEFF')).toBe(false);
    // e + combining acute becomes one code point
    expect(codePointLength(normaliseText('e\u0301'))).toBe(1);
  });

  it('counts astral characters (emoji) as one code point', () => {
    expect('😀'.length).toBe(2);
    expect(codePointLength('a😀b')).toBe(3);
    expect(codePointLength('👩‍👩‍👧')).toBe(5); // a ZWJ sequence is five code points, as in Python
  });
});

describe('CodePointIndex', () => {
  const text = 'x😀y🇺🇦z';
  const index = new CodePointIndex(text);

  it('maps code points to UTF-16 indices and back', () => {
    expect(index.length).toBe(6);
    const cps = [...text];
    for (let cp = 0; cp <= cps.length; cp++) {
      const u = index.toUtf16(cp);
      expect(text.slice(0, u)).toBe(cps.slice(0, cp).join(''));
      expect(index.toCodePoint(u)).toBe(cp);
    }
  });

  it('rounds an index inside a surrogate pair down to the character', () => {
    expect(index.toCodePoint(2)).toBe(1);
  });

  it('slices by code points', () => {
    expect(sliceCodePoints(text, 1, 3)).toBe('😀y');
  });
});

describe('segments over astral text through the API', () => {
  it('stores code point offsets and returns the exact coded text, with an emoji before and inside', async () => {
    const t = await openTestProject();
    try {
      const raw = 'Intro 😀 then\r\n"the strike 💥 killed 17" — Cafe\u0301.';
      const report = await t.call('import.files', { files: [{ name: 'astral.txt', dataBase64: Buffer.from(raw, 'utf8').toString('base64') }] });
      expect(report.imported).toBe(1);
      const [doc] = await t.call('documents.list', {});
      const stored = await t.call('documents.get', { id: doc!.id });
      expect(stored.text).toBe('Intro 😀 then\n"the strike 💥 killed 17" — Café.');
      expect(stored.length).toBe([...stored.text].length);
      const { id: codeId } = await t.call('codes.create', { name: 'casualties' });
      const cps = [...stored.text];
      const start = cps.indexOf('"') + 1;
      const end = cps.indexOf('"', start);
      const { id } = await t.call('segments.create', { documentId: doc!.id, codeId, start, end });
      const [seg] = await t.call('segments.list', { documentId: doc!.id });
      expect(seg!.id).toBe(id);
      expect(seg!.text).toBe('the strike 💥 killed 17');
      expect(seg!.text).toBe(cps.slice(start, end).join(''));
      // The same span in UTF-16 units would be off by the emoji before it.
      expect(stored.text.slice(start, end)).not.toBe(seg!.text);
    } finally {
      await t.close();
    }
  });
});

describe('one conversion for main and the renderer', () => {
  it('main/core uses the shared module itself, not a copy', () => {
    expect(CodePointIndex).toBe(SharedIndex);
  });

  it("the viewer's paragraph table agrees with the main process on every offset, astral characters and line breaks included", () => {
    const char = fc.constantFrom('a', 'é', ' ', '\n', '😀', '🇺', '中', '\u0301');
    fc.assert(
      fc.property(fc.array(char, { maxLength: 40 }).map((cs) => cs.join('')), (text) => {
        const index = new SharedIndex(text);
        const map = buildTextMap(text);
        expect(map.lengthCp).toBe(index.length);
        for (let cp = 0; cp <= index.length; cp++) {
          expect(cpToU16(map, cp)).toBe(index.toUtf16(cp));
          expect(u16ToCp(map, index.toUtf16(cp))).toBe(cp);
          expect(codePointToUtf16(text, cp)).toBe(index.toUtf16(cp));
        }
      }),
      { numRuns: 300 },
    );
  });
});
