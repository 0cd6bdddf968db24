/**
 * A cheap, conservative bound on how deeply a text nests, computed before any parser sees it.
 *
 * Why: the YAML parser recurses per level, and a crafted file (`- - - - …` or `{{{{…` a few
 * hundred kilobytes long) exhausts the heap and aborts the process, which no try/catch can
 * stop (measured with yaml 2.9: 200 KB of `- ` is fatal). Real configurations nest a handful of
 * levels, so anything near the bound is refused outright.
 *
 * The scan over-estimates (it counts every space of indentation as a level), never
 * under-estimates: flow brackets outside quotes and comments, compact block indicators
 * (`- `, `? `) and block `key: ` separators on one line all add up.
 */

export interface NestingBound {
  /** The largest bound found, or the first one over the limit. */
  readonly depth: number;
  /** 1-based line where that bound was reached. */
  readonly line: number;
}

/** Stops at the first line whose bound exceeds `limit`. */
export function nestingBound(text: string, limit: number): NestingBound {
  let flow = 0;
  let quote: '"' | "'" | null = null;
  let worst: NestingBound = { depth: 0, line: 1 };
  let line = 1;
  let i = 0;
  while (i <= text.length) {
    const end = text.indexOf("\n", i);
    const stop = end === -1 ? text.length : end;
    let j = i;
    let indent = 0;
    if (quote === null && flow === 0) {
      while (j < stop && (text[j] === " " || text[j] === "\t")) j++;
      indent = j - i;
    }
    let inline = 0;
    let peakFlow = flow;
    let atTokenStart = true;
    for (; j < stop; j++) {
      const c = text[j] as string;
      if (quote !== null) {
        if (c === "\\" && quote === '"') j++;
        else if (c === quote) {
          if (quote === "'" && text[j + 1] === "'") j++;
          else quote = null;
        }
        atTokenStart = false;
        continue;
      }
      const next = text[j + 1];
      const spaceAfter =
        next === undefined || next === " " || next === "\t" || next === "\r" || j + 1 >= stop;
      if (c === "#" && atTokenStart) break;
      if ((c === '"' || c === "'") && atTokenStart) {
        quote = c;
        continue;
      }
      if ((c === "[" || c === "{") && atTokenStart) {
        flow++;
        if (flow > peakFlow) peakFlow = flow;
      } else if ((c === "]" || c === "}") && flow > 0) {
        flow--;
      } else if ((c === "-" || c === "?") && atTokenStart && spaceAfter && flow === 0) {
        inline++;
      } else if (c === ":" && spaceAfter && flow === 0) {
        inline++;
      }
      atTokenStart =
        c === " " ||
        c === "\t" ||
        c === "[" ||
        c === "{" ||
        c === "," ||
        c === ":" ||
        c === "-" ||
        c === "?";
    }
    const depth = indent + inline + peakFlow;
    if (depth > worst.depth) worst = { depth, line };
    if (depth > limit) return worst;
    if (end === -1) break;
    i = end + 1;
    line++;
  }
  return worst;
}
