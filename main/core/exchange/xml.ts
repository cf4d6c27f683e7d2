import { createHash } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';

/**
 * An element as the builder takes it: its attributes under ATTRS, its children by tag name
 * (one element, a list, or a string for a text-only element), in the order the schema wants.
 * A child or attribute that is undefined is left out.
 */
export interface XmlElement {
  '@'?: XmlAttributes;
  [child: string]: XmlElement | XmlElement[] | string | XmlAttributes | undefined;
}
export type XmlAttributes = Record<string, string | number>;

const ATTRS = '@';

/**
 * What XML 1.0 cannot carry at all, escaped or not: C0 controls other than tab, LF and CR,
 * the non-characters U+FFFE and U+FFFF, and halves of surrogate pairs.
 */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The documented replacement for what XML 1.0 cannot carry. A C0 control becomes its symbol
 * from the Control Pictures block (U+0007 becomes U+2407 "␇"), so a reader sees which one it
 * was and two names that differed only there still differ; anything else becomes U+FFFD.
 * Document texts never pass here: they travel in sources/*.txt, byte for byte.
 */
function xmlSafe(value: string): string {
  return value.replace(NOT_XML, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 ? String.fromCharCode(0x2400 + code) : '\uFFFD';
  });
}

// One pass per value: a chain of replace() calls would scan every text five times.
const TEXT_SPECIAL = /[&<>\r]/g;
const ATTR_SPECIAL = /[&<>"\t\n\r]/g;
const REFERENCE: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };
const reference = (c: string): string => REFERENCE[c]!;

/**
 * Character data. CR is written as a reference, because a reader turns a literal CR (and
 * CRLF) into LF before it sees the text; `>` is escaped too, so "]]>" can never appear.
 */
function escapeText(value: string): string {
  return xmlSafe(value).replace(TEXT_SPECIAL, reference);
}

/**
 * An attribute value. Tab, LF and CR as references too: a reader replaces each literal one
 * with a space (attribute-value normalisation), and a name with a line break would lose it.
 */
function escapeAttribute(value: string): string {
  return xmlSafe(value).replace(ATTR_SPECIAL, reference);
}

/**
 * The builder writes all markup; these two only turn values into character data, which is
 * why the builder's own entity replacement is off (it would escape our references again,
 * and it leaves CR, tab and LF to be normalised away by the reader).
 */
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributesGroupName: ATTRS,
  attributeNamePrefix: '',
  textNodeName: '#text',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  // Otherwise isCodable="true" would be written as a bare attribute name, which XML forbids.
  suppressBooleanAttributes: false,
  processEntities: false,
  tagValueProcessor: (_name, value) => escapeText(String(value)),
  attributeValueProcessor: (_name, value) => escapeAttribute(String(value)),
  // Code trees may nest deeper than the builder's default of 100 levels.
  maxNestedTags: 10_000,
});

/** Attributes from a record, in its order; undefined values are left out. */
function attrs(values: Record<string, string | number | undefined>): XmlAttributes {
  const out: XmlAttributes = {};
  for (const k in values) {
    const v = values[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** An element with attributes and (optionally) children, for the builder. */
export function el(attributes: Record<string, string | number | undefined>, children?: Record<string, XmlElement | XmlElement[] | string | undefined>): XmlElement {
  return { [ATTRS]: attrs(attributes), ...children };
}

/** A whole XML document, UTF-8 declared, with `root` as its one top element. */
export function xmlDocument(rootName: string, root: XmlElement): string {
  return builder.build({ '?xml': { [ATTRS]: { version: '1.0', encoding: 'utf-8' } }, [rootName]: root }) as string;
}

/**
 * A GUID derived from a name: the same input always gives the same GUID, so a re-export of
 * an unchanged project is byte-identical (RFC 4122 name-based layout, version 5 bits).
 */
export function derivedGuid(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Elements as `xmlDocument` writes them inside `parents` (outermost first), indented for that
 * depth: a long list (a project's sources) written a piece at a time, byte for byte as in the
 * document built whole.
 */
export function xmlFragment(parents: readonly string[], tag: string, elements: XmlElement[]): string {
  let tree: XmlElement = { [tag]: elements };
  for (let i = parents.length - 1; i >= 0; i--) tree = { [parents[i]!]: tree };
  const built = builder.build(tree) as string;
  const open = parents.map((p, i) => `${'  '.repeat(i)}<${p}>\n`).join('');
  const close = parents.map((p, i) => `${'  '.repeat(i)}</${p}>\n`).reverse().join('');
  if (!built.startsWith(open) || !built.endsWith(close)) throw new Error(`xmlFragment: the builder wrote ${tag} inside ${parents.join('/')} otherwise than expected`);
  return built.slice(open.length, built.length - close.length);
}
