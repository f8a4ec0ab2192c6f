// A message's first line as a plain-text title or preview: inline-code backticks dropped (React
// escapes the rest), cut to `max` characters.
export function firstLine(body: string, max: number): string {
  const line = (body.split('\n', 1)[0] ?? '').replace(/`/g, '').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
