import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type ElectronBinary = { found: true; path: string } | { found: false; reason: string };

/**
 * Where the electron package's binary is, without running the package: `require('electron')`
 * in Node would start downloading the binary when it is missing (Electron ≥ 45 fetches it on
 * first use), which hangs or fails on a machine without network. This reads the same
 * `path.txt` the package reads, and checks the file exists.
 */
export function findElectronBinary(): ElectronBinary {
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { found: false, reason: 'Electron binary not installed (the "electron" package is not in node_modules): skipped' };
  }
  const pathFile = join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!relative && !override) {
    return {
      found: false,
      reason: `Electron binary not installed (${pathFile} is missing: the binary was never downloaded; run "npx install-electron" where there is network): skipped`,
    };
  }
  const path = override ? join(override, relative || 'electron') : join(pkgDir, 'dist', relative);
  if (!existsSync(path)) return { found: false, reason: `Electron binary not installed (${path} does not exist): skipped` };
  return { found: true, path };
}

/** Electron on Linux needs a display server; CI runs it under xvfb-run. */
export function missingDisplay(): string | null {
  if (process.platform !== 'linux') return null;
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return null;
  return 'No display for Electron (neither DISPLAY nor WAYLAND_DISPLAY is set; run under xvfb-run): skipped';
}
