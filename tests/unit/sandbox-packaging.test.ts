import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/**
 * The sandbox worker must start from the built app, not only from the TypeScript sources the
 * other tests run: its compiled entry is beside the compiled sandbox in dist/, electron-builder
 * packs it, everything it loads is a production dependency (the packaged app has no tsx or
 * other development packages), and it stays inside app.asar, where Electron (18 and later)
 * lets worker threads load it and its own requires resolve. `npm test` builds dist/ before
 * the unit tests; run `npx tsc -p tsconfig.main.json` first when running this file alone.
 */

const root = resolve(__dirname, '../..');
const dist = join(root, 'dist/main/core/sandbox');
const entry = join(dist, 'extract-worker.js');
const builderYml = readFileSync(join(root, 'electron-builder.yml'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** The YAML list under a top-level key of electron-builder.yml (its items as written). */
function yamlList(key: string): string[] {
  const m = new RegExp(`^${key}:\\n((?:\\s+-.*\\n|\\s*#.*\\n)+)`, 'm').exec(builderYml);
  return m ? [...m[1]!.matchAll(/^\s+-\s+"?([^"\n]+)"?$/gm)].map((x) => x[1]!.trim()) : [];
}

/** Every module the compiled worker loads, following its relative requires through dist/. */
function modulesOf(file: string, seen = new Set<string>(), packages = new Set<string>()): Set<string> {
  if (seen.has(file)) return packages;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  for (const m of code.matchAll(/\b(?:require|import)\(\s*["']([^"']+)["']\s*\)/g)) {
    const spec = m[1]!;
    // Code written inside a template string (the development-only tsx loader) is not a require.
    if (code.slice(code.lastIndexOf('\n', m.index) + 1, m.index).includes('`')) continue;
    if (spec.startsWith('.')) {
      const target = resolve(dirname(file), spec);
      const js = [target, `${target}.js`, join(target, 'index.js')].find((p) => existsSync(p) && p.endsWith('.js'));
      expect(js, `${file} requires ${spec}, which is not in dist/`).toBeDefined();
      modulesOf(js!, seen, packages);
    } else packages.add(spec);
  }
  return packages;
}

describe('the sandbox worker in the built and packaged app', () => {
  it('has its compiled entry beside the compiled sandbox, and the compiled sandbox resolves to it, not to tsx', () => {
    expect(existsSync(join(dist, 'sandbox.js')), 'dist/ is not built: run npx tsc -p tsconfig.main.json').toBe(true);
    expect(existsSync(entry)).toBe(true);
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `const s = require(${JSON.stringify(join(dist, 'sandbox.js'))});
         const script = s.sandboxWorkerScript();
         s.previewInSandbox(Buffer.from('title,text\\nFirst,Shelling near the station.\\n'), 'packaged.csv', 'csv')
           .then((p) => { console.log(JSON.stringify({ script, rows: p.rowCount, text: p.suggested.textColumn, tsx: Object.keys(require.cache).some((k) => k.includes('/tsx/')) })); return s.closeSandbox(); })
           .catch((e) => { console.log(JSON.stringify({ error: e.message })); process.exitCode = 1; });`,
      ],
      { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 },
    );
    expect(JSON.parse(out.trim())).toEqual({ script: { script: entry, eval: false }, rows: 1, text: 'text', tsx: false });
  });

  it('is packed by electron-builder inside app.asar, with everything it loads a production dependency', () => {
    expect(yamlList('files')).toContain('dist/**');
    // Unpacked alone, its requires of ../import/… would look beside it in app.asar.unpacked and fail.
    for (const pattern of yamlList('asarUnpack')) expect(pattern, 'asarUnpack must not take the worker out of app.asar').not.toMatch(/^dist\b/);
    expect(builderYml).toMatch(/^asar: true$/m);
    // Worker threads load scripts from inside app.asar since Electron 18 (electron/electron#33216).
    expect(Number(/\d+/.exec(pkg.devDependencies.electron ?? '')?.[0])).toBeGreaterThanOrEqual(18);
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const packages = [...modulesOf(entry)].filter((m) => !builtins.has(m));
    expect(packages.length).toBeGreaterThan(3);
    for (const spec of packages) {
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      expect(pkg.dependencies[name], `the worker loads ${spec}, which is not among package.json's dependencies (the packaged app has only those)`).toBeDefined();
    }
  });
});
