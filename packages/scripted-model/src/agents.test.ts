// The real Claude Code and Gemini CLI binaries (root devDependencies) against the scripted model's
// Anthropic and Gemini endpoints, driven by the cue script scenarios/agents.json: streamed text,
// and a shell command that asks for permission, runs once allowed, and whose output reaches the model.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonLinesProcess, type Json } from '../test/json-lines-process.js';
import { AGENTS_SCRIPT_PATH, cueResponder, loadCueScript } from './cues.js';
import { startScriptedModel, type ScriptedModel } from './server.js';

/** The `command` cue's shell command (scenarios/agents.json): it writes a file, so agents ask first. */
const COMMAND = "printf 'scripted-%s\\n' 42 > ran.txt && cat ran.txt";
const BIN = fileURLToPath(new URL('../../../node_modules/.bin/', import.meta.url));

let model: ScriptedModel;
let scratch: string;
let home: string;
let workspace: string;
let agent: JsonLinesProcess | undefined;

beforeEach(async () => {
  model = await startScriptedModel({ respond: cueResponder(await loadCueScript(AGENTS_SCRIPT_PATH)) });
  scratch = await mkdtemp(join(tmpdir(), 'scripted-model-agents-'));
  home = join(scratch, 'home');
  workspace = join(scratch, 'workspace');
  await mkdir(home);
  await mkdir(workspace);
});

afterEach(async () => {
  await agent?.close();
  agent = undefined;
  await model.close();
  await rm(scratch, { recursive: true, force: true });
});

const origin = () => model.url.replace(/\/v1$/, '');
/** The agent's own requests (not its side calls), each with the wire it spoke. */
const agentRequests = () => model.requests.filter((r) => !r.side);

describe('Claude Code (stream-json) against POST /v1/messages', () => {
  function startClaude(): JsonLinesProcess {
    const args = ['-p', '--output-format', 'stream-json', '--input-format', 'stream-json', '--verbose', '--include-partial-messages', '--permission-prompt-tool', 'stdio'];
    return new JsonLinesProcess(join(BIN, 'claude'), args, {
      cwd: workspace,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        ANTHROPIC_BASE_URL: origin(),
        ANTHROPIC_API_KEY: 'test',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_ERROR_REPORTING: '1',
      },
    });
  }
  const say = (claude: JsonLinesProcess, text: string) =>
    claude.send({ type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null, session_id: '' });
  const results = (claude: JsonLinesProcess) => claude.messages.filter((m) => m.type === 'result');
  const textDeltas = (claude: JsonLinesProcess) =>
    claude.messages.flatMap((m) => {
      const event = m.event as { type?: string; delta?: { type?: string; text?: string } } | undefined;
      return m.type === 'stream_event' && event?.type === 'content_block_delta' && event.delta?.type === 'text_delta' ? [event.delta.text] : [];
    });

  it('streams text deltas and ends the turn with a successful result', async () => {
    const claude = (agent = startClaude());
    say(claude, 'hello');
    const result = await claude.waitFor((m) => m.type === 'result', 'result');
    expect(result).toMatchObject({ subtype: 'success', is_error: false, result: 'Hello from the scripted model.' });
    expect(textDeltas(claude)).toEqual(['Hello ', 'from the ', 'scripted model.']);
    const thinking = claude.messages.some((m) => (m.event as { delta?: { type?: string } } | undefined)?.delta?.type === 'thinking_delta');
    expect(thinking).toBe(true);
    expect(agentRequests().map((r) => [r.wire, r.path])).toEqual([['anthropic', '/v1/messages']]);
  });

  it('asks can_use_tool for Bash; allowed, the command runs and its output reaches the model', async () => {
    const claude = (agent = startClaude());
    say(claude, 'Please run the command.');
    const ask = await claude.waitFor((m) => m.type === 'control_request' || m.type === 'result', 'can_use_tool');
    expect(ask.type).toBe('control_request');
    const request = ask.request as { subtype: string; tool_name: string; input: Json };
    expect(request).toMatchObject({ subtype: 'can_use_tool', tool_name: 'Bash', input: { command: COMMAND } });
    claude.send({
      type: 'control_response',
      response: { subtype: 'success', request_id: ask.request_id, response: { behavior: 'allow', updatedInput: request.input } },
    });
    const result = await claude.waitFor((m) => m.type === 'result', 'result');
    expect(result).toMatchObject({ subtype: 'success', result: 'The command ran.' });

    const [first, second] = agentRequests();
    expect(agentRequests()).toHaveLength(2);
    expect(JSON.stringify(first?.body)).not.toContain('tool_result');
    const messages = (second?.body as { messages: { role: string; content: unknown }[] }).messages;
    const last = messages.at(-1) as { role: string; content: { type: string; content?: unknown; is_error?: boolean }[] };
    const toolResult = last.content.find((b) => b.type === 'tool_result');
    expect(toolResult?.is_error ?? false).toBe(false);
    expect(JSON.stringify(toolResult?.content)).toContain('scripted-42');
    expect(await readFile(join(workspace, 'ran.txt'), 'utf8')).toBe('scripted-42\n');
  });

  it('writes a file the scripted patch adds, with the Write tool once allowed', async () => {
    const claude = (agent = startClaude());
    say(claude, 'write the file');
    const ask = await claude.waitFor((m) => m.type === 'control_request' || m.type === 'result', 'can_use_tool');
    expect(ask.type).toBe('control_request');
    const request = ask.request as { tool_name: string; input: Json };
    expect(request).toMatchObject({ tool_name: 'Write', input: { file_path: join(workspace, 'notes.txt') } });
    claude.send({ type: 'control_response', response: { subtype: 'success', request_id: ask.request_id, response: { behavior: 'allow', updatedInput: request.input } } });
    expect(await claude.waitFor((m) => m.type === 'result', 'result')).toMatchObject({ subtype: 'success', result: 'The file is written.' });
    expect(await readFile(join(workspace, 'notes.txt'), 'utf8')).toBe('written by the scripted model\n');
    expect(results(claude)).toHaveLength(1);
  });

  it('edits a file the scripted patch updates, reading it first (Read + Edit), once allowed', async () => {
    await writeFile(join(workspace, 'notes.txt'), 'written by the scripted model\n');
    const claude = (agent = startClaude());
    say(claude, 'edit the file');
    const asked: string[] = [];
    // Allow whatever Claude Code asks about until the turn ends (Read may not need asking).
    const result = await claude.until(() => {
      for (const m of claude.messages) {
        if (m.type !== 'control_request' || asked.includes(m.request_id as string)) continue;
        asked.push(m.request_id as string);
        const request = m.request as { tool_name: string; input: Json };
        claude.send({ type: 'control_response', response: { subtype: 'success', request_id: m.request_id, response: { behavior: 'allow', updatedInput: request.input } } });
      }
      return claude.messages.find((m) => m.type === 'result');
    }, 'result');
    expect(result).toMatchObject({ subtype: 'success', result: 'The file is edited.' });
    const askedTools = claude.messages.flatMap((m) => (m.type === 'control_request' ? [(m.request as { tool_name: string }).tool_name] : []));
    expect(askedTools).toContain('Edit');
    expect(await readFile(join(workspace, 'notes.txt'), 'utf8')).toBe('edited by the scripted model\n');
  });
});

describe('Gemini CLI (ACP) against POST /v1beta/models/{model}:streamGenerateContent', () => {
  const MODEL = 'gemini-2.5-flash';

  async function startGemini(): Promise<Acp> {
    await mkdir(join(home, '.gemini'));
    const settings = {
      security: { auth: { selectedType: 'gemini-api-key' } },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
      general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
    };
    await writeFile(join(home, '.gemini', 'settings.json'), JSON.stringify(settings));
    const gemini = (agent = new JsonLinesProcess(join(BIN, 'gemini'), ['--acp', '-m', MODEL], {
      cwd: workspace,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        GOOGLE_GEMINI_BASE_URL: origin(),
        GEMINI_API_KEY: 'test',
        GEMINI_CLI_TRUST_WORKSPACE: 'true',
        GEMINI_CLI_NO_RELAUNCH: 'true',
      },
    }));
    const acp = new Acp(gemini);
    await acp.request('initialize', { protocolVersion: 1, clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false } });
    const session = (await acp.request('session/new', { cwd: workspace, mcpServers: [] })) as { sessionId: string };
    acp.sessionId = session.sessionId;
    return acp;
  }

  it('streams agent_message_chunk updates and ends the prompt with end_turn', async () => {
    const acp = await startGemini();
    const result = await acp.prompt('hello');
    expect(result).toMatchObject({ stopReason: 'end_turn' });
    expect(acp.chunks('agent_message_chunk')).toEqual(['Hello ', 'from the ', 'scripted model.']);
    // Gemini CLI reformats each thought part as `**subject** description`; the words arrive in order.
    expect(acp.chunks('agent_thought_chunk').join('').replace(/[*\s]+/g, ' ').trim()).toBe('The person said hello.');
    expect(agentRequests().map((r) => [r.wire, r.path])).toEqual([['gemini', `/v1beta/models/${MODEL}:streamGenerateContent`]]);
  });

  it('asks permission for a shell command; proceed_once runs it and its output reaches the model', async () => {
    const acp = await startGemini();
    const prompt = acp.prompt('Please run the command.');
    const ask = await acp.process.waitFor((m) => m.method === 'session/request_permission' || (m.id !== undefined && m.result !== undefined && m.method === undefined && (m.result as Json).stopReason !== undefined), 'session/request_permission');
    expect(ask.method).toBe('session/request_permission');
    const params = ask.params as { options: { optionId: string }[]; toolCall: { title: string; kind: string } };
    expect(params.toolCall).toMatchObject({ kind: 'execute', title: COMMAND });
    expect(params.options.map((o) => o.optionId)).toContain('proceed_once');
    acp.process.send({ jsonrpc: '2.0', id: ask.id, result: { outcome: { outcome: 'selected', optionId: 'proceed_once' } } });
    expect(await prompt).toMatchObject({ stopReason: 'end_turn' });
    expect(acp.chunks('agent_message_chunk').join('')).toBe('The command ran.');

    expect(await readFile(join(workspace, 'ran.txt'), 'utf8')).toBe('scripted-42\n');
    expect(agentRequests()).toHaveLength(2);
    const contents = (agentRequests()[1]?.body as { contents: { role: string; parts: Json[] }[] }).contents;
    const response = contents.at(-1)?.parts.find((p) => p.functionResponse !== undefined);
    expect(response?.functionResponse).toMatchObject({ name: 'run_shell_command' });
    expect(JSON.stringify(response?.functionResponse)).toContain('scripted-42');
  });

  it('writes then edits a file over two prompts of one session (write_file, replace), each allowed once', async () => {
    const acp = await startGemini();
    acp.allowEverything();
    expect(await acp.prompt('write the file')).toMatchObject({ stopReason: 'end_turn' });
    expect(await readFile(join(workspace, 'notes.txt'), 'utf8')).toBe('written by the scripted model\n');
    expect(await acp.prompt('now edit the file')).toMatchObject({ stopReason: 'end_turn' });
    expect(await readFile(join(workspace, 'notes.txt'), 'utf8')).toBe('edited by the scripted model\n');
    expect(acp.chunks('agent_message_chunk').join('')).toBe('The file is written.The file is edited.');
    const asked = acp.process.messages.flatMap((m) => (m.method === 'session/request_permission' ? [(m.params as { toolCall: { kind: string } }).toolCall.kind] : []));
    expect(asked).toEqual(['edit', 'edit']);
  });
});

/** A minimal ACP client (JSON-RPC 2.0 over the process's stdio). */
class Acp {
  sessionId = '';
  #lastId = 0;

  constructor(readonly process: JsonLinesProcess) {}

  async request(method: string, params: Json): Promise<unknown> {
    const id = ++this.#lastId;
    this.process.send({ jsonrpc: '2.0', id, method, params });
    const answer = await this.process.waitFor((m) => m.id === id && m.method === undefined, `answer to ${method}`);
    if (answer.error !== undefined) throw new Error(`${method} failed: ${JSON.stringify(answer.error)}`);
    return answer.result;
  }

  /** Answers every permission request, now and later, with `proceed_once`. */
  allowEverything(): void {
    const answered = new Set<unknown>();
    void this.process
      .until(() => {
        for (const m of this.process.messages) {
          if (m.method !== 'session/request_permission' || answered.has(m.id)) continue;
          answered.add(m.id);
          this.process.send({ jsonrpc: '2.0', id: m.id, result: { outcome: { outcome: 'selected', optionId: 'proceed_once' } } });
        }
        return undefined;
      }, 'the end of the session', 10 * 60_000)
      .catch(() => {}); // Ends with the process.
  }

  prompt(text: string): Promise<unknown> {
    return this.request('session/prompt', { sessionId: this.sessionId, prompt: [{ type: 'text', text }] });
  }

  /** The text of every `session/update` of this kind so far. */
  chunks(kind: 'agent_message_chunk' | 'agent_thought_chunk'): string[] {
    return this.process.messages.flatMap((m) => {
      const update = (m.params as { update?: { sessionUpdate?: string; content?: { text?: string } } } | undefined)?.update;
      return m.method === 'session/update' && update?.sessionUpdate === kind ? [update.content?.text ?? ''] : [];
    });
  }
}
