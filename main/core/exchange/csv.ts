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

  header(columns: readonly string[]): void {
    if (this.options.excel) this.sink.write('\uFEFF');
    this.sink.write(this.stringify([[...columns]]));
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
    // CRLF is what RFC 4180 prescribes; R, pandas, Stata and Excel all read it.
    return stringify(rows, { delimiter: this.separator, record_delimiter: '\r\n' });
  }
}
