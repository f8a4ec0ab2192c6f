// `pilothouse model`: the scripted model on a port, for trying Pilothouse for real without an
// account: it prints the Codex config that points at it, so `pilothouse run` drives the real Codex
// against it. It answers like the demo (its cue script), or from a cue file of your own.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { KEY_VARIABLE, demoCodexConfig } from '../demo/codex-home.js';

const port = (value: string): number => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError('must be a TCP port number, 0–65535 (0: any free port).');
  return n;
};

/** What `pilothouse model` prints once it listens: the URL, the config and how to use it. Pure. */
export function modelInstructions(url: string, codexHome: string | null): string {
  const config = demoCodexConfig(url);
  const where = codexHome
    ? `Wrote ${join(codexHome, 'config.toml')}. Run Pilothouse against it:\n\n  export CODEX_HOME=${codexHome} ${KEY_VARIABLE}=not-a-real-key\n  pilothouse trust . && pilothouse run --channel WS/CH\n`
    : `Put this in a Codex home of its own (CODEX_HOME=DIR, file DIR/config.toml), or pass --codex-home DIR to have it written:\n\n${config}\nthen:\n\n  export CODEX_HOME=DIR ${KEY_VARIABLE}=not-a-real-key\n  pilothouse trust . && pilothouse run --channel WS/CH\n`;
  return `Pilothouse scripted model on ${url}\n\n${where}\nIt answers as the demo does (say "hello", "run the tests", "edit the readme"). Ctrl-C stops it.\n`;
}

export function modelCommand(): Command {
  return new Command('model')
    .description('Serve the scripted model (no account, no API key) and print the Codex config that uses it, so `pilothouse run` can drive the real Codex against it.')
    .option('--port <port>', 'the port to listen on (0: any free port)', port, 4870)
    .option('--host <host>', 'the address to listen on', '127.0.0.1')
    .option('--cues <file>', 'a cue script of your own (JSON, like the demo\'s scenarios/demo.json)')
    .option('--codex-home <dir>', 'also write DIR/config.toml with the provider (a Codex home of its own; never ~/.codex)')
    .addHelpText('after', '\nExamples:\n  pilothouse model\n  pilothouse model --codex-home /tmp/codex-scripted\n  pilothouse model --port 0 --cues my-cues.json')
    .action(async (opts: { port: number; host: string; cues?: string; codexHome?: string }) => {
      const { DEMO_SCRIPT_PATH, cueResponder, loadCueScript, startScriptedModel } = await import('@pilothouse/scripted-model');
      const script = await loadCueScript(opts.cues ? resolve(opts.cues) : DEMO_SCRIPT_PATH);
      const model = await startScriptedModel({ port: opts.port, host: opts.host, respond: cueResponder(script) });
      let home: string | null = null;
      if (opts.codexHome) {
        home = resolve(opts.codexHome);
        mkdirSync(home, { recursive: true });
        writeFileSync(join(home, 'config.toml'), demoCodexConfig(model.url));
      }
      process.stdout.write(modelInstructions(model.url, home));
      const stop = () => void model.close().then(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
