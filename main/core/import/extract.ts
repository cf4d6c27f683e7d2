import { extname } from 'node:path';
import type { AttributeValue, VariableType } from '../documents/documents';
import { MarginaliaError } from '../errors';
import { decodeText } from './decode-text';
import { htmlToText } from './html-to-text';
import { MAX_DOCUMENT_CHARS, MAX_FILE_BYTES, documentTooLong, isZip, textCharsAtLeast, zipEntryNames } from './limits';
import { docxToText, odtToText } from './office-to-text';
import { pdfToText } from './pdf-to-text';
import { rtfToText } from './rtf-to-text';
import { csvDocuments, readTable, rowsToDocuments, spreadsheetFormatOf, type SpreadsheetFormat, type SpreadsheetMapping } from './spreadsheet';

export type DocumentFormat = 'txt' | 'md' | 'html' | 'docx' | 'odt' | 'rtf' | 'pdf';
export type Format = DocumentFormat | SpreadsheetFormat;

/** One file's bytes, from disk or sent by the renderer. */
export interface ImportSource {
  /** The name shown in reports: a path relative to what the user chose. Never used as a path. */
  name: string;
  bytes: Uint8Array;
  /** The file's content is in this temporary file instead (an upload the bridge stored); `bytes` is then empty and the sandbox worker reads the file. */
  path?: string;
  /** Set when the file could not even be read; it is then reported as failed. */
  error?: string;
}

/** What a file yields: one document, or for a spreadsheet one per row (or why a row cannot be one). */
export type Extracted =
  | {
      ok: true;
      row?: number;
      name: string;
      text: string;
      format: Format;
      encoding: string | null;
      attributes?: Record<string, AttributeValue>;
      attributeTypes?: Record<string, VariableType>;
    }
  | { ok: false; row?: number; reason: string };

const ZIP_KINDS: Record<string, string> = { '.docx': 'Word document (.docx)', '.odt': 'OpenDocument text (.odt)', '.xlsx': 'Excel workbook (.xlsx)' };

const BY_EXTENSION: Record<string, Format> = {
  '.txt': 'txt', '.text': 'txt', '.md': 'md', '.markdown': 'md', '.html': 'html', '.htm': 'html', '.xhtml': 'html', '.docx': 'docx',
  '.odt': 'odt', '.rtf': 'rtf', '.pdf': 'pdf',
};

/** The last part of a name, without folders (of either slash) or extension: a document name, never a path. */
export function stemOf(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? name;
  const ext = extname(base);
  return (ext ? base.slice(0, -ext.length) : base).trim() || base;
}

function startsWithAscii(bytes: Uint8Array, prefix: string): boolean {
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix.charCodeAt(i)) return false;
  return true;
}

/**
 * The format of a file, by its content first and its extension second: news databases often
 * save HTML as .doc, and a renamed .pdf is still a PDF.
 */
export function detectFormat(source: ImportSource): Format {
  const bytes = source.bytes;
  const ext = extname(source.name).toLowerCase();
  if (startsWithAscii(bytes, '%PDF-')) return 'pdf';
  if (startsWithAscii(bytes, '{\\rtf')) return 'rtf';
  if (isZip(bytes)) {
    const names = zipEntryNames(bytes, source.name, ZIP_KINDS[ext] ?? 'document archive');
    if (names.includes('word/document.xml')) return 'docx';
    if (names.includes('content.xml') && names.includes('mimetype')) return 'odt';
    if (names.some((n) => n.startsWith('xl/'))) return 'xlsx';
    if (ext === '.docx' || ext === '.odt' || ext === '.xlsx') return BY_EXTENSION[ext] ?? (ext.slice(1) as Format);
    throw new MarginaliaError('unsupported', `${source.name}: is a zip archive, not a document; unpack it and import the folder.`);
  }
  if (bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) {
    throw new MarginaliaError('unsupported', `${source.name}: is an old Word or Excel file (.doc/.xls); open it and save it as .docx or .xlsx, then import that.`);
  }
  const sheet = spreadsheetFormatOf(ext);
  if (sheet) return sheet;
  const known = BY_EXTENSION[ext];
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024)).replace(/^\uFEFF/, '').trimStart().toLowerCase();
  if (known !== 'md' && (head.startsWith('<!doctype html') || head.startsWith('<html') || (known === undefined && /^<(head|body|meta|title)\b/.test(head)))) return 'html';
  if (known) return known;
  throw new MarginaliaError(
    'unsupported',
    `${source.name}: ${ext ? `${ext} files are` : 'a file without an extension is'} not a format Marginalia imports; use .txt, .md, .html, .docx, .odt, .rtf, .pdf, or a .csv/.tsv/.xlsx/.jsonl of articles.`,
  );
}

/** Reads one file into the documents it holds. Throws, with the file named, when it holds none. */
export async function extractDocuments(source: ImportSource, mapping?: SpreadsheetMapping): Promise<Extracted[]> {
  const file = source.name;
  if (source.error) throw new MarginaliaError('io', `${file}: ${source.error}`);
  if (source.bytes.length > MAX_FILE_BYTES) {
    throw new MarginaliaError('too_large', `${file}: is ${Math.round(source.bytes.length / 1024 / 1024)} MB, larger than the ${MAX_FILE_BYTES / 1024 / 1024} MB a file may have; split it.`);
  }
  if (source.bytes.length === 0) throw new MarginaliaError('invalid_input', `${file}: the file is empty.`);
  const format = detectFormat(source);
  const stem = stemOf(file);
  const one = (text: string, encoding: string | null = null, name = stem): Extracted[] => {
    if (text.length > MAX_DOCUMENT_CHARS) throw documentTooLong(file, text.length);
    if (!text.trim()) throw new MarginaliaError('invalid_input', `${file}: has no text in it.`);
    return [{ ok: true, name, text, format, encoding }];
  };
  switch (format) {
    case 'txt':
    case 'md': {
      const atLeast = textCharsAtLeast(source.bytes);
      if (atLeast > MAX_DOCUMENT_CHARS) throw documentTooLong(file, atLeast);
      const { text, encoding } = decodeText(source.bytes, file);
      return one(text, encoding);
    }
    case 'html': {
      const { text: html, encoding } = decodeText(source.bytes, file);
      const page = htmlToText(html);
      return one(page.text, encoding, page.title ?? stem);
    }
    case 'docx':
      return one(await docxToText(source.bytes, file));
    case 'odt':
      return one(odtToText(source.bytes, file));
    case 'rtf': {
      const doc = rtfToText(source.bytes, file);
      return one(doc.text, null, doc.title ?? stem);
    }
    case 'pdf':
      return one(await pdfToText(source.bytes, file));
    case 'csv':
    case 'tsv':
    case 'xlsx':
    case 'jsonl': {
      const table = await readTable(source.bytes, file, format);
      const rows = rowsToDocuments(table, file, stem, mapping);
      if (rows.length === 0) throw new MarginaliaError('invalid_input', `${file}: has a header row but no articles below it.`);
      return rows.map((r) =>
        r.ok
          ? { ok: true, row: r.row, name: r.name, text: r.text, format, encoding: table.encoding, attributes: r.attributes, attributeTypes: r.attributeTypes }
          : { ok: false, row: r.row, reason: r.reason },
      );
    }
  }
}

/**
 * What a file yields, in batches: a CSV or TSV of articles a few hundred rows at a time (so
 * a file of a million rows is never all in memory), any other file in one batch.
 */
export async function* extractBatches(source: ImportSource, mapping?: SpreadsheetMapping): AsyncGenerator<Extracted[]> {
  const format = !source.error && source.bytes.length > 0 && source.bytes.length <= MAX_FILE_BYTES ? detectFormat(source) : null;
  if (format !== 'csv' && format !== 'tsv') {
    yield await extractDocuments(source, mapping);
    return;
  }
  for await (const { encoding, rows } of csvDocuments(source.bytes, source.name, format, stemOf(source.name), mapping)) {
    yield rows.map((r) =>
      r.ok && r.text.length > MAX_DOCUMENT_CHARS
        ? { ok: false, row: r.row, reason: documentTooLong(`row ${r.row}`, r.text.length).message }
        : r.ok
        ? { ok: true, row: r.row, name: r.name, text: r.text, format, encoding, attributes: r.attributes, attributeTypes: r.attributeTypes }
        : { ok: false, row: r.row, reason: r.reason },
    );
  }
}
