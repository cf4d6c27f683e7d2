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
 * Where a finished element goes instead of its parent: `local` is its name without prefix,
 * `ancestors` the open elements around it, outermost first. A value returned takes the
 * element's place in the tree (the caller keeps the element itself); undefined leaves it there.
 */
export type XmlDetach = (local: string, value: unknown, ancestors: ReadonlyArray<{ local: string; node: XmlNode }>) => unknown;

/**
 * Parses XML into XmlNodes with htmlparser2's tokenizer (a single fast pass; a 14 MB project
 * in about half a second), holding the text to XML's rules where a lenient reading could
 * import half a file: every element closed by its own end tag, no end tag without its
 * element, one root element, no text outside it, attributes quoted. Line ends become LF
 * first, as XML requires; `decode` turns references in text and attributes into characters.
 * Character data in CDATA sections is kept as written.
 */
export function parseXmlTree(xml: string, isArray: (name: string) => boolean, decode: (text: string) => string): XmlNode {
  const tree = new XmlTreeReader(xml, isArray, decode);
  tree.write(tree.source.length);
  return tree.finish();
}

/**
 * The same parse a piece at a time (`write` up to a position of `source`), so that a caller
 * can take large elements out of the tree as they close (`detach`) and deal with them
 * between pieces: the tree never holds them all at once.
 */
export class XmlTreeReader {
  /** The text parsed, line ends made LF. */
  readonly source: string;
  private readonly top: XmlNode = {};
  private readonly stack: Frame[] = [];
  private roots = 0;
  private closedByTag = 0;
  private hiddenCloses = 0;
  private inCdata = false;
  private failure: XmlSyntaxError | null = null;
  private written = 0;
  private readonly parser: Parser;

  constructor(
    xml: string,
    private readonly isArray: (name: string) => boolean,
    private readonly decode: (text: string) => string,
    private readonly detach?: XmlDetach,
  ) {
    this.source = xml.includes('\r') ? xml.replace(/\r\n?/g, '\n') : xml;
    const { source, stack } = this;
    const parser: Parser = new Parser(
      {
        onopentag: (name, attributes) => {
          if (this.failure) return;
          // After a processing instruction htmlparser2's start index can fall one short: start at the '<'.
          const raw = source.slice(source.indexOf('<', parser.startIndex), parser.endIndex + 1);
          if (!OPEN_TAG.test(raw)) return this.fail(parser.startIndex, `the tag <${name}> has an attribute that is not name="value"`);
          if (stack.length === 0 && this.roots++ > 0) return this.fail(parser.startIndex, `a second root element <${name}>`);
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
        ontext: (text) => {
          if (this.failure) return;
          const frame = stack[stack.length - 1];
          if (!frame) {
            if (text.trim()) this.fail(parser.startIndex, 'text outside the root element');
            return;
          }
          if (!this.inCdata) frame.pending += text;
          else {
            frame.text += decode(frame.pending) + text;
            frame.pending = '';
          }
        },
        oncdatastart: () => {
          this.inCdata = true;
        },
        oncdataend: () => {
          this.inCdata = false;
        },
        oncomment: (text) => {
          this.hiddenCloses += countCloses(text);
        },
        onclosetag: (name, isImplied) => {
          if (this.failure) return;
          const frame = stack.pop();
          if (!frame) return this.fail(parser.startIndex, `</${name}> closes no element`);
          if (isImplied && !frame.selfClosing) return this.fail(parser.startIndex, `<${frame.name}> is not closed`);
          if (!isImplied) this.closedByTag++;
          frame.text += decode(frame.pending);
          let value: unknown;
          if (!frame.hasAttributes && !frame.hasChildren) value = frame.text;
          else {
            value = frame.node;
            if (frame.hasChildren ? frame.text.trim() !== '' : frame.text !== '') frame.node['#text'] = frame.text;
          }
          const instead = this.detach?.(frame.local, value, stack);
          this.add(stack.length ? stack[stack.length - 1]!.node : this.top, frame.local, instead === undefined ? value : instead);
        },
      },
      { xmlMode: true, decodeEntities: false, recognizeCDATA: true },
    );
    this.parser = parser;
  }

  /** Parses the source up to `end` (a position in `source`). */
  write(end: number): void {
    if (end <= this.written) return;
    this.parser.write(this.source.slice(this.written, end));
    this.written = end;
  }

  /** Ends the parse and answers the tree, or throws the first XmlSyntaxError. */
  finish(): XmlNode {
    const { source } = this;
    this.write(source.length);
    this.parser.end();
    if (this.failure) throw this.failure;
    if (this.roots === 0) throw new XmlSyntaxError(1, 'no root element');
    // htmlparser2 passes over an end tag that closes nothing: every "</" outside comments and
    // CDATA must have been an element's end tag (XML allows "<" nowhere else).
    const closes = countCloses(source) - this.hiddenCloses - cdataCloses(source);
    if (closes !== this.closedByTag) throw new XmlSyntaxError(lineOfStrayClose(source), 'an end tag closes no open element');
    return this.top;
  }

  /** Whether the text so far already breaks a rule (the parse goes on, but the answer will be this error). */
  get failed(): boolean {
    return this.failure !== null;
  }

  private fail(at: number, reason: string): void {
    if (this.failure) return;
    let line = 1;
    const { source } = this;
    for (let i = source.indexOf('\n'); i >= 0 && i < at; i = source.indexOf('\n', i + 1)) line++;
    this.failure = new XmlSyntaxError(line, reason);
  }

  private add(parent: XmlNode, key: string, value: unknown): void {
    const had = parent[key];
    if (had === undefined) parent[key] = this.isArray(key) ? [value] : value;
    else if (Array.isArray(had)) had.push(value);
    else parent[key] = [had, value];
  }
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
