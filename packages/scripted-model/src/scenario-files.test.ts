// Every scenario file shipped in scenarios/ parses, and together they cover each kind of reply the
// issue names: text deltas, reasoning, exec, apply_patch, web search, a slow stream, a mid-stream error.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadScenario } from './scenario.js';

const DIR = join(import.meta.dirname, '../scenarios');

it('ships a valid scenario file for each behaviour', async () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
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
