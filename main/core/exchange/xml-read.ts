import { Parser } from 'htmlparser2';

/**
 * An element as the REFI-QDA reader walks it: attributes as string properties (namespace
 * prefixes removed, xmlns declarations left out), child elements by local name (an array
 * for repeatable tags, else one value, an array when it repeats), and the text of an
 * element with neither attributes nor children as a bare string ('' when empty), else
 * under '#text'.
 */
export type XmlNode = Record<string, unknown>;

/** Why a text is not well-formed XML, and where. */
export class XmlSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

interface Frame {
  name: string;
  local: string;
  node: XmlNode;
  /** Character data so far, references decoded. */
  text: string;
  /** Character data not yet decoded: references may arrive split over several pieces. */
  pending: string;
  hasChildren: boolean;
  hasAttributes: boolean;
  selfClosing: boolean;
}

const localName = (name: string): string => name.slice(name.indexOf(':') + 1);
/** XML's attribute syntax in an opening tag: name="value" or name='value', nothing else. */
const OPEN_TAG = /^<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*\/?>$/;

/**
 * Parses XML into XmlNodes with htmlparser2's tokenizer (a single fast pass; a 14 MB project
 * in about half a second), holding the text to XML's rules where a lenient reading could
 * import half a file: every element closed by its own end tag, no end tag without its
 * element, one root element, no text outside it, attributes quoted. Line ends become LF
 * first, as XML requires; `decode` turns references in text and attributes into characters.
 * Character data in CDATA sections is kept as written.
 */
export function parseXmlTree(xml: string, isArray: (name: string) => boolean, decode: (text: string) => string): XmlNode {
  const source = xml.includes('\r') ? xml.replace(/\r\n?/g, '\n') : xml;
  const top: XmlNode = {};
  const stack: Frame[] = [];
  let roots = 0;
  let closedByTag = 0;
  let hiddenCloses = 0;
  let inCdata = false;
  let failure: XmlSyntaxError | null = null;
  const fail = (at: number, reason: string) => {
    if (failure) return;
    let line = 1;
    for (let i = source.indexOf('\n'); i >= 0 && i < at; i = source.indexOf('\n', i + 1)) line++;
    failure = new XmlSyntaxError(line, reason);
  };
  const add = (parent: XmlNode, key: string, value: unknown) => {
    const had = parent[key];
    if (had === undefined) parent[key] = isArray(key) ? [value] : value;
    else if (Array.isArray(had)) had.push(value);
    else parent[key] = [had, value];
  };

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (failure) return;
        // After a processing instruction htmlparser2's start index can fall one short: start at the '<'.
        const raw = source.slice(source.indexOf('<', parser.startIndex), parser.endIndex + 1);
        if (!OPEN_TAG.test(raw)) return fail(parser.startIndex, `the tag <${name}> has an attribute that is not name="value"`);
        if (stack.length === 0 && roots++ > 0) return fail(parser.startIndex, `a second root element <${name}>`);
        const node: XmlNode = {};
        let hasAttributes = false;
        for (const [k, v] of Object.entries(attributes)) {
          if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
          node[localName(k)] = decode(v);
          hasAttributes = true;
        }
        if (stack.length) stack[stack.length - 1]!.hasChildren = true;
        stack.push({ name, local: localName(name), node, text: '', pending: '', hasChildren: false, hasAttributes, selfClosing: raw.endsWith('/>') });
      },
      ontext(text) {
        if (failure) return;
        const frame = stack[stack.length - 1];
        if (!frame) {
          if (text.trim()) fail(parser.startIndex, 'text outside the root element');
          return;
        }
        if (!inCdata) frame.pending += text;
        else {
          frame.text += decode(frame.pending) + text;
          frame.pending = '';
        }
      },
      oncdatastart() {
        inCdata = true;
      },
      oncdataend() {
        inCdata = false;
      },
      oncomment(text) {
        hiddenCloses += countCloses(text);
      },
      onclosetag(name, isImplied) {
        if (failure) return;
        const frame = stack.pop();
        if (!frame) return fail(parser.startIndex, `</${name}> closes no element`);
        if (isImplied && !frame.selfClosing) return fail(parser.startIndex, `<${frame.name}> is not closed`);
        if (!isImplied) closedByTag++;
        frame.text += decode(frame.pending);
        let value: unknown;
        if (!frame.hasAttributes && !frame.hasChildren) value = frame.text;
        else {
          value = frame.node;
          if (frame.hasChildren ? frame.text.trim() !== '' : frame.text !== '') frame.node['#text'] = frame.text;
        }
        add(stack.length ? stack[stack.length - 1]!.node : top, frame.local, value);
      },
    },
    { xmlMode: true, decodeEntities: false, recognizeCDATA: true },
  );
  parser.write(source);
  parser.end();
  if (failure) throw failure;
  if (roots === 0) throw new XmlSyntaxError(1, 'no root element');
  // htmlparser2 passes over an end tag that closes nothing: every "</" outside comments and
  // CDATA must have been an element's end tag (XML allows "<" nowhere else).
  const closes = countCloses(source) - hiddenCloses - cdataCloses(source);
  if (closes !== closedByTag) throw new XmlSyntaxError(lineOfStrayClose(source), 'an end tag closes no open element');
  return top;
}

function countCloses(text: string): number {
  let n = 0;
  for (let i = text.indexOf('</'); i >= 0; i = text.indexOf('</', i + 2)) n++;
  return n;
}

function cdataCloses(xml: string): number {
  let n = 0;
  for (let i = xml.indexOf('<![CDATA['); i >= 0; i = xml.indexOf('<![CDATA[', i + 9)) {
    const end = xml.indexOf(']]>', i);
    n += countCloses(xml.slice(i, end < 0 ? xml.length : end));
  }
  return n;
}

/** The line of the first end tag whose name does not match the innermost open element (for the message). */
function lineOfStrayClose(xml: string): number {
  const open: string[] = [];
  const tag = /<(\/?)([^\s/>!?]+)[^>]*?(\/?)>/g;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    if (m[1]) {
      if (open.pop() !== m[2]) return xml.slice(0, m.index).split('\n').length;
    } else if (!m[3]) open.push(m[2]!);
  }
  return 1;
}
