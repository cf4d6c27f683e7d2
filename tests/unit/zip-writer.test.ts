import { describe, expect, it } from 'vitest';
import { constants, deflateRawSync } from 'node:zlib';
import { Zip, ZipPassThrough, strFromU8, strToU8, unzipSync } from 'fflate';
import { FIXED_ZIP_TIME, zipToBytes } from '../../main/core/exchange/zip-writer';

/** What the exports wrote before the writer kept its own central directory: fflate's streaming Zip, deflated by zlib in the same pieces. */
class ReferenceDeflate extends ZipPassThrough {
  constructor(name: string) {
    super(name);
    this.compression = 8;
  }
  protected override process(chunk: Uint8Array, final: boolean): void {
    this.ondata(null, deflateRawSync(chunk, { level: 6, finishFlush: final ? constants.Z_FINISH : constants.Z_SYNC_FLUSH }), final);
  }
}

type Item = { name: string; pieces: string[] } | { folder: string };

function reference(items: Item[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const zip = new Zip((err, chunk) => {
    if (err) throw err;
    chunks.push(chunk);
  });
  for (const item of items) {
    if ('folder' in item) {
      const dir = new ZipPassThrough(item.folder);
      dir.mtime = FIXED_ZIP_TIME;
      zip.add(dir);
      dir.push(new Uint8Array(0), true);
      continue;
    }
    const file = new ReferenceDeflate(item.name);
    file.mtime = FIXED_ZIP_TIME;
    zip.add(file);
    // The same cut into megabyte pieces as the writer's.
    let parts: string[] = [];
    let size = 0;
    for (const p of item.pieces) {
      parts.push(p);
      size += p.length;
      if (size >= 1 << 20) {
        file.push(strToU8(parts.join('')), false);
        parts = [];
        size = 0;
      }
    }
    file.push(strToU8(parts.join('')), true);
  }
  zip.end();
  return Buffer.concat(chunks);
}

describe('the zip archive an export streams', () => {
  const line = (i: number) => `<PlainTextSelection guid="${i}" name="Kyiv 🙂 café"/>\n`;
  const items: Item[] = [
    { name: 'project.qde', pieces: Array.from({ length: 60_000 }, (_, i) => line(i)) },
    { name: 'sources/empty.txt', pieces: [] },
    { name: 'sources/ß-naïve 😀.txt', pieces: ['Grüße\n', '🙂 at the start of a piece'] },
    { folder: 'sources/' },
    { name: 'data/segments.csv', pieces: ['a,b\n', '1,2\n'] },
  ];

  it('is byte for byte what fflate’s streaming Zip wrote, pieces, UTF-8 names, empty entries and folders included', async () => {
    const ours = await zipToBytes(async (zip) => {
      for (const item of items) {
        if ('folder' in item) {
          zip.folder(item.folder);
          continue;
        }
        const entry = zip.entry(item.name);
        for (const p of item.pieces) entry.write(p);
        entry.end();
      }
    });
    expect(Buffer.from(ours).equals(Buffer.from(reference(items)))).toBe(true);
    const read = unzipSync(ours);
    expect(Object.keys(read)).toEqual(['project.qde', 'sources/empty.txt', 'sources/ß-naïve 😀.txt', 'sources/', 'data/segments.csv']);
    expect(strFromU8(read['project.qde']!)).toBe(Array.from({ length: 60_000 }, (_, i) => line(i)).join(''));
    expect(strFromU8(read['sources/ß-naïve 😀.txt']!)).toBe('Grüße\n🙂 at the start of a piece');
    expect(read['sources/empty.txt']!.length).toBe(0);
  });

  it('counts more than 65,535 entries in a Zip64 end record, so that every one of them is read back', async () => {
    // Folders, stored: as many entries as a .qdpx of 100,000 texts has, without deflating each.
    const many: Item[] = Array.from({ length: 65_540 }, (_, i) => ({ folder: `sources/${i}/` }));
    const ours = Buffer.from(await zipToBytes(async (zip) => many.forEach((item) => 'folder' in item && zip.folder(item.folder))));
    const before = Buffer.from(reference(many));
    // Entries and central directory as before; fflate wrote the count modulo 65,536 in the end record, and read back 4 entries.
    const directoryEnd = before.length - 22;
    expect(ours.subarray(0, directoryEnd).equals(before.subarray(0, directoryEnd))).toBe(true);
    expect(Object.keys(unzipSync(before)).length).toBe(4);
    const read = unzipSync(ours);
    expect(Object.keys(read).length).toBe(65_540);
    expect(Object.keys(read)[65_539]).toBe('sources/65539/');
  });

  it('refuses an entry opened before the one before it was ended', async () => {
    await expect(
      zipToBytes(async (zip) => {
        zip.entry('a.txt').write('a');
        zip.entry('b.txt');
      }),
    ).rejects.toThrow('b.txt opened before the entry before it was ended');
  });
});
