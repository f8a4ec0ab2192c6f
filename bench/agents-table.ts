// The agents `BENCH_ONLY=agents` measures (bench/agents.ts), in order; the first is the baseline the
// others' runner CPU is compared with. Each entry makes a scratch home pointed at the scripted model
// (the agent runs offline, no login, no key of anyone's) and says how the runner child watches the
// agent: which spawned child it is (an argument of its spawn), what one of its delta lines holds,
// and its process name for CPU. An agent whose driver refuses (`agent_unsupported`, e.g. Claude Code
// before its driver lands) is skipped and said so; `enabled: false` leaves one out.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGeminiHome, GEMINI_TEST_MODEL } from '@pilothouse/runner/testing';
import { codexLaunch, type AgentLaunch } from './runner-session.js';

export interface AgentEntry {
  name: AgentLaunch['name'];
  title: string;
  enabled: boolean;
  launch(modelUrl: string): Promise<AgentLaunch>;
}

/** The scripted model's origin: Claude Code and Gemini CLI add their own API paths. */
const origin = (modelUrl: string) => modelUrl.replace(/\/v1\/?$/, '');

export const AGENTS: readonly AgentEntry[] = [
  { name: 'codex', title: 'Codex', enabled: true, launch: codexLaunch },
  {
    name: 'gemini',
    title: 'Gemini CLI',
    enabled: true,
    async launch(modelUrl) {
      const home = await createGeminiHome({ modelUrl });
      // ACP `session/update` notifications; Gemini CLI runs as `node …/gemini.js --acp -m MODEL`.
      return { name: 'gemini', env: home.env, runtime: { model: GEMINI_TEST_MODEL }, watch: { arg: '--acp', delta: '"sessionUpdate":"agent_message_chunk"' }, comm: 'node', remove: () => home.remove() };
    },
  },
  {
    name: 'claude',
    title: 'Claude Code',
    enabled: true,
    async launch(modelUrl) {
      const dir = await mkdtemp(join(tmpdir(), 'ph-bench-claude-home-'));
      const env = {
        HOME: dir,
        CLAUDE_CONFIG_DIR: join(dir, '.claude'),
        ANTHROPIC_BASE_URL: origin(modelUrl),
        ANTHROPIC_API_KEY: 'test',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_ERROR_REPORTING: '1',
      };
      // `claude -p --output-format stream-json … --include-partial-messages`: stream events whose text deltas are `text_delta`s.
      return { name: 'claude', env, runtime: {}, watch: { arg: 'stream-json', delta: '"type":"text_delta"' }, comm: 'claude', remove: () => rm(dir, { recursive: true, force: true }) };
    },
  },
];
