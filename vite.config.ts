/**
 * Renderer build (desktop/renderer → dist/renderer/<stamp>/). Used by `pinpoint start|serve`, which
 * builds on demand when the sources changed (desktop/main/renderer-build.ts); no separate build step.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('./desktop/renderer', import.meta.url));

export default defineConfig({
  root,
  base: './',
  logLevel: 'warn',
  clearScreen: false,
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer/current', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 8000,
    reportCompressedSize: false,
    // The timing report is noise for users starting the app.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
});
