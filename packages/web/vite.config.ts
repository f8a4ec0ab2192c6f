// Builds the web UI into dist/, which the hub serves (packages/hub/src/http/static.ts), with
// /theme.js and the service worker /sw.js beside it (build/classic-scripts.ts). `npm run dev
// -w @pilothouse/web` serves it with hot reload and proxies the API and socket to a hub on :4860.
import { defaultClientConditions, defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { classicScripts } from './build/classic-scripts.js';

const hub = 'http://127.0.0.1:4860';

export default defineConfig({
  plugins: [react(), classicScripts()],
  // @pilothouse/protocol's TypeScript sources (its `source` export), not its compiled dist/.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1024 },
  server: {
    proxy: {
      '/api': hub,
      '/socket': { target: hub, ws: true },
    },
  },
});
