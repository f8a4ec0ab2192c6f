import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { alive, descendants, endAll } from './process-tree.js';

describe('process tree', () => {
  it('finds children and grandchildren, and ends them all (even one that ignores SIGTERM)', async () => {
    // sh starts a stubborn grandchild, says its pid, and waits.
    const sh = spawn('sh', ['-c', `sh -c 'trap "" TERM; echo $$; while :; do sleep 1; done' & wait`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(sh.stdout.setEncoding('utf8'), 'data')) as [string];
    const grandchild = Number(line.trim());
    const found = descendants();
    expect(found.map((p) => p.pid)).toEqual(expect.arrayContaining([sh.pid, grandchild]));
    expect(found.findIndex((p) => p.pid === sh.pid)).toBeLessThan(found.findIndex((p) => p.pid === grandchild));
    const tree = found.filter((p) => p.pid === sh.pid || descendants(sh.pid).some((d) => d.pid === p.pid));
    expect(await endAll(tree, 300)).toEqual([]);
    expect(tree.every((p) => !alive(p))).toBe(true);
  });

  it('never mistakes a reused pid for the process it noted', () => {
    const me = descendants(process.ppid).find((p) => p.pid === process.pid)!;
    expect(alive(me)).toBe(true);
    if (me.start !== null) expect(alive({ pid: me.pid, start: me.start + 1 })).toBe(false);
  });
});
