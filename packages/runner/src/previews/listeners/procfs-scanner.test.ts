// The /proc scanner against real processes, on what only it does: the marker check remembered per
// pid (start time, comm), and net tables read again only when the agent's socket fds change. What
// both scanners must do alike is in scanner.contract.test.ts.
import { describe, expect, it } from 'vitest';
import { listenerFixture, SERVER } from '../../../test/listeners.js';
import { descendants } from './process-tree.js';
import { ProcfsScanner, REFRESH_SCANS } from './procfs-scanner.js';
import { readProcessTable } from './procfs.js';

const { tempDir, start } = listenerFixture('ports-');

describe('ProcfsScanner', () => {
  it('finds a server that left the tree (setsid, parented by init) by the environment marker', async () => {
    const dir = tempDir();
    const marker = `PILOTHOUSE_SESSION=test-${process.pid}-${Date.now()}`;
    const [name, value] = marker.split('=') as [string, string];
    // The shell exits at once; the detached server is re-parented away from this process.
    const server = await start('sh', ['-c', `setsid "${process.execPath}" -e "${SERVER}" &`], dir, { ...process.env, [name]: value });
    const table = await readProcessTable();
    expect(descendants(process.pid, table).has(server.pid)).toBe(false);

    expect((await new ProcfsScanner().scan(process.pid)).map((l) => l.port)).not.toContain(server.port);
    const scanner = new ProcfsScanner();
    const found = await scanner.scan(process.pid, marker);
    expect(found.filter((l) => l.port === server.port)).toEqual([{ port: server.port, pid: server.pid, command: expect.stringContaining('createServer'), cwd: dir, addresses: ['127.0.0.1'] }]);
    // Every visible process was checked once, and is remembered with its start time.
    expect(scanner.cache.markers.get(server.pid)).toEqual({ start: expect.stringMatching(/^\d+$/), comm: 'node', marked: true });
    expect(scanner.cache.markers.get(process.pid)?.marked).toBe(false);
    // Codex gone (no root): the marked server is still found.
    expect((await scanner.scan(null, marker)).map((l) => l.port)).toContain(server.port);
  });

  it('reads the net tables again only when a socket fd comes or goes, or to refresh', async () => {
    const dir = tempDir();
    const scanner = new ProcfsScanner();
    const scan = () => scanner.scan(process.pid);
    const a = await start(process.execPath, ['-e', SERVER], dir);
    expect((await scan()).map((l) => l.port)).toContain(a.port);
    const reads = scanner.cache.tableReads;
    await scan();
    await scan();
    expect(scanner.cache.tableReads).toBe(reads);
    const b = await start(process.execPath, ['-e', SERVER], dir);
    expect((await scan()).map((l) => l.port)).toEqual(expect.arrayContaining([a.port, b.port]));
    expect(scanner.cache.tableReads).toBe(reads + 1);
    for (let i = 0; i < REFRESH_SCANS; i += 1) await scan();
    expect(scanner.cache.tableReads).toBe(reads + 2);
  });
});
