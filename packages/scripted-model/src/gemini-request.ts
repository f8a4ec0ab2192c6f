// Reads a Gemini `generateContent` / `streamGenerateContent` body (as Gemini CLI sends it) for the
// cue logic: a new turn (the user's text) or the agent back with `functionResponse` parts.
import { z } from 'zod';
import { AGENT_CONTEXT, type TurnInput } from './cues.js';

export interface GeminiRequest {
  readonly input: TurnInput;
  readonly cwd: string | undefined;
  /** `generationConfig.responseMimeType` was JSON: a side call (e.g. Gemini CLI's next-speaker check). */
  readonly wantsJson: boolean;
  readonly responseSchema: unknown;
}

const part = z.looseObject({ text: z.string().optional(), thought: z.boolean().optional(), functionResponse: z.unknown().optional() });
const body = z.looseObject({
  contents: z.array(z.looseObject({ role: z.string().optional(), parts: z.array(part).default([]) })),
  generationConfig: z.looseObject({ responseMimeType: z.string().optional(), responseJsonSchema: z.unknown().optional(), responseSchema: z.unknown().optional() }).optional(),
});

// Gemini CLI's first user message (`<session_context>`) lists the folders it works in.
const CWD = /Workspace Directories:\W*(\/[^\n]*)/;

export function readGeminiRequest(raw: unknown): GeminiRequest {
  const parsed = body.safeParse(raw);
  if (!parsed.success) return { input: { type: 'unknown' }, cwd: undefined, wantsJson: false, responseSchema: undefined };
  const { contents, generationConfig } = parsed.data;
  const allText = contents.flatMap((c) => c.parts.map((p) => p.text ?? '')).join('\n');
  return {
    input: turnInput(contents),
    cwd: CWD.exec(allText)?.[1]?.trim(),
    wantsJson: generationConfig?.responseMimeType === 'application/json',
    responseSchema: generationConfig?.responseJsonSchema ?? generationConfig?.responseSchema,
  };
}

function turnInput(contents: readonly { role?: string | undefined; parts: z.infer<typeof part>[] }[]): TurnInput {
  const last = contents.at(-1);
  if (last?.role === 'user' && last.parts.some((p) => p.functionResponse !== undefined)) return { type: 'tool_output' };
  for (let i = contents.length - 1; i >= 0; i--) {
    const content = contents[i]!;
    if (content.role !== 'user') continue;
    const text = content.parts
      .filter((p) => p.thought !== true && p.text !== undefined && !AGENT_CONTEXT.test(p.text))
      .map((p) => p.text)
      .join('\n');
    if (text.trim() !== '') return { type: 'user', text };
  }
  return { type: 'unknown' };
}
