// The ps + lsof scanner against real processes on Linux, checked against the /proc scanner: a
// child, a grandchild through a shell, and a `setsid` server that left the tree and is found by the
// environment marker. Needs lsof installed (.ci/run installs it).
import { describe, expect, it } from 'vitest';
import { killServer, listenerFixture, SERVER } from '../../../test/listeners.js';
import { LsofScanner } from './lsof-scanner.js';
import { descendants } from './process-tree.js';
import { ProcfsScanner } from './procfs-scanner.js';
import { readProcessTable } from './procfs.js';
import type { Listener } from './scanner.js';
import { runTool, type RunTool } from './tool-runner.js';

const SERVER2 =
  "const n=require('net');const a=n.createServer().listen(0,'127.0.0.1',()=>{n.createServer().listen(a.address().port,'::1',()=>console.log(a.address().port+' '+process.pid))})";
// Dual stack: the `::` wildcard, which lsof prints as `*` on an IPv6 socket.
const SERVER3 = "const s=require('net').createServer().listen(0,()=>console.log(s.address().port+' '+process.pid))";

const { tempDir, start } = listenerFixture('ports-lsof-');

const only = (ports: readonly number[]) => (listeners: readonly Listener[]) => listeners.filter((l) => ports.includes(l.port));

describe('LsofScanner on Linux, against the /proc scanner', () => {
  it('finds the same listeners: child, grandchild, dual stack, and a setsid server by its marker', async () => {
    const marker = `PILOTHOUSE_SESSION=lsof-${process.pid}-${Date.now()}`;
    const [name, value] = marker.split('=') as [string, string];
    const dir = tempDir();
    const child = await start(process.execPath, ['-e', SERVER], dir);
    const pair = await start(process.execPath, ['-e', SERVER2], dir);
    const dual = await start(process.execPath, ['-e', SERVER3], dir);
    const grand = await start('sh', ['-c', `"${process.execPath}" -e "${SERVER}" & wait`], dir);
    const detached = await start('sh', ['-c', `setsid "${process.execPath}" -e "${SERVER}" &`], dir, { ...process.env, [name]: value });
    expect(descendants(process.pid, await readProcessTable()).has(detached.pid)).toBe(false);
    const ports = only([child.port, pair.port, dual.port, grand.port, detached.port]);

    const calls: string[][] = [];
    const run: RunTool = (tool, args) => {
      calls.push([tool, ...args]);
      return runTool(tool, args);
    };
    const scanner = new LsofScanner({ run });
    const viaLsof = ports(await scanner.scan(process.pid, marker));
    const viaProc = ports(await new ProcfsScanner().scan(process.pid, marker));
    expect(viaLsof).toEqual(viaProc);
    expect(viaLsof).toEqual(
      [
        { port: child.port, pid: child.pid, command: `${process.execPath} -e ${SERVER}`, cwd: dir, addresses: ['127.0.0.1'] },
        { port: pair.port, pid: pair.pid, command: `${process.execPath} -e ${SERVER2}`, cwd: dir, addresses: ['127.0.0.1', '::1'] },
        { port: dual.port, pid: dual.pid, command: `${process.execPath} -e ${SERVER3}`, cwd: dir, addresses: ['::'] },
        { port: grand.port, pid: grand.pid, command: `${process.execPath} -e ${SERVER}`, cwd: dir, addresses: ['127.0.0.1'] },
        { port: detached.port, pid: detached.pid, command: `${process.execPath} -e ${SERVER}`, cwd: dir, addresses: ['127.0.0.1'] },
      ].sort((a, b) => a.port - b.port),
    );
    // Without the marker, the detached server is out of reach; with no root, only it is found.
    expect(ports(await new LsofScanner().scan(process.pid)).map((l) => l.port)).not.toContain(detached.port);
    expect(ports(await scanner.scan(null, marker)).map((l) => l.port)).toEqual([detached.port]);
    // Steady state: the process table and one lsof call; the environment only of processes that are
    // new (other work on this machine may start some), no cwd asked again.
    calls.length = 0;
    expect(ports(await scanner.scan(process.pid, marker))).toEqual(viaLsof);
    expect(calls.map((c) => c.slice(0, 2).join(' '))).toEqual(expect.arrayContaining(['ps -A', 'lsof -b']));
    expect(calls.filter((c) => c.includes('cwd'))).toEqual([]);
    for (const envCall of calls.filter((c) => c[1] === 'eww')) expect(envCall.at(-1)!.split(',')).not.toContain(String(detached.pid));
    expect(calls.length).toBeLessThanOrEqual(3);
    expect(scanner.cache.markers.get(detached.pid)?.marked).toBe(true);
    expect(scanner.cache.markers.get(process.pid)?.marked).toBe(false);
  });

  it('finds a server while it listens, and not after kill', async () => {
    const scanner = new LsofScanner();
    const scan = async (port: number) => (await scanner.scan(process.pid)).filter((l) => l.port === port);
    const dir = tempDir();
    const server = await start(process.execPath, ['-e', SERVER], dir);
    expect(await scan(server.port)).toEqual([{ port: server.port, pid: server.pid, command: `${process.execPath} -e ${SERVER}`, cwd: dir, addresses: ['127.0.0.1'] }]);
    await killServer(server);
    expect(await scan(server.port)).toEqual([]);
  });
});
