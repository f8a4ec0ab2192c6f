// The ps and lsof parsers (lsof-parsers.ts) on output recorded on Linux and written to macOS's
// documented formats.
import { describe, expect, it } from 'vitest';
import { hasEnvEntry, parseLsofAddress, parseLsofCwd, parseLsofListen, parsePsEnv, parsePsTable } from './lsof-parsers.js';

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
