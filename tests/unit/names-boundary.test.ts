import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/project';
import { hasActingCharacters, safeName, splitName, terminalSafe } from '../../main/api/contract/safe-text';

/** Anything a terminal would act on rather than show, and the bidi controls that disguise a name. */
const ACTING = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

describe('safe text: one rule for the terminal and the app', () => {
  it('writes every acting character as \\uXXXX in a name, a line break and a tab included', () => {
    expect(safeName('a\u001b[31mb\u0007c\rd\ne\tf\u202Eg\u2066h\u0085i')).toBe('a\\u001b[31mb\\u0007c\\u000dd\\u000ae\\u0009f\\u202eg\\u2066h\\u0085i');
    // A whole line keeps its own line breaks and tabs (a usage text, a JSON document).
    expect(terminalSafe('one\n\ttwo\u001b')).toBe('one\n\ttwo\\u001b');
  });

  it('leaves ordinary names alone, other scripts and joiners included', () => {
    for (const name of ['Reuters 2024-03-01', 'Тарас', 'مقال', 'דו"ח', '記事', 'emoji 👩‍🔬', 'ZWNJ می‌خواهم']) {
      expect(safeName(name)).toBe(name);
      expect(hasActingCharacters(name)).toBe(false);
      expect(splitName(name)).toEqual([{ text: name }]);
    }
  });

  it('cuts a name into text and marked characters, each with its code point and what it is', () => {
    expect(splitName('report\u202Etxt.exe')).toEqual([
      { text: 'report' },
      { char: '\u202E', label: 'U+202E', description: 'right-to-left override' },
      { text: 'txt.exe' },
    ]);
    expect(splitName('\u001b\n')).toEqual([
      { char: '\u001b', label: 'U+001B', description: 'escape' },
      { char: '\n', label: 'U+000A', description: 'line feed' },
    ]);
    expect(hasActingCharacters('a\u0007')).toBe(true);
  });
});

describe('hostile names on the command line', () => {
  it('are printed escaped by import, docs, codes, segments, log and undo; each stays on its own line; --json keeps the true names', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, 'h.marginalia');
      expect((await runCli('new', p)).code).toBe(0);
      mkdirSync(join(dir, 'in'));
      const file = 'two\nlines\u001b]0;owned\u0007\u202Efdp.exe';
      writeFileSync(join(dir, 'in', `${file}.txt`), 'Text of a hostile file name.');
      const coder = 'ev\u202Eil\tcoder\r';
      const code = 'clean\u001b[2Jcode';

      const imported = await runCli('import', p, join(dir, 'in'), '--coder', coder);
      expect(imported.code, imported.err).toBe(0);
      const added = await runCli('add-code', p, code);
      expect(added.code, added.err).toBe(0);
      const docs = JSON.parse((await runCli('docs', p, '--json')).out) as { id: string; name: string }[];
      expect(docs.map((d) => d.name)).toEqual([file]);
      const coded = await runCli('code', p, '--doc', docs[0]!.id, '--start', '0', '--end', '4', '--code', code, '--coder', coder);
      expect(coded.code, coded.err).toBe(0);

      const printed = {
        import: imported.out,
        docs: (await runCli('docs', p)).out,
        codes: (await runCli('codes', p)).out,
        code: coded.out,
        segments: (await runCli('segments', p)).out,
        log: (await runCli('log', p)).out,
        undo: (await runCli('undo', p)).out,
      };
      for (const [command, out] of Object.entries(printed)) {
        expect(out, command).not.toMatch(ACTING);
      }
      const escapedFile = 'two\\u000alines\\u001b]0;owned\\u0007\\u202efdp.exe';
      // One line per file: the file's line feed does not split it.
      expect(printed.import.split('\n').filter((l) => l.includes('lines'))).toEqual([expect.stringContaining(escapedFile)]);
      expect(printed.docs.split('\n')).toHaveLength(2);
      expect(printed.docs).toContain(escapedFile);
      expect(printed.codes).toContain('clean\\u001b[2Jcode');
      expect(printed.code).toContain(escapedFile);
      expect(printed.segments).toContain('ev\\u202eil\\u0009coder');
      expect(printed.segments.split('\n')).toHaveLength(2);
      expect(printed.undo).toContain('clean\\u001b[2Jcode');

      const segments = JSON.parse((await runCli('segments', p, '--json')).out) as unknown[];
      expect(segments).toEqual([]);
      // --json is for programs: the stored names come back exactly.
      const codes = JSON.parse((await runCli('codes', p, '--json')).out) as { path: string }[];
      expect(codes.map((c) => c.path)).toContain(code);
    } finally {
      cleanup();
    }
  });

  it('in an error message are escaped too', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, 'e.marginalia');
      expect((await runCli('new', p)).code).toBe(0);
      const r = await runCli('text', p, 'no such\u001b[2J\u202Edoc');
      expect(r.code).toBe(1);
      expect(r.err).toContain('no such\\u001b[2J\\u202edoc');
      expect(r.err).not.toMatch(ACTING);
    } finally {
      cleanup();
    }
  });
});
