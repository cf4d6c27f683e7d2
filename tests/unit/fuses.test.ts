import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';

// js-yaml comes with electron-builder and has no type declarations of its own.
const { load } = createRequire(__filename)('js-yaml') as { load(source: string): unknown };

const ROOT = resolve(__dirname, '../..');

/** What electron-builder flips in the packaged binary, as the yml says it. */
function fuses(): Record<string, unknown> {
  const config = load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, unknown>;
  const value = config.electronFuses;
  expect(value, 'electron-builder.yml has no electronFuses section').toBeTypeOf('object');
  return value as Record<string, unknown>;
}

describe('Electron fuses of the packaged app', () => {
  it.each([
    ['runAsNode', false, 'ELECTRON_RUN_AS_NODE would turn the app into a Node runtime'],
    ['enableNodeOptionsEnvironmentVariable', false, 'NODE_OPTIONS would let any environment inject code'],
    ['enableNodeCliInspectArguments', false, '--inspect would open a debugger into the main process'],
    ['enableCookieEncryption', true, 'cookies would be stored in plain text'],
    ['enableEmbeddedAsarIntegrityValidation', true, 'a tampered app.asar would load'],
    ['onlyLoadAppFromAsar', true, 'an app/ folder beside app.asar would load instead'],
  ])('%s is %s (otherwise %s)', (fuse, expected) => {
    expect(fuses()[fuse]).toBe(expected);
  });

  it('names only fuses this electron-builder knows, so none is silently ignored', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as {
      properties: Record<string, unknown>;
      definitions: Record<string, { properties: Record<string, unknown> }>;
    };
    expect(schema.properties.electronFuses, 'this electron-builder has no electronFuses option').toBeDefined();
    const known = Object.keys(schema.definitions.FuseOptionsV1!.properties);
    expect(Object.keys(fuses()).filter((f) => !known.includes(f))).toEqual([]);
  });
});
