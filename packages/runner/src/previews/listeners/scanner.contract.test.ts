// The ListenerScanner contract (scanner.ts), one suite run against both implementations: /proc
// (procfs-scanner.ts) and ps + lsof (lsof-scanner.ts, on Linux with procps ps; lsof must be
// installed). Real processes, started once for the suite and rooted at this test process: a child,
// a grandchild through a shell, both stacks, a listening fd a forked child inherited, and a
// `setsid` server that left the tree and carries the session marker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenerFixture, SERVER } from '../../../test/listeners.js';
import { LsofScanner } from './lsof-scanner.js';
import { descendants } from './process-tree.js';
import { ProcfsScanner } from './procfs-scanner.js';
import { readProcessTable } from './procfs.js';
import type { Listener, ListenerScanner } from './scanner.js';

// 127.0.0.1 and ::1 on one port.
const PAIR =
  "const n=require('net');const a=n.createServer().listen(0,'127.0.0.1',()=>{n.createServer().listen(a.address().port,'::1',()=>console.log(a.address().port+' '+process.pid))})";
// Dual stack: the `::` wildcard.
const DUAL = "const s=require('net').createServer().listen(0,()=>console.log(s.address().port+' '+process.pid))";
// Listens, then hands the listening socket to a child over IPC: both hold the same socket; prints
// "PORT PID CHILD_PID" once the child has it.
const HOLDER = "process.on('message',()=>process.send('held'))";
const FORKING =
  "const cp=require('child_process');const s=require('net').createServer().listen(0,'127.0.0.1',()=>{" +
  `const c=cp.spawn(process.execPath,['-e',${JSON.stringify(HOLDER)}],{stdio:['ignore','ignore','inherit','ipc']});` +
  "c.on('message',()=>console.log(s.address().port+' '+process.pid+' '+c.pid));c.send('socket',s)})";

const { tempDir, start } = listenerFixture('listeners-contract-', afterAll);

interface World {
  readonly marker: string;
  readonly ports: readonly number[];
  /** What a scan rooted at this process finds, and with the marker. */
  readonly inTree: readonly Listener[];
  readonly detached: Listener;
  /** The forked child that holds its parent's socket. */
  readonly holderPid: number;
  readonly child: Listener;
}

let world: World;

beforeAll(async () => {
  const marker = `PILOTHOUSE_SESSION=contract-${process.pid}-${Date.now()}`;
  const [name, value] = marker.split('=') as [string, string];
  const dir = tempDir();
  const node = (script: string) => `${process.execPath} -e ${script}`;
  const [child, pair, dual, grand, forking, detached] = await Promise.all([
    start(process.execPath, ['-e', SERVER], dir),
    start(process.execPath, ['-e', PAIR], dir),
    start(process.execPath, ['-e', DUAL], dir),
    start('sh', ['-c', `"${process.execPath}" -e "${SERVER}" & wait`], dir),
    start(process.execPath, ['-e', FORKING], dir),
    start('sh', ['-c', `setsid "${process.execPath}" -e "${SERVER}" &`], dir, { ...process.env, [name]: value }),
  ]);
  // The setsid server is out of this process's tree: only the marker finds it.
  expect(descendants(process.pid, await readProcessTable()).has(detached.pid)).toBe(false);
  const listener = (port: number, pid: number, script: string, addresses: string[]): Listener => ({ port, pid, command: node(script), cwd: dir, addresses });
  world = {
    marker,
    ports: [child.port, pair.port, dual.port, grand.port, forking.port, detached.port],
    inTree: [
      listener(child.port, child.pid, SERVER, ['127.0.0.1']),
      listener(pair.port, pair.pid, PAIR, ['127.0.0.1', '::1']),
      listener(dual.port, dual.pid, DUAL, ['::']),
      listener(grand.port, grand.pid, SERVER, ['127.0.0.1']),
      // Credited to the process that opened it (nearer the root), not to the child holding it too.
      listener(forking.port, forking.pid, FORKING, ['127.0.0.1']),
    ].sort((a, b) => a.port - b.port),
    detached: listener(detached.port, detached.pid, SERVER, ['127.0.0.1']),
    holderPid: forking.others[0]!,
    child: listener(child.port, child.pid, SERVER, ['127.0.0.1']),
  };
});

const implementations: [string, () => ListenerScanner][] = [
  ['ProcfsScanner', () => new ProcfsScanner()],
  ['LsofScanner', () => new LsofScanner()],
];

describe.each(implementations)('%s (the ListenerScanner contract)', (_name, make) => {
  const ours = (listeners: readonly Listener[]) => listeners.filter((l) => world.ports.includes(l.port));

  it("finds the agent's listeners: descendants at any depth, both stacks, an inherited fd once, a marked server outside the tree", async () => {
    const found = await make().scan(process.pid, world.marker);
    expect(ours(found)).toEqual([...world.inTree, world.detached].sort((a, b) => a.port - b.port));
    expect(found.map((l) => l.pid)).not.toContain(world.holderPid);
    // Sorted by port, then pid, whatever else this machine listens on.
    expect(found).toEqual([...found].sort((a, b) => a.port - b.port || a.pid - b.pid));
  });

  it('without the marker, leaves out the server that left the tree', async () => {
    expect(ours(await make().scan(process.pid))).toEqual(world.inTree);
  });

  it('with no agent process, finds the marked server alone', async () => {
    expect(await make().scan(null, world.marker)).toEqual([world.detached]);
  });

  it('ignores listeners outside the tree and roots that do not exist', async () => {
    const scanner = make();
    expect(await scanner.scan(1 << 30)).toEqual([]);
    // A subtree (the child's own) does not see this process's other children.
    expect(await scanner.scan(world.child.pid)).toEqual([world.child]);
  });

  it('gives the same answer again from its cache', async () => {
    const scanner = make();
    const first = ours(await scanner.scan(process.pid, world.marker));
    expect(ours(await scanner.scan(process.pid, world.marker))).toEqual(first);
  });
});
