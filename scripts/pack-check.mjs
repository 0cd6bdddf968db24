#!/usr/bin/env node
// The package as a user gets it: `npm pack`, then `npm install --omit=dev <tarball>` into an
// empty folder, then both commands, the embedded demo, and the library and one adapter
// imported from an ES module, all from that folder. Nothing here may need a devDependency.
//
//   node scripts/pack-check.mjs                 # with the node running this script
//   node scripts/pack-check.mjs /path/to/node   # with another node (and npm run on it)
//
// The given node's directory goes first on PATH, so npm, npx and the bins' `#!/usr/bin/env
// node` all run on it. Needs the npm registry (the tarball's dependencies). Exits 1 and says
// which step failed, with the command's output; the temporary folder is then kept.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CheckFailed, checker } from "./check-steps.mjs";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const node = resolve(process.argv[2] ?? process.execPath);
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const work = mkdtempSync(join(tmpdir(), "gatehouse-pack-"));
const app = join(work, "app");
const installed = join(app, "node_modules", pkg.name);

// The repository's own npm lifecycle variables must not leak into the user's folder.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith("npm_") || k.startsWith("npm_config_")),
);
env.PATH = `${dirname(node)}${delimiter}${process.env.PATH ?? ""}`;
env.PORT = "";

const { begin, fail, run, current } = checker("pack-check", env);

/** A port free on 127.0.0.1 right now (the door is told to listen there). */
function freePort() {
  return new Promise((ok, ko) => {
    const s = createServer();
    s.once("error", ko);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      s.close(() => ok(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

/** @type {import("node:child_process").ChildProcess | null} */
let server = null;

try {
  begin(
    `node ${run(node, ["--version"], root).trim()}, npm ${run("npm", ["--version"], root).trim()}`,
  );

  begin("npm pack");
  const packed = run("npm", ["pack", "--json", "--pack-destination", work], root);
  const [info] = JSON.parse(packed.slice(packed.indexOf("[")));
  const tarball = join(work, info.filename);
  const files = info.files.map((/** @type {{ path: string }} */ f) => f.path);
  const required = [
    "package.json",
    "bin/gatehouse.js",
    "dist/index.js",
    "dist/index.d.ts",
    "dist/cli/main.js",
    "ui/index.html",
    "schema/gatehouse.schema.json",
    "docs/errors.md",
  ];
  for (const target of Object.values(pkg.exports)) {
    if (typeof target === "string") required.push(target.replace(/^\.\//, ""));
    else required.push(target.default.replace(/^\.\//, ""), target.types.replace(/^\.\//, ""));
  }
  const missing = required.filter((f) => !files.includes(f));
  if (missing.length > 0) fail(`the tarball lacks ${missing.join(", ")}`);
  // Sources, tests, benchmarks and source maps (whose sources are not shipped) stay home.
  const stray = files.filter((f) =>
    /^(src|test|bench|scripts|examples|node_modules)\/|\.map$/.test(f),
  );
  if (stray.length > 0) fail(`the tarball ships ${stray.join(", ")}`);
  console.log(`  ${info.filename}: ${files.length} files, ${info.size} bytes`);

  begin("npm install --omit=dev <tarball> into an empty folder");
  mkdirSync(app);
  run("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", tarball], app);
  // npm lists a package with install scripts on every install from a file, and would run
  // `prepare` there (the package builds in `prepack` instead).
  const scripts = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")).scripts ?? {};
  const hooks = ["preinstall", "install", "postinstall", "prepare"].filter((h) => h in scripts);
  if (hooks.length > 0) fail(`the package has install scripts: ${hooks.join(", ")}`);
  const bins = run("node", ["--version"], app).trim();
  if (bins !== run(node, ["--version"], root).trim()) fail(`the bins would run on node ${bins}`);

  for (const command of [pkg.name, "gatehouse"]) {
    begin(`npx ${command} --help / --version`);
    // --no: never fetch a package of that name from the registry (`gatehouse` is another one).
    const help = run("npx", ["--no", "--", command, "--help"], app);
    if (!help.includes("Usage: gatehouse <command>")) fail(`unexpected help:\n${help}`);
    const version = run("npx", ["--no", "--", command, "--version"], app).trim();
    if (version !== pkg.version) fail(`--version printed ${version}, not ${pkg.version}`);
  }

  begin("gatehouse serve (the embedded demo), then SIGTERM");
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let output = "";
  const child = spawn(
    join(app, "node_modules", ".bin", "gatehouse"),
    ["serve", "--listen", `127.0.0.1:${port}`],
    { cwd: app, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  server = child;
  child.stdout.on("data", (c) => {
    output += c;
  });
  child.stderr.on("data", (c) => {
    output += c;
  });
  /** @type {Promise<[number | null, string | null]>} */
  const exited = new Promise((ok) => child.once("exit", (code, signal) => ok([code, signal])));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) fail(`serve exited ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) fail(`serve did not answer on ${base} within 20 s:\n${output}`);
    try {
      if ((await fetch(`${base}/_gatehouse/health`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const get = async (/** @type {string} */ path) => {
    const res = await fetch(`${base}${path}`);
    const body = await res.text();
    if (res.status !== 200)
      fail(`GET ${path}: ${res.status}\n${body}\n--- serve output\n${output}`);
    return { type: res.headers.get("content-type") ?? "", body };
  };
  const page = await get("/");
  // The demo UI is served from the installed package, not from a clone.
  const shipped = readFileSync(join(installed, "ui", "index.html"), "utf8");
  if (!page.type.startsWith("text/html") || page.body !== shipped)
    fail(`GET / did not serve the shipped ui/index.html (${page.type})`);
  const health = JSON.parse((await get("/_gatehouse/health")).body);
  if (health.status !== "ok" || health.version !== pkg.version)
    fail(`GET /_gatehouse/health: ${JSON.stringify(health)}`);
  const models = JSON.parse((await get("/v1/models")).body);
  if (models.object !== "list" || !Array.isArray(models.data) || models.data.length === 0)
    fail(`GET /v1/models: ${JSON.stringify(models)}`);
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  const [code, signal] = await exited;
  clearTimeout(timer);
  server = null;
  if (code !== 0) fail(`serve ended with ${code ?? signal} after SIGTERM, not 0:\n${output}`);

  begin("import the library and gatehouse-proxy/node from an ES module");
  writeFileSync(join(app, "use.mjs"), userScript(pkg.name));
  const used = run("node", ["use.mjs"], app).trim();
  if (used !== "ok") fail(`use.mjs printed:\n${used}`);
  for (const target of Object.values(pkg.exports)) {
    if (typeof target !== "string" && !existsSync(join(installed, target.types)))
      fail(`installed package lacks ${target.types}`);
  }

  console.log(`pack-check: passed on node ${run(node, ["--version"], root).trim()}`);
  rmSync(work, { recursive: true, force: true });
} catch (error) {
  server?.kill("SIGKILL");
  const why = error instanceof CheckFailed ? error.message : String(error?.stack ?? error);
  console.error(`pack-check: FAILED at "${current()}": ${why}`);
  console.error(`pack-check: the files are kept in ${work}`);
  process.exit(1);
}

/**
 * A user's ES module: a policy from the main entry, and the node:http adapter answering a
 * preflight it allows and one it refuses on a real server.
 * @param {string} name
 */
function userScript(name) {
  return `import assert from "node:assert/strict";
import { createServer } from "node:http";
import { corsPolicy, CorsConfigError } from ${JSON.stringify(name)};
import { cors } from ${JSON.stringify(`${name}/node`)};

const config = { allowOrigins: ["https://app.example.com"], allowMethods: ["PUT"] };
const decision = corsPolicy(config).decide({
  method: "OPTIONS",
  headers: { origin: "https://app.example.com", "access-control-request-method": "PUT" },
});
assert.equal(decision.status, 204);
assert.throws(() => corsPolicy({ allowOrigins: ["*"], allowCredentials: true }), CorsConfigError);

const middleware = cors(config);
const server = createServer((req, res) => middleware(req, res, () => res.end("next")));
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const url = \`http://127.0.0.1:\${server.address().port}/\`;
const preflight = (origin) =>
  fetch(url, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "PUT" },
  });
const allowed = await preflight("https://app.example.com");
assert.equal(allowed.status, 204);
assert.equal(allowed.headers.get("access-control-allow-origin"), "https://app.example.com");
const refused = await preflight("https://evil.example");
assert.equal(refused.status, 403);
assert.equal(refused.headers.get("access-control-allow-origin"), null);
const plain = await fetch(url);
assert.equal(await plain.text(), "next");
server.close();
console.log("ok");
`;
}
