// Command output with its ANSI colours: ansi_up escapes the text and turns SGR codes into styled
// spans (and OSC 8 links into http(s) anchors only); the result still goes through DOMPurify.

import { AnsiUp } from 'ansi_up';
import { sanitizeStyled } from './markdown.js';

export function ansiToHtml(text: string): string {
  // A fresh converter per call: ansi_up keeps colour state and partial sequences between calls.
  const converter = new AnsiUp();
  converter.escape_html = true;
  return sanitizeStyled(converter.ansi_to_html(text));
}
