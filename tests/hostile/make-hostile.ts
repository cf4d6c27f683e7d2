/**
 * The hostile-input corpus: files built the way an attacker (or a broken exporter) would
 * build them, to check that each is refused with a clear message or imported whole, inside
 * the sandbox's limits. Generated, never committed: `npx tsx tests/hostile/make-hostile.ts DIR`
 * writes them to DIR; tests/unit/hostile-files.test.ts builds them in a temp folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import { makeDocx, makeOdt } from '../fixtures/import/make-fixtures';

export interface HostileCase {
  /** The file's name as written to disk (may hold control characters). */
  file: string;
  /** Why it is here. */
  what: string;
  /** What the import must say about it: imported (with the stored name, and text length when checked), or failed with a reason matching. */
  expect: { status: 'imported'; name?: string; chars?: number; documents?: number } | { status: 'failed'; reason: RegExp; not?: RegExp };
  /** Too large to send through the bridge as one JSON body: checked through the CLI only. */
  cliOnly?: boolean;
  bytes: () => Uint8Array;
}

const WORD_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

/**
 * A zip of deflated entries, written with Node's zlib (C, fast enough for the 200 MB entries
 * here, which fflate's JavaScript deflate takes seconds over).
 */
function zipDeflated(entries: Record<string, Uint8Array>, options: { dataDescriptors?: boolean } = {}): Uint8Array {
  // With data descriptors (as Java and streaming writers make them) the local header says
  // nothing of the sizes: they follow the data.
  const dd = !!options.dataDescriptors;
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of Object.entries(entries)) {
    const nameBytes = Buffer.from(name, 'utf8');
    const packed = deflateRawSync(data, { level: 9 });
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800 | (dd ? 8 : 0), 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(dd ? 0 : crc, 14);
    local.writeUInt32LE(dd ? 0 : packed.length, 18);
    local.writeUInt32LE(dd ? 0 : data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const descriptor = Buffer.alloc(dd ? 16 : 0);
    if (dd) {
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc, 4);
      descriptor.writeUInt32LE(packed.length, 8);
      descriptor.writeUInt32LE(data.length, 12);
    }
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(0x0800 | (dd ? 8 : 0), 8);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt32LE(crc, 16);
    dir.writeUInt32LE(packed.length, 20);
    dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(nameBytes.length, 28);
    dir.writeUInt32LE(offset, 42);
    parts.push(local, nameBytes, packed, descriptor);
    central.push(dir, nameBytes);
    offset += local.length + nameBytes.length + packed.length + descriptor.length;
  }
  const size = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length / 2, 8);
  end.writeUInt16LE(central.length / 2, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, ...central, end]));
}

/** A .docx around a word/document.xml given as bytes (so it can be far larger than a string may be). */
function docxAround(documentXml: Uint8Array, options: { dataDescriptors?: boolean } = {}): Uint8Array {
  return zipDeflated({
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
    '_rels/.rels': strToU8(
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    ),
    'word/document.xml': documentXml,
  }, options);
}

/** document.xml with one paragraph of `chars` letters a, built as bytes. */
function oneHugeParagraph(chars: number): Uint8Array {
  const head = strToU8(`<?xml version="1.0" encoding="UTF-8"?><w:document ${WORD_NS}><w:body><w:p><w:r><w:t>`);
  const tail = strToU8('</w:t></w:r></w:p></w:body></w:document>');
  const xml = new Uint8Array(head.length + chars + tail.length);
  xml.set(head);
  xml.fill(0x61, head.length, head.length + chars);
  xml.set(tail, head.length + chars);
  return xml;
}

/** document.xml padded inside a comment with `bytes` spaces: markup, not text, so only the archive's byte limit can stop it. */
function paddedMarkup(bytes: number): Uint8Array {
  const head = strToU8(`<?xml version="1.0" encoding="UTF-8"?><w:document ${WORD_NS}><w:body><!--`);
  const tail = strToU8('--><w:p><w:r><w:t>Bomb.</w:t></w:r></w:p></w:body></w:document>');
  const xml = new Uint8Array(head.length + bytes + tail.length);
  xml.set(head);
  xml.fill(0x20, head.length, head.length + bytes);
  xml.set(tail, head.length + bytes);
  return xml;
}

/**
 * Rewrites the uncompressed size an entry's local header and central directory declare, as
 * a zip bomb (or a careless writer) does: the data stays as it was.
 */
export function understate(zip: Uint8Array, entry: string, declared: number): Uint8Array {
  const out = zip.slice();
  const view = new DataView(out.buffer);
  const name = (at: number, len: number) => new TextDecoder().decode(out.subarray(at, at + len));
  let patched = 0;
  for (let i = 0; i + 46 <= out.length; i++) {
    const sig = view.getUint32(i, true);
    if (sig === 0x04034b50 && name(i + 30, view.getUint16(i + 26, true)) === entry) {
      view.setUint32(i + 22, declared, true);
      patched++;
    } else if (sig === 0x02014b50 && name(i + 46, view.getUint16(i + 28, true)) === entry) {
      view.setUint32(i + 24, declared, true);
      patched++;
    }
  }
  if (patched !== 2) throw new Error(`understate: ${entry} found ${patched} times, expected its local header and its directory entry`);
  return out;
}

/** A PDF whose page tree lists itself as its own kid. */
function selfReferencingPdf(): Uint8Array {
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [2 0 R] /Count 1 >>'];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return strToU8(out, true);
}

/** The text of the REFI-QDA source whose size is understated: 5,000 characters, declared as 1,000 bytes. */
export const QDPX_SOURCE_TEXT = Array.from({ length: 100 }, (_, i) => `Line ${String(i).padStart(3, '0')} of the source, all of which must arrive.`.padEnd(49, '.')).join('\n') + '\n';

function understatedQdpx(): Uint8Array {
  const guid = 'CCCCCCCC-0000-4000-8000-000000000001';
  const qde = `<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Understated" origin="Hostile">
  <Sources><TextSource guid="${guid}" name="understated source" plainTextPath="internal://${guid}.txt"/></Sources>
</Project>`;
  const zip = zipSync({ 'project.qde': strToU8(qde), [`sources/${guid}.txt`]: strToU8(QDPX_SOURCE_TEXT) });
  return understate(zip, `sources/${guid}.txt`, 1000);
}

function csvOfRows(rows: number): Uint8Array {
  let s = 'title,date,text\n';
  for (let i = 1; i <= rows; i++) s += `Article ${i},2024-01-${String((i % 28) + 1).padStart(2, '0')},"Body of article ${i}, with a comma and ""quotes""."\n`;
  return strToU8(s);
}

/** The number of rows in many-rows.csv. */
export const CSV_ROWS = 5_000;

export function hostileCases(): HostileCase[] {
  return [
    {
      file: 'bomb.docx',
      what: 'zip bomb: 210 MB of markup in a 200 KB .docx whose headers declare 1,000 bytes',
      expect: { status: 'failed', reason: /more than the 200 MB an import allows \(whatever its zip headers say\).*zip bomb/ },
      bytes: () => understate(docxAround(paddedMarkup(210 * 1024 * 1024)), 'word/document.xml', 1000),
    },
    {
      file: 'declares-190mb.docx',
      what: 'a .docx whose one paragraph is 190 million characters (declared truthfully)',
      expect: { status: 'failed', reason: /longer than the 20 million characters a document may have/ },
      bytes: () => docxAround(oneHugeParagraph(190 * 1000 * 1000)),
    },
    {
      file: 'understated.odt',
      what: 'an .odt whose content.xml declares 10 bytes',
      expect: { status: 'imported', name: 'understated' },
      bytes: () => understate(makeOdt('A heading', ['The first paragraph of the text.', 'A second one.']), 'content.xml', 10),
    },
    {
      file: 'understated.docx',
      what: 'a .docx whose document.xml declares 10 bytes',
      expect: { status: 'imported', name: 'understated' },
      bytes: () => understate(makeDocx(['All of this paragraph is read.', 'And this one.']), 'word/document.xml', 10),
    },
    {
      file: 'data-descriptors.docx',
      what: 'a .docx whose sizes follow each entry (data descriptors, as streaming zip writers make them): not hostile, and read',
      expect: { status: 'imported', name: 'data-descriptors' },
      bytes: () =>
        docxAround(strToU8(`<?xml version="1.0" encoding="UTF-8"?><w:document ${WORD_NS}><w:body><w:p><w:r><w:t>Sizes after the data.</w:t></w:r></w:p></w:body></w:document>`), { dataDescriptors: true }),
    },
    {
      file: 'page-loop.pdf',
      what: "a PDF whose page tree lists itself as its own page",
      expect: { status: 'failed', reason: /the PDF is damaged/, not: /OCR/ },
      bytes: selfReferencingPdf,
    },
    {
      file: 'one-line.txt',
      what: 'a 49 MB text file that is one line',
      expect: { status: 'failed', reason: /49\.0 million characters, more than the 20 million characters a document may have/ },
      cliOnly: true,
      bytes: () => new Uint8Array(49 * 1000 * 1000).fill(0x61),
    },
    {
      file: 'many-rows.csv',
      what: `a CSV of ${CSV_ROWS} articles`,
      expect: { status: 'imported', documents: CSV_ROWS },
      bytes: () => csvOfRows(CSV_ROWS),
    },
    { file: 'esc-\u001b[31mred.txt', what: 'a name with a terminal escape sequence', expect: { status: 'imported', name: 'esc-\u001b[31mred' }, bytes: () => strToU8('Escape in the name.') },
    { file: 'bell-\u0007.txt', what: 'a name with BEL', expect: { status: 'imported', name: 'bell-\u0007' }, bytes: () => strToU8('Bell in the name.') },
    { file: 'cr-\r-lf-\n.txt', what: 'a name with CR and LF', expect: { status: 'imported', name: 'cr-\r-lf-' }, bytes: () => strToU8('Line breaks in the name.') },
    { file: 'rtl-\u202Etxt.exe.txt', what: 'a name with a right-to-left override', expect: { status: 'imported', name: 'rtl-\u202Etxt.exe' }, bytes: () => strToU8('A bidi override in the name.') },
  ];
}

/** The .qdpx case: imported with exchange import, so kept apart from the document cases. */
export const understatedQdpxCase = { file: 'understated.qdpx', what: 'a REFI-QDA project whose source text declares 1,000 of its 5,000 bytes', bytes: understatedQdpx };

/** Writes the corpus to a folder. */
export function writeHostileCorpus(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const c of [...hostileCases(), understatedQdpxCase]) writeFileSync(join(dir, c.file), c.bytes());
}

if (process.argv[1] && /make-hostile\.ts$/.test(process.argv[1])) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: npx tsx tests/hostile/make-hostile.ts DIR');
    process.exit(2);
  }
  writeHostileCorpus(dir);
  console.log(`wrote the hostile corpus to ${dir}`);
}
