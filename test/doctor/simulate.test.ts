import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  parseMimeEssence,
  parseSingleRange,
  safelistRequestHeader,
} from "../../src/core/tokens.js";
import type { CheckContext } from "../../src/doctor/simulate.js";
import {
  checkPreflight,
  checkResponse,
  exposedHeaders,
  extractTokenList,
  needsPreflight,
  preflightRequest,
  prepareRequest,
  verdicts,
} from "../../src/doctor/simulate.js";
import type { Header, ObservedResponse } from "../../src/http-client/message.js";

describe("needs a preflight (fetch.bs §cors-safelisted-request-header)", () => {
  const rows: [string, string, Header[], boolean][] = [
    ["GET", "plain GET", [], false],
    ["HEAD", "HEAD", [], false],
    ["POST", "plain POST", [], false],
    ["PUT", "PUT", [], true],
    ["PATCH", "PATCH", [], true],
    ["patch", "lower-case patch (not normalized)", [], true],
    ["DELETE", "DELETE", [], true],
    ["POST", "text/plain", [["Content-Type", "text/plain"]], false],
    ["POST", "text/plain;charset=UTF-8", [["Content-Type", "text/plain;charset=UTF-8"]], false],
    ["POST", "TEXT/PLAIN", [["content-type", "TEXT/PLAIN"]], false],
    ["POST", "form-urlencoded", [["Content-Type", "application/x-www-form-urlencoded"]], false],
    [
      "POST",
      "multipart with boundary",
      [["Content-Type", "multipart/form-data; boundary=--x"]],
      false,
    ],
    ["POST", "application/json", [["Content-Type", "application/json"]], true],
    [
      "POST",
      'quoted parameter (unsafe ")',
      [["Content-Type", 'text/plain; charset="utf-8"']],
      true,
    ],
    ["POST", "no subtype", [["Content-Type", "text"]], true],
    ["POST", "space before subtype", [["Content-Type", "text/ plain"]], true],
    ["POST", "trailing space in subtype", [["Content-Type", "text/plain ;a=b"]], false],
    ["POST", "json+text list", [["Content-Type", "application/json, text/plain"]], true],
    ["GET", "accept */*", [["Accept", "*/*"]], false],
    ["GET", "accept 128 bytes", [["Accept", "a".repeat(128)]], false],
    ["GET", "accept 129 bytes", [["Accept", "a".repeat(129)]], true],
    ["GET", "accept with {", [["Accept", "a{b"]], true],
    ["GET", "accept with DEL", [["Accept", "a\x7fb"]], true],
    ["GET", "accept with tab is fine", [["Accept", "a\tb"]], false],
    ["GET", "accept-language en-US,en;q=0.9", [["Accept-Language", "en-US,en;q=0.9"]], false],
    ["GET", "content-language with _", [["Content-Language", "en_US"]], true],
    ["GET", "range bytes=0-99", [["Range", "bytes=0-99"]], false],
    ["GET", "range bytes=5-", [["Range", "bytes=5-"]], false],
    ["GET", "range bytes=-500", [["Range", "bytes=-500"]], true],
    ["GET", "range two ranges", [["Range", "bytes=0-1,3-4"]], true],
    ["GET", "range reversed", [["Range", "bytes=9-1"]], true],
    ["GET", "range with spaces", [["Range", "bytes = 0-1"]], true],
    ["GET", "x-custom", [["X-Custom", "1"]], true],
    ["GET", "authorization", [["Authorization", "Bearer t"]], true],
    [
      "GET",
      "nine accept values of 120 bytes exceed 1024 in total",
      Array.from({ length: 9 }, (): Header => ["Accept", "a".repeat(120)]),
      true,
    ],
    [
      "GET",
      "eight accept values of 120 bytes stay under 1024",
      Array.from({ length: 8 }, (): Header => ["Accept", "a".repeat(120)]),
      false,
    ],
  ];
  for (const [method, name, headers, expected] of rows) {
    test(`${method} ${name}: ${expected ? "preflight" : "no preflight"}`, () => {
      const need = needsPreflight(method, headers);
      assert.equal(need.needed, expected, need.reasons.join("; "));
      assert.equal(need.reasons.length > 0, expected);
    });
  }

  test("reasons name the cause", () => {
    assert.match(needsPreflight("patch", []).reasons[0] ?? "", /case-sensitive/);
    assert.match(
      needsPreflight("GET", [["Accept", "a".repeat(129)]]).reasons[0] ?? "",
      /129 bytes/,
    );
    assert.match(
      needsPreflight("POST", [["Content-Type", "application/json"]]).reasons[0] ?? "",
      /application\/json/,
    );
    assert.match(needsPreflight("GET", [["Accept", "a:b"]]).reasons[0] ?? "", /unsafe byte ":"/);
    const total = needsPreflight(
      "GET",
      Array.from({ length: 9 }, (): Header => ["Accept", "a".repeat(120)]),
    );
    assert.match(total.reasons.join(), /1080 bytes, more than 1024/);
    assert.deepEqual(total.unsafeNames, ["accept"]);
  });

  test("unsafe names are lower-cased, unique and sorted", () => {
    const need = needsPreflight("PUT", [
      ["X-B", "1"],
      ["x-a", "2"],
      ["Content-Type", "application/json"],
      ["X-B", "3"],
    ]);
    assert.deepEqual(need.unsafeNames, ["content-type", "x-a", "x-b"]);
  });

  test("MIME essence and Range parsers", () => {
    assert.equal(parseMimeEssence(" Text/Plain ; charset=x"), "text/plain");
    assert.equal(parseMimeEssence("text/"), null);
    assert.equal(parseMimeEssence("/plain"), null);
    assert.deepEqual(parseSingleRange("bytes=0-"), [0, null]);
    assert.deepEqual(parseSingleRange("bytes=-5"), [null, 5]);
    assert.equal(parseSingleRange("bytes=-"), null);
    assert.equal(parseSingleRange("items=0-1"), null);
    assert.equal(safelistRequestHeader("X-Foo", "1").safelisted, false);
  });
});

describe("prepareRequest does what fetch() does first", () => {
  test("normalizes the six methods only", () => {
    const m = (method: string) => {
      const p = prepareRequest({ url: "https://api.test/", origin: "https://app.test", method });
      assert.ok(p.ok);
      return p.request.method;
    };
    assert.equal(m("put"), "PUT");
    assert.equal(m("delete"), "DELETE");
    assert.equal(m("patch"), "patch");
  });
  test("refuses what fetch() throws on and drops forbidden headers", () => {
    assert.equal(
      prepareRequest({ url: "https://api.test/", origin: "https://app.test", method: "TRACE" }).ok,
      false,
    );
    assert.equal(
      prepareRequest({ url: "https://api.test/", origin: "https://app.test", method: "A B" }).ok,
      false,
    );
    assert.equal(
      prepareRequest({ url: "https://api.test/", origin: "https://app.test/" }).ok,
      false,
    );
    assert.equal(prepareRequest({ url: "ftp://api.test/", origin: "https://app.test" }).ok, false);
    const p = prepareRequest({
      url: "https://api.test/",
      origin: "https://app.test",
      headers: [
        ["Cookie", "a=b"],
        ["Sec-Foo", "1"],
        ["X-A", " padded "],
      ],
    });
    assert.ok(p.ok);
    assert.deepEqual(p.request.headers, [["X-A", "padded"]]);
    assert.deepEqual(
      p.request.dropped.map((d) => d.name),
      ["Cookie", "Sec-Foo"],
    );
  });
});

describe("the preflight as Chromium sends it", () => {
  test("plain http target: Sec-Fetch-Mode only, ACRH sorted without spaces", () => {
    const wire = preflightRequest(
      new URL("http://api.example.test/x"),
      "http://app.example.test",
      "http://app.example.test",
      "PUT",
      ["content-type", "x-a"],
    );
    assert.deepEqual(wire.headers, [
      ["Accept", "*/*"],
      ["Access-Control-Request-Method", "PUT"],
      ["Access-Control-Request-Headers", "content-type,x-a"],
      ["Origin", "http://app.example.test"],
      ["User-Agent", "gatehouse-doctor"],
      ["Sec-Fetch-Mode", "cors"],
      ["Referer", "http://app.example.test/"],
      ["Accept-Encoding", "gzip, deflate"],
      ["Accept-Language", "en-US,en;q=0.9"],
    ]);
    assert.equal(wire.method, "OPTIONS");
  });
  test("https target: Sec-Fetch-Site/Mode/Dest; no ACRH when only the method is unsafe", () => {
    const wire = preflightRequest(
      new URL("https://api.example.com/"),
      "https://app.example.com",
      "https://app.example.com",
      "DELETE",
      [],
    );
    const names = wire.headers.map(([n]) => n);
    assert.ok(!names.includes("Access-Control-Request-Headers"));
    assert.deepEqual(
      wire.headers.filter(([n]) => n.startsWith("Sec-")),
      [
        ["Sec-Fetch-Site", "same-site"],
        ["Sec-Fetch-Mode", "cors"],
        ["Sec-Fetch-Dest", "empty"],
      ],
    );
  });
});

const res = (status: number, lines: [string, string][]): ObservedResponse => ({
  status,
  lines: lines.map(([name, value]) => ({ name, value })),
});
const ctx = (over: Partial<CheckContext> = {}): CheckContext => ({
  origin: "https://app.test",
  credentials: false,
  method: "PUT",
  headers: [],
  ...over,
});
const codes = (steps: ReturnType<typeof checkPreflight>) =>
  steps.filter((s) => s.status === "fail").map((s) => s.code);

describe("checks on the answers (fetch.bs §concept-cors-check, §cors-preflight-fetch)", () => {
  const rows: [string, CheckContext, ObservedResponse, string[]][] = [
    [
      "ok",
      ctx(),
      res(204, [
        ["Access-Control-Allow-Origin", "https://app.test"],
        ["Access-Control-Allow-Methods", "PUT"],
      ]),
      [],
    ],
    [
      "status 403",
      ctx(),
      res(403, [
        ["Access-Control-Allow-Origin", "*"],
        ["Access-Control-Allow-Methods", "PUT"],
      ]),
      ["GH_DOCTOR_PREFLIGHT_STATUS"],
    ],
    [
      "redirect",
      ctx(),
      res(301, [
        ["Location", "/x/"],
        ["Access-Control-Allow-Origin", "*"],
        ["Access-Control-Allow-Methods", "PUT"],
      ]),
      ["GH_DOCTOR_PREFLIGHT_REDIRECT"],
    ],
    [
      "no ACAO",
      ctx(),
      res(204, [["Access-Control-Allow-Methods", "PUT"]]),
      ["GH_DOCTOR_ACAO_MISSING"],
    ],
    [
      "two ACAO",
      ctx(),
      res(204, [
        ["Access-Control-Allow-Origin", "*"],
        ["Access-Control-Allow-Origin", "*"],
        ["Access-Control-Allow-Methods", "PUT"],
      ]),
      ["GH_DOCTOR_ACAO_MULTIPLE"],
    ],
    [
      "trailing slash",
      ctx(),
      res(204, [
        ["Access-Control-Allow-Origin", "https://app.test/"],
        ["Access-Control-Allow-Methods", "PUT"],
      ]),
      ["GH_DOCTOR_ACAO_MISMATCH"],
    ],
    [
      "* with credentials",
      ctx({ credentials: true }),
      res(204, [
        ["Access-Control-Allow-Origin", "*"],
        ["Access-Control-Allow-Credentials", "true"],
        ["Access-Control-Allow-Methods", "PUT"],
      ]),
      ["GH_DOCTOR_ACAO_WILDCARD_CREDENTIALS"],
    ],
    [
      "ACAC True",
      ctx({ credentials: true }),
      res(204, [
        ["Access-Control-Allow-Origin", "https://app.test"],
        ["Access-Control-Allow-Credentials", "True"],
        ["Access-Control-Allow-Methods", "PUT"],
      ]),
      ["GH_DOCTOR_ACAC_MISSING"],
    ],
    [
      "ACAM put",
      ctx(),
      res(204, [
        ["Access-Control-Allow-Origin", "*"],
        ["Access-Control-Allow-Methods", "put"],
      ]),
      ["GH_DOCTOR_METHOD_NOT_ALLOWED"],
    ],
    [
      "ACAM * with credentials",
      ctx({ credentials: true }),
      res(204, [
        ["Access-Control-Allow-Origin", "https://app.test"],
        ["Access-Control-Allow-Credentials", "true"],
        ["Access-Control-Allow-Methods", "*"],
      ]),
      ["GH_DOCTOR_METHOD_WILDCARD_CREDENTIALS"],
    ],
    [
      "ACAM invalid",
      ctx(),
      res(204, [
        ["Access-Control-Allow-Origin", "*"],
        ["Access-Control-Allow-Methods", "PUT, A B"],
      ]),
      ["GH_DOCTOR_ALLOW_METHODS_INVALID"],
    ],
    [
      "safelisted method needs no ACAM",
      ctx({ method: "POST", headers: [["X-A", "1"]] }),
      res(204, [
        ["Access-Control-Allow-Origin", "*"],
        ["Access-Control-Allow-Headers", "x-a"],
      ]),
      [],
    ],
    [
      "header missing",
      ctx({ headers: [["X-A", "1"]] }),
      res(204, [
        ["Access-Control-Allow-Origin", "*"],
        ["Access-Control-Allow-Methods", "PUT"],
      ]),
      ["GH_DOCTOR_HEADER_NOT_ALLOWED"],
    ],
    [
      "header by * with credentials",
      ctx({ credentials: true, headers: [["X-A", "1"]] }),
      res(204, [
        ["Access-Control-Allow-Origin", "https://app.test"],
        ["Access-Control-Allow-Credentials", "true"],
        ["Access-Control-Allow-Methods", "PUT"],
        ["Access-Control-Allow-Headers", "*"],
      ]),
      ["GH_DOCTOR_HEADER_WILDCARD_CREDENTIALS"],
    ],
    [
      "Authorization by *",
      ctx({ headers: [["Authorization", "x"]] }),
      res(204, [
        ["Access-Control-Allow-Origin", "*"],
        ["Access-Control-Allow-Methods", "PUT"],
        ["Access-Control-Allow-Headers", "*"],
      ]),
      ["GH_DOCTOR_AUTHORIZATION_WILDCARD"],
    ],
  ];
  for (const [name, c, r, expected] of rows) {
    test(name, () => {
      assert.deepEqual(codes(checkPreflight(c, r)), expected);
    });
  }

  test("Authorization under * blocks the Fetch Standard and Firefox, not Chromium", () => {
    const steps = checkPreflight(
      ctx({ headers: [["Authorization", "x"]] }),
      res(204, [
        ["Access-Control-Allow-Origin", "*"],
        ["Access-Control-Allow-Methods", "PUT"],
        ["Access-Control-Allow-Headers", "*"],
      ]),
    );
    assert.deepEqual(verdicts(steps), {
      fetch: "blocked",
      chromium: "allowed",
      firefox: "blocked",
    });
  });

  test("max-age: absent, capped, invalid are notes, never failures", () => {
    const age = (v: string | null) =>
      checkPreflight(
        ctx(),
        res(204, [
          ["Access-Control-Allow-Origin", "*"],
          ["Access-Control-Allow-Methods", "PUT"],
          ...(v === null ? [] : [["Access-Control-Max-Age", v] as [string, string]]),
        ]),
      ).find((s) => s.id === "preflight.max-age");
    assert.match(age(null)?.detail ?? "", /5 seconds/);
    assert.match(age("86400")?.detail ?? "", /7200 by chromium/);
    assert.equal(age("86400")?.status, "note");
    assert.match(age("1.5")?.detail ?? "", /browsers use 5/);
    assert.equal(age("600")?.status, "pass");
  });

  test("the response check keeps the header lines it read", () => {
    const steps = checkResponse(
      ctx(),
      res(200, [
        ["Access-Control-Allow-Origin", "https://app.test"],
        ["Access-Control-Allow-Origin", "*"],
      ]),
    );
    assert.deepEqual(steps[0]?.linesSeen, [
      "Access-Control-Allow-Origin: https://app.test",
      "Access-Control-Allow-Origin: *",
    ]);
  });

  test("list values: empty elements allowed, non-tokens fail", () => {
    assert.deepEqual(
      extractTokenList(
        res(200, [
          ["A", "x, ,y"],
          ["a", "z"],
        ]),
        "a",
      ),
      ["x", "y", "z"],
    );
    assert.equal(extractTokenList(res(200, [["A", "x y"]]), "a"), "failure");
    assert.equal(extractTokenList(res(200, []), "a"), null);
  });

  test("exposed headers", () => {
    const r = res(200, [
      ["Content-Type", "x"],
      ["X-Id", "1"],
      ["X-Other", "2"],
      ["Set-Cookie", "a=b"],
      ["Access-Control-Expose-Headers", "x-id"],
    ]);
    assert.deepEqual(exposedHeaders({ credentials: false }, r).readable, ["content-type", "x-id"]);
    const star = res(200, [
      ["X-Id", "1"],
      ["Set-Cookie", "a=b"],
      ["Access-Control-Expose-Headers", "*"],
    ]);
    assert.deepEqual(exposedHeaders({ credentials: false }, star).readable, [
      "access-control-expose-headers",
      "x-id",
    ]);
    assert.deepEqual(exposedHeaders({ credentials: true }, star).readable, []);
  });
});
