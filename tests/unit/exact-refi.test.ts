import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { main } from '../../main/cli/index';
import { tempDir } from '../helpers/project';

const REFI = join(__dirname, '../../../shared/refi-qda');
const SCHEMA = { qde: join(REFI, 'Project-mrt2019.xsd'), qdc: join(REFI, 'Codebook-mrt2019.xsd') };

/** Runs the command line in-process, capturing what it prints. */
async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function hasXmllint(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Validates files against one schema in a single xmllint run (one process for many files is
 * what keeps the property test fast). Returns xmllint's complaints, '' when all are valid.
 * Without xmllint the test fails: a silent skip would pass every broken export.
 */
function xmllint(schema: string, paths: string[]): string {
  if (!hasXmllint()) throw new Error('xmllint is not installed; install libxml2-utils (apt-get install libxml2-utils) to validate REFI-QDA exports against the schemas.');
  try {
    execFileSync('xmllint', ['--noout', '--schema', schema, ...paths], { stdio: 'pipe' });
    return '';
  } catch (err) {
    return String((err as { stderr?: Buffer }).stderr ?? err);
  }
}

describe('REFI-QDA export of a code whose last subcode has no description (the reported case)', () => {
  it('writes a well-formed, valid .qdc and .qdpx that Marginalia reads back', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const p = join(dir, 'p.marginalia');
      expect((await run('new', p, '--coder', 'ana')).code).toBe(0);
      expect((await run('add-code', p, 'parent/child')).code).toBe(0);
      const qdc = join(dir, 'codebook.qdc');
      const qdpx = join(dir, 'project.qdpx');
      expect((await run('export', p, '--format', 'qdc', '--out', qdc)).code).toBe(0);
      expect((await run('export', p, '--format', 'qdpx', '--out', qdpx)).code).toBe(0);

      const xml = readFileSync(qdc, 'utf8');
      expect(xml).not.toContain('//>');
      expect(xmllint(SCHEMA.qdc, [qdc])).toBe('');
      const qde = join(dir, 'project.qde');
      writeFileSync(qde, unzipSync(readFileSync(qdpx))['project.qde']!);
      expect(xmllint(SCHEMA.qde, [qde])).toBe('');
      expect(strFromU8(readFileSync(qde))).not.toContain('//>');

      for (const file of [qdc, qdpx]) {
        const q = join(dir, `back-${file.endsWith('qdc') ? 'qdc' : 'qdpx'}.marginalia`);
        expect((await run('new', q, '--coder', 'ana')).code).toBe(0);
        const imported = await run('import', q, file, '--coder', 'ana');
        expect(imported.code, imported.err).toBe(0);
        const codes = JSON.parse((await run('codes', q, '--json')).out) as { path: string }[];
        expect(codes.map((c) => c.path)).toEqual(['parent', 'parent/child']);
      }
    } finally {
      cleanup();
    }
  });
});
