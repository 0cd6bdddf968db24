/**
 * HTTPS: a certificate generated here, HSTS, X-Forwarded-Proto, the redirect listener, and a
 * certificate replaced on disk being picked up without a restart (a broken one is not).
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { TLSSocket } from "node:tls";
import type { TlsConfig } from "../../src/door/config/types.js";
import { createHttpsListener, createRedirectServer } from "../../src/door/https.js";
import { silentLogger } from "../../src/door/log.js";
import { createDoor } from "../../src/door/server.js";
import type { RecordingUpstream } from "./fixtures.js";
import { recordingUpstream, send, testConfig, upstreamRoute } from "./fixtures.js";

let dir: string;
let upstream: RecordingUpstream;

function makeCert(name: string): { cert: string; key: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-addext",
      "subjectAltName=DNS:gateway.test,IP:127.0.0.1",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdio: "ignore" },
  );
  return { cert, key };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-tls-"));
  upstream = await recordingUpstream();
});
after(async () => {
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(port: number, path = "/"): Promise<{ res: IncomingMessage; peerCN: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: "127.0.0.1",
        port,
        path,
        headers: { host: "gateway.test" },
        rejectUnauthorized: false,
        agent: false,
      },
      (res) => {
        const cert = (res.socket as TLSSocket).getPeerCertificate();
        res.resume();
        res.on("end", () => resolve({ res, peerCN: String(cert.subject?.CN) }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

test("HTTPS with HSTS, X-Forwarded-Proto https, and certificate reload", async () => {
  const first = makeCert("first");
  const tls: TlsConfig = {
    cert: first.cert,
    key: first.key,
    hsts: { maxAge: 31536000, includeSubDomains: true },
    redirectHttp: null,
  };
  const config = testConfig([upstreamRoute(upstream.url)], {
    tls,
    publicOrigin: "https://gateway.test",
  });
  const listener = createHttpsListener(tls, config.limits, silentLogger(), 50);
  const gateway = createDoor(config, { server: listener.server });
  const { port } = await gateway.listen();
  try {
    const one = await get(port, "/x");
    assert.equal(one.res.statusCode, 200);
    assert.equal(
      one.res.headers["strict-transport-security"],
      "max-age=31536000; includeSubDomains",
    );
    assert.equal(one.peerCN, "first");
    assert.equal(upstream.seen.at(-1)?.headers["x-forwarded-proto"], "https");

    // A broken pair on disk: the old certificate keeps serving.
    writeFileSync(first.cert, "not a certificate");
    assert.equal(listener.reload(), false);
    assert.equal((await get(port)).peerCN, "first");

    // A renewed pair written in place is picked up by the file watcher.
    const second = makeCert("second");
    writeFileSync(first.key, execFileSync("cat", [second.key]));
    writeFileSync(first.cert, execFileSync("cat", [second.cert]));
    const deadline = Date.now() + 5_000;
    let cn = "first";
    while (cn !== "second" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      cn = (await get(port)).peerCN;
    }
    assert.equal(cn, "second");
  } finally {
    listener.stopWatching();
    await gateway.close();
  }
});

test("the plain-HTTP listener only redirects, to publicOrigin, never to the client's Host", async () => {
  const server = createRedirectServer("https://gateway.test", ["gateway.test"]);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const ok = await send(port, { path: "/v1/models?x=1", headers: { host: "gateway.test" } });
    assert.equal(ok.status, 308);
    assert.equal(ok.headers.location, "https://gateway.test/v1/models?x=1");
    const evil = await send(port, { path: "/", headers: { host: "evil.example" } });
    assert.equal(evil.status, 421);
    assert.equal(evil.headers.location, undefined);
    const sneaky = await send(port, {
      path: "//evil.example/x",
      headers: { host: "gateway.test" },
    });
    assert.equal(sneaky.headers.location, "https://gateway.test/evil.example/x");
  } finally {
    server.close();
  }
});
