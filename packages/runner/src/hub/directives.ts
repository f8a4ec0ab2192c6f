// Directives: events the hub sends to this runner's socket alone (never stored, no seq), such as
// `tunnel_open`. Parsed at the boundary with the protocol's RunnerDirectives table. Pure.

import { RunnerDirectives, type RunnerDirective, type RunnerDirectiveName } from '@pilothouse/protocol';
import { describeIssues } from './errors.js';

export const DIRECTIVE_NAMES = Object.keys(RunnerDirectives) as RunnerDirectiveName[];

export function parseDirective(name: RunnerDirectiveName, payload: unknown): { ok: true; directive: RunnerDirective } | { ok: false; issues: string } {
  const parsed = RunnerDirectives[name].safeParse(payload);
  if (!parsed.success) return { ok: false, issues: describeIssues(parsed.error) };
  return { ok: true, directive: { type: name, payload: parsed.data } };
}
