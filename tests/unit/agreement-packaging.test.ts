import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/**
 * Agreement's own process must start from the built app, not only from the TypeScript sources
 * the other tests run through tsx: its compiled script is beside the compiled runner in dist/
 * (which electron-builder packs whole), and everything it loads is a production dependency.
 * Run `npx tsc -p tsconfig.main.json` first when running this file alone.
 */

const root = resolve(__dirname, '../..');
const dist = join(root, 'dist/main/core/team');
const entry = join(dist, 'agreement-child.js');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** Every package the compiled script loads, following its relative requires through dist/. */
function packagesOf(file: string, seen = new Set<string>(), packages = new Set<string>()): Set<string> {
  if (seen.has(file)) return packages;
  seen.add(file);
  for (const m of readFileSync(file, 'utf8').matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
    const spec = m[1]!;
    if (!spec.startsWith('.')) packages.add(spec);
    else {
      const target = resolve(dirname(file), spec);
      const js = [`${target}.js`, join(target, 'index.js')].find((p) => existsSync(p));
      expect(js, `${file} requires ${spec}, which is not in dist/`).toBeDefined();
      packagesOf(js!, seen, packages);
    }
  }
  return packages;
}

describe("agreement's own process in the built app", () => {
  it('starts from the compiled script, not through tsx, and answers (here: the file it cannot open)', () => {
    expect(existsSync(join(dist, 'agreement-process.js')), 'dist/ is not built: run npx tsc -p tsconfig.main.json').toBe(true);
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `const p = require(${JSON.stringify(join(dist, 'agreement-process.js'))});
         p.agreementInChild({ projectPath: '/nowhere/gone.marginalia', hiddenCoderIds: [], options: { coderIds: ['a', 'b'], unit: 'document' } })
           .then(() => console.log('{}'), (e) => console.log(JSON.stringify({ script: p.agreementChildScript(), message: e.message })));`,
      ],
      { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 },
    );
    const answer = JSON.parse(out.trim()) as { script: { script: string; execArgv: string[] }; message: string };
    expect(answer.script).toEqual({ script: entry, execArgv: [] });
    expect(answer.message).toMatch(/^The agreement could not open gone\.marginalia to read it/);
  });

  it('loads only built-in modules and production dependencies', () => {
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const packages = [...packagesOf(entry)].filter((m) => !builtins.has(m));
    expect(packages).toContain('sqlite3');
    for (const spec of packages) {
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      expect(pkg.dependencies[name], `the agreement process loads ${spec}, which is not among package.json's dependencies`).toBeDefined();
    }
  });
});
