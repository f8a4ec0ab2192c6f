// The ps + lsof scanner (lsof.ts): parsers on recorded output, the whole scan on a recorded macOS
// session through an injected command runner, and the missing-tool path through the watcher.
// Real processes on Linux (lsof against /proc) are in lsof-linux.test.ts.
import { describe, expect, it } from 'vitest';
import {
  hasEnvEntry,
  makeRunTool,
  newLsofScanCache,
  parseLsofAddress,
  parseLsofCwd,
  parseLsofListen,
  parsePsEnv,
  parsePsTable,
  scanListenersLsof,
  ScanToolMissingError,
  type RunTool,
} from './lsof-scanner.js';
import { PortWatcher, defaultPortSource, type PortEvent } from './watcher.js';

// Recorded on Debian 12 (lsof 4.95.0, procps-ng 4.0.2): `lsof -nP -w -a -p … -iTCP -sTCP:LISTEN -F pcfdtnT`
// for a node process listening on `::` (dual stack), 127.0.0.1 and ::1, plus redis.
const LINUX_LSOF = `p2212
credis-server
f6
tIPv4
d4756
n127.0.0.1:6379
TST=LISTEN
TQR=0
TQS=0
f7
tIPv6
d4757
n[::1]:6379
TST=LISTEN
TQR=0
TQS=0
p20138
cnode
f19
tIPv6
d333110
n*:34003
TST=LISTEN
TQR=0
TQS=0
f20
tIPv4
d333111
n127.0.0.1:41207
TST=LISTEN
TQR=0
TQS=0
f21
tIPv6
d333112
n[::1]:37425
TST=LISTEN
TQR=0
TQS=0
`;

// macOS lsof 4.91 field output has the same shape; `d` is the socket's kernel address, and fields of
// a file may come in another order (state before name). Written to that format, not recorded here.
const MAC_LSOF = `p612
cnode
f23
tIPv6
d0x7c3b1e2f9a0d4e11
n*:5173
TST=LISTEN
TQR=0
TQS=0
f24
tIPv4
d0x7c3b1e2f9a0d5a22
TST=LISTEN
n127.0.0.1:24678
f25
tIPv6
d0x7c3b1e2f9a0d6b33
n[fe80::1%lo0]:8080
TST=LISTEN
f26
tIPv4
d0x7c3b1e2f9a0d7c44
n127.0.0.1:5173->127.0.0.1:61012
TST=ESTABLISHED
p640
cpython3.12
f3
tIPv4
d0x7c3b1e2f9a0d8d55
n*:8000
TST=LISTEN
`;

describe('lsof and ps parsers', () => {
  it('reads listening sockets from Linux lsof field output, wildcards made explicit per family', () => {
    expect(parseLsofListen(LINUX_LSOF)).toEqual([
      { pid: 2212, command: 'redis-server', fd: '6', id: '4756', family: 4, address: '127.0.0.1', port: 6379 },
      { pid: 2212, command: 'redis-server', fd: '7', id: '4757', family: 6, address: '::1', port: 6379 },
      { pid: 20138, command: 'node', fd: '19', id: '333110', family: 6, address: '::', port: 34003 },
      { pid: 20138, command: 'node', fd: '20', id: '333111', family: 4, address: '127.0.0.1', port: 41207 },
      { pid: 20138, command: 'node', fd: '21', id: '333112', family: 6, address: '::1', port: 37425 },
    ]);
  });

  it('reads macOS lsof field output: fields in any order, scoped IPv6, connections left out', () => {
    expect(parseLsofListen(MAC_LSOF).map(({ pid, address, port, id }) => ({ pid, address, port, id }))).toEqual([
      { pid: 612, address: '::', port: 5173, id: '0x7c3b1e2f9a0d4e11' },
      { pid: 612, address: '127.0.0.1', port: 24678, id: '0x7c3b1e2f9a0d5a22' },
      { pid: 612, address: 'fe80::1%lo0', port: 8080, id: '0x7c3b1e2f9a0d6b33' },
      { pid: 640, address: '0.0.0.0', port: 8000, id: '0x7c3b1e2f9a0d8d55' },
    ]);
    // Only the fields the brief asks for (-F pcnT): no type, no device; IPv6 told by brackets.
    expect(parseLsofListen('p7\ncvite\nf1\nn[::1]:5173\nTST=LISTEN\nf2\nn*:3000\n')).toEqual([
      { pid: 7, command: 'vite', fd: '1', id: null, family: 6, address: '::1', port: 5173 },
      { pid: 7, command: 'vite', fd: '2', id: null, family: 4, address: '0.0.0.0', port: 3000 },
    ]);
    expect(parseLsofListen('')).toEqual([]);
  });

  it('parses lsof addresses and rejects what is not one', () => {
    expect(parseLsofAddress('*:3000', 6)).toEqual({ address: '::', port: 3000 });
    expect(parseLsofAddress('0.0.0.0:80', 4)).toEqual({ address: '0.0.0.0', port: 80 });
    expect(parseLsofAddress('[::ffff:127.0.0.1]:9229', 6)).toEqual({ address: '::ffff:127.0.0.1', port: 9229 });
    for (const bad of ['localhost', '1.2.3.4:99999', '::1:80', '1.2.3.4:80->5.6.7.8:9']) expect(parseLsofAddress(bad, 4)).toBeNull();
  });

  it('reads cwd from lsof -d cwd output, with or without the fd field', () => {
    expect(parseLsofCwd('p20706\nfcwd\nn/tmp\np612\nfcwd\nn/Users/me/My App\n')).toEqual(
      new Map([
        [20706, '/tmp'],
        [612, '/Users/me/My App'],
      ]),
    );
    // lsof 4.95 on Linux leaves out `f` when only `n` is asked for.
    expect(parseLsofCwd('p7079\nn/work/main\n')).toEqual(new Map([[7079, '/work/main']]));
  });

  it('reads the ps table on Linux (procps) and macOS (lstart padded to 28, unreadable argv in parentheses)', () => {
    const linux = [
      '    1     0 Wed Nov 25 12:13:07 2026 /process_api --firecracker-init --addr 0.0.0.0:2024',
      '    2     0 Wed Nov 25 12:13:07 2026 [kthreadd]',
      "20706 20705 Wed Nov  5 13:17:45 2026 node -e const s=require('net').createServer().listen(0)",
      'garbage',
    ].join('\n');
    expect(parsePsTable(linux)).toEqual(
      new Map([
        [1, { ppid: 0, start: 'Wed Nov 25 12:13:07 2026', command: '/process_api --firecracker-init --addr 0.0.0.0:2024' }],
        [2, { ppid: 0, start: 'Wed Nov 25 12:13:07 2026', command: '[kthreadd]' }],
        [20706, { ppid: 20705, start: 'Wed Nov  5 13:17:45 2026', command: "node -e const s=require('net').createServer().listen(0)" }],
      ]),
    );
    const mac = [
      '    1     0 Mon Nov 23 08:01:12 2026     /sbin/launchd',
      '  612     1 Wed Nov 25 10:02:03 2026     /opt/homebrew/bin/node /Users/me/app/node_modules/.bin/vite --port 5173',
      '  700   612 Wed Nov 25 10:02:04 2026     (esbuild)',
    ].join('\n');
    expect([...parsePsTable(mac)].map(([pid, p]) => [pid, p.ppid, p.command])).toEqual([
      [1, 0, '/sbin/launchd'],
      [612, 1, '/opt/homebrew/bin/node /Users/me/app/node_modules/.bin/vite --port 5173'],
      [700, 612, '(esbuild)'],
    ]);
  });

  it('finds the marker as a whole word after argv (ps -E on macOS, ps e with procps)', () => {
    const marker = 'PILOTHOUSE_SESSION=abc';
    expect(hasEnvEntry('node x.js HOME=/Users/me PILOTHOUSE_SESSION=abc PATH=/bin', marker)).toBe(true);
    expect(hasEnvEntry('node x.js PILOTHOUSE_SESSION=abc', marker)).toBe(true);
    expect(hasEnvEntry('node x.js PILOTHOUSE_SESSION=abcd', marker)).toBe(false);
    expect(hasEnvEntry('node x.js XPILOTHOUSE_SESSION=abc', marker)).toBe(false);
    // A restricted Apple binary: ps prints argv only, never the environment.
    expect(hasEnvEntry('/bin/sleep 600', marker)).toBe(false);
    expect(parsePsEnv('  612 /opt/homebrew/bin/node vite PILOTHOUSE_SESSION=abc HOME=/x\n  613 /bin/zsh -l\n', marker)).toEqual(
      new Map([
        [612, true],
        [613, false],
      ]),
    );
  });
});

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

describe('scanListenersLsof on a recorded macOS session', () => {
  it('finds Codex descendants and marked processes, credits an inherited socket to the opener, asks only about new processes', async () => {
    const { run, calls } = fakeMac(() => MAC_TABLE);
    const cache = newLsofScanCache();
    const scan = () => scanListenersLsof({ rootPid: 500, marker: 'PILOTHOUSE_SESSION=s1', cache, platform: 'darwin', run });
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
    expect(cache.lastRuns).toBe(4);

    // Steady state: the table and lsof; no environment or cwd asked again.
    calls.length = 0;
    expect((await scan()).map((l) => l.port)).toEqual([5173, 9229]);
    expect(calls).toEqual(['ps -A -ww -o pid=,ppid=,lstart=,command=', 'lsof -b -nP -w -a -p 500,501,510,511 -iTCP -sTCP:LISTEN -F pcfdtnT']);
  });

  it('asks again about a pid that now names another process (new start time or exec)', async () => {
    let table = MAC_TABLE;
    const { run, calls } = fakeMac(() => table);
    const cache = newLsofScanCache();
    const scan = () => scanListenersLsof({ rootPid: 500, marker: 'PILOTHOUSE_SESSION=s1', cache, platform: 'darwin', run });
    await scan();
    table = table.replace('  520     1 Wed Nov 25 09:00:00 2026', '  520     1 Wed Nov 25 10:06:00 2026');
    calls.length = 0;
    await scan();
    expect(calls[1]).toBe('ps -E -ww -o pid=,command= -p 520');
  });

  it('runs nothing but ps when the agent has no process, and uses procps flags on Linux', async () => {
    const { run, calls } = fakeMac(() => MAC_TABLE);
    expect(await scanListenersLsof({ rootPid: 12345, run, platform: 'darwin' })).toEqual([]);
    expect(calls).toEqual(['ps -A -ww -o pid=,ppid=,lstart=,command=']);
    const linuxCalls: string[] = [];
    const linuxRun: RunTool = async (tool, args) => {
      linuxCalls.push(`${tool} ${args.join(' ')}`);
      return { stdout: tool === 'ps' && args[0] === '-A' ? '    7     1 Wed Nov 25 12:13:07 2026 sh\n' : '' };
    };
    expect(await scanListenersLsof({ rootPid: null, marker: 'M=1', run: linuxRun, platform: 'linux' })).toEqual([]);
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

  it('turns the watcher off after one scan_failed, without a crash or more polling', async () => {
    const run: RunTool = async (tool) => {
      if (tool === 'lsof') throw new ScanToolMissingError('lsof');
      return { stdout: `${String(process.pid).padStart(5)}     1 Wed Nov 25 12:13:07 2026 node\n` };
    };
    let scheduled = 0;
    const watcher = new PortWatcher({ rootPid: process.pid, intervalMs: 10, source: 'lsof', lsof: { run, platform: 'darwin' }, schedule: () => ((scheduled += 1), () => undefined) });
    const events: PortEvent[] = [];
    watcher.subscribe((e) => events.push(e));
    const failed = new Promise<void>((resolve) => watcher.subscribe((e) => e.type === 'scan_failed' && resolve()));
    watcher.start();
    await failed;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'scan_failed', error: { message: expect.stringMatching(/^port watcher off: lsof not found/) } });
    expect(await watcher.poll()).toEqual([]);
    expect(events).toHaveLength(1);
    expect(scheduled).toBe(0);
    watcher.stop();
  });

  it('picks /proc on Linux and lsof elsewhere', () => {
    expect([defaultPortSource('linux'), defaultPortSource('darwin'), defaultPortSource('freebsd')]).toEqual(['proc', 'lsof', 'lsof']);
  });
});
