/**
 * The pure part of the audit: which probes are sent for a target, and how responses are judged.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { analyze } from "../../src/audit/analyze.js";
import type { Probe } from "../../src/audit/probes.js";
import {
  buildProbes,
  foreignOrigin,
  isPrivateHost,
  lookalikes,
  SPECIAL_CHARACTERS,
} from "../../src/audit/probes.js";
import type { ObservedResponse } from "../../src/http-client/message.js";
import { headerOf, originOf, responseOf, simulate } from "./helpers.js";

const NONCE = "n0nce";

function origins(probes: readonly Probe[], family?: string): string[] {
  return probes
    .filter((p) => family === undefined || p.family === family)
    .map((p) => p.origin)
    .filter((o): o is string => o !== null);
}

function response(headers: Record<string, string | string[]>, status = 200): ObservedResponse {
  return responseOf(status, headers);
}

function probe(probes: readonly Probe[], id: string): Probe {
  const found = probes.find((p) => p.id === id);
  assert.ok(found, `no probe ${id}`);
  return found;
}

describe("probe list for an https target with a port", () => {
  const probes = buildProbes({
    target: new URL("https://api.example.com:8443/v1/models?x=1"),
    nonce: NONCE,
  });
  const all = origins(probes);

  test("every probe GETs or preflights the URL given, query included", () => {
    for (const p of probes) {
      assert.equal(p.request.url, "https://api.example.com:8443/v1/models?x=1");
      assert.equal(p.request.kind, "http");
    }
    assert.equal(probes[0]?.id, "baseline");
    assert.equal(probes[0]?.origin, null);
    assert.deepEqual(probes[0]?.request.headers, []);
  });

  test("ids are unique and no probe sends the target's own origin", () => {
    assert.equal(new Set(probes.map((p) => p.id)).size, probes.length);
    const gets = probes.filter((p) => p.request.method === "GET");
    assert.ok(!origins(gets).includes("https://api.example.com:8443"));
  });

  test("look-alikes keep the port and derive from host and registrable domain", () => {
    for (const expected of [
      foreignOrigin(NONCE),
      "null",
      "https://evilexample.com:8443", // pre-domain (CORScanner suffix_match)
      "https://xample.com:8443", // substring (CORScanner include_match)
      "https://api.example.com.evil.example:8443", // post-domain (Corsy, CORScanner)
      "https://api.example.comevil.example:8443", // post-domain without a dot (nuclei)
      "https://apixexample.com:8443", // first dot -> x (Corsy)
      "https://api.examplexcom:8443",
      "https://api.exampleacom:8443", // last dot -> a (CORScanner)
      "https://apiaexampleacom:8443", // all dots -> a (nuclei)
      "https://api.example.com_.evil.example:8443", // Corsy's underscore
      "https://api.example.com%60.evil.example:8443", // Corsy's broken parser
      "https://api.example.com.$.evil.example:8443", // nuclei's Safari form
      "https://evil.api.example.com:8443", // any subdomain (CORScanner)
      "https://evil.example.com:8443", // rand.{RDN} (nuclei)
      "https://evilapi.example.com:8443", // Corsy's d3v{root}: a sibling
      "http://api.example.com:8443", // downgrade (Corsy, CORScanner)
      "https://whatever.github.io",
      "http://jsbin.com",
      "https://codepen.io",
      "https://jsfiddle.net",
      "http://www.webdevout.net",
      "https://repl.it",
      "http://localhost:31337",
    ]) {
      assert.ok(all.includes(expected), expected);
    }
    assert.equal(origins(probes, "special-chars").length, SPECIAL_CHARACTERS.length * 2);
  });

  test("families carry the origins they are named for", () => {
    assert.deepEqual(origins(probes, "reflection"), [foreignOrigin(NONCE)]);
    assert.deepEqual(origins(probes, "null"), ["null"]);
    assert.deepEqual(origins(probes, "downgrade"), ["http://api.example.com:8443"]);
    assert.deepEqual(origins(probes, "pre-domain"), ["https://evilexample.com:8443"]);
  });

  test("preflights ask for an unknown method, an unknown header and private network access", () => {
    const method = probe(probes, `preflight-method:${foreignOrigin(NONCE)}`).request;
    assert.equal(method.method, "OPTIONS");
    assert.equal(headerOf(method, "access-control-request-method"), "GHPROBEN0NCE");
    const header = probe(probes, `preflight-header:${foreignOrigin(NONCE)}`).request;
    assert.equal(headerOf(header, "access-control-request-method"), "POST");
    assert.equal(headerOf(header, "access-control-request-headers"), "x-gh-probe-n0nce");
    const pna = probe(probes, `private-network:${foreignOrigin(NONCE)}`).request;
    assert.equal(headerOf(pna, "access-control-request-private-network"), "true");
    // The target's own origin is preflighted for method and header, never for PNA.
    assert.ok(probes.some((p) => p.id === "preflight-method:https://api.example.com:8443"));
    assert.ok(!probes.some((p) => p.id === "private-network:https://api.example.com:8443"));
  });

  test("no WebSocket probes without --ws", () => {
    assert.ok(!probes.some((p) => p.family === "websocket"));
  });
});

describe("probe list for an http target on an IP with a port", () => {
  const probes = buildProbes({ target: new URL("http://127.0.0.1:8080/"), nonce: NONCE });
  const all = origins(probes);

  test("no downgrade or substring probes; look-alikes of the address", () => {
    assert.deepEqual(origins(probes, "downgrade"), []);
    assert.deepEqual(origins(probes, "substring"), []);
    assert.ok(all.includes("http://evil127.0.0.1:8080"));
    assert.ok(all.includes("http://127.0.0.1.evil.example:8080"));
    assert.ok(all.includes("http://127x0.0.1:8080"));
    assert.ok(all.includes("http://127a0a0a1:8080"));
    assert.ok(all.includes("http://evil.127.0.0.1:8080"));
  });

  test("the loopback probe avoids the target's own port", () => {
    assert.ok(all.includes("http://127.0.0.1:31337"));
    const own = buildProbes({ target: new URL("http://localhost:31337/"), nonce: NONCE });
    assert.ok(origins(own, "localhost").includes("http://localhost:31338"));
    assert.ok(!origins(own, "localhost").includes("http://localhost:31337"));
  });

  test("IPv6 literals get no look-alikes", () => {
    assert.deepEqual(lookalikes(new URL("http://[::1]:8080/")), []);
  });
});

describe("trusted origins and --ws", () => {
  const probes = buildProbes({
    target: new URL("http://127.0.0.1:9000/api"),
    trusted: ["https://App.Example.com"],
    ws: new URL("ws://127.0.0.1:9000/ws"),
    nonce: NONCE,
  });

  test("a trusted origin gets a baseline probe and its own look-alikes", () => {
    assert.equal(
      probe(probes, "baseline:https://app.example.com").origin,
      "https://app.example.com",
    );
    for (const o of [
      "https://app.example.com.evil.example",
      "https://evilexample.com",
      "http://app.example.com",
    ]) {
      assert.ok(origins(probes).includes(o), o);
    }
  });

  test("WebSocket probes are upgrades to the http form of the ws URL from foreign origins", () => {
    const ws = probes.filter((p) => p.family === "websocket");
    assert.ok(ws.length >= 5);
    for (const p of ws) {
      assert.equal(p.request.kind, "websocket");
      assert.equal(p.request.url, "http://127.0.0.1:9000/ws");
    }
    const sent = ws.map((p) => originOf(p.request));
    assert.ok(sent.includes(foreignOrigin(NONCE)));
    assert.ok(sent.includes("null"));
    assert.ok(sent.includes("https://app.example.com.evil.example"));
    assert.ok(!sent.includes("https://app.example.com"));
    assert.ok(!sent.includes("http://127.0.0.1:9000"));
  });

  test("a trusted value that is not an origin is refused", () => {
    assert.throws(
      () =>
        buildProbes({
          target: new URL("http://a.test/"),
          trusted: ["https://a.test/x"],
          nonce: NONCE,
        }),
      /path/,
    );
  });
});

describe("judges", () => {
  const probes = buildProbes({ target: new URL("https://api.example.com/"), nonce: NONCE });
  const foreign = foreignOrigin(NONCE);
  const reflection = probe(probes, `reflection:${foreign}`);

  test("reflection: critical with credentials, high without", () => {
    const withCreds = reflection.judge(
      response({
        "access-control-allow-origin": foreign,
        "access-control-allow-credentials": "true",
      }),
    );
    assert.equal(withCreds[0]?.code, "GH_AUDIT_ORIGIN_REFLECTED");
    assert.equal(withCreds[0]?.severity, "critical");
    assert.equal(withCreds[0]?.credentials, true);
    const without = reflection.judge(response({ "access-control-allow-origin": foreign }));
    assert.equal(without[0]?.severity, "high");
    assert.match(without[0]?.why ?? "", /public/);
  });

  test("Access-Control-Allow-Credentials counts only when it is exactly `true`", () => {
    const drafts = reflection.judge(
      response({
        "access-control-allow-origin": foreign,
        "access-control-allow-credentials": "True",
      }),
    );
    assert.equal(drafts[0]?.severity, "high");
  });

  test("two ACAO lines are no grant (browsers see a list)", () => {
    const drafts = reflection.judge(
      response({ "access-control-allow-origin": [foreign, foreign] }),
    );
    assert.deepEqual(drafts, []);
  });

  test("`*` with credentials is medium; `*` alone is info on a public host, high on a private one", () => {
    const wc = reflection.judge(
      response({ "access-control-allow-origin": "*", "access-control-allow-credentials": "true" }),
    );
    assert.deepEqual(
      wc.map((d) => [d.code, d.severity]),
      [["GH_AUDIT_WILDCARD_CREDENTIALS", "medium"]],
    );
    const pub = reflection.judge(response({ "access-control-allow-origin": "*" }));
    assert.deepEqual(
      pub.map((d) => [d.code, d.severity]),
      [["GH_AUDIT_WILDCARD", "info"]],
    );
    const local = buildProbes({ target: new URL("http://127.0.0.1:11434/"), nonce: NONCE });
    const drafts = probe(local, `reflection:${foreign}`).judge(
      response({ "access-control-allow-origin": "*" }),
    );
    assert.equal(drafts[0]?.severity, "high");
  });

  test("a rewritten echo of the attacker's origin is a broken parser (low)", () => {
    const p = probe(probes, "special-chars:https://api.example.com%60.evil.example");
    const drafts = p.judge(
      response({ "access-control-allow-origin": "https://api.example.com`.evil.example" }),
    );
    assert.deepEqual(
      drafts.map((d) => [d.code, d.severity]),
      [["GH_AUDIT_ORIGIN_REWRITTEN", "low"]],
    );
  });

  test("a refused or different origin is no finding", () => {
    assert.deepEqual(reflection.judge(response({})), []);
    assert.deepEqual(
      reflection.judge(response({ "access-control-allow-origin": "https://app.example.com" })),
      [],
    );
  });

  test("preflights: echoed method or header only counts when the origin is granted", () => {
    const method = probe(probes, `preflight-method:${foreign}`);
    const granted = method.judge(
      response(
        {
          "access-control-allow-origin": foreign,
          "access-control-allow-methods": "GET, GHPROBEN0NCE",
        },
        204,
      ),
    );
    assert.deepEqual(
      granted.map((d) => [d.code, d.severity]),
      [["GH_AUDIT_PREFLIGHT_ANY_METHOD", "medium"]],
    );
    assert.deepEqual(
      method.judge(response({ "access-control-allow-methods": "GHPROBEN0NCE" }, 204)),
      [],
    );
    assert.deepEqual(
      method.judge(
        response(
          {
            "access-control-allow-origin": foreign,
            "access-control-allow-methods": "GHPROBEN0NCE",
          },
          403,
        ),
      ),
      [],
    );
    const own = probe(probes, "preflight-header:https://api.example.com");
    const drafts = own.judge(
      response(
        {
          "access-control-allow-origin": "https://api.example.com",
          "access-control-allow-headers": "X-GH-Probe-n0nce",
        },
        204,
      ),
    );
    assert.deepEqual(
      drafts.map((d) => [d.code, d.severity]),
      [["GH_AUDIT_PREFLIGHT_ANY_HEADER", "low"]],
    );
  });

  test("private network access granted to the foreign origin is high", () => {
    const pna = probe(probes, `private-network:${foreign}`);
    const drafts = pna.judge(
      response(
        {
          "access-control-allow-origin": foreign,
          "access-control-allow-private-network": "true",
        },
        204,
      ),
    );
    assert.deepEqual(
      drafts.map((d) => [d.code, d.severity]),
      [["GH_AUDIT_PRIVATE_NETWORK", "high"]],
    );
  });

  test("every finding carries a why, a generic fix and Gatehouse lines", () => {
    const drafts = reflection.judge(response({ "access-control-allow-origin": foreign }));
    for (const d of drafts) {
      assert.ok(d.why.length > 40);
      assert.ok(d.fix.generic.length > 40);
      assert.match(d.fix.gatehouse.join("\n"), /^cors:/);
    }
  });
});

describe("analysis across probes", () => {
  test("reflecting servers get one reflection finding; look-alikes fold into it", () => {
    const probes = buildProbes({ target: new URL("https://api.example.com/"), nonce: NONCE });
    const findings = analyze(
      simulate(probes, (req) => {
        const origin = originOf(req);
        return {
          status: 200,
          headers:
            origin === undefined || origin === "null"
              ? { vary: "Origin" }
              : {
                  "access-control-allow-origin": origin,
                  "access-control-allow-credentials": "true",
                  vary: "Origin",
                },
        };
      }),
    );
    assert.deepEqual(
      findings.map((f) => f.code),
      ["GH_AUDIT_ORIGIN_REFLECTED"],
    );
    const f = findings[0];
    assert.ok(f);
    assert.equal(f.origin, foreignOrigin(NONCE));
    assert.ok(f.alsoAccepted.includes("https://api.example.com.evil.example"));
    assert.ok(f.alsoAccepted.includes("http://api.example.com"));
    assert.deepEqual(f.evidence.request, [
      "GET / HTTP/1.1",
      "Host: api.example.com",
      `Origin: ${foreignOrigin(NONCE)}`,
    ]);
    assert.deepEqual(f.evidence.response, [
      "HTTP/1.1 200 OK",
      `Access-Control-Allow-Origin: ${foreignOrigin(NONCE)}`,
      "Access-Control-Allow-Credentials: true",
      "Vary: Origin",
    ]);
  });

  test("dynamic ACAO without Vary: high where a grant lacks it, low where only refusals do", () => {
    const probes = buildProbes({
      target: new URL("https://api.example.com/"),
      trusted: ["https://app.example.com"],
      nonce: NONCE,
    });
    const allowOne = (vary: { grant: boolean; refusal: boolean }) =>
      simulate(probes, (req) => {
        const granted = originOf(req) === "https://app.example.com";
        const headers: Record<string, string> = granted
          ? { "access-control-allow-origin": "https://app.example.com" }
          : {};
        if (granted ? vary.grant : vary.refusal) headers.vary = "Origin";
        return { status: 200, headers };
      });
    const high = analyze(allowOne({ grant: false, refusal: false }));
    assert.deepEqual(
      high.map((f) => [f.code, f.severity, f.origin]),
      [["GH_AUDIT_VARY_MISSING", "high", "https://app.example.com"]],
    );
    const low = analyze(allowOne({ grant: true, refusal: false }));
    assert.deepEqual(
      low.map((f) => [f.code, f.severity]),
      [["GH_AUDIT_VARY_MISSING", "low"]],
    );
    assert.deepEqual(analyze(allowOne({ grant: true, refusal: true })), []);
  });

  test("a static ACAO needs no Vary", () => {
    const probes = buildProbes({ target: new URL("https://api.example.com/"), nonce: NONCE });
    const findings = analyze(
      simulate(probes, () => ({
        status: 200,
        headers: { "access-control-allow-origin": "https://app.example.com" },
      })),
    );
    assert.deepEqual(findings, []);
  });
});

test("private hosts", () => {
  for (const h of ["127.0.0.1", "localhost", "10.1.2.3", "192.168.0.9", "[::1]", "box.local"]) {
    assert.ok(isPrivateHost(h), h);
  }
  for (const h of ["api.example.com", "8.8.8.8", "172.32.0.1"]) assert.ok(!isPrivateHost(h), h);
});
