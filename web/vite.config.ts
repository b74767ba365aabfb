// Vite builds the app into web/dist, which `machi serve --web web/dist` hosts at /.
// The dev server proxies the API to a running machi (MACHI_URL, default :8099).
import { defineConfig } from 'vitest/config';

const machi = process.env.MACHI_URL ?? 'http://127.0.0.1:8099';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    // ECharts alone is larger than Vite's default warning limit; it loads lazily.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: {
      '/ngsi-ld': machi,
      '/machi': machi,
      '/health': machi,
    },
  },
  preview: {
    proxy: {
      '/ngsi-ld': machi,
      '/machi': machi,
      '/health': machi,
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
