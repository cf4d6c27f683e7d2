/**
 * Reads CSV files back with the readers researchers use: pandas (C and Python engines),
 * base R `read.csv` and readr. One subprocess per language reads a whole batch of files, so
 * hundreds of files cost one interpreter start-up. Each returns every file as a table of
 * strings, header row first, exactly as the reader holds it.
 *
 * A missing reader is an error, never a skip: these tests are the proof that exports read
 * back, and CI installs both (Debian: python3-pandas, r-base-core, r-cran-readr).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

export type Table = string[][];
export type Delimiter = 'comma' | 'semicolon' | 'tab';
export const SEPARATOR: Record<Delimiter, string> = { comma: ',', semicolon: ';', tab: '\t' };

export interface FileToRead {
  path: string;
  delimiter: Delimiter;
}

/**
 * csv-parse in its strict mode: no relaxed quotes or column counts, so a record that a
 * writer split or mis-quoted is an error rather than a quietly different table. Any line
 * break outside quotes ends a record, as it does for pandas and R: told that records end
 * with CRLF only, csv-parse would take a bare LF as data and hide an unquoted one.
 */
export function readWithCsvParse(text: string, delimiter: Delimiter): Table {
  return parse(text, {
    bom: true,
    delimiter: SEPARATOR[delimiter],
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_quotes: false,
    relax_column_count: false,
    skip_empty_lines: false,
    trim: false,
  }) as Table;
}

/** Debian's python3 carries python3-pandas; a pyenv or venv python on PATH usually does not. */
function python(): string {
  return process.env.MARGINALIA_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

/** Runs a reader to the end; asynchronous, so pandas and R can read at the same time. */
function run(command: string, args: string[], what: string, install: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      // R and Python decode file names and console output by the locale; UTF-8 everywhere.
      env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', PYTHONIOENCODING: 'utf-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // A reader that hangs fails the test with its name rather than stalling it.
      timeout: 300_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new Error(`${what}: could not run ${command} (${e.message}). ${install}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else if (code === null) reject(new Error(`${what} was stopped (${child.signalCode}) after 300 s reading the batch.`));
      else reject(new Error(`${what} failed (exit ${code}): ${Buffer.concat(err).toString('utf8').slice(-3000)}\n${install}`));
    });
  });
}

const PANDAS = String.raw`
import json, sys
try:
    import pandas as pd
except ImportError as e:
    sys.stderr.write("pandas is not installed for " + sys.executable + ": " + str(e) + "\n")
    sys.exit(3)
files = json.load(open(sys.argv[1], encoding="utf-8"))
out = {}
for f in files:
    res = {}
    for engine in ("c", "python"):
        try:
            # What a researcher writes, plus: every cell as text, and no NA guessing, so
            # the comparison is of text ("NA", "", "1e5" stay what they are).
            d = pd.read_csv(f["path"], sep=f["sep"], dtype=str, keep_default_na=False, engine=engine)
            res[engine] = [list(map(str, d.columns))] + [list(r) for r in d.itertuples(index=False, name=None)]
        except Exception as e:
            res[engine] = {"error": type(e).__name__ + ": " + str(e)}
    out[f["path"]] = res
sys.stdout.write(json.dumps(out))
`;

/** pandas' two parsers: the C engine (the default) and the Python engine. */
export async function readWithPandas(files: FileToRead[], workDir: string): Promise<Map<string, { c: Table | { error: string }; python: Table | { error: string } }>> {
  const manifest = join(workDir, 'pandas-files.json');
  writeFileSync(manifest, JSON.stringify(files.map((f) => ({ path: f.path, sep: SEPARATOR[f.delimiter] }))));
  const script = join(workDir, 'read.py');
  writeFileSync(script, PANDAS);
  const stdout = await run(python(), [script, manifest], 'pandas', 'Install pandas for Debian\'s python3 (apt-get install python3-pandas) or set MARGINALIA_PYTHON to a python with pandas.');
  return new Map(Object.entries(JSON.parse(stdout) as Record<string, { c: Table | { error: string }; python: Table | { error: string } }>));
}

/**
 * R writes every table to a binary file as NUL-terminated strings (writeBin's format for
 * character vectors): path, reader, "ok", rows, columns, the header, then the cells column
 * by column; or path, reader, "error", the message. R strings cannot hold a NUL, so the
 * separator is unambiguous, nothing needs escaping, and writing a table is one vectorised
 * call (jsonlite is not needed either).
 */
const R_SCRIPT = String.raw`
args <- commandArgs(trailingOnly = TRUE)
if (!requireNamespace("readr", quietly = TRUE)) { message("the R package readr is not installed"); quit(status = 3) }
files <- read.delim(args[1], header = FALSE, colClasses = "character", quote = "", comment.char = "", col.names = c("path", "sep"))
out <- file(args[2], "wb")
emit <- function(path, reader, d) {
  cells <- unlist(lapply(d, as.character), use.names = FALSE)
  writeBin(enc2utf8(c(path, reader, "ok", nrow(d), ncol(d), names(d), if (is.null(cells)) character(0) else cells)), out)
}
fail <- function(path, reader, e) writeBin(enc2utf8(c(path, reader, "error", conditionMessage(e))), out)
for (i in seq_len(nrow(files))) {
  p <- files$path[i]
  s <- if (files$sep[i] == "tab") "	" else files$sep[i]
  tryCatch(emit(p, "read.csv", read.csv(p, sep = s, colClasses = "character", na.strings = character(0), check.names = FALSE,
                                        fileEncoding = "UTF-8-BOM", skipNul = TRUE)), error = function(e) fail(p, "read.csv", e))
  # num_threads = 1: the files are small, and starting readr's threads costs more than it saves.
  tryCatch(emit(p, "readr", suppressWarnings(readr::read_delim(p, delim = s, col_types = readr::cols(.default = readr::col_character()),
                                        na = character(), trim_ws = FALSE, progress = FALSE, name_repair = "minimal", lazy = FALSE,
                                        num_threads = 1))),
           error = function(e) fail(p, "readr", e))
}
close(out)
`;

type RTables = { 'read.csv': Table | { error: string }; readr: Table | { error: string } };

/** Base R's read.csv and readr's read_delim (read_csv for commas). */
export async function readWithR(files: FileToRead[], workDir: string): Promise<Map<string, RTables>> {
  const manifest = join(workDir, 'r-files.tsv');
  writeFileSync(manifest, files.map((f) => `${f.path}\t${f.delimiter === 'tab' ? 'tab' : SEPARATOR[f.delimiter]}\n`).join(''));
  const script = join(workDir, 'read.R');
  writeFileSync(script, R_SCRIPT);
  const output = join(workDir, 'r-tables.bin');
  await run(process.env.MARGINALIA_RSCRIPT ?? 'Rscript', ['--vanilla', script, manifest, output], 'R', 'Install R and readr (apt-get install r-base-core r-cran-readr), or set MARGINALIA_RSCRIPT to an Rscript that has readr.');
  const strings = readFileSync(output).toString('utf8').split('\u0000');
  const out = new Map<string, RTables>();
  let i = 0;
  while (i < strings.length - 1) {
    const path = strings[i++]!;
    const reader = strings[i++] as keyof RTables;
    const entry = out.get(path) ?? ({} as RTables);
    out.set(path, entry);
    if (strings[i++] === 'error') {
      entry[reader] = { error: strings[i++]! };
      continue;
    }
    const rows = Number(strings[i++]);
    const columns = Number(strings[i++]);
    const table: Table = [strings.slice(i, i + columns)];
    i += columns;
    for (let r = 0; r < rows; r++) table.push(Array.from({ length: columns }, (_, c) => strings[i + c * rows + r]!));
    i += rows * columns;
    entry[reader] = table;
  }
  return out;
}
