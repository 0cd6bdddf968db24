/**
 * The pure value parsers: sizes, durations, listen addresses, hosts, trusted proxies, public
 * origins, route prefixes and upstream URLs; and the route-shadowing rule.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseHostEntry } from "../../../src/door/config/hosts.js";
import { parseListen, parsePortEnv } from "../../../src/door/config/listen.js";
import type { Parsed } from "../../../src/door/config/parsed.js";
import { parseTrustEntry } from "../../../src/door/config/proxies.js";
import { deriveOrigin, parsePublicOrigin } from "../../../src/door/config/public-origin.js";
import { covers, parseUpstream, validateMatch } from "../../../src/door/config/routes.js";
import { MAX_DURATION_MS, parseDuration, parseSize } from "../../../src/door/config/units.js";

/** The value, or "CODE" when refused. */
function outcome<T>(parsed: Parsed<T>): T | string {
  return parsed.ok ? parsed.value : parsed.code;
}

describe("sizes", () => {
  const cases: [number | string, number | string][] = [
    [0, 0],
    [1048576, 1048576],
    ["512KiB", 512 * 1024],
    ["25MiB", 25 * 1024 * 1024],
    ["25 MiB", 25 * 1024 * 1024],
    ["25mib", 25 * 1024 * 1024],
    ["10MB", 10_000_000],
    ["1GiB", 1024 ** 3],
    ["1.5KiB", 1536],
    ["100B", 100],
    ["25M", "GH_CONFIG_SIZE_INVALID"],
    ["25", "GH_CONFIG_SIZE_INVALID"],
    ["25 TB", "GH_CONFIG_SIZE_INVALID"],
    ["-1KiB", "GH_CONFIG_SIZE_INVALID"],
    ["lots", "GH_CONFIG_SIZE_INVALID"],
    [-1, "GH_CONFIG_SIZE_INVALID"],
    [1.5, "GH_CONFIG_SIZE_INVALID"],
    [2 ** 60, "GH_CONFIG_SIZE_INVALID"],
    ["99999999999GiB", "GH_CONFIG_SIZE_INVALID"],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)} -> ${expected}`, () =>
      assert.equal(outcome(parseSize(input)), expected));
  }
});

describe("durations", () => {
  const cases: [number | string, number, number | string][] = [
    [30000, 1, 30000],
    ["250ms", 1, 250],
    ["30s", 1, 30_000],
    ["5m", 1, 300_000],
    ["1h", 1, 3_600_000],
    ["1m30s", 1, 90_000],
    ["1h 30m", 1, 5_400_000],
    ["1.5s", 1, 1500],
    ["30S", 1, 30_000],
    [0, 0, 0],
    [0, 1, "GH_CONFIG_DURATION_INVALID"],
    ["0s", 1, "GH_CONFIG_DURATION_INVALID"],
    ["30", 1, "GH_CONFIG_DURATION_INVALID"],
    ["3d", 1, "GH_CONFIG_DURATION_INVALID"],
    ["s", 1, "GH_CONFIG_DURATION_INVALID"],
    ["", 1, "GH_CONFIG_DURATION_INVALID"],
    ["1m30", 1, "GH_CONFIG_DURATION_INVALID"],
    [1.5, 1, "GH_CONFIG_DURATION_INVALID"],
    [-5, 0, "GH_CONFIG_DURATION_INVALID"],
    [MAX_DURATION_MS, 1, MAX_DURATION_MS],
    [MAX_DURATION_MS + 1, 1, "GH_CONFIG_DURATION_INVALID"],
    ["597h", 1, "GH_CONFIG_DURATION_INVALID"],
  ];
  for (const [input, min, expected] of cases) {
    test(`${JSON.stringify(input)} (min ${min}) -> ${expected}`, () =>
      assert.equal(outcome(parseDuration(input, min)), expected));
  }
});

describe("listen addresses", () => {
  const cases: [string | number, { host: string; port: number } | string][] = [
    ["127.0.0.1:8080", { host: "127.0.0.1", port: 8080 }],
    ["0.0.0.0:443", { host: "0.0.0.0", port: 443 }],
    ["[::1]:8080", { host: "::1", port: 8080 }],
    ["[::]:8080", { host: "::", port: 8080 }],
    ["[0:0:0:0:0:0:0:1]:80", { host: "::1", port: 80 }],
    ["LOCALHOST:3000", { host: "localhost", port: 3000 }],
    [8080, { host: "127.0.0.1", port: 8080 }],
    ["8080", { host: "127.0.0.1", port: 8080 }],
    ["127.0.0.1:0", { host: "127.0.0.1", port: 0 }],
    ["127.0.0.1", "GH_CONFIG_LISTEN_INVALID"],
    ["127.0.0.1:65536", "GH_CONFIG_LISTEN_INVALID"],
    [65536, "GH_CONFIG_LISTEN_INVALID"],
    ["127.0.0.1:", "GH_CONFIG_LISTEN_INVALID"],
    [":8080", "GH_CONFIG_LISTEN_INVALID"],
    ["*:8080", "GH_CONFIG_LISTEN_INVALID"],
    ["::1:8080", "GH_CONFIG_LISTEN_INVALID"],
    ["[::1]", "GH_CONFIG_LISTEN_INVALID"],
    ["[::1:8080", "GH_CONFIG_LISTEN_INVALID"],
    ["[example]:8080", "GH_CONFIG_LISTEN_INVALID"],
    ["example.com:8080", "GH_CONFIG_LISTEN_INVALID"],
    ["http://127.0.0.1:8080", "GH_CONFIG_LISTEN_INVALID"],
    ["127.0.0.1:80 ", "GH_CONFIG_LISTEN_INVALID"],
    ["", "GH_CONFIG_LISTEN_INVALID"],
    ["256.1.1.1:80", "GH_CONFIG_LISTEN_INVALID"],
  ];
  for (const [input, expected] of cases) {
    test(`${JSON.stringify(input)}`, () => assert.deepEqual(outcome(parseListen(input)), expected));
  }
  test("PORT takes digits only", () => {
    assert.equal(outcome(parsePortEnv("3000")), 3000);
    assert.equal(outcome(parsePortEnv("0.0.0.0:3000")), "GH_CONFIG_LISTEN_INVALID");
    assert.equal(outcome(parsePortEnv("70000")), "GH_CONFIG_LISTEN_INVALID");
  });
});

describe("hosts entries", () => {
  const cases: [string, string][] = [
    ["gateway.example.com", "gateway.example.com"],
    ["Gateway.Example.COM", "gateway.example.com"],
    ["gateway.example.com:8443", "gateway.example.com:8443"],
    ["gateway.example.com:08443", "gateway.example.com:8443"],
    ["127.0.0.1", "127.0.0.1"],
    ["[::1]", "[::1]"],
    ["[0:0::1]:8080", "[::1]:8080"],
    ["bücher.example", "xn--bcher-kva.example"],
    ["my_service", "my_service"],
    ["localhost", "localhost"],
    ["*", "GH_CONFIG_HOST_WILDCARD"],
    ["*:8080", "GH_CONFIG_HOST_WILDCARD"],
    ["*.example.com", "GH_CONFIG_HOST_WILDCARD"],
    ["a*.example.com", "GH_CONFIG_HOST_WILDCARD"],
    ["https://gateway.example.com", "GH_CONFIG_HOST_INVALID"],
    ["gateway.example.com/", "GH_CONFIG_HOST_INVALID"],
    ["user@gateway.example.com", "GH_CONFIG_HOST_INVALID"],
    ["gateway.example.com.", "GH_CONFIG_HOST_INVALID"],
    [".example.com", "GH_CONFIG_HOST_INVALID"],
    ["a..example.com", "GH_CONFIG_HOST_INVALID"],
    ["a b", "GH_CONFIG_HOST_INVALID"],
    ["a,b", "GH_CONFIG_HOST_INVALID"],
    ["", "GH_CONFIG_HOST_INVALID"],
    ["::1", "GH_CONFIG_HOST_INVALID"],
    ["[::1]x", "GH_CONFIG_HOST_INVALID"],
    ["[fe80::1%eth0]", "GH_CONFIG_HOST_INVALID"],
    ["example.com:99999", "GH_CONFIG_HOST_INVALID"],
    ["example.com:", "GH_CONFIG_HOST_INVALID"],
    ["a:b:c", "GH_CONFIG_HOST_INVALID"],
    ["0x7f.1", "GH_CONFIG_HOST_INVALID"],
    ["2130706433", "GH_CONFIG_HOST_INVALID"],
  ];
  for (const [input, expected] of cases) {
    test(JSON.stringify(input), () => {
      const parsed = parseHostEntry(input);
      assert.equal(parsed.ok ? parsed.value.text : parsed.code, expected);
    });
  }
});

describe("trustProxy entries", () => {
  const cases: [string, string][] = [
    ["loopback", "loopback narrow"],
    ["LOOPBACK", "loopback narrow"],
    ["203.0.113.7", "203.0.113.7 narrow"],
    ["10.0.0.0/8", "10.0.0.0/8 narrow"],
    ["10.0.0.0/7", "10.0.0.0/7 wide"],
    ["0.0.0.0/0", "0.0.0.0/0 all"],
    ["2001:DB8::/32", "2001:db8::/32 narrow"],
    ["::/0", "::/0 all"],
    ["fd00::/8", "fd00::/8 wide"],
    ["::1", "::1 narrow"],
    ["10.0.0.0/33", "GH_CONFIG_TRUST_PROXY_INVALID"],
    ["10.0.0.0/", "GH_CONFIG_TRUST_PROXY_INVALID"],
    ["10.0.0.0/-1", "GH_CONFIG_TRUST_PROXY_INVALID"],
    ["fd00::/129", "GH_CONFIG_TRUST_PROXY_INVALID"],
    ["cdn.example.com", "GH_CONFIG_TRUST_PROXY_INVALID"],
    ["10.0.0", "GH_CONFIG_TRUST_PROXY_INVALID"],
    ["*", "GH_CONFIG_TRUST_PROXY_INVALID"],
    ["fe80::1%eth0", "GH_CONFIG_TRUST_PROXY_INVALID"],
  ];
  for (const [input, expected] of cases) {
    test(input, () => {
      const parsed = parseTrustEntry(input);
      assert.equal(
        parsed.ok ? `${parsed.value.text} ${parsed.value.breadth}` : parsed.code,
        expected,
      );
    });
  }
});

describe("publicOrigin", () => {
  const cases: [string, string][] = [
    ["https://gateway.example.com", "https://gateway.example.com"],
    ["HTTPS://Gateway.Example.com:443", "https://gateway.example.com"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080"],
    ["http://[::1]:8080", "http://[::1]:8080"],
    ["https://bücher.example", "https://xn--bcher-kva.example"],
    ["https://gateway.example.com/", "GH_CONFIG_PUBLIC_ORIGIN_INVALID"],
    ["https://gateway.example.com/ui", "GH_CONFIG_PUBLIC_ORIGIN_INVALID"],
    ["gateway.example.com", "GH_CONFIG_PUBLIC_ORIGIN_INVALID"],
    ["*", "GH_CONFIG_PUBLIC_ORIGIN_INVALID"],
    ["https://*.example.com", "GH_CONFIG_PUBLIC_ORIGIN_INVALID"],
    ["http://localhost:*", "GH_CONFIG_PUBLIC_ORIGIN_INVALID"],
    ["null", "GH_CONFIG_PUBLIC_ORIGIN_INVALID"],
    ["wss://gateway.example.com", "GH_CONFIG_PUBLIC_ORIGIN_INVALID"],
    ["https://user@gateway.example.com", "GH_CONFIG_PUBLIC_ORIGIN_INVALID"],
  ];
  for (const [input, expected] of cases) {
    test(input, () => {
      const parsed = parsePublicOrigin(input);
      assert.equal(parsed.ok ? parsed.value.origin : parsed.code, expected);
    });
  }
  test("derived from listen: default ports dropped, https with tls, localhost for wildcards", () => {
    assert.deepEqual(deriveOrigin({ host: "127.0.0.1", port: 8080 }, false), {
      origin: "http://127.0.0.1:8080",
      guessed: false,
    });
    assert.equal(deriveOrigin({ host: "127.0.0.1", port: 80 }, false).origin, "http://127.0.0.1");
    assert.equal(deriveOrigin({ host: "127.0.0.1", port: 443 }, true).origin, "https://127.0.0.1");
    assert.equal(
      deriveOrigin({ host: "127.0.0.1", port: 80 }, true).origin,
      "https://127.0.0.1:80",
    );
    assert.equal(deriveOrigin({ host: "::1", port: 8080 }, false).origin, "http://[::1]:8080");
    assert.deepEqual(deriveOrigin({ host: "0.0.0.0", port: 8080 }, false), {
      origin: "http://localhost:8080",
      guessed: true,
    });
    assert.equal(deriveOrigin({ host: "::", port: 8443 }, true).origin, "https://localhost:8443");
  });
});

describe("route prefixes and upstreams", () => {
  const matches: [string, boolean][] = [
    ["/", true],
    ["/v1/", true],
    ["/v1", true],
    ["/__openclaw__/", true],
    ["/a%20b/", true],
    ["v1", false],
    ["", false],
    ["/v1/*", false],
    ["/*", false],
    ["/v1?x=1", false],
    ["/v1#x", false],
    ["//v1", false],
    ["/a//b", false],
    ["/a/./b", false],
    ["/a/../b", false],
    ["/a b", false],
    ["https://x/v1", false],
  ];
  for (const [input, valid] of matches) {
    test(`match ${JSON.stringify(input)} ${valid ? "accepted" : "refused"}`, () =>
      assert.equal(validateMatch(input).ok, valid));
  }
  const upstreams: [string, string][] = [
    ["http://127.0.0.1:18789", "http://127.0.0.1:18789/"],
    ["https://api.example.com/base/", "https://api.example.com/base/"],
    ["HTTP://LOCALHOST:11434", "http://localhost:11434/"],
    ["http://[::1]:8000", "http://[::1]:8000/"],
    ["ws://127.0.0.1:1", "GH_CONFIG_UPSTREAM_INVALID"],
    ["wss://127.0.0.1:1", "GH_CONFIG_UPSTREAM_INVALID"],
    ["ftp://127.0.0.1", "GH_CONFIG_UPSTREAM_INVALID"],
    ["127.0.0.1:1", "GH_CONFIG_UPSTREAM_INVALID"],
    ["localhost:11434", "GH_CONFIG_UPSTREAM_INVALID"],
    ["http://u:p@127.0.0.1", "GH_CONFIG_UPSTREAM_INVALID"],
    ["http://u@127.0.0.1", "GH_CONFIG_UPSTREAM_INVALID"],
    ["http://127.0.0.1/?", "GH_CONFIG_UPSTREAM_INVALID"],
    ["http://127.0.0.1/#", "GH_CONFIG_UPSTREAM_INVALID"],
    ["http://", "GH_CONFIG_UPSTREAM_INVALID"],
    ["http://exa mple", "GH_CONFIG_UPSTREAM_INVALID"],
  ];
  for (const [input, expected] of upstreams) {
    test(`upstream ${input}`, () => {
      const parsed = parseUpstream(input);
      assert.equal(parsed.ok ? parsed.value.href : parsed.code, expected);
    });
  }

  test("a route is hidden only when an earlier prefix matches every path it would", () => {
    const cases: [string, string, boolean][] = [
      ["/", "/v1/", true],
      ["/", "/", true],
      ["/v1", "/v1/", true],
      ["/v1", "/v1/chat", true],
      ["/v1/", "/v1/chat", true],
      ["/v1/", "/v1", false], // "/v1" itself still reaches the later route
      ["/v1", "/v1beta", false],
      ["/v1/", "/v2/", false],
      ["/api/embed", "/api/embeddings", false],
      ["/v1/chat", "/v1/", false],
    ];
    for (const [earlier, later, hidden] of cases) {
      assert.equal(covers(earlier, later), hidden, `${earlier} before ${later}`);
    }
  });
});
