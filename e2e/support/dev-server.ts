// What agent tests start as "the dev server": a tiny `node server.js PORT HOST`, a free port for
// it, and how a Codex command leaves a server running after it returns (detach.js).

import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A tiny dev server: `node server.js PORT HOST`. */
export const SERVER = [
  "const http = require('http');",
  "const [port, host = '127.0.0.1'] = process.argv.slice(2);",
  "http.createServer((req, res) => res.end('hello from the dev server ' + req.url)).listen(Number(port), host);",
  '',
].join('\n');

/**
 * A TCP port free on 127.0.0.1 right now, below the kernel's ephemeral range (32768–60999 on Linux):
 * a port 0 listener of a test running beside this one can never be given it before the dev server
 * binds it (taking a port-0 port and closing it left exactly that race).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
  }
}

/**
 * `node detach.js LOG CMD ARG…`: starts CMD in a session of its own, its output appended to LOG, and
 * returns once CMD runs. Codex ends the process group of a command when the command returns (a
 * plain `cmd &` child dies with it), so `setsid nohup cmd &` is a race: the backgrounded shell
 * must reach setsid before Codex's kill, which under a loaded machine it sometimes did not (the
 * dev server never started; full-suite runs of the preview tests failed that way). Node's spawn
 * with `detached` calls setsid() in the child before exec and returns after the exec, so when
 * detach.js exits the server is already out of the group.
 */
const DETACH = [
  "const { spawn } = require('child_process');",
  "const { openSync } = require('fs');",
  'const [log, command, ...args] = process.argv.slice(2);',
  "const out = openSync(log, 'a');",
  "spawn(command, args, { detached: true, stdio: ['ignore', out, out] }).unref();",
  '',
].join('\n');

/** Writes detach.js into `dir` (the agent's workspace). */
export function writeDetach(dir: string): void {
  writeFileSync(join(dir, 'detach.js'), DETACH);
}

/** The command an agent runs to leave `command` (space-separated, no shell syntax) running, its output in `log`. */
export const detached = (log: string, command: string): string => `node detach.js ${log} ${command}`;
