import { stringify } from 'csv-stringify/sync';

export type Delimiter = 'comma' | 'semicolon' | 'tab';

export interface CsvOptions {
  delimiter?: Delimiter;
  /** Starts the file with a UTF-8 byte order mark, which Excel needs to read UTF-8. */
  excel?: boolean;
  /** Leaves cells that look like formulas as they are. */
  raw?: boolean;
}

export const DELIMITERS: Record<Delimiter, string> = { comma: ',', semicolon: ';', tab: '\t' };

export type Cell = string | number | null;

/**
 * A cell a spreadsheet would run as a formula (OWASP "CSV injection"): = + - @ tab or CR
 * at the start. Prefixing a quote makes Excel, LibreOffice and Sheets show it as text.
 * Numbers are left alone: a negative number is data, not a formula.
 */
export function neutralise(value: string): string {
  const c = value.charCodeAt(0);
  // = + - @ tab CR; a char-code test, as this runs on every text cell of every row.
  return c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13 ? `'${value}` : value;
}

/** Any CR or LF; not global, so csv-stringify's reuse of it across fields keeps no state. */
const LINE_BREAK = /[\r\n]/;

/**
 * The header row as written: column names get the same formula-safe treatment as text
 * cells, since a spreadsheet runs a header cell as readily as any other (an attribute named
 * =HYPERLINK(…) would otherwise be a live link in row 1).
 */
export function headerCells(columns: readonly string[], options: Pick<CsvOptions, 'raw'> = {}): string[] {
  return options.raw ? [...columns] : columns.map(neutralise);
}

/** Where CSV text goes: a file being written, or memory for a download or a zip entry. */
export interface Sink {
  write(chunk: string): void;
}

/** Collects everything written, for small outputs (previews, zip entries, API replies). */
export class StringSink implements Sink {
  private readonly parts: string[] = [];
  write(chunk: string): void {
    this.parts.push(chunk);
  }
  toString(): string {
    return this.parts.join('');
  }
}

/**
 * Writes rows as RFC 4180 CSV through csv-stringify. Rows are buffered and stringified in
 * batches: one call per row costs more than the quoting itself on 100,000 rows.
 */
export class CsvWriter {
  private batch: Cell[][] = [];
  private readonly separator: string;
  rows = 0;

  constructor(
    private readonly sink: Sink,
    private readonly options: CsvOptions = {},
  ) {
    this.separator = DELIMITERS[options.delimiter ?? 'comma'];
  }

  /** Writes the header row; returns the cells as written (neutralised unless raw). */
  header(columns: readonly string[]): string[] {
    if (this.options.excel) this.sink.write('\uFEFF');
    const cells = headerCells(columns, this.options);
    this.sink.write(this.stringify([cells]));
    return cells;
  }

  row(cells: Cell[]): void {
    if (!this.options.raw) {
      for (let i = 0; i < cells.length; i++) {
        const c = cells[i];
        if (typeof c === 'string' && c.length > 0) cells[i] = neutralise(c);
      }
    }
    this.batch.push(cells);
    this.rows++;
    if (this.batch.length >= 2000) this.flush();
  }

  flush(): void {
    if (this.batch.length === 0) return;
    this.sink.write(this.stringify(this.batch));
    this.batch = [];
  }

  private stringify(rows: Cell[][]): string {
    return stringify(rows, {
      delimiter: this.separator,
      // CRLF is what RFC 4180 prescribes; R, pandas, Stata and Excel all read it.
      record_delimiter: '\r\n',
      // RFC 4180 quotes a field holding CR or LF. Given an explicit record delimiter,
      // csv-stringify quotes only fields holding that whole delimiter, so a memo of two
      // lines ("a\nb") went out bare and every reader split its record in two.
      quoted_match: LINE_BREAK,
    });
  }
}
