// Chat commands for port forwarding, parsed from thread text:
// `/pilothouse approve-port-forward <id>`, `/pilothouse deny-port-forward <id>`, `/pilothouse forward <port>`.
// Anything else is not ours (null); one of our verbs with bad arguments is `malformed`.
// (`/pilothouse retry` is the session's recovery command, matched before these: recovery.ts.)

export type PortCommand =
  | { readonly type: 'approve'; readonly id: string }
  | { readonly type: 'deny'; readonly id: string }
  | { readonly type: 'forward'; readonly port: number }
  | { readonly type: 'malformed'; readonly verb: string; readonly reason: string };

const PREFIX = '/pilothouse';

export function parseCommand(text: string): PortCommand | null {
  const words = text.trim().split(/\s+/);
  if (words[0]?.toLowerCase() !== PREFIX) return null;
  const verb = words[1]?.toLowerCase() ?? '';
  const args = words.slice(2);
  switch (verb) {
    case 'approve-port-forward':
    case 'deny-port-forward': {
      const id = args[0];
      if (id === undefined || args.length !== 1) return { type: 'malformed', verb, reason: 'expected one request id' };
      return { type: verb === 'approve-port-forward' ? 'approve' : 'deny', id };
    }
    case 'forward': {
      const arg = args[0];
      if (arg === undefined || args.length !== 1 || !/^\d{1,5}$/.test(arg)) return { type: 'malformed', verb, reason: 'expected one port number' };
      return { type: 'forward', port: Number(arg) };
    }
    default:
      return null;
  }
}

/** Why a `/pilothouse …` text is no command of ours, as the message's failed reason. */
export function unknownCommand(text: string): string {
  const verb = text.trim().split(/\s+/)[1];
  const what = verb === undefined ? 'no command given' : `unknown command "${verb}"`;
  return `invalid_command: ${what}; use approve-port-forward <id>, deny-port-forward <id> or forward <port>`;
}
