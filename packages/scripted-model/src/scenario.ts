// Scenario files: a JSON document `{ "description"?, "replies": Reply[] }`, validated at load time.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { replySchema, type Reply } from './reply.js';

export const scenarioSchema = z.object({
  description: z.string().optional(),
  replies: z.array(replySchema),
});
export type Scenario = z.infer<typeof scenarioSchema>;

export function parseScenario(value: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(value);
  if (!result.success) throw new Error(`${source} is not a valid scenario:\n${z.prettifyError(result.error)}`);
  return result.data;
}

/** The path of a scenario file shipped with this package (scenarios/NAME), e.g. `scenarioPath('plain-text.json')`. */
export function scenarioPath(name: string): string {
  return fileURLToPath(new URL(`../scenarios/${name}`, import.meta.url));
}

export async function loadScenario(path: string): Promise<Reply[]> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseScenario(json, path).replies;
}
