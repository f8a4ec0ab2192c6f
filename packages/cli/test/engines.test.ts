// The supported Node range is one rule (src/node-support.ts): package.json's "engines" says the same,
// and every package the installed Pilothouse runs on accepts the release lines we test, so neither
// `npm ci` nor `npm i -g` warns on a Node we claim.

import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { isSupportedNode, SUPPORTED_NODE_RANGE, unsupportedNodeLine } from '../src/node-support.js';

const readJson = <T>(path: string): T => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as T;
const root = readJson<{ engines: { node: string } }>('../../../package.json');
const cli = readJson<{ engines: { node: string } }>('../package.json');
const lock = readJson<{ packages: Record<string, { dev?: boolean; engines?: { node?: string } | string[] }> }>('../../../package-lock.json');

/** The release lines CI runs (the demo end to end from the packed tarball, e2e/install-package). */
const TESTED = '^20.19.0 || ^22.0.0 || ^24.0.0';

describe('the supported Node range', () => {
  it('is the same in the root package.json, the CLI package and the rule the bin and doctor use', () => {
    expect(root.engines.node).toBe(SUPPORTED_NODE_RANGE);
    expect(cli.engines.node).toBe(SUPPORTED_NODE_RANGE);
    for (const version of ['18.20.8', '20.8.1', '20.9.0', '20.18.3', '20.19.0', '20.20.2', '21.7.3', '22.0.0', '22.23.5', '23.11.0', '24.22.3', '25.2.1']) {
      expect(isSupportedNode(version), version).toBe(semver.satisfies(version, SUPPORTED_NODE_RANGE));
    }
    expect(isSupportedNode('not a version')).toBe(false);
    expect(unsupportedNodeLine('18.20.8')).toContain(SUPPORTED_NODE_RANGE);
  });

  it('is accepted by every package Pilothouse runs on, on every release line we test', () => {
    expect(semver.subset(TESTED, SUPPORTED_NODE_RANGE)).toBe(true);
    const refusing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (!path || entry.dev) continue;
      const wanted = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (wanted && !semver.subset(TESTED, wanted)) refusing.push(`${path} wants node ${wanted}`);
    }
    expect(refusing).toEqual([]);
  });
});
