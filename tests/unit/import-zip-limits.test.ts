import { describe, expect, it } from 'vitest';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { understate } from '../hostile/make-hostile';
import { MarginaliaError } from '../../main/core/errors';
import { inflateZip, storedZip } from '../../main/core/security/zip';

const opts = (maxBytes: number) => ({ file: 'test.docx', what: 'Word document (.docx)', wanted: () => true, maxBytes });
const text = (n: number) => strToU8('x'.repeat(n));

describe('inflating a zip from outside', () => {
  it('reads an entry whole even when its headers declare it smaller', () => {
    const zip = understate(zipSync({ 'a.txt': text(5000), 'b.txt': strToU8('short') }), 'a.txt', 100);
    // fflate's one-shot reader trusts the declared size and cuts the entry to it.
    expect(unzipSync(zip)['a.txt']!.length).toBe(100);
    const out = inflateZip(zip, opts(1024 * 1024));
    expect(out['a.txt']!.length).toBe(5000);
    expect(new TextDecoder().decode(out['b.txt'])).toBe('short');
  });

  it('stops at the real byte limit, whatever the headers declare, naming the file and the limit', () => {
    const zip = understate(zipSync({ 'word/document.xml': new Uint8Array(3 * 1024 * 1024) }), 'word/document.xml', 10);
    expect(() => inflateZip(zip, opts(2 * 1024 * 1024))).toThrow(/^test\.docx: expands to more than the 2 MB an import allows \(whatever its zip headers say\).*zip bomb/);
    // Entries not wanted are never inflated, so they do not count.
    expect(inflateZip(zip, { ...opts(2 * 1024 * 1024), wanted: (n) => n !== 'word/document.xml' })).toEqual({});
  });

  it('counts the limit over all entries together', () => {
    const zip = zipSync({ 'a.txt': text(600_000), 'b.txt': text(600_000) });
    expect(() => inflateZip(zip, opts(1_000_000))).toThrow(/more than the 1 MB/);
    expect(Object.keys(inflateZip(zip, opts(2_000_000)))).toEqual(['a.txt', 'b.txt']);
  });

  it('refuses an archive of more parts than any real document has, and a damaged one as damaged', () => {
    const many = zipSync(Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`p${i}.xml`, strToU8('<a/>')])));
    expect(() => inflateZip(many, { ...opts(1e6), maxEntries: 20 })).toThrow(/^test\.docx: has more than 20 parts.*zip bomb/);
    const deflatedCut = zipSync({ 'a.txt': strToU8(Array.from({ length: 5000 }, (_, i) => `word${i}`).join(' ')) }).slice(0, 300);
    expect(() => inflateZip(deflatedCut, opts(1e6))).toThrow(/^test\.docx: not a valid Word document \(.docx\) \(the file is damaged or only partly saved\)/);
    expect(() => inflateZip(strToU8('PK\u0003\u0004garbage'), opts(1e6))).toThrow(/damaged/);
  });

  it('lets the caller stop an entry as it is inflated (a text past its limit)', () => {
    // Text that compresses only a few times over, so it arrives in many chunks.
    const words = strToU8(Array.from({ length: 200_000 }, (_, i) => `w${(i * 2654435761) % 1_000_003}`).join(' '));
    const zip = zipSync({ 'content.xml': words });
    let seen = 0;
    expect(() =>
      inflateZip(zip, {
        ...opts(1e7),
        inspect: (_name, chunk) => {
          seen += chunk.length;
          if (seen > 10_000) throw new MarginaliaError('too_large', 'content.xml: past the text limit');
        },
      }),
    ).toThrow('past the text limit');
    expect(seen).toBeLessThan(words.length / 2);
  });

  it('re-packs what it read as a stored zip that reads back the same', () => {
    const parts = inflateZip(zipSync({ 'a.xml': strToU8('<a>1</a>'), 'b/c.xml': text(10_000) }), opts(1e6));
    const stored = storedZip(parts);
    expect(unzipSync(stored)).toEqual(parts);
    expect(stored.length).toBeGreaterThan(10_000); // nothing compressed: nothing left for another library to inflate
  });
});
