// @pilothouse/runner/testing: the runner's test support for other test suites (e2e/, bench/), never
// for runtime code: a scratch CODEX_HOME for the real Codex binary (a scratch HOME for Claude Code
// and for Gemini CLI), and the pure session core with its fixtures, the Codex adapter and line
// parser, for the core bench (bench/runner-core.ts).
export { createCodexHome, type CodexHome, type CodexHomeOptions } from './codex-home.js';
export { createClaudeHome, type ClaudeHome } from './claude-home.js';
export { createGeminiHome, GEMINI_TEST_MODEL, type GeminiHome } from './gemini-home.js';
export { createSession, nextDeadline, sessionConfig, step, type Effect, type SessionInput, type SessionState } from '../src/session/index.js';
export { ALICE, BOB, CODEX_THREAD, HUB_THREAD, hubMessage, item, note } from './session-fixtures.js';
export { CodexAdapter } from '../src/codex/adapter.js';
export { parseInbound } from '../src/codex/wire.js';
