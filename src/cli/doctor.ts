/**
 * `gatehouse doctor URL --origin ORIGIN [--method M] [--header NAME[: value]]... [--credentials]
 * [--for TARGET] [--verbose] [--json]`: does what a browser does for one cross-origin request,
 * names the root cause and prints the fix for one server. Exit 0 allowed, 1 blocked (in at
 * least one engine), 2 unreachable or usage error. docs/doctor.md has the details.
 */
import type { Target } from "../doctor/fixes.js";
import { TARGETS } from "../doctor/fixes.js";
import { renderHuman, renderJson } from "../doctor/render.js";
import { runDoctor } from "../doctor/run.js";
import { prepareRequest } from "../doctor/simulate.js";
import { createHttpClient } from "../http-client/client.js";
import { HEADER } from "../http-client/header-names.js";
import type { Header } from "../http-client/message.js";
import type { Command } from "./args.js";
import { parseCommandArgs, usageError } from "./args.js";
import { version } from "./version.js";

const USAGE =
  "doctor URL --origin ORIGIN [--method M] [--header NAME[: value]]... [--credentials] [--for TARGET] [--verbose] [--json]";

const HELP = `Usage: gatehouse ${USAGE}

Does what a browser does for one cross-origin fetch() from a page on ORIGIN: decides whether a
preflight is due (and why), sends it exactly as Chromium does, checks the answer, sends the
request itself (following redirects as browsers do for CORS) and checks that answer too. Then
it names the root cause (against a Gatehouse door with debugHeader: true, the door's own reason
from X-Gatehouse-Cors), the verdict of the Fetch Standard, Chromium and Firefox, and the fix.

The request is really sent: a DELETE deletes, as it would from the browser.

Options:
      --origin ORIGIN      the page's origin, e.g. https://app.example.com (required)
  -X, --method M           the method given to fetch() (default GET; case matters: patch != PATCH)
  -H, --header "N: v"      a header set by script; repeatable. Without a value: "x"
                           (Content-Type: application/json, Authorization: Bearer doctor)
      --credentials        credentials: "include" (cookies); the default is "same-origin"
      --for TARGET         the fix for gatehouse (default), nginx, express, fastify, or all;
                           the Gatehouse fix adds to your config, it never replaces it
  -v, --verbose            every step, with the header lines each one read
      --timeout MS         per request (default 10000)
      --insecure           accept any TLS certificate
      --json               the report as JSON (root cause, and the fix for every target)
  -h, --help               show this help

Exit status: 0 allowed, 1 blocked (by at least one engine), 2 could not reach or usage error.
More in docs/doctor.md; codes are explained in docs/errors.md.`;

/** Values for a header given without one, by lower-case name. */
const DEFAULT_VALUES: ReadonlyMap<string, string> = new Map([
  [HEADER.contentType.toLowerCase(), "application/json"],
  [HEADER.authorization.toLowerCase(), "Bearer doctor"],
]);

/** `Name: value`, `Name:value` or `Name` alone. */
export function parseHeaderArg(arg: string): Header {
  const colon = arg.indexOf(":");
  if (colon === -1) return [arg.trim(), DEFAULT_VALUES.get(arg.trim().toLowerCase()) ?? "x"];
  return [arg.slice(0, colon).trim(), arg.slice(colon + 1).trim()];
}

export const doctor: Command = {
  name: "doctor",
  usage: USAGE,
  help: HELP,
  summary: "run one cross-origin request as a browser would and explain the verdict",
  async run(args) {
    const parsed = parseCommandArgs(doctor, args, {
      origin: { type: "string" },
      method: { type: "string", short: "X" },
      header: { type: "string", short: "H", multiple: true },
      credentials: { type: "boolean" },
      for: { type: "string" },
      verbose: { type: "boolean", short: "v" },
      json: { type: "boolean" },
      timeout: { type: "string" },
      insecure: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    });
    if (typeof parsed === "number") return parsed;
    const { values, positionals } = parsed;
    if (positionals.length !== 1) {
      return usageError(
        doctor,
        positionals.length === 0 ? "URL is required" : `unexpected argument "${positionals[1]}"`,
      );
    }
    if (values.origin === undefined || values.origin === "")
      return usageError(doctor, "--origin ORIGIN is required");
    const timeoutMs = values.timeout === undefined ? 10_000 : Number(values.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
      return usageError(doctor, "--timeout takes a whole number of milliseconds");
    const forTarget = values.for ?? "gatehouse";
    const targets: readonly Target[] | null =
      forTarget === "all"
        ? TARGETS
        : (TARGETS as readonly string[]).includes(forTarget)
          ? [forTarget as Target]
          : null;
    if (targets === null)
      return usageError(doctor, `--for takes ${TARGETS.join(", ")} or all, not "${forTarget}"`);
    const input = {
      url: positionals[0] ?? "",
      origin: values.origin,
      method: values.method ?? "GET",
      headers: (values.header ?? []).map(parseHeaderArg),
      credentials: values.credentials === true,
    };
    const prepared = prepareRequest(input);
    if (!prepared.ok) return usageError(doctor, prepared.error);
    const client = createHttpClient({ timeoutMs, insecure: values.insecure === true });
    try {
      const report = await runDoctor(input, client.send, {
        userAgent: `gatehouse-doctor/${version()}`,
      });
      console.log(
        values.json === true
          ? renderJson(report)
          : renderHuman(report, { verbose: values.verbose === true, targets }),
      );
      return report.exitCode;
    } finally {
      await client.close();
    }
  },
};
