// Real processes: a child and a grandchild (through a shell) open listening sockets; the watcher,
// rooted at this test process, must see them with pid, command and cwd, then see them close. Then
// the diffing alone, with an injected scanner and clock.
import { describe, expect, it } from 'vitest';
import { listenerFixture, nextEvent, realSchedule, SERVER } from './listeners.test-support.js';
import { PortWatcher, type Listener, type PortEvent, type Schedule } from './watcher.js';

const { tempDir, start, track, children } = listenerFixture('ports-');

const on = (type: 'listening' | 'closed', port: number) => (e: PortEvent) => e.type === type && e.listener.port === port;

describe('PortWatcher on /proc', () => {
  it('sees a child and a grandchild listen, then close after kill', async () => {
    const watcher = new PortWatcher({ rootPid: process.pid, intervalMs: 25, schedule: realSchedule });
    track(watcher);
    watcher.start();

    const childDir = tempDir();
    const child = await start(process.execPath, ['-e', SERVER], childDir);
    const seenChild = (await nextEvent(watcher, on('listening', child.port))) as { listener: Listener };
    expect(seenChild.listener).toEqual({
      port: child.port,
      pid: child.pid,
      command: `${process.execPath} -e ${SERVER}`,
      cwd: childDir,
      addresses: ['127.0.0.1'],
    });

    const grandDir = tempDir();
    const grand = await start('sh', ['-c', `"${process.execPath}" -e "${SERVER}" & wait`], grandDir);
    const seenGrand = (await nextEvent(watcher, on('listening', grand.port))) as { listener: Listener };
    expect(seenGrand.listener).toMatchObject({ port: grand.port, pid: grand.pid, cwd: grandDir });
    expect(seenGrand.listener.pid).not.toBe(children[1]!.pid); // the shell is the parent, node the listener
    expect(seenGrand.listener.command).toContain("createServer()");

    const closedGrand = nextEvent(watcher, on('closed', grand.port));
    process.kill(grand.pid);
    expect(await closedGrand).toMatchObject({ type: 'closed', listener: { port: grand.port, pid: grand.pid } });

    const closedChild = nextEvent(watcher, on('closed', child.port));
    process.kill(child.pid);
    expect(await closedChild).toMatchObject({ type: 'closed', listener: { port: child.port, pid: child.pid } });
    expect(watcher.listeners.filter((l) => l.port === child.port || l.port === grand.port)).toEqual([]);
  });
});

describe('PortWatcher diffing with an injected scan and clock', () => {
  it('emits listening and closed diffs per tick and stops cleanly', async () => {
    const a: Listener = { port: 3000, pid: 10, command: 'vite', cwd: '/w', addresses: ['::1'] };
    const b: Listener = { port: 4000, pid: 11, command: 'node api.js', cwd: '/w', addresses: ['0.0.0.0'] };
    const snapshots = [[a], [a, b], [b]];
    let timers: Array<{ fn: () => void; ms: number; cancelled: boolean }> = [];
    const schedule: Schedule = (fn, ms) => {
      const t = { fn, ms, cancelled: false };
      timers.push(t);
      return () => {
        t.cancelled = true;
      };
    };
    const events: PortEvent[] = [];
    let scans = 0;
    let ticked: () => void = () => undefined;
    const watcher = new PortWatcher({
      rootPid: 1,
      intervalMs: 1000,
      schedule: (fn, ms) => {
        const cancel = schedule(fn, ms);
        ticked();
        return cancel;
      },
      scanner: { scan: async () => snapshots[Math.min(scans++, snapshots.length - 1)]! },
    });
    watcher.subscribe((e) => events.push(e));
    const armed = () => new Promise<void>((resolve) => (ticked = resolve));

    let wait = armed();
    watcher.start();
    await wait;
    expect(events).toEqual([{ type: 'listening', listener: a }]);
    expect(timers.map((t) => t.ms)).toEqual([1000]);

    wait = armed();
    timers.shift()!.fn();
    await wait;
    expect(events.slice(1)).toEqual([{ type: 'listening', listener: b }]);

    wait = armed();
    timers.shift()!.fn();
    await wait;
    expect(events.slice(2)).toEqual([{ type: 'closed', listener: a }]);

    watcher.stop();
    expect(timers.every((t) => t.cancelled)).toBe(true);
    timers = [];
  });

  it('reports a failing scan as an event and keeps polling', async () => {
    let cancelled = 0;
    let armedCount = 0;
    let armedResolve: () => void = () => undefined;
    const watcher = new PortWatcher({
      rootPid: 1,
      intervalMs: 5,
      schedule: () => {
        armedCount += 1;
        armedResolve();
        return () => (cancelled += 1);
      },
      scanner: {
        scan: async () => {
          throw new Error('boom');
        },
      },
    });
    const events: PortEvent[] = [];
    watcher.subscribe((e) => events.push(e));
    const armed = new Promise<void>((resolve) => (armedResolve = resolve));
    watcher.start();
    await armed;
    expect(events).toMatchObject([{ type: 'scan_failed', error: { message: 'boom' } }]);
    expect(armedCount).toBe(1);
    watcher.stop();
    expect(cancelled).toBe(1);
  });
});
