// The Codex binary: found where `pilothouse run` finds it, and of the pinned version.

import { CodexError, locateCodex, PINNED_CODEX_VERSION, type CodexBinary, type LocateOptions } from '@pilothouse/runner';
import { ok, fail, type CheckResult } from './result.js';

export type Locate = (options: LocateOptions) => Promise<CodexBinary>;

export interface CodexCheck {
  readonly result: CheckResult;
  /** The verified binary, for the sandbox check; null when the check failed. */
  readonly binary: CodexBinary | null;
}

export async function checkCodex(deps: { env: NodeJS.ProcessEnv; locate?: Locate }): Promise<CodexCheck> {
  const override = deps.env.PILOTHOUSE_CODEX_BIN;
  const fix = override
    ? `point PILOTHOUSE_CODEX_BIN at a codex ${PINNED_CODEX_VERSION} binary, or unset it to use the pinned one`
    : `run \`npm install\` in the Pilothouse checkout (it pins @openai/codex@${PINNED_CODEX_VERSION})`;
  try {
    const binary = await (deps.locate ?? locateCodex)({ env: deps.env });
    return { result: ok('codex', `${binary.version} at ${binary.path}${override ? ' (PILOTHOUSE_CODEX_BIN)' : ''}`), binary };
  } catch (err) {
    // The adapter's messages end with its own fix; doctor prints the fix separately.
    const message = err instanceof Error ? err.message : String(err);
    const detail = err instanceof CodexError ? message.replace(/: (run `npm install`|set PILOTHOUSE_CODEX_BIN).*$/s, '') : message;
    return { result: fail('codex', detail, fix), binary: null };
  }
}
