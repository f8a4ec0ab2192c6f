// Real processes: a child and a grandchild (through a shell) open listening sockets; the scanner
// for this machine, rooted at this test process, must find them with pid, command and cwd, and no
// longer once they are killed. When to scan and what changed between scans is the session's
// (session/previews/previews.test.ts).
import { describe, expect, it } from 'vitest';
import { defaultPortSource, defaultScanner } from './default-scanner.js';
import { killServer, listenerFixture, SERVER } from '../../../test/listeners.js';
import type { Listener } from './scanner.js';

const { tempDir, start, children } = listenerFixture('ports-');

describe('defaultScanner', () => {
  it('finds a child and a grandchild listening, and neither after kill', async () => {
    const scanner = defaultScanner();
    const scan = async (port: number): Promise<Listener[]> => (await scanner.scan(process.pid)).filter((l) => l.port === port);

    const childDir = tempDir();
    const child = await start(process.execPath, ['-e', SERVER], childDir);
    expect(await scan(child.port)).toEqual([
      {
        port: child.port,
        pid: child.pid,
        command: `${process.execPath} -e ${SERVER}`,
        cwd: childDir,
        addresses: ['127.0.0.1'],
      },
    ]);

    const grandDir = tempDir();
    const grand = await start('sh', ['-c', `"${process.execPath}" -e "${SERVER}" & wait`], grandDir);
    const [seenGrand, ...more] = await scan(grand.port);
    expect(more).toEqual([]);
    expect(seenGrand).toMatchObject({ port: grand.port, pid: grand.pid, cwd: grandDir });
    expect(seenGrand!.pid).not.toBe(children[1]!.pid); // the shell is the parent, node the listener
    expect(seenGrand!.command).toContain('createServer()');

    await killServer(grand);
    expect(await scan(grand.port)).toEqual([]);
    expect(await scan(child.port)).toHaveLength(1);

    await killServer(child);
    expect(await scan(child.port)).toEqual([]);
  });

  it('picks /proc on Linux and lsof elsewhere', () => {
    expect([defaultPortSource('linux'), defaultPortSource('darwin'), defaultPortSource('freebsd')]).toEqual(['proc', 'lsof', 'lsof']);
  });
});
