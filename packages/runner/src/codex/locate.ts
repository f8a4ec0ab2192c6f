// Finds the pinned Codex binary and proves it is the pinned version before anyone spawns it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CodexError } from './errors.js';

/** The @openai/codex version this adapter and its generated bindings were made for. */
export const PINNED_CODEX_VERSION = '0.169.0';

export interface CodexBinary {
  readonly path: string;
  readonly version: string;
}

export interface LocateOptions {
  /** An explicit binary; otherwise `PILOTHOUSE_CODEX_BIN`, otherwise the installed package. */
  readonly bin?: string;
  readonly env?: NodeJS.ProcessEnv;
}

const FIX = `run \`npm install\` in the Pilothouse checkout (it pins @openai/codex@${PINNED_CODEX_VERSION}), or set PILOTHOUSE_CODEX_BIN to a codex ${PINNED_CODEX_VERSION} binary`;

export async function locateCodex(options: LocateOptions = {}): Promise<CodexBinary> {
  const env = options.env ?? process.env;
  const path = options.bin ?? env.PILOTHOUSE_CODEX_BIN ?? installedBinary();
  const version = await readVersion(path);
  if (version !== PINNED_CODEX_VERSION) {
    throw new CodexError('codex_version_mismatch', `codex at ${path} is ${version}, Pilothouse needs ${PINNED_CODEX_VERSION}: ${FIX}`, {
      path,
      version,
    });
  }
  return { path, version };
}

// The npm launcher (bin/codex.js) picks a per-platform package holding the native binary.
// We resolve that binary the same way and spawn it directly: no extra Node process in
// between, and signals reach Codex itself. The launcher remains the fallback.
const PLATFORM_PACKAGES: Record<string, { readonly pkg: string; readonly triple: string } | undefined> = {
  'linux-x64': { pkg: '@openai/codex-linux-x64', triple: 'x86_64-unknown-linux-musl' },
  'linux-arm64': { pkg: '@openai/codex-linux-arm64', triple: 'aarch64-unknown-linux-musl' },
  'darwin-x64': { pkg: '@openai/codex-darwin-x64', triple: 'x86_64-apple-darwin' },
  'darwin-arm64': { pkg: '@openai/codex-darwin-arm64', triple: 'aarch64-apple-darwin' },
  'win32-x64': { pkg: '@openai/codex-win32-x64', triple: 'x86_64-pc-windows-msvc' },
  'win32-arm64': { pkg: '@openai/codex-win32-arm64', triple: 'aarch64-pc-windows-msvc' },
};

function installedBinary(): string {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve('@openai/codex/package.json');
  } catch (error) {
    throw new CodexError('codex_missing', `the @openai/codex package is not installed: ${FIX}`, undefined, { cause: error });
  }
  const platform = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`];
  if (platform) {
    try {
      const vendor = join(dirname(createRequire(manifest).resolve(`${platform.pkg}/package.json`)), 'vendor');
      const native = join(vendor, platform.triple, 'bin', process.platform === 'win32' ? 'codex.exe' : 'codex');
      if (existsSync(native)) return native;
    } catch {
      // Platform package absent: fall through to the launcher, which reports it precisely.
    }
  }
  return join(dirname(manifest), 'bin', 'codex.js');
}

/** Runs `codex --version` (prints `codex-cli 0.169.0`) and returns the version. */
async function readVersion(path: string): Promise<string> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(path, ['--version'], { timeout: 15_000 }, (error, out) => {
      if (!error) return resolve(out);
      const code = (error as NodeJS.ErrnoException).code;
      const missing = code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR';
      reject(
        missing
          ? new CodexError('codex_missing', `codex not found at ${path}: ${FIX}`, { path }, { cause: error })
          : new CodexError('codex_missing', `codex at ${path} failed to report its version (${error.message.trim()}): ${FIX}`, { path }, { cause: error }),
      );
    });
  });
  const version = /(\d+\.\d+\.\d+[^\s]*)/.exec(stdout)?.[1];
  if (!version) throw new CodexError('codex_version_mismatch', `codex at ${path} printed no version ("${stdout.trim()}"): ${FIX}`, { path });
  return version;
}
