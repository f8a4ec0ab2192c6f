// Every scenario file shipped in scenarios/ parses, and together they cover each kind of reply the
// issue names: text deltas, reasoning, exec, apply_patch, web search, a slow stream, a mid-stream error.
// demo.json and agents.json are cue scripts (cues.ts): one cue per feature the demo shows, and
// the cues the real Claude Code and Gemini CLI are driven with.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { AGENTS_SCRIPT_PATH, DEMO_SCRIPT_PATH, loadCueScript } from './cues.js';
import { loadScenario } from './scenario.js';

const DIR = join(import.meta.dirname, '../scenarios');

it('ships a valid scenario file for each behaviour', async () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json') && ![DEMO_SCRIPT_PATH, AGENTS_SCRIPT_PATH].includes(join(DIR, f))).sort();
  const kinds = new Map<string, string[]>();
  for (const file of files) kinds.set(file, (await loadScenario(join(DIR, file))).map((r) => r.type));
  expect(Object.fromEntries(kinds)).toEqual({
    'apply-patch.json': ['apply_patch', 'text'],
    'error-midstream.json': ['failed_midstream'],
    'exec-approval.json': ['exec', 'text'],
    'plain-text.json': ['text'],
    'reasoning.json': ['reasoning'],
    'slow-stream.json': ['text'],
    'web-search.json': ['web_search'],
  });
});

it('ships the demo cue script: one cue per feature, each matched by the phrase the README tells people to type', async () => {
  const script = await loadCueScript(DEMO_SCRIPT_PATH);
  expect(script.cues.map((c) => [c.name, c.match[0], c.replies.map((r) => r.type)])).toEqual([
    ['hello', 'hello', ['reasoning']],
    ['tests', 'run the tests', ['exec', 'text']],
    ['fix', 'fix the greeting', ['apply_patch', 'text']],
    ['search', 'search the web', ['web_search']],
    ['server', 'start the dev server', ['items', 'text']],
    ['story', 'tell me a story', ['text']],
  ]);
  // The story is slow enough to interrupt by hand: at least 10 s of streaming.
  const story = script.cues.find((c) => c.name === 'story')!.replies[0]!;
  expect(story.type === 'text' && story.chunks.length * (story.delayMs ?? 0)).toBeGreaterThanOrEqual(10_000);
  expect(script.fallback.map((r) => r.type)).toEqual(['text']);
});

it('ships the agents cue script: text with reasoning, a command, a new file, an edit', async () => {
  const script = await loadCueScript(AGENTS_SCRIPT_PATH);
  expect(script.cues.map((c) => [c.name, c.match[0], c.replies.map((r) => r.type)])).toEqual([
    ['hello', 'hello', ['reasoning']],
    ['command', 'run the command', ['exec', 'text']],
    ['write', 'write the file', ['apply_patch', 'text']],
    ['edit', 'edit the file', ['apply_patch', 'text']],
  ]);
});
