// Answers to an agent's side calls: requests outside its loop (a session title, a summary, a JSON
// check such as Gemini CLI's "who speaks next"). They are recorded but consume no queued reply
// and no cue step, so a scenario only scripts what the person sees.
import type { Reply } from './reply.js';

/** A short, neutral text: fits a title, a summary or a one-line check. */
export function sideAnswer(_wire: 'anthropic' | 'gemini', _body: unknown): Reply {
  return { type: 'text', chunks: ['Scripted session'] };
}

/**
 * The smallest value a JSON schema accepts, for side calls that ask for JSON. Where an enum
 * offers `user` (Gemini CLI's next-speaker check), the person speaks next: the turn ends.
 */
export function sideJson(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null) return {};
  const s = schema as { type?: unknown; enum?: unknown; properties?: unknown; required?: unknown };
  const type = typeof s.type === 'string' ? s.type.toLowerCase() : 'object';
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum.includes('user') ? 'user' : (s.enum[0] as unknown);
  switch (type) {
    case 'string':
      return 'scripted';
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    default: {
      const properties = typeof s.properties === 'object' && s.properties !== null ? (s.properties as Record<string, unknown>) : {};
      return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, sideJson(value)]));
    }
  }
}
