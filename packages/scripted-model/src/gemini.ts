// The Gemini API encoder of the neutral shape (shape.ts): `streamGenerateContent?alt=sse` frames,
// each a GenerateContentResponse (`data:` only, no event name), and the same answer as one body for
// `generateContent`. Reasoning is `thought: true` text; Codex's tools become Gemini CLI's: a
// command is `run_shell_command {command}` (`is_background` for one ending in `&`), a patch `write_file` (new file) or `replace` (a hunk),
// a deleted file `run_shell_command rm`. A web search is told as text.
import { patchEdits, resolvePath } from './patch-edits.js';
import { assemble, type ExpandedItem, type Frame, type IdSource, type Plan } from './plan.js';
import type { OutputItem } from './reply.js';
import type { Shape } from './shape.js';

/**
 * A command as Gemini CLI's model asks for it. Gemini CLI ends a command's process group when the
 * command returns, so a dev server is started with `is_background` rather than a trailing `&`:
 * a command ending in `&` is sent that way, the `&` dropped.
 */
export function shellArgs(cmd: string): { command: string; is_background?: true } {
  const background = /\s*&\s*$/.exec(cmd);
  return background === null ? { command: cmd } : { command: cmd.slice(0, background.index), is_background: true };
}

/** One GenerateContentResponse (or an error frame). */
export type GeminiChunk = Readonly<Record<string, unknown>>;

export interface GeminiContext {
  readonly model: string;
  /** The agent's working directory, for making patch paths absolute. */
  readonly cwd?: string | undefined;
}

type Part = { text: string; thought?: true } | { functionCall: { name: string; args: Record<string, unknown> } };

const USAGE = { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 };

/** The parts of one item, one per streamed frame (text and thoughts chunk by chunk). */
export function geminiParts(item: OutputItem, context: GeminiContext): Part[] {
  const call = (name: string, args: Record<string, unknown>): Part => ({ functionCall: { name, args } });
  switch (item.type) {
    case 'message':
      return item.chunks.map((text) => ({ text }));
    case 'reasoning':
      return item.summary.map((text) => ({ text, thought: true }));
    case 'exec':
      return [call('run_shell_command', shellArgs(item.cmd))];
    case 'function_call':
      return [call(item.name, item.arguments)];
    case 'web_search':
      return [{ text: `(searched the web for "${item.query}")\n\n` }];
    case 'apply_patch':
      return patchEdits(item.patch).map((edit) => {
        const path = resolvePath(edit.path, context.cwd);
        switch (edit.kind) {
          case 'add':
            return call('write_file', { file_path: path, content: edit.content });
          case 'update':
            return call('replace', { file_path: path, old_string: edit.oldText, new_string: edit.newText, instruction: `Edit ${edit.path}` });
          case 'delete':
            return call('run_shell_command', { command: `rm -- '${path.replaceAll("'", `'\\''`)}'` });
        }
      });
  }
}

const response = (context: GeminiContext, parts: Part[], extra: Record<string, unknown> = {}, final = false): GeminiChunk => ({
  candidates: [{ content: { role: 'model', parts }, index: 0, ...extra }],
  ...(final ? { usageMetadata: USAGE } : {}),
  modelVersion: context.model,
});

/** Streamed frames for `:streamGenerateContent?alt=sse`; the last carries `finishReason` and usage. */
export function encodeGemini(shape: Shape, context: GeminiContext, nextId: IdSource): Plan<GeminiChunk> {
  if (shape.kind === 'http_error') return shape;
  const expand = (item: OutputItem): ExpandedItem<GeminiChunk> => {
    const parts = geminiParts(item, context);
    const delay = item.type === 'message' || item.type === 'reasoning' ? shape.delayMs : 0;
    return { open: parts.map((part): Frame<GeminiChunk> => ({ event: response(context, [part]), delayMs: delay })), close: [] };
  };
  const plan = assemble(shape, nextId('gen'), expand, {
    start: [],
    // Gemini CLI reads a stream as valid only if a frame has a finishReason: it rides on the last
    // content frame (below), or on an empty frame of its own when there is none (a held stream).
    completed: () => [],
    failed: (_id, code, message) => [{ error: { code: 500, message, status: code.toUpperCase() } }],
  });
  if (plan.kind !== 'stream' || shape.ending.type === 'failed') return plan;
  const finish = { finishReason: 'STOP' };
  if (plan.hold) return { ...plan, tail: [response(context, [{ text: '' }], finish, true)] };
  const last = plan.frames.at(-1);
  if (!last) return { ...plan, frames: [{ event: response(context, [{ text: '' }], finish, true), delayMs: 0 }] };
  const candidate = (last.event.candidates as Record<string, unknown>[])[0];
  const lastFrame: Frame<GeminiChunk> = { ...last, event: { ...last.event, candidates: [{ ...candidate, ...finish }], usageMetadata: USAGE } };
  return { ...plan, frames: [...plan.frames.slice(0, -1), lastFrame] };
}

/** The whole answer for a non-streaming `:generateContent`. */
export function geminiResponse(shape: Extract<Shape, { kind: 'stream' }>, context: GeminiContext): GeminiChunk {
  const parts = shape.items.flatMap((item) => geminiParts(item, context));
  // Adjacent text parts of one kind read better joined.
  const merged = parts.reduce<Part[]>((acc, part) => {
    const prev = acc.at(-1);
    if (prev && 'text' in prev && 'text' in part && prev.thought === part.thought) acc[acc.length - 1] = { ...prev, text: prev.text + part.text };
    else acc.push(part);
    return acc;
  }, []);
  return response(context, merged, { finishReason: 'STOP' }, true);
}

/** SSE framing of one Gemini frame: `data:` only, as the API does with `alt=sse`. */
export function encodeGeminiSse(chunk: GeminiChunk): string {
  return `data: ${JSON.stringify(chunk)}\r\n\r\n`;
}
