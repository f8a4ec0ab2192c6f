// `pilothouse run` flags that shape the runner's options: --forward and --no-forward (with
// no_forward in config.toml), parsed and checked before any runner starts.
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseConfig, withConfig } from '../config/config.js';
import { UsageError } from '../errors.js';
import { agentChoice, portLists, runCommand } from './run.js';

function parse(args: string[]): Record<string, unknown> {
  const command = runCommand().exitOverride().configureOutput({ writeErr: () => {} });
  command.parseOptions(args);
  return command.opts();
}

function failure(args: string[]): string {
  try {
    parse(args);
  } catch (err) {
    if (err instanceof CommanderError) return err.message;
    throw err;
  }
  throw new Error('expected the flags to be refused');
}

describe('pilothouse run: ports', () => {
  it('--no-forward is repeatable, beside --forward (not its negation)', () => {
    expect(parse(['--forward', '5173', '--no-forward', '5432', '--no-forward', '6379', '--no-forward', '5432'])).toMatchObject({ forward: [5173], noForward: [5432, 6379] });
    expect(parse([])).toMatchObject({ forward: [], noForward: [] });
  });

  it.each([['0'], ['65536'], ['http'], ['80.5'], ['-1']])('refuses --no-forward %s with a usage error naming the range', (port) => {
    expect(failure(['--no-forward', port])).toBe(`error: option '--no-forward <port>' argument '${port}' is invalid. must be a TCP port number, 1–65535 (e.g. --no-forward 5432).`);
  });

  it('takes no_forward from config.toml too: the flags and the file together become the runner’s suppressPorts', () => {
    const config = parseConfig('/home/me/.pilothouse/config.toml', '[run]\nno_forward = [5432, 3306]');
    const flags = withConfig(parse(['--forward', '5173', '--no-forward', '6379', '--no-forward', '5432']) as { forward: number[]; noForward: number[] }, config);
    expect(portLists(flags)).toEqual({ forward: [5173], suppressPorts: [6379, 5432, 3306] });
  });

  it('refuses a port given both to forward and never to forward', () => {
    expect(() => portLists({ forward: [5173, 3000], noForward: [3000] })).toThrow(
      new UsageError('port 3000 is given to both --forward and --no-forward (or no_forward in config.toml); keep it in one of them.'),
    );
  });
});

describe('pilothouse run: --agent', () => {
  it('parses the agent by name and refuses an unknown one, listing the known', () => {
    expect(parse(['--agent', 'claude']).agent).toBe('claude');
    expect(failure(['--agent', 'cursor'])).toMatch(/Unknown agent "cursor"; use one of: codex, claude, gemini, acp\./);
  });

  it('takes a command after -- for an ACP agent only, and needs one there', () => {
    const command = runCommand().exitOverride().configureOutput({ writeErr: () => {} });
    command.parseOptions(['--agent', 'acp', '--', 'my-agent', '--acp']);
    expect(command.opts().agent).toBe('acp');
    expect(agentChoice('acp', ['my-agent', '--acp'])).toEqual({ name: 'acp', command: ['my-agent', '--acp'] });
    expect(agentChoice('claude', [])).toEqual({ name: 'claude' });
    expect(() => agentChoice('acp', [])).toThrow(UsageError);
    expect(() => agentChoice('acp', [])).toThrow(/--agent acp needs the agent's command after --/);
    expect(() => agentChoice('codex', ['x'])).toThrow(/only --agent acp takes a command/);
  });
});
