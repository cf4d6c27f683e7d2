import { MarginaliaError } from '../errors';

/** Only the parts of pdf.js this reader uses, so the ESM module can load lazily with types. */
interface TextItem {
  str: string;
  hasEOL: boolean;
}
interface PdfDocument {
  numPages: number;
  getPage(n: number): Promise<{ getTextContent(): Promise<{ items: (TextItem | object)[] }>; cleanup(): void }>;
  destroy(): Promise<void>;
}
interface PdfJs {
  getDocument(params: Record<string, unknown>): { promise: Promise<PdfDocument> };
}

let pdfjs: Promise<PdfJs> | null = null;

/** pdf.js ships as ES modules only; the legacy build is the one that runs in Node. */
function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs') as unknown as Promise<PdfJs>;
  return pdfjs;
}

/**
 * The text layer of a PDF: lines kept, each page a paragraph break apart. A PDF with no text
 * layer (a scan) is refused as needing OCR rather than imported empty.
 */
export async function pdfToText(bytes: Uint8Array, file: string): Promise<string> {
  const lib = await loadPdfJs();
  let doc: PdfDocument;
  try {
    doc = await lib.getDocument({
      // pdf.js takes ownership of (and detaches) the buffer it is given, so it gets a copy.
      data: new Uint8Array(bytes),
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      stopAtErrors: false,
      verbosity: 0,
    }).promise;
  } catch (err) {
    const e = err as Error;
    if (e.name === 'PasswordException') throw new MarginaliaError('unsupported', `${file}: the PDF is password-protected; remove the password and import it again.`);
    throw new MarginaliaError('invalid_input', `${file}: not a readable PDF (${e.message}); open it and save or print it to PDF again.`);
  }
  try {
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      let page: Awaited<ReturnType<PdfDocument['getPage']>>;
      let content: Awaited<ReturnType<typeof page.getTextContent>>;
      try {
        page = await doc.getPage(n);
        content = await page.getTextContent();
      } catch (err) {
        // A page tree that points to itself, a missing page object: the file is damaged, and
        // saying it needs OCR (what an empty text layer means) would send the user astray.
        throw new MarginaliaError(
          'invalid_input',
          `${file}: the PDF is damaged: page ${n} of ${doc.numPages} cannot be read (${(err as Error).message}); open it in a PDF viewer and save or print it to PDF again, then import that.`,
        );
      }
      let s = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        s += item.str;
        if (item.hasEOL) s += '\n';
      }
      page.cleanup();
      const lines = s
        .split('\n')
        .map((l) => l.replace(/\s+/g, ' ').trim())
        .filter(Boolean);
      if (lines.length) pages.push(lines.join('\n'));
    }
    if (pages.length === 0) {
      throw new MarginaliaError(
        'unsupported',
        `${file}: needs OCR: the PDF has no text layer (it is probably a scan); run it through OCR (for example ocrmypdf) and import the result.`,
      );
    }
    return pages.join('\n\n');
  } finally {
    await doc.destroy();
  }
}
