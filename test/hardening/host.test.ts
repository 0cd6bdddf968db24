/**
 * Host / DNS rebinding on raw sockets: every Host form outside the allowlist is 421 and never
 * forwarded; X-Forwarded-Host from the client never chooses or leaks anything.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Door } from "./harness.js";
import { assertRefused, errorCode, openDoor, rawExchange, send, statuses } from "./harness.js";

let d: Door;
before(async () => {
  d = await openDoor({
    overrides: { hosts: ["gateway.test", "localhost", "127.0.0.1", "[::1]", "pinned.test:8443"] },
  });
});
after(() => d.close());

const req = (hostLines: string, target = "/") =>
  `GET ${target} HTTP/1.1\r\n${hostLines}Connection: close\r\n\r\n`;

describe("refused Host forms (421, closed, upstream untouched)", () => {
  const cases: [string, string][] = [
    ["foreign", "Host: attacker.example\r\n"],
    ["rebinding name resolving to loopback", "Host: 127.0.0.1.nip.io\r\n"],
    ["look-alike suffix", "Host: gateway.test.evil.example\r\n"],
    ["look-alike prefix", "Host: xgateway.test\r\n"],
    ["look-alike hyphen", "Host: gateway-test\r\n"],
    ["sub-domain", "Host: a.gateway.test\r\n"],
    ["trailing dot", "Host: gateway.test.\r\n"],
    ["localhost. with port", "Host: localhost.:8080\r\n"],
    ["empty", "Host: \r\n"],
    ["empty name, port only", "Host: :8080\r\n"],
    ["userinfo", "Host: user@gateway.test\r\n"],
    ["userinfo to a foreign host", "Host: gateway.test@evil.example\r\n"],
    ["comma list", "Host: gateway.test, evil.example\r\n"],
    ["comma list, foreign first", "Host: evil.example,gateway.test\r\n"],
    ["duplicated, same value", "Host: gateway.test\r\nHost: gateway.test\r\n"],
    ["duplicated, different case name", "Host: gateway.test\r\nHOST: evil.example\r\n"],
    ["pinned name on the wrong port", "Host: pinned.test:8444\r\n"],
    ["pinned name without port", "Host: pinned.test\r\n"],
    ["empty port", "Host: gateway.test:\r\n"],
    ["signed port", "Host: gateway.test:+80\r\n"],
    ["port out of range", "Host: gateway.test:65536\r\n"],
    ["two ports", "Host: gateway.test:80:81\r\n"],
    ["percent-encoded dot", "Host: gateway%2etest\r\n"],
    ["backslash", "Host: gateway.test\\evil.example\r\n"],
    ["path", "Host: gateway.test/evil\r\n"],
    ["IPv6 unbracketed", "Host: ::1\r\n"],
    ["IPv6 long form of ::1", "Host: [0:0:0:0:0:0:0:1]\r\n"],
    ["IPv4-mapped IPv6", "Host: [::ffff:127.0.0.1]\r\n"],
    ["IPv6 with zone id", "Host: [fe80::1%25eth0]\r\n"],
    ["IPv6 unterminated", "Host: [::1\r\n"],
    ["IPv6 garbage after bracket", "Host: [::1]x\r\n"],
    ["decimal IPv4 of 127.0.0.1", "Host: 2130706433\r\n"],
    ["octal IPv4", "Host: 0177.0.0.1\r\n"],
    ["short IPv4", "Host: 127.1\r\n"],
    ["0.0.0.0", "Host: 0.0.0.0\r\n"],
    ["unicode look-alike (latin1 bytes)", "Host: gatew\xe4y.test\r\n"],
    ["missing (HTTP/1.1)", ""],
    [
      "client X-Forwarded-Host does not rescue a foreign Host",
      "Host: evil.example\r\nX-Forwarded-Host: gateway.test\r\n",
    ],
    ["Forwarded host= does not either", "Host: evil.example\r\nForwarded: host=gateway.test\r\n"],
  ];
  for (const [name, lines] of cases) {
    test(name, async () => {
      const reply = await assertRefused(d, req(lines), [421, 400]);
      if (reply.text.startsWith("HTTP/1.1 421"))
        assert.match(errorCode(reply.text) ?? "", /^GH_HOST_/);
    });
  }
  test("absolute-form naming a foreign host, with an allowed Host line", () =>
    assertRefused(d, req("Host: gateway.test\r\n", "http://evil.example/x"), [421]).then(
      () => undefined,
    ));
  test("absolute-form with userinfo", () =>
    assertRefused(
      d,
      req("Host: gateway.test\r\n", "http://gateway.test@evil.example/x"),
      [421, 400],
    ).then(() => undefined));
});

describe("allowed forms are forwarded with the Host the door validated", () => {
  const ok: [string, string][] = [
    ["exact", "gateway.test"],
    ["upper case", "GATEWAY.TEST"],
    ["any port for an entry without port", "gateway.test:1"],
    ["IPv6 loopback with port", "[::1]:8080"],
    ["pinned", "pinned.test:8443"],
    ["pinned with a leading-zero port", "pinned.test:08443"],
  ];
  for (const [name, host] of ok) {
    test(name, async () => {
      const before = d.upstream.seen.length;
      const reply = await rawExchange(d.port, req(`Host: ${host}\r\n`, "/h"));
      assert.deepEqual(statuses(reply.text), [200], reply.text);
      const seen = d.upstream.seen[before];
      assert.equal(seen?.headers.host, host);
    });
  }
  test("the client's X-Forwarded-Host is replaced by the validated Host", async () => {
    const before = d.upstream.seen.length;
    await send(d.port, { path: "/xfh", headers: { "x-forwarded-host": "evil.example" } });
    const seen = d.upstream.seen[before];
    assert.equal(seen?.headers["x-forwarded-host"], "gateway.test");
    assert.equal(seen?.rawHeaders.filter((h) => h.toLowerCase() === "x-forwarded-host").length, 1);
  });
});
