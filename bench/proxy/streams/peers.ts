/**
 * How each streams target is configured: Gatehouse's YAML, the nginx config, and the lines the
 * report prints about every target.
 */

import { nginxConfigFile } from "../targets.js";
import { ORIGIN } from "./protocol.js";

/**
 * Gatehouse's config, loaded through the real loader so every default applies (hosts from
 * publicOrigin plus loopback names, CSRF on, no CORS policy, WebSocket upgrades admitted from
 * publicOrigin only); only the access log is off, as it is for nginx.
 */
export function gatehouseYaml(target: string): string {
  return `listen: 127.0.0.1:0
publicOrigin: ${ORIGIN}
routes:
  - match: /
    upstream: ${target}
log: { level: silent }
`;
}

/** The nginx directives that matter here, for the report. */
export const NGINX_DIRECTIVES = [
  "worker_processes 1",
  "access_log off",
  "upstream backend { server <upstream>; keepalive 64; }",
  "map $http_upgrade $connection_upgrade { default upgrade; '' ''; }",
  "proxy_http_version 1.1",
  "proxy_set_header Upgrade $http_upgrade",
  "proxy_set_header Connection $connection_upgrade",
  "proxy_set_header Host $host",
  "proxy_buffering off",
  "proxy_read_timeout 1h",
  "proxy_send_timeout 1h",
];

/** SSE and WebSocket through one location; `Connection: ""` (keepalive) when not upgrading. */
export function streamsNginxConfig(dir: string, port: number, upstream: URL): string {
  return nginxConfigFile(
    dir,
    `  map $http_upgrade $connection_upgrade {
    default upgrade;
    "" "";
  }
  upstream backend {
    server ${upstream.host};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_buffering off;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
    }
  }
`,
  );
}

export interface StreamTarget {
  readonly id: string;
  readonly label: string;
  readonly configured: string;
}

export const STREAM_TARGETS: Readonly<Record<string, StreamTarget>> = {
  gatehouse: {
    id: "gatehouse",
    label: "Gatehouse",
    configured:
      "`createDoor()` from dist/ (BENCH_GATEHOUSE_FROM=src: src/ through tsx) with `listen: 127.0.0.1:0`, `publicOrigin: http://gateway.test`, one route `/` to the upstream and `log.level: silent`, loaded through `checkConfigText()` so every other setting is the loader's default (hosts = gateway.test + loopback names, CSRF on, no CORS policy, WebSocket upgrades admitted from publicOrigin only). Clients send `Host: gateway.test`; the WebSocket client sends `Origin: http://gateway.test`, as a page served by the door would",
  },
  floor: {
    id: "floor",
    label: "node:http + undici (floor)",
    configured:
      "hand-written: `http.createServer` + one `undici.Pool(upstream, { connections: 128 })`, `pool.stream()` piping the response back (SSE); the `upgrade` event answered by `net.connect` to the upstream, the request head written as received and the two sockets piped both ways (the upstream's 101 passes back untouched); no checks of any kind",
  },
  nginx: {
    id: "nginx",
    label: "nginx",
    configured: `Debian nginx-light, ${NGINX_DIRECTIVES.map((d) => `\`${d}\``).join(", ")}`,
  },
  direct: {
    id: "direct",
    label: "upstream direct (limit)",
    configured: "the upstream itself (a second instance, on the server core), no proxy",
  },
};
