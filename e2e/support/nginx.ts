// Debian's nginx as a child of the test (never a daemon, every path in a temp folder), and a
// self-signed certificate from Debian's openssl for it. Ready is nginx's own "start worker
// processes" line: the master has bound every listen socket before it starts its workers.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const NGINX = process.env.PILOTHOUSE_NGINX ?? '/usr/sbin/nginx';

export interface Cert {
  certFile: string;
  keyFile: string;
  /** The certificate (PEM), for clients that trust exactly it. */
  pem: string;
  /** base64 SHA-256 of its public key: Chromium's --ignore-certificate-errors-spki-list trusts exactly this key. */
  spki: string;
}

/** A certificate for `names` (wildcards allowed), valid for two days, in `dir`. */
export function selfSignedCert(dir: string, names: readonly string[]): Cert {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${names[0]!}`,
      '-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`, '-keyout', keyFile, '-out', certFile],
    { stdio: 'pipe' },
  );
  const pem = readFileSync(certFile, 'utf8');
  const spki = createHash('sha256').update(new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  return { certFile, keyFile, pem, spki };
}

export interface Nginx {
  child: ChildProcess;
  /** nginx's stderr so far (its error log). */
  log: string[];
  stop(): Promise<void>;
}

/** The main configuration around an http-context snippet: pid, logs and temp files under `dir`. */
function mainConf(dir: string, site: string): string {
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  return [
    // As root the master would hand its workers to "nobody", who cannot enter a 0700 temp folder.
    ...(process.getuid?.() === 0 ? ['user root;'] : []),
    'worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')};`,
    'error_log stderr notice;',
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${join(dir, 'access.log')};`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `  ${k}_temp_path ${join(tmp, k)};`),
    `  include ${site};`,
    '}',
    '',
  ].join('\n');
}

/** Checks the configuration (`nginx -t`, its message on failure), then runs nginx until `stop()`. */
export async function startNginx(dir: string, siteConf: string): Promise<Nginx> {
  const site = join(dir, 'site.conf');
  const conf = join(dir, 'nginx.conf');
  writeFileSync(site, siteConf);
  writeFileSync(conf, mainConf(dir, site));
  // -e: the log nginx writes before it has read the configuration (not /var/log/nginx).
  const base = ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')];
  try {
    execFileSync(NGINX, [...base, '-t'], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`nginx -t refused the configuration: ${String((err as { stderr?: Buffer }).stderr ?? err)}`, { cause: err });
  }
  const child = spawn(NGINX, [...base, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stderr }).on('line', (line) => {
      log.push(line);
      if (line.includes('start worker processes')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`nginx exited with ${code}: ${log.join('\n')}`)));
  });
  return {
    child,
    log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM'); // fast shutdown; the master waits for its workers
      await exited;
    },
  };
}
