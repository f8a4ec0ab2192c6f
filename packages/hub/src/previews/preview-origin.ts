// The preview origin: every preview is served at its own origin, built from one template such as
// `http://{id}.preview.localhost:{port}` (`{port}`: the hub's listen port) or
// `https://{id}.preview.example.com`. A request is a preview request only when its Host header is
// exactly `<prefix><valid id><suffix>` with the template's port (RFC 9110 §7.2: the Host names the
// target origin); anything else belongs to the hub. Pure.

import { PREVIEW_ID_PATTERN } from '@pilothouse/protocol/lite';

export const DEFAULT_PREVIEW_ORIGIN = 'http://{id}.preview.localhost:{port}';

export interface PreviewOriginTemplate {
  readonly scheme: 'http' | 'https';
  /** Lower-case host text before and after `{id}`. */
  readonly prefix: string;
  readonly suffix: string;
  /** A fixed port, the hub's listen port, or none (the scheme's default). */
  readonly port: number | 'listen' | null;
}

export interface PreviewOrigin {
  readonly scheme: 'http' | 'https';
  /** The preview id a Host header names, or null when it is not exactly a preview host. */
  match(host: string | undefined): string | null;
  /** `scheme://host[:port]` of one preview, no trailing slash. */
  originOf(previewId: string): string;
}

/** Throws a plain Error naming what is wrong: a bad template is a configuration error at start. */
export function parseOriginTemplate(template: string): PreviewOriginTemplate {
  const m = /^(https?):\/\/([^/:?#]+)(?::(\{port\}|\d{1,5}))?\/?$/.exec(template);
  if (!m) throw new Error(`previewOrigin "${template}" must look like http(s)://{id}.preview.example.com[:port]`);
  const [, scheme, host, portText] = m as unknown as [string, 'http' | 'https', string, string | undefined];
  const at = host.indexOf('{id}');
  if (at < 0 || host.indexOf('{id}', at + 1) >= 0) throw new Error(`previewOrigin "${template}" must contain {id} exactly once in its host`);
  const prefix = host.slice(0, at).toLowerCase();
  const suffix = host.slice(at + 4).toLowerCase();
  // `{id}` ends its DNS label and a domain follows, so each preview is a host of its own.
  if (!/^[a-z0-9.-]*$/.test(prefix) || !/^(\.[a-z0-9-]+)+$/.test(suffix)) {
    throw new Error(`previewOrigin "${template}": {id} must end a label followed by a domain, as in {id}.preview.example.com`);
  }
  let port: PreviewOriginTemplate['port'] = null;
  if (portText === '{port}') port = 'listen';
  else if (portText !== undefined) {
    port = Number(portText);
    if (port < 1 || port > 65535) throw new Error(`previewOrigin "${template}": bad port`);
  }
  return { scheme, prefix, suffix, port };
}

/** Binds the template to the hub's listen port. */
export function previewOrigin(template: PreviewOriginTemplate, listenPort: number): PreviewOrigin {
  const port = template.port === 'listen' ? listenPort : template.port;
  const defaultPort = template.scheme === 'https' ? 443 : 80;
  // A Host header omits the scheme's default port; a URL never needs it either.
  const portSuffix = port === null || port === defaultPort ? '' : `:${port}`;
  const accepted = new Set(port === null || port === defaultPort ? ['', `:${defaultPort}`] : [portSuffix]);
  const { prefix, suffix } = template;
  return {
    scheme: template.scheme,
    match(hostHeader) {
      if (hostHeader === undefined) return null;
      const host = hostHeader.toLowerCase();
      const colon = host.lastIndexOf(':');
      const name = colon >= 0 ? host.slice(0, colon) : host;
      if (!accepted.has(colon >= 0 ? host.slice(colon) : '')) return null;
      if (!name.startsWith(prefix) || !name.endsWith(suffix) || name.length <= prefix.length + suffix.length) return null;
      const id = name.slice(prefix.length, name.length - suffix.length);
      return PREVIEW_ID_PATTERN.test(id) ? id : null;
    },
    originOf(previewId) {
      return `${template.scheme}://${prefix}${previewId}${suffix}${portSuffix}`;
    },
  };
}
