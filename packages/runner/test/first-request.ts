// Where a real agent sends its first model request: named HTTP servers on port 0 that record what
// reaches them (and refuse it with a 401), and a run of the agent's command that ends at the first
// request, or when the agent exits without making one. Test-only: the contract tests of the
// providers (claude/provider.ts, gemini/provider.ts) hold the runner's reading to the agent's own.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';

export interface Recorders {
  /** Base URL of each named server, e.g. `{ settings: 'http://127.0.0.1:40111' }`. */
  readonly urls: Readonly<Record<string, string>>;
  /** Runs the command until a request reaches a server: its name and the request's headers; null when the agent exited first (with its output). */
  firstRequest(bin: string, args: readonly string[], opts: { env: NodeJS.ProcessEnv; cwd: string }): Promise<{ server: string; headers: Record<string, unknown> } | { server: null; output: string }>;
  close(): Promise<void>;
}

export async function startRecorders(names: readonly string[]): Promise<Recorders> {
  let onRequest: ((server: string, headers: Record<string, unknown>) => void) | null = null;
  const servers: [string, Server][] = names.map((name) => [
    name,
    createServer((req, res) => {
      onRequest?.(name, { ...req.headers });
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":401,"message":"recorded","status":"UNAUTHENTICATED"}}');
    }),
  ]);
  const urls: Record<string, string> = {};
  for (const [name, server] of servers) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    urls[name] = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }
  return {
    urls,
    firstRequest: (bin, args, opts) =>
      new Promise((resolve) => {
        const child = spawn(bin, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (d: Buffer) => void (output += d.toString()));
        child.stderr.on('data', (d: Buffer) => void (output += d.toString()));
        // This run's own handler: the close of a run killed before must not end this one.
        const mine = (server: string, headers: Record<string, unknown>): void => {
          onRequest = null;
          child.kill('SIGKILL');
          resolve({ server, headers });
        };
        onRequest = mine;
        child.once('close', () => {
          if (onRequest !== mine) return;
          onRequest = null;
          resolve({ server: null, output: output.slice(-2000) });
        });
      }),
    close: async () => {
      onRequest = null;
      for (const [, server] of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}
