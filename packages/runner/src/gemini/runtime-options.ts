// The runner's runtime options (agent/runtime-options.ts) for Gemini CLI over ACP: the model is
// its `-m` flag (launch.ts), the approval policy one of its session modes (default: ask; yolo:
// never ask), set with session/set_mode. What Gemini CLI cannot take is refused, never dropped.

import type { ApprovalPolicy, RuntimeOptions } from '../agent/runtime-options.js';
import { AcpError } from '../acp/errors.js';
import type { SessionSettings } from '../acp/driver.js';
import type { SessionModes } from '../acp/schema.js';

/** Gemini CLI's session mode for each approval policy it can honour. */
const MODES: Readonly<Record<ApprovalPolicy, string | null>> = {
  'on-request': 'default',
  never: 'yolo',
  untrusted: null,
  // Claude Code's own permission modes (agent/runtime-options.ts): not Gemini's.
  default: null,
  acceptEdits: null,
  plan: null,
  bypassPermissions: null,
  dontAsk: null,
};

/** Why Gemini CLI cannot run with these options, or null. */
export function geminiRefusal(opts: RuntimeOptions): string | null {
  const refused = [
    opts.sandbox !== undefined ? `--sandbox ${opts.sandbox}` : null,
    opts.effort !== undefined ? `--effort ${opts.effort}` : null,
    opts.fast ? '--fast' : null,
    opts.approvalPolicy !== undefined && MODES[opts.approvalPolicy] === null ? `--approval-policy ${opts.approvalPolicy}` : null,
  ].filter((o) => o !== null);
  if (refused.length === 0) return null;
  return `Gemini CLI cannot take ${refused.join(', ')} from Pilothouse (it takes --model, and --approval-policy on-request or never); run without ${refused.length === 1 ? 'it' : 'them'}, or configure Gemini CLI itself (~/.gemini/settings.json).`;
}

export function geminiSettings(opts: RuntimeOptions): SessionSettings {
  const wanted = opts.approvalPolicy === undefined ? null : MODES[opts.approvalPolicy];
  return {
    refusal: geminiRefusal(opts),
    mode(modes: SessionModes | null): string | null {
      if (wanted === null) return null;
      if (modes === null || !modes.availableModes.some((m) => m.id === wanted)) {
        const offered = modes === null ? 'none' : modes.availableModes.map((m) => m.id).join(', ');
        throw new AcpError('acp_option_unsupported', `Gemini CLI offers no "${wanted}" mode for --approval-policy ${String(opts.approvalPolicy)} (its modes: ${offered}).`);
      }
      return wanted;
    },
    policy: { approval_policy: opts.approvalPolicy ?? 'on-request', mode: wanted ?? 'default' },
  };
}

