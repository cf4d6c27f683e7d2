import { createHash } from 'node:crypto';

// XML 1.0 cannot carry these at all, escaped or not; they become U+FFFD.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text content. CR is written as a reference so a reader's newline normalisation keeps it. */
export function xmlText(value: string): string {
  return value.replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Escapes an attribute value, including whitespace a reader would otherwise normalise to spaces. */
export function xmlAttr(value: string): string {
  return xmlText(value).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}

/** Attributes from a record; undefined and null values are left out. */
export function attrs(values: Record<string, string | number | boolean | null | undefined>): string {
  let out = '';
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== null) out += ` ${k}="${xmlAttr(String(v))}"`;
  return out;
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
