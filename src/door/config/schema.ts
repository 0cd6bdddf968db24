/**
 * The shape of a configuration file, in zod: which keys exist, their types, and their
 * documentation. It is the single source of two things:
 * - the structural check (types, unknown keys, required keys, fixed choices) that runs first;
 * - `schema/gatehouse.schema.json` (`scripts/config-schema.ts`), which editors use to complete
 *   and explain keys, so every key carries a description with its default and security effect.
 *
 * Values are checked for meaning afterwards (normalize.ts and the parsers it calls), with codes
 * of their own: this file says "a string", they say "a listen address". The `cors` sections are
 * described here for editors but validated by the CORS engine's own validator.
 */
import { z } from "zod";
import { MAX_AGE_LIMIT } from "../../core/config.js";
import { DEFAULT_LIMITS } from "./types.js";

const duration = (description: string, defaultMs: number, examples: readonly string[]) =>
  z
    .union([z.int(), z.string()])
    .optional()
    .meta({
      description: `${description} Milliseconds, or a number with a unit (\`250ms\`, \`30s\`, \`5m\`, \`1h\`). Default ${formatMs(defaultMs)}.`,
      default: formatMs(defaultMs),
      examples: [...examples],
    });

function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** A CORS policy, as `corsPolicy()` takes it. Documented here; validated by the CORS engine. */
export const corsSchema = z
  .strictObject({
    allowOrigins: z.array(z.string()).meta({
      description:
        "Origins whose pages may read responses; required and non-empty. Exact origins (`https://app.example.com`), every subdomain (`https://*.example.com`, never the bare domain), any port (`http://localhost:*`), or `*` alone (every website; refused with credentials). `null`, regular expressions, paths and wildcards over public suffixes are refused.",
      examples: [["https://app.example.com"]],
    }),
    allowCredentials: z.boolean().optional().meta({
      description:
        "Let pages send cookies or HTTP authentication and read the answer (`Access-Control-Allow-Credentials: true`). Default false. Needs an explicit origin list, and `https` origins unless they are loopback: any listed origin can then act as the signed-in user.",
      default: false,
    }),
    allowMethods: z
      .array(z.string())
      .optional()
      .meta({
        description:
          "Methods a preflight may ask for, case-sensitive (`PATCH` is not `patch`). GET, HEAD and POST are always allowed once the origin is. `*` allows any method (without credentials only). Default: none beyond GET, HEAD and POST.",
        examples: [["PUT", "PATCH", "DELETE"]],
      }),
    allowHeaders: z
      .array(z.string())
      .optional()
      .meta({
        description:
          "Request headers a preflight may ask for, case-insensitive. JSON APIs need `content-type`; bearer tokens need `authorization`, which `*` never covers. Default: none.",
        examples: [["content-type", "authorization"]],
      }),
    exposeHeaders: z
      .array(z.string())
      .optional()
      .meta({
        description:
          "Response headers script may read besides the always-readable ones (Content-Type, Content-Length, ...). `Set-Cookie` is never exposed. Default: none.",
        examples: [["x-request-id"]],
      }),
    maxAge: z
      .int()
      .optional()
      .meta({
        description: `Seconds a browser may cache a successful preflight, 0 to ${MAX_AGE_LIMIT}. Default: not sent (browsers cache 5 s). Chromium caps it at 7200, WebKit at 600.`,
        minimum: 0,
        maximum: MAX_AGE_LIMIT,
        examples: [600],
      }),
    allowPrivateNetwork: z.boolean().optional().meta({
      description:
        "Answer Private Network Access preflights from the listed origins, letting their public pages reach this private server. Default false; refused with `*`.",
      default: false,
    }),
    dangerouslyAllowInsecureOrigins: z.boolean().optional().meta({
      description:
        "Accept plain-`http` origins that are not loopback together with credentials. Default false. Anybody on the network path to such a page can inject script that acts as the user.",
      default: false,
    }),
  })
  .meta({
    description:
      "A CORS policy: which other origins' pages may read responses. Without one, nothing is granted cross-origin.",
    examples: [{ allowOrigins: ["https://app.example.com"] }],
  });

export const routeSchema = z
  .strictObject({
    match: z.string().meta({
      description:
        "Path prefix this route serves, starting with `/`. `/v1/` matches `/v1/` and everything below; `/v1` also matches `/v1` itself, never `/v1beta`; `/` matches every path. Routes are tried in order and the first match wins.",
      examples: ["/v1/", "/"],
    }),
    upstream: z
      .string()
      .optional()
      .meta({
        description:
          "Proxy this route to an `http://` or `https://` URL, with an optional base path. HTTP, Server-Sent Events and WebSocket upgrades all go there, streamed, never buffered. The upstream sees the client's `Host` unchanged and `X-Forwarded-*` set by the front door. Exactly one of `upstream` and `static` is required.",
        examples: ["http://127.0.0.1:18789"],
      }),
    static: z
      .string()
      .optional()
      .meta({
        description:
          "Serve files from this directory (relative paths start from the configuration file's folder); it must exist when the configuration is loaded. Exactly one of `upstream` and `static` is required.",
        examples: ["./control-ui"],
      }),
    spa: z.boolean().optional().meta({
      description:
        "With `static`: unknown paths without a file extension fall back to `index.html`, for single-page apps with client-side routes. Default false.",
      default: false,
    }),
    stripPrefix: z.boolean().optional().meta({
      description:
        "With `upstream`: remove `match` from the path before forwarding (`/api/x` with `match: /api/` reaches the upstream as `/x`). Default false: paths pass verbatim.",
      default: false,
    }),
    cors: z
      .union([z.literal(false), corsSchema])
      .optional()
      .meta({
        description:
          "This route's own CORS policy instead of the global `cors`, or `false` for none (nothing granted cross-origin on this route). Default: the global `cors` section.",
      }),
  })
  .meta({
    description:
      "One route: a path prefix and what serves it, an `upstream` URL or a `static` directory.",
    examples: [{ match: "/", upstream: "http://127.0.0.1:18789" }],
  });

export const hstsSchema = z
  .union([
    z.boolean(),
    z.strictObject({
      maxAge: z
        .int()
        .optional()
        .meta({
          description:
            "Seconds browsers remember to use HTTPS only. Default 31536000 (one year); 0 tells browsers to forget.",
          default: 31536000,
          minimum: 0,
          examples: [31536000],
        }),
      includeSubDomains: z.boolean().optional().meta({
        description:
          "Apply to every subdomain too. Default false: only turn it on when every subdomain serves HTTPS.",
        default: false,
      }),
    }),
  ])
  .optional()
  .meta({
    description:
      "Send `Strict-Transport-Security`, so browsers never use plain HTTP for this host again. `true`: one year, this host only. Default: not sent (a lint note reminds you).",
    examples: [true, { maxAge: 31536000, includeSubDomains: false }],
  });

export const tlsSchema = z
  .strictObject({
    cert: z.string().meta({
      description:
        "PEM certificate chain file (relative paths start from the configuration file's folder). Re-read when it changes.",
      examples: ["./cert.pem"],
    }),
    key: z.string().meta({
      description:
        "PEM private key file of the certificate. Keep it readable by the Gatehouse user only.",
      examples: ["./key.pem"],
    }),
    hsts: hstsSchema,
    redirectHttp: z
      .union([z.string(), z.int()])
      .optional()
      .meta({
        description:
          "Also listen for plain HTTP on this address and redirect every request to HTTPS. Default: no plain-HTTP listener.",
        examples: ["0.0.0.0:80"],
      }),
  })
  .nullish()
  .meta({
    description:
      "Serve HTTPS with these files. Default: plain HTTP, for use behind a TLS terminator (a CDN, Caddy, Tailscale Serve) or on loopback only.",
    examples: [{ cert: "./cert.pem", key: "./key.pem" }],
  });

export const limitsSchema = z
  .strictObject({
    maxBodySize: z
      .union([z.int(), z.string()])
      .optional()
      .meta({
        description: `Largest request body forwarded; larger ones get 413 before the upstream sees a byte. Bytes, or a number with a unit (\`512KiB\`, \`25MiB\`, \`10MB\`). Default 25MiB (${DEFAULT_LIMITS.maxBodyBytes} bytes).`,
        default: "25MiB",
        examples: ["25MiB"],
      }),
    maxHeaderSize: z
      .union([z.int(), z.string()])
      .optional()
      .meta({
        description: `Largest request head (request line and headers) accepted; larger ones get 431 with a JSON body. Bytes, or a number with a unit (\`16KiB\`, \`64KiB\`). Raise it for clients with many or long cookies. Default 16KiB (${DEFAULT_LIMITS.maxHeaderBytes} bytes), Node's own.`,
        default: "16KiB",
        examples: ["32KiB"],
      }),
    headersTimeout: duration(
      "Time a client has to send a request's headers (the Slowloris guard); at most `requestTimeout`.",
      DEFAULT_LIMITS.headersTimeoutMs,
      ["30s"],
    ),
    requestTimeout: duration(
      "Time a client has to send a whole request, body included.",
      DEFAULT_LIMITS.requestTimeoutMs,
      ["5m"],
    ),
    keepAliveTimeout: duration(
      "Idle keep-alive connections from clients are closed after this.",
      DEFAULT_LIMITS.keepAliveTimeoutMs,
      ["5s"],
    ),
    upstreamConnectTimeout: duration(
      "Time to connect to an upstream before answering 502.",
      DEFAULT_LIMITS.upstreamConnectTimeoutMs,
      ["10s"],
    ),
    upstreamHeadersTimeout: duration(
      "Time to wait for an upstream's response headers before answering 504 (models can think a while before the first byte).",
      DEFAULT_LIMITS.upstreamHeadersTimeoutMs,
      ["5m"],
    ),
    streamIdleTimeout: duration(
      "Longest silence inside a streamed response (SSE) before it is cut.",
      DEFAULT_LIMITS.streamIdleTimeoutMs,
      ["10m"],
    ),
    maxWebSockets: z
      .int()
      .optional()
      .meta({
        description: `Open WebSockets at once; further upgrades get 503. 0 refuses every WebSocket. Default ${DEFAULT_LIMITS.maxWebSockets}.`,
        default: DEFAULT_LIMITS.maxWebSockets,
        minimum: 0,
      }),
    shutdownGrace: z
      .union([z.int(), z.string()])
      .optional()
      .meta({
        description: `On SIGINT or SIGTERM, how long in-flight requests and streams may finish before they are cut. Milliseconds, or a number with a unit. Default ${formatMs(DEFAULT_LIMITS.shutdownGraceMs)}.`,
        default: formatMs(DEFAULT_LIMITS.shutdownGraceMs),
        examples: ["10s"],
      }),
  })
  .nullish()
  .meta({
    description:
      "Bounds that keep one client or one upstream from holding resources forever. Every key is optional; the defaults suit streamed model replies.",
  });

export const logSchema = z
  .strictObject({
    level: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .optional()
      .meta({ description: "Least severe level logged. Default `info`.", default: "info" }),
    format: z.enum(["auto", "json", "pretty"]).optional().meta({
      description:
        "`json`: one JSON object per line. `pretty`: for people. `auto` (the default): pretty on a terminal, JSON otherwise.",
      default: "auto",
    }),
  })
  .nullish()
  .meta({
    description:
      "Logging: one line per request and per lifecycle event. Default: level `info`, format `auto`.",
  });

export const websocketSchema = z
  .strictObject({
    allowOrigins: z
      .array(z.string())
      .nullish()
      .meta({
        description:
          "Origins whose pages may open WebSockets, besides `publicOrigin`, in the same forms as `cors.allowOrigins`. Default: the origins listed in `cors.allowOrigins`, without `*` (a grant to read is not trust to open a socket; none without a `cors` section). An empty list allows `publicOrigin` only. Upgrades from any other browser origin get 403 before reaching the upstream (cross-site WebSocket hijacking guard); upgrades without `Origin` (not from a browser) pass.",
        examples: [["https://app.example.com"]],
      }),
  })
  .nullish()
  .meta({
    description:
      "WebSocket upgrades: which browser origins may open them. Default: `publicOrigin` and the origins of `cors`.",
  });

export const configFileSchema = z
  .strictObject({
    $schema: z.string().optional().meta({
      description: "The JSON Schema of this file, for editors. Ignored by Gatehouse.",
    }),
    listen: z
      .union([z.string(), z.int().meta({ minimum: 0, maximum: 65535 })])
      .optional()
      .meta({
        description:
          "Address and port to listen on: `host:port`, `[v6]:port`, or a port alone (on 127.0.0.1). The host is an IP address or `localhost`. Default `127.0.0.1:8080`: this machine only. `--listen` replaces it and the `PORT` environment variable replaces its port. `0.0.0.0` or `[::]` exposes the front door, and through it the upstreams, to every network the machine is on.",
        default: "127.0.0.1:8080",
        examples: ["127.0.0.1:8080", "[::1]:8080", "0.0.0.0:8443"],
      }),
    publicOrigin: z
      .string()
      .optional()
      .meta({
        description:
          "The one origin browsers use to reach this front door, `https://host[:port]` without a path. Its own pages are same-origin: they need no CORS, and their unsafe requests pass the CSRF guard. Default: derived from `listen` (`http://127.0.0.1:8080`, `https` with `tls`). Set it whenever a proxy, CDN or DNS name is in front.",
        examples: ["https://gateway.example.com"],
      }),
    hosts: z
      .array(z.string())
      .optional()
      .meta({
        description:
          "Allowed values of the `Host` header (`name` or `name:port`, `[::1]` for IPv6): the guard against DNS rebinding, where an attacker's domain is pointed at this server. Other hosts get 421 and never reach an upstream. Exact names only, no `*`. An entry without a port allows the name on any port; `name:443` and `name:80` also allow the name sent without a port. Default: the authority of `publicOrigin` with its port, plus `localhost`, `127.0.0.1` and `[::1]` on the listen port when listening on loopback.",
        examples: [["gateway.example.com"]],
      }),
    trustProxy: z
      .array(z.string())
      .optional()
      .meta({
        description:
          "Addresses or CIDR ranges of proxies in front (a CDN, a TLS terminator) whose `X-Forwarded-For`, `X-Forwarded-Proto` and `X-Forwarded-Host` are believed; `loopback` means 127.0.0.0/8 and ::1. From any other peer these headers are overwritten. Default: none. Every address listed can claim any client IP.",
        examples: [["loopback"], ["10.0.0.0/8"]],
      }),
    routes: z.array(routeSchema).meta({
      description:
        "What the front door serves, in order: the first route whose `match` prefix fits the path wins; other paths get 404. Required, at least one.",
      minItems: 1,
      examples: [[{ match: "/", upstream: "http://127.0.0.1:18789" }]],
    }),
    cors: z
      .union([z.literal(false), corsSchema])
      .nullish()
      .meta({
        description:
          "The global CORS policy, for routes without their own. Default: none, which is the single-origin set-up the front door exists for: preflights get 403 and no response carries CORS headers. The front door answers preflights itself and removes any `Access-Control-*` header an upstream sends.",
      }),
    websocket: websocketSchema,
    csrf: z.boolean().optional().meta({
      description:
        "Refuse unsafe requests (anything but GET, HEAD, OPTIONS) from other origins' pages with 403 before they reach an upstream, unless the CORS policy allows that origin. Requests without browser headers (curl, SDKs) pass. Default true; `false` lets any website you visit send requests here with your cookies or network position.",
      default: true,
    }),
    tls: tlsSchema,
    limits: limitsSchema,
    log: logSchema,
    inspector: z
      .union([
        z.boolean(),
        z.strictObject({
          token: z.string().min(16).meta({
            description:
              "A secret of at least 16 characters. With it, the inspector answers anyone who presents it (`Authorization: Bearer <token>` or `?token=`); without it, only clients on this machine that reach the door directly.",
          }),
        }),
      ])
      .optional()
      .meta({
        description:
          "The live CORS inspector at `/_gatehouse/inspector`: recent cross-origin decisions (origin, method, path, preflight or actual, verdict, reason code, the fix), updated over Server-Sent Events. Default false. `true` serves it to loopback clients that reach the door directly (not through a trusted proxy); `{ token }` to anyone with the token.",
        default: false,
      }),
    debugHeader: z.boolean().optional().meta({
      description:
        "Add `X-Gatehouse-Cors: <reason code>` to responses of cross-origin requests, so the browser's network panel shows why. Default false: the codes tell any website how the policy is built.",
      default: false,
    }),
  })
  .meta({
    title: "Gatehouse configuration",
    description:
      "A front door for self-hosted AI gateways: one origin for the UI, the API, Server-Sent Events and WebSockets, with a Host allowlist, a CSRF guard and a strict CORS policy where cross-origin is really needed.",
  });

/** The file's shape as TypeScript sees it after the structural check. */
export type ConfigFile = z.input<typeof configFileSchema>;
