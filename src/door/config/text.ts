/**
 * Offsets in configuration text as people see them: 1-based line and column (columns count
 * UTF-16 code units, as the YAML parser does; a tab is one column), and the line itself.
 */
import type { Position } from "./report.js";

/** Line and column of `offset`. Only `\n` ends a line, so CRLF text counts the same. */
export function positionOf(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The bounds of the line holding `offset`, without its line break (`\r\n` or `\n`). */
export function lineBounds(text: string, offset: number): { start: number; end: number } {
  // lastIndexOf clamps a negative start to 0, where a leading "\n" would be found.
  const start = offset <= 0 ? 0 : text.lastIndexOf("\n", offset - 1) + 1;
  const next = text.indexOf("\n", offset);
  let end = next === -1 ? text.length : next;
  if (end > start && text[end - 1] === "\r") end--;
  return { start, end };
}

/** The source line around an offset, trimmed to a readable length. */
export function lineText(text: string, offset: number | undefined): string | undefined {
  if (offset === undefined) return undefined;
  const { start, end } = lineBounds(text, offset);
  const line = text.slice(start, end).trimEnd();
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
