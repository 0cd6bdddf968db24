/**
 * `gatehouse audit URL [--ws URL] [--trusted ORIGIN]... [--public-origin ORIGIN] [--json]`: probes a running server for
 * CORS and WebSocket-origin misconfigurations and reports findings by severity.
 * Exit 0 when nothing (or only `info`) is found, 1 on findings, 2 when the target could not be
 * reached or on usage errors.
 */
import { parseOrigin } from "../audit/probes.js";
import { exitCode, renderHuman, renderJson } from "../audit/render.js";
import { runAudit } from "../audit/run.js";
import { UnreachableError } from "../http-client/unreachable.js";
import type { Command } from "./args.js";
import { parseCommandArgs, usageError } from "./args.js";

const USAGE = "audit URL [--ws URL] [--trusted ORIGIN]... [--public-origin ORIGIN] [--json]";

const HELP = `Usage: gatehouse ${USAGE}

Probes a server for CORS misconfigurations, as a browser-wielding attacker would: arbitrary
origin reflection, \`null\`, pre-domain and post-domain look-alikes, unescaped dots, special
characters in host names, http:// downgrades, third-party code-hosting origins, \`*\` with
credentials, missing \`Vary: Origin\`, preflights that allow any method or header, and Private
Network Access granted to anyone. With --ws, WebSocket upgrades from foreign origins.
Only GET and OPTIONS requests (and WebSocket handshakes, closed at once) are sent; redirects
are not followed.

Options:
      --ws URL          also probe this WebSocket endpoint (ws://, wss://, http:// or https://)
      --trusted ORIGIN  an origin the server is meant to allow (repeatable): look-alikes of it
                        are probed too, and it shows whether \`Vary: Origin\` is sent; a
                        plain-http one granted credentials is a finding
      --public-origin ORIGIN
                        where users open the app: the publicOrigin of the Gatehouse door the
                        WebSocket fix puts in front of this server (look-alikes probed with --ws)
      --timeout MS      per request (default 10000)
      --json            print the report as JSON
  -h, --help            show this help

Exit status: 0 no findings (info notes aside), 1 findings, 2 could not reach the target
(or usage error). More in docs/audit.md; codes are explained in docs/errors.md.`;

export const audit: Command = {
  name: "audit",
  usage: USAGE,
  help: HELP,
  summary: "probe a server for CORS and WebSocket-origin misconfigurations",
  async run(args) {
    const parsed = parseCommandArgs(audit, args, {
      ws: { type: "string" },
      trusted: { type: "string", multiple: true },
      "public-origin": { type: "string" },
      timeout: { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    if (typeof parsed === "number") return parsed;
    const { values, positionals } = parsed;
    if (positionals.length === 0) return usageError(audit, "the URL to audit is required");
    if (positionals.length > 1) return usageError(audit, `unexpected argument "${positionals[1]}"`);

    const target = parseUrl(positionals[0] ?? "", ["http:", "https:"]);
    if (typeof target === "string") return usageError(audit, target);
    let ws: URL | null = null;
    if (values.ws !== undefined) {
      const parsed = parseUrl(values.ws, ["ws:", "wss:", "http:", "https:"]);
      if (typeof parsed === "string") return usageError(audit, `--ws: ${parsed}`);
      ws = parsed;
    }
    const trusted: string[] = [];
    for (const text of values.trusted ?? []) {
      try {
        trusted.push(parseOrigin(text));
      } catch (error) {
        return usageError(
          audit,
          `--trusted: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    let publicOrigin: string | null = null;
    if (values["public-origin"] !== undefined) {
      try {
        publicOrigin = parseOrigin(values["public-origin"]);
      } catch (error) {
        return usageError(
          audit,
          `--public-origin: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    let timeoutMs = 10_000;
    if (values.timeout !== undefined) {
      timeoutMs = Number(values.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
        return usageError(audit, "--timeout takes a whole number of milliseconds");
      }
    }

    try {
      const report = await runAudit({ target, ws, trusted, publicOrigin, timeoutMs });
      console.log(values.json === true ? renderJson(report) : renderHuman(report));
      return exitCode(report);
    } catch (error) {
      if (!(error instanceof UnreachableError)) throw error;
      if (values.json === true) {
        console.log(
          JSON.stringify(
            {
              ok: false,
              reachable: false,
              target: target.href,
              url: error.url,
              error: error.message,
            },
            null,
            2,
          ),
        );
      } else {
        console.error(`gatehouse audit: ${error.message}`);
      }
      return 2;
    }
  },
};

function parseUrl(text: string, schemes: readonly string[]): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a URL (e.g. https://api.example.com/v1/models)`;
  }
  if (!schemes.includes(url.protocol)) {
    return `"${text}" must start with ${schemes.map((s) => `${s}//`).join(" or ")}`;
  }
  return url;
}
