// What a listener scanner is: one snapshot of the TCP ports the agent's processes listen on. Two
// implementations give the same list (scanner.contract.test.ts): /proc on Linux (procfs-scanner.ts),
// `ps` + `lsof` elsewhere, i.e. macOS (lsof-scanner.ts); default-scanner.ts picks one. The session
// decides when to scan (its `scan_listeners` effect, performed by shell/port-wiring.ts) and what
// changed since the last scan (session/previews/).

export interface Listener {
  readonly port: number;
  readonly pid: number;
  /** The process's argv joined by spaces. */
  readonly command: string;
  readonly cwd: string;
  /** Local addresses this process listens on for `port` ("127.0.0.1", "::"…), sorted. */
  readonly addresses: readonly string[];
}

/**
 * "The agent's processes" are the descendants of `rootPid` AND the processes carrying `marker` in
 * their environment: a dev server that left the agent's process tree (`setsid`, a daemonizing
 * tool) still inherited its environment (docs/decisions/port-watcher-marker.md).
 *
 * An implementation keeps what one scan leaves for the next (its cache) to itself. `scan` rejects
 * with ScanToolMissingError when it cannot run on this machine at all; the session then stops scanning.
 */
export interface ListenerScanner {
  /**
   * The listeners owned by the agent's processes, one per (port, pid), sorted by port then pid.
   * `rootPid` is the agent's process (codex app-server), null while it is not running; `marker` is
   * `NAME=value` (PILOTHOUSE_SESSION=<id>) that every process the agent starts inherits.
   */
  scan(rootPid: number | null, marker?: string): Promise<Listener[]>;
}

/** A tool the scanner needs is not installed: scanning stops for good, and the runner logs this message once. */
export class ScanToolMissingError extends Error {
  readonly tool: string;
  constructor(tool: string) {
    super(
      `port watcher off: ${tool} not found; install it or put it on PATH (Debian/Ubuntu: apt-get install ${tool === 'ps' ? 'procps' : tool}; macOS ships /usr/sbin/lsof and /bin/ps). ` +
        'Listening ports are not detected; the runner goes on without them.',
    );
    this.name = 'ScanToolMissingError';
    this.tool = tool;
  }
}
