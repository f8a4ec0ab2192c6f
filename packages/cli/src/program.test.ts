// Every command's --help ends with examples of its use; the root has --version.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allCommands, buildProgram, VERSION } from './program.js';

function helpOf(path: string[]): string {
  let cmd = buildProgram();
  for (const name of path) cmd = cmd.commands.find((c) => c.name() === name)!;
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s) }).outputHelp();
  return text;
}

describe('pilothouse --help', () => {
  const program = buildProgram();
  const paths = allCommands(program).map((cmd) => {
    const path: string[] = [];
    for (let c: typeof cmd | null = cmd; c && c !== program; c = c.parent) path.unshift(c.name());
    return path;
  });

  it('covers every command', () => {
    expect(paths.map((p) => p.join(' '))).toEqual(['', 'demo', 'hub', 'user', 'user add', 'user link', 'channel', 'channel add', 'member', 'member add', 'member remove', 'token', 'token create', 'token list', 'token revoke', 'audit', 'backup', 'restore', 'trust', 'run', 'machine', 'machine install', 'model', 'doctor']);
  });

  it.each(paths.map((p) => [p.join(' ') || '(root)', p] as const))('%s has an Examples section', (_name, path) => {
    const help = helpOf(path);
    expect(help).toMatch(/\nExamples:\n {2}(pilothouse|npm|[A-Z]+=|echo)/);
    const examples = help.slice(help.indexOf('\nExamples:\n'));
    if (path.length > 0) expect(examples).toContain(`pilothouse ${path.join(' ')}`);
  });

  it('has a --version: the package version, with a CHANGELOG.md section for it', () => {
    expect(program.version()).toBe(VERSION);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(VERSION).toBe((JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version);
    const changelog = readFileSync(new URL('../../../CHANGELOG.md', import.meta.url), 'utf8');
    expect(changelog).toContain(`\n## ${VERSION} `);
  });
});
