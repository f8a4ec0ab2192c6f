// The ACP driver against a tiny scripted ACP agent (a Node one-liner speaking JSON-RPC on stdio):
// what the real Gemini CLI cannot show here: a session loaded, an agent dying mid-turn, a line
// that is not JSON. The real agent runs in e2e/agent-gemini.e2e.test.ts.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentInput } from '../agent/vocabulary.js';
import { AcpDriver } from './driver.js';

/** The agent: answers initialize (loadSession per argv), session/new, session/load (replaying a chunk), and prompts by argv mode. */
const AGENT = `
const [mode, load] = process.argv.slice(1);
const send = (m) => process.stdout.write(JSON.stringify({ jsonrpc: '2.0', ...m }) + '\\n');
const update = (sessionId, u) => send({ method: 'session/update', params: { sessionId, update: u } });
let buf = '';
process.stdin.on('data', (d) => {
  buf += d;
  let nl;
  while ((nl = buf.indexOf('\\n')) >= 0) {
    const m = JSON.parse(buf.slice(0, nl));
    buf = buf.slice(nl + 1);
    if (m.method === 'initialize') send({ id: m.id, result: { protocolVersion: 1, agentInfo: { name: 'stub', version: '1.2.3' }, agentCapabilities: { loadSession: load === 'load' } } });
    if (m.method === 'session/new') { process.stdout.write('not json\\n'); send({ id: m.id, result: { sessionId: 'new-1' } }); }
    if (m.method === 'session/load') { update(m.params.sessionId, { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'old history' } }); send({ id: m.id, result: {} }); }
    if (m.method === 'session/prompt') {
      if (mode === 'die') process.exit(3);
      update(m.params.sessionId, { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'hi' } });
      send({ id: m.id, result: { stopReason: 'end_turn' } });
    }
  }
});
process.stdin.on('end', () => process.exit(0));
`;

let driver: AcpDriver | null = null;
afterEach(async () => {
  await driver?.close();
  driver = null;
});

function start(mode: 'ok' | 'die', load: 'load' | 'no-load' = 'no-load') {
  const inputs: AgentInput[] = [];
  const waiters: (() => void)[] = [];
  const d = new AcpDriver({
    cwd: process.cwd(),
    env: process.env,
    instanceId: 'inst-1',
    runtime: {},
    log: pino({ level: 'silent' }),
    feed: (input) => {
      inputs.push(input);
      for (const w of waiters.splice(0)) w();
    },
    binary: { name: 'stub', version: '1.2.3', path: process.execPath },
    launch: { bin: process.execPath, args: ['-e', AGENT, mode, load], env: process.env, title: 'the stub agent' },
    settings: { refusal: null, mode: () => null, policy: {} },
  });
  driver = d;
  /** Resolves once an input of `type` was fed. */
  const fed = async (type: AgentInput['type']): Promise<AgentInput> => {
    for (;;) {
      const found = inputs.find((i) => i.type === type);
      if (found) return found;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { d, inputs, fed };
}

describe('AcpDriver', () => {
  it('a new session, a prompt streamed and ended by its answer; a line that is not JSON is skipped', async () => {
    const { d, inputs, fed } = start('ok');
    expect(await d.openThread(null)).toEqual({ threadId: 'new-1', policy: {}, resumeFailure: null });
    const { turnId } = await d.startTurn({ threadId: 'new-1', messageId: 'm1', text: 'hello' });
    await fed('turn_completed');
    expect(inputs.map((i) => i.type)).toEqual(['item_delta', 'turn_completed']);
    expect(inputs[1]).toMatchObject({ turnId, outcome: { status: 'completed' }, finals: [{ kind: 'assistant', status: 'completed' }] });
  });

  it('the agent exiting mid-turn: agent_exited is fed, the turn is the session’s to fail, and a new thread spawns it again', async () => {
    const { d, inputs, fed } = start('die');
    await d.openThread(null);
    await d.startTurn({ threadId: 'new-1', messageId: 'm1', text: 'hello' });
    expect(await fed('agent_exited')).toMatchObject({ reason: 'exit code 3' });
    expect(inputs.some((i) => i.type === 'turn_completed')).toBe(false);
    expect(d.pid).toBeNull();
    await expect(d.startTurn({ threadId: 'new-1', messageId: 'm2', text: 'again' })).rejects.toMatchObject({ code: 'acp_closed' });
    expect(await d.openThread(null)).toMatchObject({ threadId: 'new-1' });
  });

  it('resume loads the session when the agent can (its replayed history is not fed)', async () => {
    const { d, inputs } = start('ok', 'load');
    expect(await d.openThread('old-7')).toEqual({ threadId: 'old-7', policy: {}, resumeFailure: null });
    expect(inputs).toEqual([]);
  });

  it('resume with an agent that cannot load: a new session, and why', async () => {
    const { d } = start('ok', 'no-load');
    expect(await d.openThread('old-7')).toEqual({
      threadId: 'new-1',
      policy: {},
      resumeFailure: { previous: 'old-7', code: 'acp_rpc_error', message: expect.stringContaining('cannot load an earlier session') },
    });
  });
});
