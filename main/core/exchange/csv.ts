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

/** Characters past which text written to a sink at once: large enough that writes are few, small enough to stay out of the large-object heap. */
const CHUNK = 1 << 16;

/**
 * Writes rows as RFC 4180 CSV: cells separated by the delimiter, records ended by CRLF (what
 * RFC 4180 prescribes; R, pandas, Stata and Excel all read it), and a cell quoted when it holds
 * the delimiter, a double quote (doubled inside), CR or LF; nothing else is quoted. Numbers are
 * written as JavaScript prints them, null and '' as nothing.
 *
 * These are csv-stringify's rules with the options this writer gave it (record_delimiter CRLF,
 * quoted_match /[\r\n]/ so that a memo of two lines is quoted too). It wrote every export until
 * its per-cell work (a tuple and an options copy per cell) and the garbage it left took most of
 * a million-row export's time; tests/unit/csv-writer.test.ts checks that this writes the same
 * bytes as csv-stringify for any cells, delimiter and raw setting.
 */
export class CsvWriter {
  private readonly separator: string;
  /** A cell holding any of these is quoted. */
  private readonly needsQuotes: RegExp;
  private pending = '';
  rows = 0;

  constructor(
    private readonly sink: Sink,
    private readonly options: CsvOptions = {},
  ) {
    this.separator = DELIMITERS[options.delimiter ?? 'comma'];
    this.needsQuotes = { comma: /[",\r\n]/, semicolon: /[";\r\n]/, tab: /["\t\r\n]/ }[options.delimiter ?? 'comma'];
  }

  /** Writes the header row; returns the cells as written (neutralised unless raw). */
  header(columns: readonly string[]): string[] {
    if (this.options.excel) this.sink.write('\uFEFF');
    const cells = headerCells(columns, this.options);
    this.pending += this.line(cells, false);
    this.flush();
    return cells;
  }

  /** The header row of very many columns, `nameAt(0)` to `nameAt(count - 1)`, as header() writes it but a piece at a time (see longRow). */
  longHeader(count: number, nameAt: (i: number) => string): void {
    if (this.options.excel) this.sink.write('\uFEFF');
    this.pieces(count, (i) => {
      const name = nameAt(i);
      return this.cell(this.options.raw ? name : neutralise(name), false);
    });
    this.flush();
  }

  row(cells: readonly Cell[]): void {
    this.pending += this.line(cells, !this.options.raw);
    this.rows++;
    if (this.pending.length >= CHUNK) this.flush();
  }

  /**
   * One row of very many cells (a crosstab by document has 300,000 columns), `cellAt(0)` to
   * `cellAt(count - 1)`, with the bytes row() writes, handed to the sink a piece at a time:
   * as one string its hundreds of thousands of pieces outlived the young generation and piled
   * up as old garbage (130 MB while a crosstab's CSV of 300,000 columns was written).
   */
  longRow(count: number, cellAt: (i: number) => Cell): void {
    const neutralising = !this.options.raw;
    this.pieces(count, (i) => this.cell(cellAt(i), neutralising));
    this.rows++;
    if (this.pending.length >= CHUNK) this.flush();
  }

  /** A record of `count` cells as written, CRLF included, handed to the sink whenever a chunk has gathered. */
  private pieces(count: number, textAt: (i: number) => string): void {
    let out = '';
    for (let i = 0; i < count; i++) {
      if (i > 0) out += this.separator;
      out += textAt(i);
      if (out.length >= CHUNK) {
        this.pending += out;
        out = '';
        this.flush();
      }
    }
    this.pending += `${out}\r\n`;
  }

  flush(): void {
    if (this.pending.length === 0) return;
    this.sink.write(this.pending);
    this.pending = '';
  }

  /** One record, CRLF included; text cells neutralised when `neutralising`. */
  private line(cells: readonly Cell[], neutralising: boolean): string {
    let out = '';
    // The cell() rules written out here: this runs on every cell of a million-row export, and a call per cell cost it a tenth.
    for (let i = 0; i < cells.length; i++) {
      if (i > 0) out += this.separator;
      const c = cells[i];
      if (typeof c === 'string') {
        if (c.length === 0) continue;
        const v = neutralising ? neutralise(c) : c;
        out += this.needsQuotes.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
      } else if (typeof c === 'number') out += String(c);
    }
    return `${out}\r\n`;
  }

  /** One cell as written (as line() writes it; tests/unit/csv-writer.test.ts checks they agree): text quoted when it must be (and neutralised when `neutralising`), a number as JavaScript prints it, null as nothing. */
  private cell(c: Cell | undefined, neutralising: boolean): string {
    if (typeof c === 'string') {
      if (c.length === 0) return '';
      const v = neutralising ? neutralise(c) : c;
      return this.needsQuotes.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
    }
    return typeof c === 'number' ? String(c) : '';
  }
}
