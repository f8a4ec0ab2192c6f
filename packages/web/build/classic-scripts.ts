// Two scripts the page needs under fixed, unhashed names, built from TypeScript in src/ with
// esbuild next to Vite's bundle: /theme.js (src/theme/boot.ts), a blocking script that sets the
// theme before the first paint (the page's CSP forbids inline scripts), and /sw.js
// (src/pwa/sw.ts), the service worker, which must live at the root to control every page. The
// service worker gets the app shell's file list and a version derived from the files' contents.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { Plugin, ResolvedConfig } from 'vite';

type OutputBundle = Parameters<NonNullable<Extract<Plugin['generateBundle'], (...args: never[]) => unknown>>>[1];

const THEME_ENTRY = 'src/theme/boot.ts';
const SW_ENTRY = 'src/pwa/sw.ts';

async function compile(root: string, entry: string, define: Record<string, string> = {}): Promise<string> {
  const out = await build({ entryPoints: [join(root, entry)], bundle: true, write: false, format: 'iife', minify: true, target: 'es2022', define, logLevel: 'silent' });
  return out.outputFiles[0]!.text;
}

/** The files the page needs to start: index.html (as "/"), the entry chunk with what it imports statically, its CSS, and the public files. */
export function shellFiles(bundle: OutputBundle, publicFiles: string[]): string[] {
  const files = new Set<string>(['/']);
  const visit = (name: string) => {
    const item = bundle[name];
    if (!item || files.has(`/${name}`)) return;
    files.add(`/${name}`);
    if (item.type !== 'chunk') return;
    item.imports.forEach(visit);
    const meta = (item as { viteMetadata?: { importedCss: Set<string>; importedAssets: Set<string> } }).viteMetadata;
    meta?.importedCss.forEach(visit);
    meta?.importedAssets.forEach(visit);
  };
  for (const item of Object.values(bundle)) if (item.type === 'chunk' && item.isEntry) visit(item.fileName);
  for (const f of publicFiles) files.add(`/${f}`);
  return [...files].sort();
}

/** Every file under public/, as a path relative to it. */
function publicFilesOf(dir: string, under = ''): string[] {
  let names: string[];
  try {
    names = readdirSync(join(dir, under));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const rel = under ? `${under}/${name}` : name;
    return statSync(join(dir, rel)).isDirectory() ? publicFilesOf(dir, rel) : [rel];
  });
}

export function classicScripts(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'pilothouse-classic-scripts',
    configResolved(c) {
      config = c;
    },
    // `vite` (dev): /theme.js is compiled on request; no service worker in dev (main.tsx).
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url !== '/theme.js') return next();
        compile(config.root, THEME_ENTRY).then(
          (code) => {
            res.setHeader('content-type', 'text/javascript');
            res.end(code);
          },
          (err: unknown) => next(err),
        );
      });
    },
    async generateBundle(_options, bundle) {
      this.emitFile({ type: 'asset', fileName: 'theme.js', source: await compile(config.root, THEME_ENTRY) });
      const publicFiles = publicFilesOf(config.publicDir);
      const files = [...shellFiles(bundle, publicFiles), '/theme.js'].sort();
      const hash = createHash('sha256');
      for (const f of files) {
        const item = f === '/' ? bundle['index.html'] : bundle[f.slice(1)];
        if (item) hash.update(item.type === 'chunk' ? item.code : item.source);
        else if (publicFiles.includes(f.slice(1))) hash.update(readFileSync(join(config.publicDir, f.slice(1))));
        hash.update(f);
      }
      const version = hash.digest('hex').slice(0, 16);
      const sw = await compile(config.root, SW_ENTRY, { __SHELL_FILES__: JSON.stringify(files), __SHELL_VERSION__: JSON.stringify(version) });
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: sw });
    },
  };
}
