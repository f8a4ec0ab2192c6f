// Builds the web UI into dist/, which the hub serves (packages/hub/src/http/static.ts). `npm run dev
// -w @pilothouse/web` serves it with hot reload and proxies the API and socket to a hub on :4860.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const hub = 'http://127.0.0.1:4860';

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1024 },
  server: {
    proxy: {
      '/api': hub,
      '/socket': { target: hub, ws: true },
    },
  },
});
