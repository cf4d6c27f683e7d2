import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/project';

const run = runCli;

describe('marginalia command line', () => {
  it('builds the sample, codes a passage by path and lists it back as JSON', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, 's.marginalia');
      expect((await run('new', p, '--sample', '--coder', 'ana')).code).toBe(0);
      const docs = JSON.parse((await run('docs', p, '--json')).out) as { id: string; name: string; length: number; sha256: string; attributes: Record<string, string> }[];
      expect(docs).toHaveLength(5);
      const kar = docs.find((d) => d.attributes.author === 'Stephen Karganovic')!;
      expect(kar.attributes.outlet).toBe('Global Research');
      const codes = JSON.parse((await run('codes', p, '--json')).out) as { path: string; description: string }[];
      expect(codes.map((c) => c.path)).toContain('attribution/false-flag claim');
      expect(codes.find((c) => c.path === 'attribution')!.description).toMatch(/who caused/);

      expect((await run('add-code', p, 'rhetoric/dehumanising label', '--color', '#123456')).code).toBe(0);
      const coded = await run('code', p, '--doc', kar.id, '--start', '0', '--end', '4', '--code', 'Rhetoric/Dehumanising label', '--coder', 'ben', '--memo', 'why');
      expect(coded.code, coded.err).toBe(0);
      const segs = JSON.parse((await run('segments', p, '--code', 'rhetoric', '--subcodes', '--json')).out) as Record<string, unknown>[];
      expect(segs).toHaveLength(1);
      expect(segs[0]).toMatchObject({ document: kar.name, code: 'rhetoric/dehumanising label', coder: 'ben', start: 0, end: 4, text: 'Why ', memo: 'why' });
      expect(JSON.parse((await run('segments', p, '--coder', 'ana', '--json')).out)).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it('imports .txt and .md from a folder, reports duplicates and failures, and exits 1 when any failed', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, 'p.marginalia');
      await run('new', p);
      const src = join(dir, 'in');
      mkdirSync(join(src, 'sub'), { recursive: true });
      writeFileSync(join(src, 'a.txt'), 'Alpha text.');
      writeFileSync(join(src, 'sub', 'b.md'), '# Beta\n\nBeta text.');
      writeFileSync(join(src, 'sub', 'copy.txt'), 'Alpha text.');
      writeFileSync(join(src, 'empty.txt'), '   ');
      const r = await run('import', p, src);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/2 imported, 1 duplicates?, 1 failed/);
      expect(r.err).toMatch(/empty\.txt/);
      const text = await run('docs', p, '--json');
      expect((JSON.parse(text.out) as unknown[]).length).toBe(2);
    } finally {
      cleanup();
    }
  });

  it('exits 2 on a usage error and 1 with one line on stderr on a runtime error', async () => {
    const { dir, cleanup } = tempDir();
    try {
      expect((await run('frobnicate')).code).toBe(2);
      const usage = await run('code', join(dir, 'x.marginalia'), '--start', '1');
      expect(usage.code).toBe(2);
      const missing = await run('docs', join(dir, 'missing.marginalia'));
      expect(missing.code).toBe(1);
      expect(missing.err.split('\n')).toHaveLength(1);
      expect(missing.err).toMatch(/missing\.marginalia: no such file/);
    } finally {
      cleanup();
    }
  });
});

describe('names from other people’s files in the terminal', () => {
  it('are printed with control characters and bidi overrides escaped, and --json keeps their true value', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, 's.marginalia');
      expect((await run('new', p)).code).toBe(0);
      mkdirSync(join(dir, 'in'));
      const hostile = 'report\u001b[2J\u0007\rfake\u202Etxt.exe';
      writeFileSync(join(dir, 'in', `${hostile}.txt`), 'Text of a hostile file name.');
      const imported = await run('import', p, join(dir, 'in'));
      expect(imported.code, imported.err).toBe(0);
      const docs = await run('docs', p);
      for (const out of [imported.out, docs.out]) expect(out).not.toMatch(/[\u001b\u0007\r\u202E]/);
      expect(imported.out).toContain('report\\u001b[2J\\u0007\\u000dfake\\u202etxt.exe');
      // A table cell shows a carriage return escaped, like the other controls.
      expect(docs.out).toContain('report\\u001b[2J\\u0007\\u000dfake\\u202etxt.exe');
      const json = JSON.parse((await run('docs', p, '--json')).out) as { name: string }[];
      expect(json[0]!.name).toBe(hostile);
    } finally {
      cleanup();
    }
  });
});

describe('a refused coding', () => {
  it('leaves nothing behind: not even the new coder it named', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, 's.marginalia');
      expect((await run('new', p, '--sample', '--coder', 'ana')).code).toBe(0);
      const docs = JSON.parse((await run('docs', p, '--json')).out) as { id: string; length: number }[];
      const r = await run('code', p, '--doc', docs[0]!.id, '--start', '10', '--end', String(docs[0]!.length + 5), '--code', 'casualties', '--coder', 'newcomer');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/past the end/);
      const log = await run('segments', p, '--coder', 'newcomer', '--json');
      expect(log.err).toMatch(/No coder/);
    } finally {
      cleanup();
    }
  });
});
