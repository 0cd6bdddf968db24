/**
 * The HTTP client the doctor and the audit share, against raw TCP servers on 127.0.0.1 port 0
 * whose every byte the test writes: what goes on the wire, what comes back, when it gives up.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer as createHttpServer } from "node:http";
import type { AddressInfo, Server, Socket } from "node:net";
import { createServer } from "node:net";
import { after, describe, test } from "node:test";
import { WebSocketServer } from "ws";
import { createHttpClient } from "../../src/http-client/client.js";
import { HEADER } from "../../src/http-client/header-names.js";
import { headerLines, headerValue } from "../../src/http-client/message.js";
import { UnreachableError } from "../../src/http-client/unreachable.js";

interface RawServer {
  readonly url: string;
  /** Each request head received, as its lines (request line first). */
  readonly heads: string[][];
  /** Connections accepted, and how many have closed. */
  readonly connections: { opened: number; closed: number };
  close(): Promise<void>;
}

/** Calls `answer` with each request head; the answer writes whatever bytes it likes. */
async function rawServer(answer: (socket: Socket, head: string[]) => void): Promise<RawServer> {
  const heads: string[][] = [];
  const connections = { opened: 0, closed: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections.opened++;
    sockets.add(socket);
    socket.on("close", () => {
      connections.closed++;
      sockets.delete(socket);
    });
    socket.on("error", () => {});
    let buffer = "";
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      for (let end = buffer.indexOf("\r\n\r\n"); end !== -1; end = buffer.indexOf("\r\n\r\n")) {
        const head = buffer.slice(0, end).split("\r\n");
        buffer = buffer.slice(end + 4);
        heads.push(head);
        answer(socket, head);
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    heads,
    connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, "close");
    },
  };
}

function names(head: readonly string[]): string[] {
  return head.slice(1).map((line) => line.slice(0, line.indexOf(":")));
}

const OK = "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n";

describe("what goes on the wire", () => {
  const client = createHttpClient({ timeoutMs: 2_000 });
  after(() => client.close());

  for (const row of [
    {
      name: "a lower-case method and header names keep their case and order",
      method: "patch",
      headers: [
        ["X-B", "1"],
        ["x-a", "2"],
        ["Origin", "https://app.example"],
      ],
      line: "patch /p?q=1 HTTP/1.1",
      sent: ["host", "connection", "X-B", "x-a", "Origin"],
    },
    {
      name: "a method that carries a body gets Content-Length: 0, nothing else is added",
      method: "PUT",
      headers: [["Content-Type", "application/json"]],
      line: "PUT /p?q=1 HTTP/1.1",
      sent: ["host", "connection", "Content-Type", "content-length"],
    },
    {
      name: "a preflight goes out with its own lines only",
      method: "OPTIONS",
      headers: [
        [HEADER.accept, "*/*"],
        [HEADER.requestMethod, "PUT"],
        [HEADER.origin, "https://app.example"],
      ],
      line: "OPTIONS /p?q=1 HTTP/1.1",
      sent: ["host", "connection", "Accept", "Access-Control-Request-Method", "Origin"],
    },
  ] as const) {
    test(row.name, async () => {
      const server = await rawServer((socket) => socket.end(OK));
      try {
        await client.send({ method: row.method, url: `${server.url}/p?q=1`, headers: row.headers });
        const head = server.heads[0] ?? [];
        assert.equal(head[0], row.line);
        assert.deepEqual(names(head), row.sent);
        assert.ok(head.includes("connection: close"), "a fresh connection per request");
      } finally {
        await server.close();
      }
    });
  }
});

describe("what comes back", () => {
  const client = createHttpClient({ timeoutMs: 2_000 });
  after(() => client.close());

  test("every header line as received: repeats, order and spelling", async () => {
    const server = await rawServer((socket) =>
      socket.end(
        "HTTP/1.1 200 OK\r\naccess-control-allow-origin: https://a.example\r\nVary: Origin\r\n" +
          "Access-Control-Allow-Origin: https://b.example\r\nContent-Length: 2\r\n\r\nok",
      ),
    );
    try {
      const res = await client.send({ method: "GET", url: server.url, headers: [] });
      assert.equal(res.status, 200);
      assert.equal(res.statusText, "OK");
      assert.deepEqual(headerLines(res, HEADER.allowOrigin), [
        { name: "access-control-allow-origin", value: "https://a.example" },
        { name: "Access-Control-Allow-Origin", value: "https://b.example" },
      ]);
      assert.equal(headerValue(res, HEADER.allowOrigin), "https://a.example, https://b.example");
      assert.equal(headerValue(res, HEADER.allowCredentials), null);
    } finally {
      await server.close();
    }
  });

  test("a body past 64 KiB: the head is kept and the connection closed, no wait for the end", async () => {
    const server = await rawServer((socket) => {
      socket.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
      const chunk = "x".repeat(16 * 1024);
      for (let i = 0; i < 8; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
      // ...and the stream never ends.
    });
    try {
      const started = Date.now();
      const res = await client.send({ method: "GET", url: server.url, headers: [] });
      assert.equal(res.status, 200);
      assert.ok(Date.now() - started < 1_000);
      for (let i = 0; i < 50 && server.connections.closed === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // The server never ends the stream: only the client closes a connection. (undici may open
      // another for the aborted request, which it then leaves unused.)
      assert.ok(server.connections.closed >= 1);
    } finally {
      await server.close();
    }
  });

  test("a head then a stalled body: the head is the answer", async () => {
    const server = await rawServer((socket) =>
      socket.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 100\r\n\r\npartial"),
    );
    const short = createHttpClient({ timeoutMs: 200 });
    try {
      const res = await short.send({ method: "GET", url: server.url, headers: [] });
      assert.equal(res.status, 403);
    } finally {
      await short.close();
      await server.close();
    }
  });

  test("with `connections`, requests reuse one connection; without, each has its own", async () => {
    const server = await rawServer((socket) =>
      socket.write("HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n"),
    );
    const pooled = createHttpClient({ timeoutMs: 2_000, connections: 1 });
    try {
      for (let i = 0; i < 3; i++)
        await pooled.send({ method: "GET", url: server.url, headers: [] });
      assert.equal(server.connections.opened, 1);
      for (let i = 0; i < 2; i++)
        await client.send({ method: "GET", url: server.url, headers: [] });
      assert.equal(server.connections.opened, 3);
    } finally {
      await pooled.close();
      await server.close();
    }
  });
});

describe("WebSocket handshakes", () => {
  const client = createHttpClient({ timeoutMs: 2_000 });
  after(() => client.close());

  test("accepted: 101 with the server's lines, and the socket closed at once", async () => {
    const http = createHttpServer();
    const wss = new WebSocketServer({ server: http });
    const opened: Promise<unknown> = once(wss, "connection");
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    try {
      const port = (http.address() as AddressInfo).port;
      const res = await client.handshake({
        method: "GET",
        url: `http://127.0.0.1:${port}/ws`,
        headers: [[HEADER.origin, "https://evil.example"]],
      });
      assert.equal(res.status, 101);
      assert.notEqual(headerValue(res, HEADER.secWebSocketAccept), null);
      const [socket] = (await opened) as [{ once(e: string, f: () => void): void }];
      await new Promise<void>((resolve) => socket.once("close", resolve));
    } finally {
      wss.close();
      http.closeAllConnections();
      http.close();
    }
  });

  test("refused: the status and lines of the refusal", async () => {
    const server = await rawServer((socket) =>
      socket.end(
        "HTTP/1.1 403 Forbidden\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 0\r\n\r\n",
      ),
    );
    try {
      const res = await client.handshake({
        method: "GET",
        url: `${server.url}/ws`,
        headers: [[HEADER.origin, "https://evil.example"]],
      });
      assert.equal(res.status, 403);
      assert.equal(headerValue(res, HEADER.allowOrigin), "*");
      const head = server.heads[0] ?? [];
      assert.deepEqual(names(head), [
        "host",
        "connection",
        "upgrade",
        "Sec-WebSocket-Version",
        "Sec-WebSocket-Key",
        "Origin",
      ]);
      assert.ok(head.includes("Sec-WebSocket-Version: 13"));
    } finally {
      await server.close();
    }
  });
});

describe("unreachable", () => {
  test("a closed port: UnreachableError with its code, the URL and the system error", async () => {
    const server = await rawServer(() => {});
    const url = `${server.url}/x`;
    await server.close();
    const client = createHttpClient({ timeoutMs: 2_000 });
    try {
      await assert.rejects(client.send({ method: "GET", url, headers: [] }), (error) => {
        assert.ok(error instanceof UnreachableError);
        assert.equal(error.code, "GH_TARGET_UNREACHABLE");
        assert.equal(error.url, url);
        assert.match(error.reason, /ECONNREFUSED/);
        assert.equal(error.message, `could not reach ${url}: ${error.reason}`);
        return true;
      });
    } finally {
      await client.close();
    }
  });

  test("no answer: given up within the timeout (plus the deadline's second)", async () => {
    const server = await rawServer(() => {});
    const client = createHttpClient({ timeoutMs: 300 });
    try {
      const started = Date.now();
      await assert.rejects(
        client.send({ method: "GET", url: server.url, headers: [] }),
        (error) => error instanceof UnreachableError && /timeout|no answer/i.test(error.reason),
      );
      assert.ok(Date.now() - started < 1_300 + 500);
    } finally {
      await client.close();
      await server.close();
    }
  });

  test("closed before any answer", async () => {
    const server = await rawServer((socket) => socket.destroy());
    const client = createHttpClient({ timeoutMs: 2_000 });
    try {
      await assert.rejects(
        client.send({ method: "GET", url: server.url, headers: [] }),
        UnreachableError,
      );
    } finally {
      await client.close();
      await server.close();
    }
  });

  for (const [name, error, reason] of [
    [
      "a system error names its code once",
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }),
      "connect ECONNREFUSED 127.0.0.1:9",
    ],
    [
      "a code missing from the message is added",
      Object.assign(new Error("self-signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }),
      "self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)",
    ],
    [
      "a cause adds its message and code",
      new Error("fetch failed", {
        cause: Object.assign(new Error("getaddrinfo ENOTFOUND x.test"), { code: "ENOTFOUND" }),
      }),
      "fetch failed: getaddrinfo ENOTFOUND x.test",
    ],
    ["not an Error", "socket hang up", "socket hang up"],
  ] as const) {
    test(`reason: ${name}`, () => {
      assert.equal(UnreachableError.from("http://x.test/", error).reason, reason);
    });
  }
});
