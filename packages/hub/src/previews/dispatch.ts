// The hub's HTTP server, made for fastify (its `serverFactory` option): a request whose Host is a
// preview host goes to the preview proxy and never reaches the hub's app; everything else goes to
// fastify. The server gets fastify's own timeouts (fastify sets them only on servers it makes) and
// Node's headers and request timeouts (../http/limits.ts), which only createServer can set in full.

import { createServer, type IncomingMessage, type ServerOptions, type ServerResponse } from 'node:http';
import type { FastifyServerFactory } from 'fastify';

export interface PreviewDispatch {
  previewOf(req: IncomingMessage): string | null;
  handleRequest(req: IncomingMessage, res: ServerResponse, previewId: string): void;
}

export function previewServerFactory(previews: PreviewDispatch, serverOptions: ServerOptions = {}): FastifyServerFactory {
  return (handler, options) => {
    const server = createServer(serverOptions, (req, res) => {
      const previewId = previews.previewOf(req);
      if (previewId === null) handler(req, res);
      else previews.handleRequest(req, res, previewId);
    });
    const option = (name: string, fallback: number) => (typeof options[name] === 'number' ? options[name] : fallback);
    server.keepAliveTimeout = option('keepAliveTimeout', 72_000);
    server.requestTimeout = serverOptions.requestTimeout ?? option('requestTimeout', 0);
    server.setTimeout(option('connectionTimeout', 0));
    return server;
  };
}
