/**
 * The built package, imported the way a user imports it (self-reference through the exports
 * map), and its CLI run the way `npx gatehouse` runs it. `npm test` builds before this runs.
 * scripts/pack-check.mjs does the same from a packed tarball installed without devDependencies.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  exports: Record<string, { types?: string; default: string } | string>;
  bin: Record<string, string>;
  sideEffects: boolean;
  engines: { node: string };
  version: string;
  type: string;
};

test("package.json declares what users rely on", () => {
  assert.equal(pkg.type, "module");
  assert.equal(pkg.sideEffects, false);
  assert.equal(pkg.engines.node, ">=20.18");
  // `gatehouse` is the command; the one named after the package makes `npx gatehouse-proxy` work.
  assert.equal(pkg.name, "gatehouse-proxy");
  assert.deepEqual(pkg.bin, {
    gatehouse: "bin/gatehouse.js",
    "gatehouse-proxy": "bin/gatehouse.js",
  });
  assert.deepEqual(Object.keys(pkg.exports).sort(), [
    ".",
    "./fastify",
    "./hono",
    "./node",
    "./package.json",
  ]);
});

test("every export points at a built file and its types", () => {
  for (const [key, target] of Object.entries(pkg.exports)) {
    if (typeof target === "string") {
      assert.ok(existsSync(join(root, target)), `${key} -> ${target}`);
      continue;
    }
    assert.ok(
      existsSync(join(root, target.default)),
      `${key} -> ${target.default} (run npm run build)`,
    );
    assert.ok(target.types && existsSync(join(root, target.types)), `${key} types`);
  }
});

test("public type declarations use no `any`", () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".d.ts")) files.push(full);
    }
  };
  walk(join(root, "dist"));
  assert.ok(files.length > 5);
  for (const file of files) {
    const code = stripCommentsAndStrings(readFileSync(file, "utf8"));
    assert.doesNotMatch(code, /\bany\b/, file);
  }
});

/** Declaration text without comments and string literals, so only type syntax remains. */
function stripCommentsAndStrings(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i + 2) + 1;
    } else if (c === "/" && text[i + 1] === "/") {
      i = text.indexOf("\n", i);
      if (i === -1) break;
      out += "\n";
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === "\\" ? 2 : 1;
      out += '""';
      i = j;
    } else {
      out += c;
    }
  }
  return out;
}

async function importAsUser(specifier: string, expression: string): Promise<string> {
  const script = `const m = await import(${JSON.stringify(specifier)}); console.log(String(${expression}));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
    cwd: root,
  });
  return stdout.trim();
}

test("import from 'gatehouse-proxy' works and validates", async () => {
  assert.equal(
    await importAsUser(
      "gatehouse-proxy",
      "typeof m.corsPolicy + typeof m.CorsConfigError + typeof m.mergeVary",
    ),
    "functionfunctionfunction",
  );
  const out = await importAsUser(
    "gatehouse-proxy",
    "(() => { try { m.corsPolicy({ allowOrigins: ['*'], allowCredentials: true }); return 'accepted'; } catch (e) { return e.code + ':' + e.problems[0].code; } })()",
  );
  assert.equal(out, "GH_CORS_CONFIG_INVALID:GH_CORS_ORIGIN_WILDCARD_CREDENTIALS");
});

test("the adapter subpaths resolve", async () => {
  assert.equal(await importAsUser("gatehouse-proxy/node", "typeof m.cors"), "function");
  assert.equal(
    await importAsUser("gatehouse-proxy/fastify", "typeof m.cors + typeof m.default"),
    "functionfunction",
  );
  assert.equal(await importAsUser("gatehouse-proxy/hono", "typeof m.cors"), "function");
});

test("the engine entry point loads no node: built-ins (it also runs in browsers and workers)", () => {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".js") ? [join(dir, e.name)] : [],
    );
  for (const file of walk(join(root, "dist", "core"))) {
    assert.doesNotMatch(readFileSync(file, "utf8"), /from\s+["']node:/, file);
  }
  for (const file of walk(join(root, "src", "core"))) {
    assert.doesNotMatch(
      readFileSync(file, "utf8"),
      /from\s+["'](node:|fs|path|http|url)["']/,
      file,
    );
  }
});

test("gatehouse --help and --version", async () => {
  const bin = join(root, pkg.bin.gatehouse ?? "");
  const help = await run(process.execPath, [bin, "--help"], { cwd: root });
  assert.match(help.stdout, /Usage: gatehouse <command>/);
  assert.match(help.stdout, /import \{ corsPolicy \} from "gatehouse-proxy"/);
  const version = await run(process.execPath, [bin, "--version"], { cwd: root });
  assert.equal(
    version.stdout.trim(),
    JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version,
  );
  await assert.rejects(
    run(process.execPath, [bin, "frobnicate"], { cwd: root }),
    (error: { code?: number; stderr?: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr ?? "", /unknown command "frobnicate"/);
      return true;
    },
  );
});

// A clone without dist/: with its devDependencies the bin runs the sources through tsx; without
// them (or without sources) it says how to build. The layouts link to this checkout's files.
const unbuilt: ReadonlyArray<readonly [string, readonly string[], "runs" | "explains"]> = [
  ["sources and devDependencies", ["src", "node_modules", "package.json", "ui"], "runs"],
  ["no devDependencies", ["src", "package.json", "ui"], "explains"],
  ["neither sources nor dist/", ["node_modules", "package.json"], "explains"],
];
for (const [name, links, outcome] of unbuilt) {
  test(`the bin without dist/, ${name}: ${outcome}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "gh-bin-"));
    try {
      mkdirSync(join(dir, "bin"));
      copyFileSync(join(root, "bin", "gatehouse.js"), join(dir, "bin", "gatehouse.js"));
      for (const entry of links) symlinkSync(join(root, entry), join(dir, entry));
      const bin = join(dir, "bin", "gatehouse.js");
      if (outcome === "runs") {
        const { stdout } = await run(process.execPath, [bin, "--version"], { cwd: dir });
        assert.equal(stdout.trim(), pkg.version);
        return;
      }
      await assert.rejects(
        run(process.execPath, [bin, "--version"], { cwd: dir }),
        (error: { code?: number; stderr?: string }) => {
          assert.equal(error.code, 1);
          assert.match(error.stderr ?? "", /dist\/ is not built.*npm run build/);
          return true;
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
