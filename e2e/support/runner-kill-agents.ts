// The runner-kill scenario's agent side (runner-kill.ts runs the kills): the scripted turns every
// agent is given, whichever wire it speaks, and how each agent is run (scratch home, flags, the
// name of its process, the stragglers its commands leave behind).

import type { Reply, TurnInput } from '@pilothouse/scripted-model';
import { createClaudeHome, createCodexHome, createGeminiHome, GEMINI_TEST_MODEL } from '@pilothouse/runner/testing';

export type KillAgent = 'codex' | 'gemini' | 'claude';

/**
 * The user texts of a request, oldest first: Responses API `input` (Codex), Gemini `contents`
 * (Gemini CLI) or Anthropic `messages` (Claude Code: a string or content blocks).
 */
function userTexts(body: unknown): string[] {
  type Part = { text?: string };
  type Anthropic = { role?: string; content?: string | Part[] };
  const b = body as { input?: { type?: string; role?: string; content?: Part[] }[]; contents?: { role?: string; parts?: Part[] }[]; messages?: Anthropic[] };
  const responses = (b.input ?? []).filter((i) => i.type === 'message' && i.role === 'user').map((i) => i.content ?? []);
  const gemini = (b.contents ?? []).filter((c) => c.role === 'user').map((c) => c.parts ?? []);
  const anthropic = (b.messages ?? []).filter((m) => m.role === 'user').map((m) => (typeof m.content === 'string' ? [{ text: m.content }] : (m.content ?? [])));
  return [...responses, ...gemini, ...anthropic].flatMap((parts) => parts.map((p) => (p.text ?? '').trim()));
}

/** The instruction of the turn a request belongs to: the last `task N` the user sent. */
function taskOf(body: unknown): string {
  for (const text of userTexts(body).reverse()) {
    const m = /^task (\d+)$/.exec(text);
    if (m) return m[1]!;
  }
  return 'unknown';
}

/** A process each command leaves behind in a session of its own (out of reach of the agent's process-group kill), with the runner's marker. */
export const STRAGGLER_ARGS = 'sleep 60';
const STRAGGLER = `setsid -f ${STRAGGLER_ARGS} < /dev/null > /dev/null 2>&1; `;

/**
 * Each turn: a streamed reasoning summary and a command that appends the task's number to
 * runs.log, then a streamed answer. One function for every wire: the scripted model reads each
 * request into the neutral turn input (a new turn, or the agent back with the command's output).
 * `straggler`: the command also leaves a STRAGGLER running, which only the next restart ends.
 */
export const responder =
  (straggler: boolean) =>
  (body: unknown, turn: TurnInput): Reply => {
    const task = taskOf(body);
    if (turn.type === 'tool_output') return { type: 'text', chunks: ['Done ', 'with ', 'task ', `${task}.`], delayMs: 30 };
    return {
      type: 'items',
      items: [
        { type: 'reasoning', summary: ['Looking ', 'at ', `task ${task}.`] },
        { type: 'exec', cmd: `${straggler ? STRAGGLER : ''}echo ${task} >> runs.log; echo ran ${task}; sleep 0.3; echo still ${task}`, login: false },
      ],
      delayMs: 30,
    };
  };

export interface AgentSetup {
  readonly env: Record<string, string>;
  readonly args: string[];
  /** The agent's process name. */
  readonly comm: string;
  /** Channel events the kill waits for at most (a random number below it): about a whole turn's. */
  readonly turnEvents: number;
}

/**
 * Whether each command leaves a STRAGGLER. Gemini CLI and Claude Code exit as soon as the dead
 * runner closes their stdin (before the restart looks), so their stragglers are what shows that a
 * restart ends leftovers.
 */
export const STRAGGLERS: Record<KillAgent, boolean> = { codex: false, gemini: true, claude: true };

/** How each agent is run: its scratch home's environment, its flags, the name of its process. */
export async function agentSetup(agent: KillAgent, modelUrl: string, cleanups: (() => unknown)[]): Promise<AgentSetup> {
  if (agent === 'codex') {
    const codexHome = await createCodexHome({ modelUrl });
    cleanups.push(() => codexHome.remove());
    return { env: codexHome.env, args: [], comm: 'codex', turnEvents: 30 };
  }
  if (agent === 'claude') {
    const claudeHome = await createClaudeHome({ modelUrl });
    cleanups.push(() => claudeHome.remove());
    // bypassPermissions: the command (it writes a file) runs without a prompt; `--approval-policy
    // never` is Claude's dontAsk, which refuses what would ask. Claude refuses that mode for root
    // unless told it runs in a sandbox (IS_SANDBOX): this test's scratch folders are one.
    return {
      env: { ...claudeHome.env, IS_SANDBOX: '1' },
      args: ['--agent', 'claude', '--approval-policy', 'bypassPermissions'],
      comm: 'claude',
      turnEvents: 20,
    };
  }
  const geminiHome = await createGeminiHome({ modelUrl });
  cleanups.push(() => geminiHome.remove());
  // Gemini CLI runs as `node …/gemini.js` (the pinned dev dependency). Its yolo mode
  // (`--approval-policy never`): no prompts.
  return {
    env: geminiHome.env,
    args: ['--agent', 'gemini', '--model', GEMINI_TEST_MODEL, '--approval-policy', 'never'],
    comm: 'node',
    turnEvents: 20,
  };
}
