import { describe, expect, it } from 'vitest';
import { attributeListeners, type SocketHold } from './attribution.js';

const hold = (socket: string, pid: number, depth: number, port: number, address: string): SocketHold => ({ socket, pid, depth, port, address });

describe('attributeListeners', () => {
  it('groups the sockets of one process by port, addresses sorted and each once, listeners sorted by port then pid', () => {
    expect(
      attributeListeners([
        hold('s3', 20, 1, 5173, '::1'),
        hold('s1', 10, 1, 3000, '127.0.0.1'),
        hold('s2', 10, 1, 3000, '::'),
        hold('s2', 10, 1, 3000, '::'), // the same socket through a second fd (dup)
        hold('s4', 30, 2, 3000, '0.0.0.0'), // SO_REUSEPORT: another process on the same port
        hold('s3', 20, 1, 5173, '127.0.0.1'),
      ]),
    ).toEqual([
      { port: 3000, pid: 10, addresses: ['127.0.0.1', '::'] },
      { port: 3000, pid: 30, addresses: ['0.0.0.0'] },
      { port: 5173, pid: 20, addresses: ['127.0.0.1', '::1'] },
    ]);
  });

  it('credits a socket held by several processes to the one nearest the root', () => {
    // A dev server (depth 2) whose worker (depth 3) inherited its listening fd.
    expect(attributeListeners([hold('s1', 41, 3, 8080, '127.0.0.1'), hold('s1', 40, 2, 8080, '127.0.0.1')])).toEqual([{ port: 8080, pid: 40, addresses: ['127.0.0.1'] }]);
  });

  it('breaks a tie in depth by the lowest pid, whatever the order of the holds', () => {
    const holds = [hold('s1', 52, 1, 8080, '::'), hold('s1', 51, 1, 8080, '::'), hold('s1', 53, 1, 8080, '::')];
    expect(attributeListeners(holds)).toEqual([{ port: 8080, pid: 51, addresses: ['::'] }]);
    expect(attributeListeners([...holds].reverse())).toEqual([{ port: 8080, pid: 51, addresses: ['::'] }]);
  });

  it('credits each socket on its own: a process may own one socket of a port and not another', () => {
    expect(
      attributeListeners([
        hold('v4', 60, 1, 4000, '127.0.0.1'),
        hold('v4', 61, 2, 4000, '127.0.0.1'),
        hold('v6', 61, 2, 4000, '::1'), // opened by the child alone
      ]),
    ).toEqual([
      { port: 4000, pid: 60, addresses: ['127.0.0.1'] },
      { port: 4000, pid: 61, addresses: ['::1'] },
    ]);
  });

  it('finds nothing in nothing', () => {
    expect(attributeListeners([])).toEqual([]);
  });
});
