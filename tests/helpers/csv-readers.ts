/**
 * Reads CSV files back with the readers researchers use: pandas (C and Python engines),
 * base R `read.csv` and readr. One subprocess per language reads a whole batch of files, so
 * hundreds of files cost one interpreter start-up. Each returns every file as a table of
 * strings, header row first, exactly as the reader holds it.
 *
 * A missing reader is an error, never a skip: these tests are the proof that exports read
 * back, and CI installs both (Debian: python3-pandas, r-base-core, r-cran-readr).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
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
 * writer split or mis-quoted is an error rather than a quietly different table.
 */
export function readWithCsvParse(text: string, delimiter: Delimiter): Table {
  return parse(text, {
    bom: true,
    delimiter: SEPARATOR[delimiter],
    record_delimiter: ['\r\n'],
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

function run(command: string, args: string[], what: string, install: string): string {
  const r = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    timeout: 300_000,
    // R and Python decode file names and console output by the locale; UTF-8 everywhere.
    env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', PYTHONIOENCODING: 'utf-8' },
  });
  if (r.error) throw new Error(`${what}: could not run ${command} (${r.error.message}). ${install}`);
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${r.stderr.slice(-3000)}\n${install}`);
  return r.stdout;
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
export function readWithPandas(files: FileToRead[], workDir: string): Map<string, { c: Table | { error: string }; python: Table | { error: string } }> {
  const manifest = join(workDir, 'pandas-files.json');
  writeFileSync(manifest, JSON.stringify(files.map((f) => ({ path: f.path, sep: SEPARATOR[f.delimiter] }))));
  const script = join(workDir, 'read.py');
  writeFileSync(script, PANDAS);
  const stdout = run(python(), [script, manifest], 'pandas', 'Install pandas for Debian\'s python3 (apt-get install python3-pandas) or set MARGINALIA_PYTHON to a python with pandas.');
  return new Map(Object.entries(JSON.parse(stdout) as Record<string, { c: Table | { error: string }; python: Table | { error: string } }>));
}

/**
 * R prints every cell as hex of its UTF-8 bytes: no quoting or escaping of its own to get
 * wrong, and jsonlite is not needed.
 */
const R_SCRIPT = String.raw`
args <- commandArgs(trailingOnly = TRUE)
if (!requireNamespace("readr", quietly = TRUE)) { message("the R package readr is not installed"); quit(status = 3) }
files <- read.delim(args[1], header = FALSE, colClasses = "character", quote = "", comment.char = "", col.names = c("path", "sep"))
hex <- function(v) vapply(v, function(x) paste(as.character(charToRaw(enc2utf8(x))), collapse = ""), "", USE.NAMES = FALSE)
emit <- function(path, reader, d) {
  force(d)
  cat("F\t", path, "\t", reader, "\n", sep = "")
  cat("R\t", paste(hex(names(d)), collapse = "\t"), "\n", sep = "")
  if (nrow(d) > 0) {
    cols <- lapply(as.list(d), function(col) hex(as.character(col)))
    cat(paste0("R\t", do.call(paste, c(cols, sep = "\t"))), sep = "\n")
    cat("\n")
  }
}
fail <- function(path, reader, e) cat("F\t", path, "\t", reader, "\nE\t", gsub("[\r\n\t]", " ", conditionMessage(e)), "\n", sep = "")
for (i in seq_len(nrow(files))) {
  p <- files$path[i]
  s <- if (files$sep[i] == "tab") "\t" else files$sep[i]
  tryCatch(emit(p, "read.csv", read.csv(p, sep = s, colClasses = "character", na.strings = character(0), check.names = FALSE,
                                        fileEncoding = "UTF-8-BOM", skipNul = TRUE)), error = function(e) fail(p, "read.csv", e))
  tryCatch(emit(p, "readr", suppressWarnings(readr::read_delim(p, delim = s, col_types = readr::cols(.default = readr::col_character()),
                                        na = character(), trim_ws = FALSE, progress = FALSE, name_repair = "minimal", lazy = FALSE))),
           error = function(e) fail(p, "readr", e))
}
`;

const unhex = (h: string) => Buffer.from(h, 'hex').toString('utf8');

/** Base R's read.csv and readr's read_delim (read_csv for commas). */
export function readWithR(files: FileToRead[], workDir: string): Map<string, { 'read.csv': Table | { error: string }; readr: Table | { error: string } }> {
  const manifest = join(workDir, 'r-files.tsv');
  writeFileSync(manifest, files.map((f) => `${f.path}\t${f.delimiter === 'tab' ? 'tab' : SEPARATOR[f.delimiter]}\n`).join(''));
  const script = join(workDir, 'read.R');
  writeFileSync(script, R_SCRIPT);
  const stdout = run('Rscript', ['--vanilla', script, manifest], 'R', 'Install R and readr (apt-get install r-base-core r-cran-readr).');
  const out = new Map<string, { 'read.csv': Table | { error: string }; readr: Table | { error: string } }>();
  let current: Table | { error: string } | null = null;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('F\t')) {
      const [, path, reader] = line.split('\t') as [string, string, 'read.csv' | 'readr'];
      current = [];
      const entry = out.get(path) ?? ({} as { 'read.csv': Table | { error: string }; readr: Table | { error: string } });
      entry[reader] = current;
      out.set(path, entry);
    } else if (line.startsWith('E\t') && current) {
      const entry = [...out.values()].find((e) => e['read.csv'] === current || e.readr === current)!;
      const error = { error: line.slice(2) };
      if (entry['read.csv'] === current) entry['read.csv'] = error;
      else entry.readr = error;
      current = error;
    } else if (line.startsWith('R\t') && Array.isArray(current)) {
      current.push(line.slice(2).split('\t').map(unhex));
    }
  }
  return out;
}
