// `npm run pack`: the one installable `pilothouse` package, .pack/pilothouse-<version>.tgz.
//
// The CLI is the package itself (bin/ and dist/); the hub, runner, protocol, scripted model and the
// built web UI travel inside it as bundled dependencies (node_modules/@pilothouse/*, compiled
// JavaScript only), and every third-party dependency they use is a dependency of the package, so
// `npm i -g pilothouse-<version>.tgz` fetches those from the registry and finds ours inside.
// Run after `npm run build` (the npm script does both). Prints the tarball's path and sizes.
// `--out DIR` writes the tarball (and stages) in DIR instead, as the install tests do.

import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const outAt = process.argv.indexOf('--out');
const OUT = resolve(outAt === -1 ? join(ROOT, '.pack') : (process.argv[outAt + 1] ?? '.pack'));
const STAGE = join(OUT, 'stage');

/** The workspace packages carried inside, by folder, with what each needs at run time besides dist/. */
const BUNDLED: ReadonlyArray<{ dir: string; extra: readonly string[]; runtimeDeps: boolean }> = [
  { dir: 'protocol', extra: [], runtimeDeps: true },
  { dir: 'scripted-model', extra: ['scenarios'], runtimeDeps: true },
  { dir: 'hub', extra: [], runtimeDeps: true },
  { dir: 'runner', extra: [], runtimeDeps: true },
  // The web UI is served as files: vite bundled its dependencies into dist/ already.
  { dir: 'web', extra: [], runtimeDeps: false },
];

interface Manifest {
  name: string;
  version: string;
  description?: string;
  type?: string;
  engines?: Record<string, string>;
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8')) as Manifest;
}

/** The exports an installed package keeps: compiled JavaScript only (no `source` or `types`, no `./testing`). */
function installedExports(exports: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (!exports) return undefined;
  const kept: Record<string, string> = {};
  for (const [entry, target] of Object.entries(exports)) {
    if (entry === './testing') continue;
    const file = typeof target === 'string' ? target : (target as Record<string, string>).default;
    if (file) kept[entry] = file;
  }
  return kept;
}

/** Compiled JavaScript and what it reads at run time; no declarations, maps or build info (the sources are not shipped). */
function keepFile(src: string): boolean {
  return !/\.(d\.ts|d\.ts\.map|js\.map|tsbuildinfo)$/.test(src);
}

/** One dependency set for the whole package; the same name with two ranges is a mistake to fix first. */
function mergeDependencies(into: Record<string, string>, from: Record<string, string> | undefined, owner: string): void {
  for (const [name, range] of Object.entries(from ?? {})) {
    if (name.startsWith('@pilothouse/')) continue;
    const had = into[name];
    if (had !== undefined && had !== range) throw new Error(`${owner} wants ${name}@${range} but another package wants ${name}@${had}: make them agree`);
    into[name] = range;
  }
}

function copyBuilt(fromDir: string, toDir: string, parts: readonly string[]): void {
  for (const part of parts) {
    const from = join(fromDir, part);
    if (!existsSync(from)) throw new Error(`${from} is missing: run \`npm run build\` first`);
    cpSync(from, join(toDir, part), { recursive: true, filter: keepFile });
  }
}

function main(): void {
  const cli = readManifest('cli');
  rmSync(STAGE, { recursive: true, force: true });
  mkdirSync(STAGE, { recursive: true });

  const dependencies: Record<string, string> = {};
  mergeDependencies(dependencies, cli.dependencies, cli.name);
  const bundled: string[] = [];
  for (const { dir, extra, runtimeDeps } of BUNDLED) {
    const manifest = readManifest(dir);
    if (manifest.version !== cli.version) throw new Error(`${manifest.name} is ${manifest.version} but the CLI is ${cli.version}: every package carries the same version`);
    if (runtimeDeps) mergeDependencies(dependencies, manifest.dependencies, manifest.name);
    const to = join(STAGE, 'node_modules', manifest.name);
    mkdirSync(to, { recursive: true });
    copyBuilt(join(ROOT, 'packages', dir), to, ['dist', ...extra]);
    const exports = installedExports(manifest.exports);
    writeFileSync(join(to, 'package.json'), `${JSON.stringify({ name: manifest.name, version: manifest.version, type: manifest.type, ...(exports ? { exports } : {}) }, null, 2)}\n`);
    bundled.push(manifest.name);
    dependencies[manifest.name] = manifest.version;
  }

  copyBuilt(join(ROOT, 'packages', 'cli'), STAGE, ['bin', 'dist']);
  cpSync(join(ROOT, 'README.md'), join(STAGE, 'README.md'));
  cpSync(join(ROOT, 'CHANGELOG.md'), join(STAGE, 'CHANGELOG.md'));
  const sorted = Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b)));
  const manifest = {
    name: 'pilothouse',
    version: cli.version,
    description: 'Run a coding agent on your machine while your team watches and steers it from a shared thread: runner CLI, self-hostable hub and web UI.',
    license: 'UNLICENSED',
    type: 'module',
    engines: cli.engines,
    bin: cli.bin,
    exports: { './package.json': './package.json' },
    files: ['bin', 'dist', 'README.md', 'CHANGELOG.md'],
    dependencies: sorted,
    bundleDependencies: bundled,
  };
  writeFileSync(join(STAGE, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', OUT], { cwd: STAGE, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [packed] = JSON.parse(out) as Array<{ filename: string; size: number; unpackedSize: number; entryCount: number }>;
  if (!packed) throw new Error('npm pack wrote nothing');
  const tarball = join(OUT, basename(packed.filename));
  rmSync(STAGE, { recursive: true, force: true });
  process.stdout.write(`${tarball}\n  ${(packed.size / 1024).toFixed(0)} KiB packed, ${(packed.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${packed.entryCount} files; bundles ${bundled.join(', ')}\n`);
}

main();
