// The real Claude Code and Gemini CLI binaries (root devDependencies) against the scripted model's
// Anthropic and Gemini endpoints, driven by the cue script scenarios/agents.json: streamed text,
// and a shell command that asks for permission, runs once allowed, and whose output reaches the model.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonLinesProcess, type Json } from '../test/json-lines-process.js';
import { cueResponder, loadCueScript } from './cues.js';
import { scenarioPath } from './scenario.js';
import { startScriptedModel, type ScriptedModel } from './server.js';

/** The `command` cue's shell command (scenarios/agents.json): it writes a file, so agents ask first. */
const COMMAND = 'echo scripted-$((40 + 2)) > ran.txt && cat ran.txt';
const BIN = fileURLToPath(new URL('../../../node_modules/.bin/', import.meta.url));

let model: ScriptedModel;
let scratch: string;
let home: string;
let workspace: string;
let agent: JsonLinesProcess | undefined;

beforeEach(async () => {
  model = await startScriptedModel({ respond: cueResponder(await loadCueScript(scenarioPath('agents.json'))) });
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
});
