// Finds Gemini CLI and reads its version before anything starts: PILOTHOUSE_GEMINI_BIN, else the
// user's own `gemini` on PATH, else the dev dependency this checkout pins (@google/gemini-cli).

import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { which } from '../acp/which.js';
import { olderThan } from '../agent/versions.js';
import { GeminiError } from './errors.js';

/** The @google/gemini-cli version Pilothouse is tested with (a dev dependency). */
export const PINNED_GEMINI_VERSION = '0.61.0';

export interface GeminiBinary {
  readonly path: string;
  readonly version: string;
}

const FIX = `install it with \`npm install -g @google/gemini-cli\` (Pilothouse is tested with ${PINNED_GEMINI_VERSION}), or set PILOTHOUSE_GEMINI_BIN to a gemini binary`;

export async function locateGemini(options: { readonly bin?: string | undefined; readonly env: NodeJS.ProcessEnv }): Promise<GeminiBinary> {
  const path = options.bin ?? options.env.PILOTHOUSE_GEMINI_BIN ?? which('gemini', options.env) ?? pinnedBinary();
  if (path === null) throw new GeminiError('gemini_missing', `Gemini CLI was not found on PATH: ${FIX}.`);
  const version = await readVersion(path, options.env);
  // Older releases speak an earlier ACP (`--experimental-acp`): refused, not half driven.
  if (olderThan(version, PINNED_GEMINI_VERSION)) {
    throw new GeminiError('gemini_version_unsupported', `Gemini CLI ${version} at ${path} is older than ${PINNED_GEMINI_VERSION}, the oldest Pilothouse drives: update it with \`npm install -g @google/gemini-cli\`.`, { path, version });
  }
  return { path, version };
}

/** The pinned dev dependency's entry point, when installed. */
function pinnedBinary(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@google/gemini-cli/package.json')), 'bundle', 'gemini.js');
  } catch {
    return null; // not installed (a user's checkout without dev dependencies)
  }
}

/** How to run it: a bundled `.js` entry point through this Node, anything else directly. */
export const command = (path: string): { readonly bin: string; readonly args: readonly string[] } => (path.endsWith('.js') ? { bin: process.execPath, args: [path] } : { bin: path, args: [] });

/** Runs `gemini --version` (prints `0.61.0`). */
async function readVersion(path: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { bin, args } = command(path);
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(bin, [...args, '--version'], { timeout: 30_000, env: { ...env, GEMINI_CLI_NO_RELAUNCH: 'true' } }, (error, out) => {
      if (!error) return resolve(out);
      reject(new GeminiError('gemini_missing', `gemini at ${path} did not report its version (${error.message.trim().split('\n')[0] ?? ''}): ${FIX}.`, { path }, { cause: error }));
    });
  });
  const version = /(\d+\.\d+\.\d+[^\s]*)/.exec(stdout)?.[1];
  if (!version) throw new GeminiError('gemini_missing', `gemini at ${path} printed no version ("${stdout.trim().slice(0, 100)}"): ${FIX}.`, { path });
  return version;
}
