import mammoth from 'mammoth';
import { XMLParser } from 'fast-xml-parser';
import { strFromU8 } from 'fflate';
import { MarginaliaError } from '../errors';
import { MAX_EXPANDED_BYTES, isMediaEntry, safeUnzip, xmlTextLimit } from './limits';
import { storedZip } from '../security/zip';

/**
 * The text of a .docx: mammoth's raw text, one paragraph per Word paragraph. Every part but
 * pictures is inflated here first, counting the real bytes (see safeUnzip), and mammoth gets
 * them re-packed uncompressed: it never inflates anything itself.
 */
export async function docxToText(bytes: Uint8Array, file: string): Promise<string> {
  const parts = safeUnzip(bytes, file, 'Word document (.docx)', (name) => !isMediaEntry(name), MAX_EXPANDED_BYTES, xmlTextLimit(file, 'word/document.xml'));
  if (!parts['word/document.xml']) {
    throw new MarginaliaError('invalid_input', `${file}: is a zip archive but not a Word document (it has no word/document.xml); open it in Word and save it as .docx.`);
  }
  const stored = storedZip(parts);
  for (const k of Object.keys(parts)) delete parts[k];
  try {
    const result = await mammoth.extractRawText({ buffer: Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength) });
    // mammoth ends every paragraph with a blank line; empty paragraphs (spacing in Word) go.
    return result.value
      .split(/\n{2,}/)
      .map((p) => p.trim())
      .filter(Boolean)
      .join('\n\n');
  } catch (err) {
    throw new MarginaliaError('invalid_input', `${file}: Word could not be read (${(err as Error).message}); open it in Word and save it again.`);
  }
}

type XmlNode = Record<string, unknown>;

const odtParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: false,
});

function tagOf(node: XmlNode): string {
  return Object.keys(node).find((k) => k !== ':@') ?? '';
}

/** Elements whose text is not the document's body text. */
const ODT_SKIPPED = new Set(['office:annotation', 'text:tracked-changes', 'text:note-citation', 'text:bookmark', 'text:sequence-decls', 'office:forms']);

/** Collects the inline text of one paragraph or heading. */
function inlineText(children: XmlNode[]): string {
  let s = '';
  for (const child of children) {
    const tag = tagOf(child);
    if (tag === '#text') s += String(child['#text']);
    else if (tag === 'text:s') s += ' '.repeat(Number((child[':@'] as Record<string, string> | undefined)?.['text:c'] ?? 1) || 1);
    else if (tag === 'text:tab') s += '\t';
    else if (tag === 'text:line-break') s += '\n';
    else if (tag === 'text:note') continue; // footnotes would interrupt the sentence they hang on
    else if (!ODT_SKIPPED.has(tag)) s += inlineText(child[tag] as XmlNode[]);
  }
  return s;
}

function collectParagraphs(children: XmlNode[], out: string[]): void {
  for (const child of children) {
    const tag = tagOf(child);
    if (tag === '#text' || ODT_SKIPPED.has(tag)) continue;
    if (tag === 'text:p' || tag === 'text:h') {
      const p = inlineText(child[tag] as XmlNode[]).trim();
      if (p) out.push(p);
    } else {
      collectParagraphs(child[tag] as XmlNode[], out);
    }
  }
}

/** The text of an OpenDocument text file (.odt): its paragraphs and headings, in order. */
export function odtToText(bytes: Uint8Array, file: string): string {
  const parts = safeUnzip(bytes, file, 'OpenDocument text (.odt)', (name) => name === 'content.xml', MAX_EXPANDED_BYTES, xmlTextLimit(file, 'content.xml'));
  const content = parts['content.xml'];
  if (!content) {
    throw new MarginaliaError('invalid_input', `${file}: is a zip archive but not an OpenDocument text (it has no content.xml); open it and save it as .odt.`);
  }
  let tree: XmlNode[];
  try {
    tree = odtParser.parse(strFromU8(content)) as XmlNode[];
  } catch (err) {
    throw new MarginaliaError('invalid_input', `${file}: its content.xml is damaged (${(err as Error).message}); open it and save it again.`);
  }
  const body = findBody(tree);
  const out: string[] = [];
  collectParagraphs(body, out);
  return out.join('\n\n');
}

function findBody(nodes: XmlNode[]): XmlNode[] {
  for (const n of nodes) {
    const tag = tagOf(n);
    if (tag === '#text') continue;
    if (tag === 'office:text') return n[tag] as XmlNode[];
    const found = findBody(n[tag] as XmlNode[]);
    if (found.length) return found;
  }
  return [];
}
