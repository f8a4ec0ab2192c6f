// The ps + lsof scanner (lsof-scanner.ts): the whole scan on a recorded macOS session through an
// injected command runner, and a scan without lsof rejected with ScanToolMissingError. Parsers are tested in
// lsof-parsers.test.ts; real processes on Linux in lsof-linux.test.ts and scanner.contract.test.ts.
import { describe, expect, it } from 'vitest';
import { parsePsTable } from './lsof-parsers.js';
import { LsofScanner } from './lsof-scanner.js';
import { ScanToolMissingError } from './scanner.js';
import { makeRunTool, type RunTool } from './tool-runner.js';

/** A recorded macOS session: answers each ps / lsof call the scanner makes, and records the calls. */
function fakeMac(table: () => string) {
  const calls: string[] = [];
  const run: RunTool = async (tool, args) => {
    const line = `${tool} ${args.join(' ')}`;
    calls.push(line);
    if (tool === 'ps' && args[0] === '-A') return { stdout: table(), pid: 999 };
    if (tool === 'ps' && args[0] === '-E') {
      const pids = new Set(args[args.length - 1]!.split(',').map(Number));
      const env: Record<number, string> = {
        500: '/opt/homebrew/bin/codex app-server PILOTHOUSE_SESSION=s1 HOME=/Users/me',
        501: '/bin/zsh -c npm run dev', // restricted: no environment shown
        510: '/opt/homebrew/bin/node /Users/me/app/node_modules/.bin/vite PILOTHOUSE_SESSION=s1 HOME=/Users/me',
        511: '/Users/me/app/node_modules/@esbuild/darwin-arm64/bin/esbuild --service PILOTHOUSE_SESSION=s1',
        520: '/opt/homebrew/bin/node other.js PILOTHOUSE_SESSION=s2',
      };
      // ps prints every pid that exists: argv alone where the environment is not shown.
      const argv = parsePsTable(table());
      const lines = [...pids].filter((p) => argv.has(p)).map((p) => `${String(p).padStart(5)} ${env[p] ?? argv.get(p)!.command}`);
      return { stdout: lines.join('\n') + '\n' };
    }
    if (tool === 'lsof' && args.includes('-iTCP')) {
      const pids = new Set(args[args.indexOf('-p') + 1]!.split(',').map(Number));
      // The vite server's socket is also held by its esbuild child (inherited fd, same kernel address).
      const all: Record<number, string> = {
        501: 'p501\nczsh\nf12\ntIPv4\nd0xaaa1\nn127.0.0.1:9229\nTST=LISTEN\n',
        510: 'p510\ncnode\nf23\ntIPv6\nd0xbbb1\nn*:5173\nTST=LISTEN\nf24\ntIPv4\nd0xbbb2\nn127.0.0.1:5173\nTST=LISTEN\n',
        511: 'p511\ncesbuild\nf3\ntIPv6\nd0xbbb1\nn*:5173\nTST=LISTEN\n',
        520: 'p520\ncnode\nf3\ntIPv4\nd0xccc1\nn*:4000\nTST=LISTEN\n',
      };
      return { stdout: [...pids].map((p) => all[p] ?? '').join('') };
    }
    if (tool === 'lsof' && args.includes('cwd')) {
      const pids = args[args.indexOf('-p') + 1]!.split(',');
      return { stdout: pids.map((p) => `p${p}\nfcwd\nn/Users/me/app\n`).join('') };
    }
    throw new Error(`unexpected ${line}`);
  };
  return { run, calls };
}

const MAC_TABLE = [
  '    1     0 Mon Nov 23 08:01:12 2026     /sbin/launchd',
  '  400     1 Wed Nov 25 10:00:00 2026     /opt/homebrew/bin/node pilothouse run',
  '  500   400 Wed Nov 25 10:00:01 2026     /opt/homebrew/bin/codex app-server',
  '  501   500 Wed Nov 25 10:02:00 2026     /bin/zsh -c npm run dev',
  // The dev server left Codex's tree (its launcher exited): parented by launchd, found by the marker.
  '  510     1 Wed Nov 25 10:02:01 2026     /opt/homebrew/bin/node /Users/me/app/node_modules/.bin/vite',
  '  511   510 Wed Nov 25 10:02:02 2026     /Users/me/app/node_modules/@esbuild/darwin-arm64/bin/esbuild --service',
  // Another runner's session.
  '  520     1 Wed Nov 25 09:00:00 2026     /opt/homebrew/bin/node other.js',
  '  999   400 Wed Nov 25 10:05:00 2026     ps -A -ww -o pid=,ppid=,lstart=,command=',
].join('\n');

describe('LsofScanner on a recorded macOS session', () => {
  it('finds Codex descendants and marked processes, credits an inherited socket to the opener, asks only about new processes', async () => {
    const { run, calls } = fakeMac(() => MAC_TABLE);
    const scanner = new LsofScanner({ platform: 'darwin', run });
    const scan = () => scanner.scan(500, 'PILOTHOUSE_SESSION=s1');
    expect(await scan()).toEqual([
      { port: 5173, pid: 510, command: '/opt/homebrew/bin/node /Users/me/app/node_modules/.bin/vite', cwd: '/Users/me/app', addresses: ['127.0.0.1', '::'] },
      { port: 9229, pid: 501, command: '/bin/zsh -c npm run dev', cwd: '/Users/me/app', addresses: ['127.0.0.1'] },
    ]);
    expect(calls).toEqual([
      'ps -A -ww -o pid=,ppid=,lstart=,command=',
      // Every process once (ps's own pid, 999, left out), with the environment.
      'ps -E -ww -o pid=,command= -p 1,400,500,501,510,511,520',
      // lsof is asked about the agent's processes only: Codex's tree and the marked ones.
      'lsof -b -nP -w -a -p 500,501,510,511 -iTCP -sTCP:LISTEN -F pcfdtnT',
      'lsof -nP -w -a -p 501,510 -d cwd -F pfn',
    ]);
    expect(scanner.cache.lastRuns).toBe(4);

    // Steady state: the table and lsof; no environment or cwd asked again.
    calls.length = 0;
    expect((await scan()).map((l) => l.port)).toEqual([5173, 9229]);
    expect(calls).toEqual(['ps -A -ww -o pid=,ppid=,lstart=,command=', 'lsof -b -nP -w -a -p 500,501,510,511 -iTCP -sTCP:LISTEN -F pcfdtnT']);
  });

  it('asks again about a pid that now names another process (new start time or exec)', async () => {
    let table = MAC_TABLE;
    const { run, calls } = fakeMac(() => table);
    const scanner = new LsofScanner({ platform: 'darwin', run });
    const scan = () => scanner.scan(500, 'PILOTHOUSE_SESSION=s1');
    await scan();
    table = table.replace('  520     1 Wed Nov 25 09:00:00 2026', '  520     1 Wed Nov 25 10:06:00 2026');
    calls.length = 0;
    await scan();
    expect(calls[1]).toBe('ps -E -ww -o pid=,command= -p 520');
  });

  it('runs nothing but ps when the agent has no process, and uses procps flags on Linux', async () => {
    const { run, calls } = fakeMac(() => MAC_TABLE);
    expect(await new LsofScanner({ run, platform: 'darwin' }).scan(12345)).toEqual([]);
    expect(calls).toEqual(['ps -A -ww -o pid=,ppid=,lstart=,command=']);
    const linuxCalls: string[] = [];
    const linuxRun: RunTool = async (tool, args) => {
      linuxCalls.push(`${tool} ${args.join(' ')}`);
      return { stdout: tool === 'ps' && args[0] === '-A' ? '    7     1 Wed Nov 25 12:13:07 2026 sh\n' : '' };
    };
    expect(await new LsofScanner({ run: linuxRun, platform: 'linux' }).scan(null, 'M=1')).toEqual([]);
    expect(linuxCalls).toEqual(['ps -A -ww -o pid=,ppid=,lstart=,command=', 'ps eww -o pid=,command= -p 7']);
  });
});

describe('lsof missing', () => {
  it('is a ScanToolMissingError with the message the runner logs', async () => {
    const run = makeRunTool({ lsof: '/nonexistent/pilothouse-test/lsof' }, []);
    const error = await run('lsof', ['-v']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScanToolMissingError);
    expect((error as Error).message).toMatch(/^port watcher off: lsof not found; install it or put it on PATH/);
  });

  it('tolerates lsof exit 1 for pids that are gone (a real lsof)', async () => {
    const result = await makeRunTool()('lsof', ['-nP', '-w', '-a', '-p', '999999999', '-iTCP', '-sTCP:LISTEN', '-F', 'pcfdtnT']);
    expect(result.stdout).toBe('');
  });

  it('rejects the scan with it, without a crash, when lsof is missing', async () => {
    const run: RunTool = async (tool) => {
      if (tool === 'lsof') throw new ScanToolMissingError('lsof');
      return { stdout: `${String(process.pid).padStart(5)}     1 Wed Nov 25 12:13:07 2026 node\n` };
    };
    const error = await new LsofScanner({ run, platform: 'darwin' }).scan(process.pid).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScanToolMissingError);
    expect(error).toMatchObject({ tool: 'lsof', message: expect.stringMatching(/^port watcher off: lsof not found/) });
  });
});
