/**
 * What a command is, and what every command does with its arguments: parse them strictly,
 * answer `--help`, and report a usage error with the command's synopsis (exit 2).
 */
import type { ParseArgsConfig } from "node:util";
import { parseArgs } from "node:util";

/** One `gatehouse <name>` command; `main.ts` lists them, one module each. */
export interface Command {
  readonly name: string;
  /** The synopsis after `gatehouse`, e.g. `check --config FILE [--json]`. */
  readonly usage: string;
  /** One line for `gatehouse --help`. */
  readonly summary: string;
  /** The whole text of `gatehouse <name> --help`. */
  readonly help: string;
  /** Resolves with the exit status; never calls process.exit, so tests can run it. */
  run(args: readonly string[]): Promise<number>;
}

/** The options map parseArgs takes. */
type Options = NonNullable<ParseArgsConfig["options"]>;

type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

/** Prints the message with the command's usage line; returns the exit code 2. */
export function usageError(command: Command, message: string): number {
  console.error(
    `gatehouse ${command.name}: ${message}\n\nUsage: gatehouse ${command.usage}  (gatehouse ${command.name} --help)`,
  );
  return 2;
}

/**
 * The parsed arguments, or the exit code when the command is already answered: 0 after
 * printing `--help`, 2 after a usage error. Positionals are allowed; each command says which.
 */
export function parseCommandArgs<const O extends Options>(
  command: Command,
  args: readonly string[],
  options: O,
): Parsed<O> | number {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    return usageError(command, error instanceof Error ? error.message : String(error));
  }
  if ((parsed.values as { help?: unknown }).help === true) {
    console.log(command.help);
    return 0;
  }
  return parsed;
}
