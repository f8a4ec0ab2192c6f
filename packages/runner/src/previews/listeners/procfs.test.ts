import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environMarker, parseNetTcp, parseStat, parseStatPpid } from './procfs.js';

describe('procfs parsers', () => {
  it('reads ppid after a comm holding spaces and parentheses', () => {
    expect(parseStatPpid('4242 (node (worker) x) S 17 4242 4242 0 -1')).toBe(17);
    expect(parseStatPpid('garbage')).toBeNull();
  });

  it('reads the start time (field 22) and comm that tell a reused pid or an exec from the process before', () => {
    const stat = '4242 (a) b) S 17 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200';
    expect(parseStat(stat)).toEqual({ ppid: 17, start: '987654', comm: 'a) b' });
  });

  it('keeps only LISTEN rows of tcp and tcp6 and decodes addresses', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 111 1 0 100 0 0 10 0',
      '   1: 00000000:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 222 1 0 100 0 0 10 0',
      '   2: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 333 1 0 100 0 0 10 0',
    ].join('\n');
    expect(parseNetTcp(tcp, 4)).toEqual([
      { inode: '111', port: 8080, address: '127.0.0.1' },
      { inode: '222', port: 3000, address: '0.0.0.0' },
    ]);
    const tcp6 = [
      '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000000000000000000001000000:1563 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 444 1 0 100 0 0 10 0',
      '   1: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 555 1 0 100 0 0 10 0',
    ].join('\n');
    expect(parseNetTcp(tcp6, 6)).toEqual([
      { inode: '444', port: 5475, address: '::1' },
      { inode: '555', port: 22, address: '::' },
    ]);
  });

  it('tells marked, unmarked and not-yet-known environments apart (an empty one is read again later)', () => {
    const root = mkdtempSync(join(tmpdir(), 'procfs-'));
    try {
      const env = (pid: number, text: string) => {
        mkdirSync(join(root, String(pid)));
        writeFileSync(join(root, String(pid), 'environ'), text);
      };
      env(10, 'HOME=/root\0PILOTHOUSE_SESSION=abc\0PATH=/bin\0');
      env(11, 'PILOTHOUSE_SESSION=abcd\0');
      env(12, '');
      const check = (pid: number) => environMarker(pid, 'PILOTHOUSE_SESSION=abc', root);
      expect([check(10), check(11), check(12), check(13)]).toEqual(['marked', 'unmarked', 'unknown', 'unknown']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
