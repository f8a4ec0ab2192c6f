// The kind-specific `meta` of rows, read at the edge: each kind's fields through a schema, so a
// renderer sees typed values or nothing (meta is free-form JSON from the runner).

import { z } from 'zod';

const str = z.string().optional().catch(undefined);
const num = z.number().nullable().optional().catch(undefined);

export const CommandMeta = z.object({
  command: z.union([z.string(), z.array(z.string()).transform((a) => a.join(' '))]).optional().catch(undefined),
  cwd: str,
  exit_code: num,
  duration_ms: num,
  total_bytes: num,
  omitted_bytes: num,
});

export const PlanMeta = z.object({
  steps: z
    .array(z.object({ step: z.string(), status: z.enum(['pending', 'inProgress', 'completed']).catch('pending') }))
    .optional()
    .catch(undefined),
});

export const WebSearchMeta = z.object({ query: str });

export const FileChangeMeta = z.object({
  changes: z.array(z.object({ path: z.string(), kind: z.string() })).optional().catch(undefined),
});

export const SessionMeta = z.object({ cwd: str, agent: str, agent_version: str, listen_user: str });

/** Every field is optional and falls back to undefined, so this always yields an object. */
export function readMeta<T>(schema: z.ZodType<T>, meta: Record<string, unknown> | null): T {
  const r = schema.safeParse(meta ?? {});
  return r.success ? r.data : schema.parse({});
}
