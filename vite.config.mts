import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** The renderer build: one bundle both Electron (app://) and the bridge serve, under a strict CSP. */
export default defineConfig({
  root: here('./renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    // The polyfill would be an inline script, which the CSP refuses.
    modulePreload: { polyfill: false },
    // A desktop app loads from disk: one bundle is fine.
    chunkSizeWarningLimit: 2000,
  },
});
