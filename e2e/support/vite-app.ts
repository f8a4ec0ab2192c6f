// A real Vite dev server app for the preview tests: an index page whose text comes from msg.js
// (hot-updated through Vite's HMR WebSocket), and a plugin that records every request's headers
// so a test can see exactly what reached the dev server (Host, cookies).

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
/** The repository's own Vite (the web UI builds with it): `node <VITE_BIN> --port N`. */
export const VITE_BIN = join(require.resolve('vite/package.json'), '..', 'bin', 'vite.js');

export const HEADERS_LOG = 'headers.log';

export function writeViteApp(dir: string, message: string): void {
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><html><head><title>preview app</title></head><body><h1 id="msg">loading</h1><script type="module" src="/main.js"></script></body></html>\n',
  );
  writeFileSync(
    join(dir, 'main.js'),
    [
      "import { message } from './msg.js';",
      '// Counts full page loads: an HMR update keeps it at 1.',
      'window.__loads = (window.__loads || 0) + 1;',
      "document.getElementById('msg').textContent = message;",
      "if (import.meta.hot) import.meta.hot.accept('./msg.js', (m) => { document.getElementById('msg').textContent = m.message; });",
      '',
    ].join('\n'),
  );
  setMessage(dir, message);
  writeFileSync(
    join(dir, 'vite.config.mjs'),
    [
      "import { appendFileSync } from 'node:fs';",
      'export default {',
      '  plugins: [{',
      "    name: 'record-headers',",
      '    configureServer(server) {',
      '      server.middlewares.use((req, _res, next) => {',
      `        appendFileSync(${JSON.stringify(HEADERS_LOG)}, JSON.stringify({ url: req.url, headers: req.headers }) + '\\n');`,
      '        next();',
      '      });',
      '    },',
      '  }],',
      '};',
      '',
    ].join('\n'),
  );
}

export function setMessage(dir: string, message: string): void {
  writeFileSync(join(dir, 'msg.js'), `export const message = ${JSON.stringify(message)};\n`);
}

/** Every request the dev server saw, in order. */
export function recordedRequests(dir: string): { url: string; headers: Record<string, string | undefined> }[] {
  let text = '';
  try {
    text = readFileSync(join(dir, HEADERS_LOG), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as { url: string; headers: Record<string, string | undefined> });
}
