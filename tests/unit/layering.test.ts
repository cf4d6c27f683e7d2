import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The rooms of ARCHITECTURE.md §2, checked on the source text:
 * - main/core never imports `electron` (in any form: import, import type, export from,
 *   require, dynamic import, import = require), nor the Electron shell;
 * - renderer/ takes nothing from main/ but types (`import type` / `export type`);
 * - the sandboxed preload requires nothing but `electron` (it cannot load our modules).
 */

const ROOT = resolve(__dirname, '../..');
const SOURCE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

export interface ModuleRef {
  specifier: string;
  /** Erased at compile time: `import type …` or `export type … from`. */
  typeOnly: boolean;
  /** How it was written, for the failure message. */
  form: 'import' | 'export-from' | 'side-effect' | 'require' | 'dynamic-import';
  line: number;
}

/** Removes comments, keeping strings and line breaks (so line numbers stay right). */
export function stripComments(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      i += 2;
      while (i < src.length && !(src[i] === '*' && src[i + 1] === '/')) {
        if (src[i] === '\n') out += '\n';
        i++;
      }
      i += 2;
    } else if (c === '"' || c === "'" || c === '`') {
      const quote = c;
      out += c;
      i++;
      while (i < src.length && src[i] !== quote) {
        if (src[i] === '\\') {
          out += src[i]!;
          i++;
        }
        if (i < src.length) out += src[i]!;
        i++;
      }
      if (i < src.length) out += src[i]!;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Every module a source file refers to, however it is written. */
export function moduleRefs(source: string): ModuleRef[] {
  const src = stripComments(source);
  const lineAt = (index: number) => src.slice(0, index).split('\n').length;
  const refs: ModuleRef[] = [];
  // import … from '…' / export … from '…' (a clause never crosses another import/export keyword).
  const fromRe = /\b(import|export)(\s+(?:(?!\b(?:import|export)\b)[^;])*?)\s*\bfrom\s*(['"])([^'"\n]+)\3/g;
  for (const m of src.matchAll(fromRe)) {
    const clause = m[2]!.trim();
    refs.push({
      specifier: m[4]!,
      typeOnly: /^type\s+[{*\w]/.test(clause) && !/^type\s*,/.test(clause),
      form: m[1] === 'import' ? 'import' : 'export-from',
      line: lineAt(m.index),
    });
  }
  // import '…' (side effects only)
  for (const m of src.matchAll(/\bimport\s*(['"])([^'"\n]+)\1/g)) {
    refs.push({ specifier: m[2]!, typeOnly: false, form: 'side-effect', line: lineAt(m.index) });
  }
  // require('…'), import x = require('…'), import('…')
  for (const m of src.matchAll(/\b(require|import)\s*\(\s*(['"`])([^'"`\n]+)\2\s*[,)]/g)) {
    refs.push({ specifier: m[3]!, typeOnly: false, form: m[1] === 'require' ? 'require' : 'dynamic-import', line: lineAt(m.index) });
  }
  return refs;
}

export function isElectron(specifier: string): boolean {
  return specifier === 'electron' || specifier.startsWith('electron/') || specifier === 'node:electron';
}

/** True when `specifier`, written in `file`, names something under `<root>/<folder>/`. */
export function resolvesInto(file: string, specifier: string, folder: string, root = ROOT): boolean {
  const target = resolve(root, folder);
  if (specifier.startsWith('.')) {
    const r = relative(target, resolve(dirname(file), specifier));
    return r === '' || (!r.startsWith('..') && !r.startsWith(sep) && !/^[a-z]:/i.test(r));
  }
  // Path aliases and root-relative spellings a bundler could resolve.
  return new RegExp(`^(?:/|@/|~/|@)?${folder}(?:/|$)`).test(specifier);
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (SOURCE.test(entry) && !entry.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

const show = (file: string, ref: ModuleRef) => `${relative(ROOT, file)}:${ref.line} ${ref.form} '${ref.specifier}'`;

/** Violations of "main/core never imports electron (nor the Electron shell)". */
export function coreViolations(file: string, source: string): string[] {
  return moduleRefs(source)
    .filter((r) => isElectron(r.specifier) || resolvesInto(file, r.specifier, 'main/electron'))
    .map((r) => show(file, r));
}

/**
 * A contract module the renderer may take values from: under main/api/contract and importing
 * nothing at all, so it is pure code that runs the same in Node and in the browser
 * (text-offsets.ts, the code-point conversion shared by main and the renderer).
 */
export function isPureContractModule(file: string, specifier: string, read: (path: string) => string | null = readSource): boolean {
  if (!resolvesInto(file, specifier, 'main/api/contract') || !specifier.startsWith('.')) return false;
  const target = resolve(dirname(file), specifier);
  const source = read(`${target}.ts`) ?? read(join(target, 'index.ts'));
  return source !== null && moduleRefs(source).length === 0;
}

function readSource(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/**
 * Violations of "the renderer takes from main/ only the contract": types from the contract,
 * values only from its pure modules, nothing at all from main/core (not even a type: the
 * contract is what the renderer may rely on).
 */
export function rendererViolations(file: string, source: string, read: (path: string) => string | null = readSource): string[] {
  return moduleRefs(source)
    .filter((r) => resolvesInto(file, r.specifier, 'main'))
    .filter((r) => resolvesInto(file, r.specifier, 'main/core') || (!r.typeOnly && !isPureContractModule(file, r.specifier, read)))
    .map((r) => show(file, r));
}

/** Violations of "main/core takes from the contract only its pure modules" (the contract depends on core, not the reverse). */
export function coreContractViolations(file: string, source: string): string[] {
  return moduleRefs(source)
    .filter((r) => resolvesInto(file, r.specifier, 'main/api') && !isPureContractModule(file, r.specifier))
    .map((r) => show(file, r));
}

/** Violations of "the sandboxed preload requires only electron" (type imports are erased). */
export function preloadViolations(file: string, source: string): string[] {
  return moduleRefs(source)
    .filter((r) => !r.typeOnly && !isElectron(r.specifier))
    .map((r) => show(file, r));
}

const scan = (folder: string, check: (file: string, source: string) => string[]) =>
  sourceFiles(join(ROOT, folder)).flatMap((f) => check(f, readFileSync(f, 'utf8')));

describe('layering', () => {
  it('main/core never imports electron', () => {
    expect(sourceFiles(join(ROOT, 'main/core')).length).toBeGreaterThan(10);
    expect(scan('main/core', coreViolations)).toEqual([]);
  });

  it('renderer takes from main/ only contract types and pure contract modules, nothing from main/core', () => {
    expect(scan('renderer', rendererViolations)).toEqual([]);
  });

  it('main/core takes from the API layer only pure contract modules', () => {
    expect(scan('main/core', coreContractViolations)).toEqual([]);
  });

  it('the code-point conversion exists once, in the shared pure module', () => {
    const defines = (folder: string) =>
      sourceFiles(join(ROOT, folder))
        .filter((f) => /\bfunction\s+codePointLength\b|\bclass\s+CodePointIndex\b/.test(stripComments(readFileSync(f, 'utf8'))))
        .map((f) => relative(ROOT, f).split(sep).join('/'));
    expect([...defines('main'), ...defines('renderer')]).toEqual(['main/api/contract/text-offsets.ts']);
  });

  it('the preload requires nothing but electron', () => {
    expect(sourceFiles(join(ROOT, 'preload')).length).toBeGreaterThan(0);
    expect(scan('preload', preloadViolations)).toEqual([]);
  });
});

describe('the layering scanner itself', () => {
  const coreFile = join(ROOT, 'main/core/x/bad.ts');
  const rendererFile = join(ROOT, 'renderer/src/features/x/Bad.tsx');

  it.each([
    [`import { app } from 'electron';`],
    [`import electron from "electron"`],
    [`import * as E from 'electron'`],
    [`import type { BrowserWindow } from 'electron';`],
    [`import {\n  app,\n  dialog,\n} from 'electron/main';`],
    [`import 'electron';`],
    [`export { shell } from 'electron';`],
    [`const { app } = require('electron');`],
    [`const e = require ( "electron" )`],
    ['const e = require(`electron`);'],
    [`import electron = require('electron');`],
    [`const { app } = await import('electron');`],
    [`import { CHANNELS } from '../../electron/channels';`],
  ])('flags electron in core: %s', (snippet) => {
    expect(coreViolations(coreFile, snippet)).toHaveLength(1);
  });

  it('ignores electron in comments and ordinary words', () => {
    const ok = `// import { app } from 'electron'\n/* require('electron') */\nconst s = 'no electron here';\nimport { x } from './electronics';\nexport const y = 1;`;
    expect(coreViolations(coreFile, ok)).toEqual([]);
  });

  it.each([
    [`import { dispatch } from '../../../../main/api/dispatch';`],
    [`import { METHODS, type Method } from '../../../../main/api/contract';`],
    [`import '../../../../main/core/x';`],
    [`export { contract } from '../../../../main/api/contract';`],
    [`const c = require('../../../../main/api/contract');`],
    [`const c = await import('../../../../main/api/contract');`],
    [`import { contract } from 'main/api/contract';`],
    [`import { contract } from '@/main/api/contract';`],
    [`export default function A() {}\nimport { contract } from '../../../../main/api/contract';`],
  ])('flags a value import from main/ in the renderer: %s', (snippet) => {
    expect(rendererViolations(rendererFile, snippet)).toHaveLength(1);
  });

  it('allows type-only imports from main/ and anything from elsewhere', () => {
    const ok = [
      `import type { Input, Method } from '../../../../main/api/contract';`,
      `import type {\n  ApiResult,\n} from '../../../../main/api/contract';`,
      `export type { Method } from '../../../../main/api/contract';`,
      `import { useState } from 'react';`,
      `import { call } from '../../api/client';`,
      `import { x } from '../../../../mainly/thing';`,
    ].join('\n');
    expect(rendererViolations(rendererFile, ok)).toEqual([]);
  });

  it('allows values from a pure contract module only, and no main/core import even of a type', () => {
    const fake = (path: string) =>
      path.endsWith('main/api/contract/text-offsets.ts') ? 'export const x = 1;' : path.endsWith('main/api/contract/workbench.ts') ? `import { z } from 'zod';` : null;
    const check = (snippet: string) => rendererViolations(rendererFile, snippet, fake);
    expect(check(`import { codePointLength } from '../../../../main/api/contract/text-offsets';`)).toEqual([]);
    expect(check(`import { workbenchContract } from '../../../../main/api/contract/workbench';`)).toHaveLength(1);
    expect(check(`import type { ViewerSegment } from '../../../../main/api/contract/workbench';`)).toEqual([]);
    expect(check(`import type { SearchHit } from '../../../../main/core/search/search';`)).toHaveLength(1);
    expect(check(`import { codePointLength } from '../../../../main/core/text/normalise';`)).toHaveLength(1);
  });

  it('flags main/core importing a contract module that is not pure', () => {
    const coreFile = join(ROOT, 'main/core/text/x.ts');
    expect(coreContractViolations(coreFile, `export { codePointLength } from '../../api/contract/text-offsets';`)).toEqual([]);
    expect(coreContractViolations(coreFile, `import type { Output } from '../../api/contract';`)).toHaveLength(1);
  });

  it('flags a preload that requires our own modules', () => {
    const file = join(ROOT, 'preload/index.ts');
    expect(preloadViolations(file, `import { contextBridge } from 'electron';\nimport type { ApiResult } from '../main/api/contract';`)).toEqual([]);
    expect(preloadViolations(file, `import { METHODS } from '../main/api/contract';`)).toHaveLength(1);
  });
});
