// Cue scripts: replies chosen by what the person typed, for interactive use (`pilothouse demo`).
// A FIFO scenario needs the test to know the order of turns; a cue script answers each new turn
// with the first cue whose phrase the user's text contains, then answers the agent's follow-up
// requests in that turn (after a tool ran) with the cue's next replies, in order.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { replySchema, type Reply } from './reply.js';

/** The cue script `pilothouse demo` answers with (see its repository in packages/cli/src/demo/repo.ts). */
export const DEMO_SCRIPT_PATH = fileURLToPath(new URL('../scenarios/demo.json', import.meta.url));

/** The cue script the real Claude Code and Gemini CLI are tested with (src/agents.test.ts). */
export const AGENTS_SCRIPT_PATH = fileURLToPath(new URL('../scenarios/agents.json', import.meta.url));

export const cueSchema = z.object({
  /** A short name, for logs and tests. */
  name: z.string().min(1),
  /** Phrases matched as whole words, case and punctuation ignored: `run the tests` matches "Run the tests!". */
  match: z.array(z.string().min(1)).min(1),
  /** The first answers the user's message; each later one answers the agent's next request in the same turn. */
  replies: z.array(replySchema).min(1),
});
export type Cue = z.infer<typeof cueSchema>;

export const cueScriptSchema = z.object({
  description: z.string().optional(),
  cues: z.array(cueSchema).min(1),
  /** What a message that matches no cue gets. */
  fallback: z.array(replySchema).min(1),
  /** Answers a follow-up request once the cue has no replies left (default: a one-word "Done."). */
  done: replySchema.optional(),
});
export type CueScript = z.infer<typeof cueScriptSchema>;

export function parseCueScript(value: unknown, source = 'cue script'): CueScript {
  const result = cueScriptSchema.safeParse(value);
  if (!result.success) throw new Error(`${source} is not a valid cue script:\n${z.prettifyError(result.error)}`);
  return result.data;
}

export async function loadCueScript(path: string): Promise<CueScript> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseCueScript(json, path);
}

/** What one request to the model is, as far as a cue script cares. */
export type TurnInput =
  /** A new turn: the user's own text (the last user message that is not Codex's own `<context>`). */
  | { readonly type: 'user'; readonly text: string }
  /** The agent came back with a tool's output: the same turn goes on. */
  | { readonly type: 'tool_output' }
  | { readonly type: 'unknown' };

const TOOL_OUTPUTS = new Set(['function_call_output', 'custom_tool_call_output', 'mcp_tool_call_output']);
/**
 * Agents send their own context as user text: Codex `<environment_context>`, `<turn_aborted>`;
 * Claude Code `<system-reminder>`; Gemini CLI `<session_context>`. Such text is not the person's.
 */
export const AGENT_CONTEXT = /^\s*<[a-z_-]+>/;

const inputItem = z.looseObject({
  type: z.string().optional(),
  role: z.string().optional(),
  content: z.union([z.string(), z.array(z.looseObject({ text: z.string().optional() }))]).optional(),
});
const requestBody = z.looseObject({ input: z.array(z.unknown()) });

/** Reads a Responses API request body (as Codex sends it) into a TurnInput. */
export function readTurnInput(body: unknown): TurnInput {
  const parsed = requestBody.safeParse(body);
  if (!parsed.success) return { type: 'unknown' };
  const items = parsed.data.input.flatMap((raw) => {
    const item = inputItem.safeParse(raw);
    return item.success ? [item.data] : [];
  });
  const last = items.at(-1);
  if (last?.type !== undefined && TOOL_OUTPUTS.has(last.type)) return { type: 'tool_output' };
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i]!;
    if (item.role !== 'user' || (item.type !== undefined && item.type !== 'message')) continue;
    const text = typeof item.content === 'string' ? item.content : (item.content ?? []).map((c) => c.text ?? '').join('');
    if (!AGENT_CONTEXT.test(text)) return { type: 'user', text };
  }
  return { type: 'unknown' };
}

/** Lower case, punctuation as spaces, single spaces, padded: so phrases match whole words only. */
const words = (text: string): string => ` ${text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `;

/** The first cue one of whose phrases appears in `text` as whole words, if any. */
export function matchCue(script: CueScript, text: string): Cue | undefined {
  const said = words(text);
  return script.cues.find((cue) => cue.match.some((phrase) => said.includes(words(phrase))));
}

/** The replies still to give in the current turn. */
export interface CueState {
  readonly pending: readonly Reply[];
}

export const initialCueState: CueState = { pending: [] };

const DONE: Reply = { type: 'text', chunks: ['Done.'] };

/** Pure: the reply for one request, and the state for the next. */
export function stepCues(script: CueScript, state: CueState, input: TurnInput): { state: CueState; reply: Reply; cue: string } {
  switch (input.type) {
    case 'user': {
      const cue = matchCue(script, input.text);
      const [first, ...rest] = cue ? cue.replies : script.fallback;
      return { state: { pending: rest }, reply: first!, cue: cue?.name ?? 'fallback' };
    }
    case 'tool_output': {
      const [next, ...rest] = state.pending;
      return next ? { state: { pending: rest }, reply: next, cue: 'continue' } : { state: { pending: [] }, reply: script.done ?? DONE, cue: 'done' };
    }
    case 'unknown': {
      const [first, ...rest] = script.fallback;
      return { state: { pending: rest }, reply: first!, cue: 'fallback' };
    }
  }
}

/**
 * A responder for `startScriptedModel({ respond })` that keeps the turn state between requests.
 * The server reads each request into a TurnInput whatever its wire (Responses, Anthropic, Gemini).
 */
export function cueResponder(script: CueScript): (body: unknown, input: TurnInput) => Reply {
  let state = initialCueState;
  return (_body, input) => {
    const result = stepCues(script, state, input);
    state = result.state;
    return result.reply;
  };
}
