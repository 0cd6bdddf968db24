/**
 * WebSocket upgrades, tunnelled after the door's checks: the upgrade request goes to the
 * upstream with cleaned headers; on its 101 the two sockets are joined byte for byte, so
 * subprotocols, extensions and close codes pass through untouched and each direction honours
 * the other's backpressure. Any other upstream answer is relayed as is.
 */
import { randomBytes } from "node:crypto";
import type { ClientRequest, IncomingMessage } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { Duplex } from "node:stream";
import type { DoorError } from "../errors.js";
import { isDroppedResponseHeader, nominatedInResponse } from "./headers.js";
import { toDoorError } from "./relay.js";
import { clientCloseFrame, FrameTracker, serverCloseFrame } from "./websocket-frames.js";

export interface TunnelOptions {
  readonly client: Duplex;
  readonly head: Buffer;
  readonly upstream: URL;
  readonly path: string;
  readonly headers: string[];
  readonly connectTimeoutMs: number;
  readonly idleTimeoutMs: number;
  /**
   * Called once, when the upgrade is answered: 101 when joined, the upstream's status when it
   * refused, or a failure (the client's socket is then still unanswered: the caller writes the
   * error, so that every refusal leaves the door one way), or 499 when the client left first.
   */
  readonly onDone: (status: number, error: DoorError | null) => void;
}

/**
 * A live tunnel; the registry uses it to close everything with 1001 on shutdown.
 *
 * A tunnel may idle for hours, and a thousand of them is a normal day, so once joined it keeps
 * only the two sockets and its frame trackers: the upgrade request, its response, the request
 * headers and the exchange that logged the 101 are all let go.
 */
export class Tunnel {
  private readonly client: Duplex;
  private upstreamSocket: Duplex | null = null;
  /** The upgrade attempt, until it is answered. */
  private attempt: TunnelOptions | null;
  private request: ClientRequest | null = null;
  private readonly toClient = new FrameTracker();
  private readonly toUpstream = new FrameTracker();
  private closing = false;
  private ended = false;
  private closeSentToClient = false;
  private closeSentToUpstream = false;

  constructor(
    options: TunnelOptions,
    private readonly onEnd: (tunnel: Tunnel) => void,
  ) {
    this.client = options.client;
    this.attempt = options;
  }

  start(): void {
    const attempt = this.attempt as TunnelOptions;
    const { upstream, client } = attempt;
    const send = upstream.protocol === "https:" ? httpsRequest : httpRequest;
    const request = send({
      host: upstream.hostname,
      port: upstream.port || (upstream.protocol === "https:" ? 443 : 80),
      method: "GET",
      path: attempt.path,
      headers: attempt.headers,
      setHost: false,
      agent: false,
      timeout: attempt.connectTimeoutMs,
    });
    this.request = request;
    client.on("error", this.onSocketGone);
    client.on("close", this.onSocketGone);
    request.on("timeout", () =>
      request.destroy(Object.assign(new Error("upstream timeout"), { code: "ETIMEDOUT" })),
    );
    request.on("error", (error) => this.fail(error));
    request.on("response", (res) => this.relayRefusal(res));
    request.on("upgrade", (res, socket, head) => this.join(res, socket, head));
    request.end();
  }

  private readonly onSocketGone = (): void => {
    this.request?.destroy();
    this.destroy();
  };

  /** The upstream answered without switching protocols: pass its answer on and close. */
  private relayRefusal(res: IncomingMessage): void {
    const { client } = this;
    const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ""}`];
    for (let i = 0; i < res.rawHeaders.length; i += 2) {
      const name = (res.rawHeaders[i] as string).toLowerCase();
      // Hop-by-hop and CORS headers go, as on every response; so does the upstream's framing,
      // because the body is re-sent with a Content-Length of its own.
      if (isDroppedResponseHeader(name, null) || name === "content-length") continue;
      lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
    }
    const chunks: Buffer[] = [];
    res.on("data", (chunk: Buffer) => chunks.push(chunk));
    res.on("end", () => {
      const body = Buffer.concat(chunks);
      lines.push(`Content-Length: ${body.length}`, "Connection: close", "", "");
      client.end(Buffer.concat([Buffer.from(lines.join("\r\n")), body]));
      this.finish(res.statusCode ?? 502, null);
    });
    res.on("error", (error) => this.fail(error));
  }

  private join(res: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { client } = this;
    const attempt = this.attempt;
    if (client.destroyed || attempt === null) {
      socket.destroy();
      return;
    }
    this.upstreamSocket = socket;
    // Hop-by-hop headers (and those the upstream's Connection nominates) stop here, as on every
    // response; the door states the switch itself.
    const lines = ["HTTP/1.1 101 Switching Protocols", "Connection: Upgrade", "Upgrade: websocket"];
    const nominated = nominatedInResponse(res.headers.connection);
    for (let i = 0; i < res.rawHeaders.length; i += 2) {
      const name = (res.rawHeaders[i] as string).toLowerCase();
      if (isDroppedResponseHeader(name, nominated)) continue;
      lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
    }
    client.write(`${lines.join("\r\n")}\r\n\r\n`);
    this.relay(socket, client, this.toClient, head);
    this.relay(client, socket, this.toUpstream, attempt.head);
    for (const side of [socket, client]) {
      (side as Duplex & { setTimeout?: (ms: number) => void }).setTimeout?.(attempt.idleTimeoutMs);
      side.on("timeout", this.onSocketGone);
    }
    socket.on("error", this.onSocketGone);
    socket.on("close", this.onSocketGone);
    // Joined: the attempt's objects (request, response, headers, the exchange) can go.
    this.request = null;
    this.attempt = null;
    attempt.onDone(101, null);
  }

  /** Forwards src to dst with backpressure, watching frame boundaries for shutdown. */
  private relay(src: Duplex, dst: Duplex, tracker: FrameTracker, first: Buffer): void {
    const forward = (chunk: Buffer) => {
      if (this.closing) {
        const upTo = tracker.consume(chunk, true);
        if (upTo > 0) dst.write(chunk.subarray(0, upTo));
        if (tracker.atBoundary) this.sendClose(dst);
        return;
      }
      tracker.consume(chunk);
      if (!dst.write(chunk)) src.pause();
    };
    if (first.length > 0) forward(first);
    src.on("data", forward);
    dst.on("drain", () => src.resume());
  }

  /** Writes a 1001 close frame to one side, once, at a frame boundary. */
  private sendClose(dst: Duplex): void {
    const toClient = dst === this.client;
    if (toClient ? this.closeSentToClient : this.closeSentToUpstream) return;
    if (toClient) this.closeSentToClient = true;
    else this.closeSentToUpstream = true;
    dst.write(toClient ? serverCloseFrame() : clientCloseFrame(randomBytes(4)));
  }

  /** Shutdown: close both sides with 1001 between frames, then end the sockets. */
  goAway(graceMs: number): void {
    const socket = this.upstreamSocket;
    if (socket === null || this.ended) {
      this.destroy();
      return;
    }
    this.closing = true;
    if (this.toClient.atBoundary) this.sendClose(this.client);
    if (this.toUpstream.atBoundary) this.sendClose(socket);
    setTimeout(() => this.destroy(), Math.min(graceMs, 1_000)).unref();
  }

  private fail(error: unknown): void {
    const failure = toDoorError(error);
    this.finish(failure.status, failure);
  }

  private finish(status: number, error: DoorError | null): void {
    if (this.ended) return;
    this.ended = true;
    const attempt = this.attempt;
    this.attempt = null;
    if (this.upstreamSocket === null) attempt?.onDone(status, error);
    this.onEnd(this);
  }

  destroy(): void {
    this.upstreamSocket?.destroy();
    this.client.destroy();
    // Before the upstream answered, this attempt still owes its one log line: the client left
    // (499, as nginx logs a client that closed first).
    this.finish(499, null);
  }
}
