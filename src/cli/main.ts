/**
 * `gatehouse <command>`: parses the command line and dispatches to one module per command.
 * Each command returns its exit code; nothing here calls process.exit, so tests can run it.
 */
import type { Command } from "./args.js";
import { audit } from "./audit.js";
import { check } from "./check.js";
import { doctor } from "./doctor.js";
import { serve } from "./serve.js";
import { version } from "./version.js";

export { version };

/** Every command, in the order `gatehouse --help` lists them. */
export const COMMANDS: readonly Command[] = [serve, check, doctor, audit];

export function helpText(): string {
  const lines = [
    `gatehouse ${version()}: a front door for self-hosted AI gateways, and a Fetch-exact CORS engine`,
    "",
    "Usage: gatehouse <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
    "",
    "Options:",
    "  -h, --help     show this help (or a command's: gatehouse <command> --help)",
    "  -v, --version  print the version",
    "",
    'Library: import { corsPolicy } from "gatehouse-proxy"; adapters at gatehouse-proxy/node, gatehouse-proxy/fastify, gatehouse-proxy/hono.',
  ];
  return lines.join("\n");
}

export async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    console.log(helpText());
    return first === undefined ? 1 : 0;
  }
  if (first === "-v" || first === "--version") {
    console.log(version());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (command === undefined) {
    console.error(`gatehouse: unknown command "${first}"\n\n${helpText()}`);
    return 2;
  }
  return command.run(rest);
}
