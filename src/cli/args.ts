/**
 * What every command does with its arguments: parse them strictly, answer `--help`, and report
 * a usage error with the command's synopsis (exit 2).
 */
import type { ParseArgsConfig } from "node:util";
import { parseArgs } from "node:util";

export interface CommandSyntax {
  readonly name: string;
  readonly usage: string;
  readonly help: string;
}

/** The options map parseArgs takes. */
type Options = NonNullable<ParseArgsConfig["options"]>;

type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

/** Prints the message with the command's usage line; returns the exit code 2. */
export function usageError(syntax: CommandSyntax, message: string): number {
  console.error(
    `gatehouse ${syntax.name}: ${message}\n\nUsage: gatehouse ${syntax.usage}  (gatehouse ${syntax.name} --help)`,
  );
  return 2;
}

/**
 * The parsed arguments, or the exit code when the command is already answered: 0 after
 * printing `--help`, 2 after a usage error.
 */
export function parseCommandArgs<const O extends Options>(
  syntax: CommandSyntax,
  args: readonly string[],
  options: O,
): Parsed<O> | number {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    return usageError(syntax, error instanceof Error ? error.message : String(error));
  }
  if ((parsed.values as { help?: unknown }).help === true) {
    console.log(syntax.help);
    return 0;
  }
  return parsed;
}
