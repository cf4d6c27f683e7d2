import { Parser } from 'htmlparser2';

/** Elements whose content is never part of the readable text. */
const DROPPED = new Set(['script', 'style', 'noscript', 'template', 'nav', 'svg', 'math', 'iframe', 'object', 'embed', 'canvas', 'select', 'button', 'head']);
/** Elements that start and end a paragraph. */
const BLOCKS = new Set([
  'p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'blockquote', 'pre', 'article', 'section',
  'header', 'footer', 'main', 'aside', 'figure', 'figcaption', 'table', 'tr', 'address', 'hr', 'form', 'fieldset', 'details', 'summary', 'body', 'html',
]);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);

export interface HtmlText {
  /** The page title, when it has one. */
  title: string | null;
  /** Readable text: paragraphs separated by a blank line, <br> as a line break. */
  text: string;
}

/**
 * Reduces an HTML page to its readable text. Only the parser's text and tag events are used:
 * nothing in the page (scripts, styles, links, images) is ever run or fetched.
 */
export function htmlToText(html: string): HtmlText {
  const paragraphs: string[] = [];
  let current = '';
  let title: string | null = null;
  let titleText = '';
  let inTitle = false;
  /** Depth inside dropped elements; text there is ignored. */
  let dropped = 0;
  let pre = 0;
  const stack: string[] = [];

  const endParagraph = () => {
    const p = current.replace(/[ \t]*\n[ \t]*/g, '\n').replace(/^\n+|\n+$/g, '').trim();
    if (p) paragraphs.push(p);
    current = '';
  };

  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (!VOID.has(name)) stack.push(name);
        if (name === 'title' && dropped <= 1) inTitle = true;
        const hidden = attrs.role === 'navigation' || attrs.hidden !== undefined || attrs['aria-hidden'] === 'true';
        if (DROPPED.has(name) || (hidden && !VOID.has(name))) {
          if (!VOID.has(name)) dropped++;
          // A tag counted here is uncounted in onclosetag by the same test.
          stack[stack.length - 1] = `!${name}`;
          return;
        }
        if (dropped > 0) return;
        if (name === 'br') current += '\n';
        else if (name === 'pre') pre++;
        else if (name === 'td' || name === 'th') current += current && !current.endsWith('\n') ? '\t' : '';
        if (BLOCKS.has(name)) endParagraph();
      },
      ontext(data) {
        if (inTitle) {
          titleText += data;
          return;
        }
        if (dropped > 0) return;
        if (pre > 0) {
          current += data;
          return;
        }
        const collapsed = data.replace(/[ \t\r\n\f]+/g, ' ');
        current += current === '' || current.endsWith('\n') || current.endsWith(' ') ? collapsed.replace(/^ /, '') : collapsed;
      },
      onclosetag(name, isImplied) {
        void isImplied;
        if (VOID.has(name)) return;
        // Pop to the matching open tag: htmlparser2 closes implied tags itself, so the
        // stack only ever holds what is open.
        const top = stack.pop();
        if (name === 'title' && inTitle) {
          inTitle = false;
          const t = titleText.replace(/\s+/g, ' ').trim();
          if (t && title === null) title = t;
        }
        if (top?.startsWith('!')) {
          dropped = Math.max(0, dropped - 1);
          return;
        }
        if (dropped > 0) return;
        if (name === 'pre') pre = Math.max(0, pre - 1);
        if (BLOCKS.has(name)) endParagraph();
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  endParagraph();
  return { title, text: paragraphs.join('\n\n') };
}
