/**
 * The doctor's Gatehouse fixes, proven on real doors on loopback: each case starts a door from
 * a config written as a user writes it, runs the doctor (blocked), merges the YAML the doctor
 * printed into that config the way its text says (lists are added to, `remove` taken out),
 * runs `gatehouse check` on the result (src/door/config checkConfigText), starts a door from the
 * amended config and runs the doctor again: allowed.
 *
 * Also: the root cause of a refused method is the method, never "content-type not listed" when
 * it is (issue 11, section 4), and the default report fits one screen.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { isMap, parseDocument, parse as parseYaml } from "yaml";
import { doctor } from "../../src/cli/doctor.js";
import type { DoctorCode } from "../../src/doctor/codes.js";
import type { GatehouseFix } from "../../src/doctor/fixes.js";
import { checkConfigText } from "../../src/door/config/index.js";
import type { RecordingUpstream, RunningDoor } from "../door/fixtures.js";
import { recordingUpstream, startDoor } from "../door/fixtures.js";

/** A loopback origin: Gatehouse accepts it with credentials. */
const APP = "http://localhost:5173";

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    const code = await doctor.run(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

function configText(upstream: string, debugHeader: boolean, cors: string | null): string {
  return [
    "listen: 127.0.0.1:0",
    "publicOrigin: http://gateway.test",
    "hosts: [gateway.test, 127.0.0.1]",
    "log: { level: silent }",
    `debugHeader: ${debugHeader}`,
    "routes:",
    `  - { match: /, upstream: "${upstream}" }`,
    ...(cors === null ? [] : ["cors:", ...cors.split("\n").map((l) => `  ${l}`)]),
    "",
  ].join("\n");
}

async function doorFrom(text: string): Promise<RunningDoor> {
  const checked = checkConfigText(text, { file: "gatehouse.yaml" });
  assert.deepEqual(
    checked.problems.map((p) => `${p.code} at ${p.path}`),
    [],
    `gatehouse check refuses:\n${text}`,
  );
  assert.ok(checked.config !== null);
  return startDoor(checked.config);
}

/**
 * Merges the doctor's YAML into the config as its words say: each list in it is added to the
 * list the config has (items already there are not repeated), `remove` items are taken out,
 * scalars are set. The config's other keys and comments stay as they are.
 */
function amend(text: string, fix: GatehouseFix): string {
  const doc = parseDocument(text);
  const fragment = parseYaml(fix.yaml) as { cors: Record<string, unknown> };
  assert.deepEqual(
    Object.keys(fragment.cors).map((k) => `cors.${k}`),
    fix.changes.map((c) => c.key),
    "the YAML shows exactly the changes listed",
  );
  for (const [name, value] of Object.entries(fragment.cors)) {
    const path = ["cors", name];
    if (!Array.isArray(value)) {
      doc.setIn(path, value);
      continue;
    }
    const change = fix.changes.find((c) => c.key === `cors.${name}`);
    assert.deepEqual(value, change?.add, `the YAML adds what ${change?.text} says`);
    const node = doc.getIn(path);
    const have = node === undefined ? [] : ((node as { toJSON(): unknown }).toJSON() as string[]);
    const kept = have.filter((v) => !(change?.remove ?? []).includes(v));
    doc.setIn(path, [...kept, ...value.filter((v: string) => !kept.includes(v))]);
  }
  if (!isMap(doc.contents)) throw new Error("not a map");
  return doc.toString();
}

interface FixCase {
  readonly name: string;
  /** The `cors` section the door starts with, or null for none. */
  readonly cors: string | null;
  readonly debugHeader: boolean;
  readonly args: readonly string[];
  readonly rootCause: DoctorCode;
  /** The change keys the doctor is sure of, in order; the others say "make sure". */
  readonly certain: readonly string[];
  readonly uncertain: readonly string[];
}

const CASES: readonly FixCase[] = [
  {
    name: "a refused method, content-type already listed: the method is the cause",
    cors: `allowOrigins: [${APP}]\nallowMethods: [POST]\nallowHeaders: [content-type]`,
    debugHeader: true,
    args: ["--origin", APP, "-X", "PUT", "-H", "Content-Type: application/json"],
    rootCause: "GH_DOCTOR_METHOD_NOT_ALLOWED",
    certain: ["cors.allowMethods"],
    uncertain: ["cors.allowHeaders"],
  },
  {
    name: "the same without debugHeader: nothing is claimed missing that the 403 does not show",
    cors: `allowOrigins: [${APP}]\nallowMethods: [POST]\nallowHeaders: [content-type]`,
    debugHeader: false,
    args: ["--origin", APP, "-X", "PUT", "-H", "Content-Type: application/json"],
    rootCause: "GH_DOCTOR_PREFLIGHT_STATUS",
    certain: [],
    uncertain: ["cors.allowOrigins", "cors.allowMethods", "cors.allowHeaders"],
  },
  {
    name: "a refused header",
    cors: `allowOrigins: [${APP}]\nallowHeaders: [content-type]`,
    debugHeader: true,
    args: ["--origin", APP, "-H", "X-Custom: 1", "-H", "Content-Type: application/json"],
    rootCause: "GH_DOCTOR_HEADER_NOT_ALLOWED",
    certain: [],
    uncertain: ["cors.allowHeaders"],
  },
  {
    name: "a refused origin: method and headers were never checked",
    cors: "allowOrigins: [https://other.example.com]\nallowMethods: [DELETE]",
    debugHeader: true,
    args: ["--origin", APP, "-X", "DELETE", "-H", "X-Custom: 1"],
    rootCause: "GH_DOCTOR_ACAO_MISSING",
    certain: ["cors.allowOrigins"],
    uncertain: ["cors.allowMethods", "cors.allowHeaders"],
  },
  {
    name: "no cors section: a new one",
    cors: null,
    debugHeader: true,
    args: ["--origin", APP, "-X", "PATCH"],
    rootCause: "GH_DOCTOR_NO_CORS",
    certain: ["cors.allowOrigins", "cors.allowMethods"],
    uncertain: [],
  },
  {
    name: "* with credentials: * is replaced, not kept next to allowCredentials",
    cors: 'allowOrigins: ["*"]',
    debugHeader: true,
    args: ["--origin", APP, "--credentials"],
    rootCause: "GH_DOCTOR_ACAO_WILDCARD_CREDENTIALS",
    certain: ["cors.allowOrigins", "cors.allowCredentials"],
    uncertain: [],
  },
  {
    name: "credentials not allowed",
    cors: `allowOrigins: [${APP}, "https://*.example.com"]\nexposeHeaders: [x-request-id]`,
    debugHeader: false,
    args: ["--origin", APP, "--credentials"],
    rootCause: "GH_DOCTOR_ACAC_MISSING",
    // Without the door's reason, a granted origin still shows nothing about a Gatehouse config.
    certain: ["cors.allowCredentials"],
    uncertain: ["cors.allowOrigins"],
  },
];

describe("Gatehouse fixes: merged into the config, `gatehouse check` accepts them and they work", () => {
  let upstream: RecordingUpstream;
  before(async () => {
    upstream = await recordingUpstream();
  });
  after(() => upstream.close());

  for (const c of CASES) {
    test(c.name, async () => {
      const text = configText(upstream.url, c.debugHeader, c.cors);
      const door = await doorFrom(text);
      let fix: GatehouseFix;
      try {
        const r = await cli([`${door.url}/v1/x`, ...c.args, "--json"]);
        assert.equal(r.code, 1, r.out);
        const report = JSON.parse(r.out) as {
          diagnosis: { code: string };
          fix: { gatehouse: GatehouseFix };
        };
        assert.equal(report.diagnosis.code, c.rootCause);
        fix = report.fix.gatehouse;
        assert.deepEqual(
          fix.changes.filter((ch) => ch.certain).map((ch) => ch.key),
          c.certain,
        );
        assert.deepEqual(
          fix.changes.filter((ch) => !ch.certain).map((ch) => ch.key),
          c.uncertain,
        );
      } finally {
        await door.close();
      }
      const amended = amend(text, fix);
      const fixed = await doorFrom(amended);
      try {
        const again = await cli([`${fixed.url}/v1/x`, ...c.args]);
        assert.equal(again.code, 0, `${amended}\n${again.out}`);
      } finally {
        await fixed.close();
      }
    });
  }
});

describe("a refused method against a real door (issue 11: five FAILs, one of them wrong)", () => {
  let upstream: RecordingUpstream;
  const doors: RunningDoor[] = [];
  before(async () => {
    upstream = await recordingUpstream();
    for (const debugHeader of [true, false]) {
      const cors = `allowOrigins: [${APP}]\nallowMethods: [POST]\nallowHeaders: [content-type]`;
      doors.push(await doorFrom(configText(upstream.url, debugHeader, cors)));
    }
  });
  after(async () => {
    for (const d of doors) await d.close();
    await upstream.close();
  });
  const args = (door: RunningDoor, ...more: string[]) => [
    `${door.url}/v1/x`,
    "--origin",
    APP,
    "-X",
    "PUT",
    "-H",
    "Content-Type: application/json",
    "--credentials",
    ...more,
  ];

  test("with debugHeader: the method leads, content-type is never called unlisted", async () => {
    const [door] = doors;
    assert.ok(door !== undefined);
    const r = await cli(args(door));
    assert.equal(r.code, 1);
    const lines = r.out.split("\n");
    const rootAt = lines.findIndex((l) => l.startsWith("Root cause"));
    assert.match(
      lines[rootAt] ?? "",
      /\[GH_DOCTOR_METHOD_NOT_ALLOWED\]: the door refused the preflight: PUT/,
    );
    assert.ok(
      lines.slice(rootAt, rootAt + 5).includes("  < X-Gatehouse-Cors: CORS_METHOD_NOT_ALLOWED"),
    );
    assert.ok(
      lines.findIndex((l) => l.includes("add PUT to `cors.allowMethods`")) > rootAt,
      "the fix follows the root cause",
    );
    assert.doesNotMatch(r.out, /not listed: content-type|add content-type/);
    assert.ok(lines.length <= 24, `one screen:\n${r.out}`);

    const verbose = await cli(args(door, "--verbose"));
    assert.doesNotMatch(verbose.out, /not listed: content-type/);
    assert.match(
      verbose.out,
      /SKIP {2}Access-Control-Allow-Headers allows content-type: not checked/,
    );
    assert.match(verbose.out, /FAIL {2}Access-Control-Allow-Methods allows PUT: the door refused/);
    assert.match(verbose.out, /Preflight: OPTIONS /, "--verbose keeps every exchange");
    assert.ok(verbose.out.split("\n").length > lines.length);
  });

  test("without debugHeader: a bare 403 proves nothing about content-type either", async () => {
    const [, door] = doors;
    assert.ok(door !== undefined);
    const r = await cli(args(door, "--verbose"));
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.out, /not listed: content-type|FAIL {2}Access-Control-Allow-Headers/);
    assert.match(r.out, /SKIP {2}Access-Control-Allow-Headers allows content-type: not reached/);
    assert.match(r.out, /SKIP {2}Access-Control-Allow-Methods allows PUT: not reached/);
    assert.match(r.out, /make sure `cors.allowHeaders` lists content-type/);
    assert.match(r.out, /debugHeader: true/, "says how to learn the real cause");
  });
});
