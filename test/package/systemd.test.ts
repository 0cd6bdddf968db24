/**
 * examples/gatehouse.service, checked by systemd's own tools. `systemd-analyze verify` refuses a
 * unit whose ExecStart binary is missing, so it reads a copy whose ExecStart runs this
 * checkout's bin with the node running the tests; everything else is the shipped file.
 * CI installs systemd (Debian's package carries systemd-analyze); elsewhere a machine without
 * it skips these tests and says why.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const shipped = readFileSync(join(root, "examples", "gatehouse.service"), "utf8");
const INSTALLED = "ExecStart=/usr/local/bin/gatehouse ";

const probe = spawnSync("systemd-analyze", ["--version"]);
const absent = (probe.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
// In CI a missing tool is a failure (.ci/run installs it), never a silent skip.
const skip =
  absent && process.env.CI === undefined
    ? "systemd-analyze is not installed (Debian: apt-get install systemd)"
    : false;

const dir = mkdtempSync(join(tmpdir(), "gh-unit-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the unit as `gatehouse.service` in its own folder and runs systemd-analyze on it. */
function analyze(unit: string, args: string[]) {
  assert.ok(!absent, "systemd-analyze is missing: CI must install the systemd package");
  const folder = mkdtempSync(join(dir, "u-"));
  writeFileSync(join(folder, "gatehouse.service"), unit);
  const r = spawnSync("systemd-analyze", [...args, "gatehouse.service"], {
    cwd: folder,
    encoding: "utf8",
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

/** The shipped unit with ExecStart pointed at this checkout. */
function local(unit = shipped): string {
  assert.ok(unit.includes(`\n${INSTALLED}`), "ExecStart names /usr/local/bin/gatehouse");
  return unit.replace(`\n${INSTALLED}`, `\nExecStart=${process.execPath} ${root}bin/gatehouse.js `);
}

describe("examples/gatehouse.service", { skip }, () => {
  test("systemd-analyze verify accepts it without a warning", () => {
    const { status, output } = analyze(local(), ["verify"]);
    assert.equal(status, 0, output);
    assert.equal(output, "");
  });

  // The same check on broken copies: it fails, so the pass above means something.
  const broken: ReadonlyArray<readonly [string, (unit: string) => string, RegExp]> = [
    [
      "a value systemd cannot parse",
      (u) => u.replace("ProtectSystem=strict", "ProtectSystem=bogus"),
      /bogus/,
    ],
    [
      "an ExecStart binary that does not exist",
      (u) => u.replace(`\nExecStart=${process.execPath} `, "\nExecStart=/nonexistent/node "),
      /\/nonexistent\/node/,
    ],
  ];
  for (const [name, mutate, expected] of broken) {
    test(`verify reports ${name}`, () => {
      const { output } = analyze(mutate(local()), ["verify"]);
      assert.match(output, expected);
    });
  }

  test("systemd-analyze security rates its exposure 2.0 or lower", () => {
    const { status, output } = analyze(local(), ["security", "--offline=true", "--threshold=20"]);
    const level = /Overall exposure level for gatehouse\.service: ([\d.]+)/.exec(output);
    assert.ok(level !== null, output);
    assert.ok(Number(level[1]) <= 2.0, `exposure ${level[1]}:\n${output}`);
    assert.equal(status, 0, output);
    // The unhardened unit scores far worse: the rating reads the directives.
    const bare = shipped.replace(/\nDynamicUser=yes\n[\s\S]*?\n\[Install\]/, "\n[Install]");
    const worse = /exposure level for gatehouse\.service: ([\d.]+)/.exec(
      analyze(local(bare), ["security", "--offline=true"]).output,
    );
    assert.ok(worse !== null && Number(worse[1]) > 5, worse?.[0]);
  });

  test("what the door and Node need from it", () => {
    const lines = shipped.split("\n");
    // SIGHUP makes the door re-read its file; `systemctl reload` must send it.
    assert.ok(lines.includes("ExecReload=/bin/kill -HUP $MAINPID"));
    assert.ok(lines.includes(`${INSTALLED}serve --config /etc/gatehouse/gatehouse.yaml`));
    assert.ok(lines.includes("ConfigurationDirectory=gatehouse"));
    assert.ok(lines.includes("StateDirectory=gatehouse"));
    assert.ok(lines.includes("Restart=on-failure"));
    // V8's JIT aborts at start-up under W^X.
    assert.ok(!lines.some((l) => l.startsWith("MemoryDenyWriteExecute=")));
  });
});
