/**
 * Helpers for the audit tests: run the CLI command in-process and capture what it prints,
 * listen on 127.0.0.1 port 0, and simulate a server over the pure probe list.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Exchange } from "../../src/audit/analyze.js";
import type { Probe, ProbeRequest } from "../../src/audit/probes.js";
import { audit } from "../../src/cli/audit.js";
import type { HeaderLine, ObservedResponse } from "../../src/http-client/message.js";

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `gatehouse audit ARGS` with console.log/error captured. Not reentrant. */
export async function runAuditCli(args: readonly string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...parts: unknown[]) => out.push(parts.map(String).join(" "));
  console.error = (...parts: unknown[]) => err.push(parts.map(String).join(" "));
  try {
    const code = await audit.run(args);
    return { code, stdout: out.join("\n"), stderr: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

export type FakeServer = (request: ProbeRequest) => {
  status: number;
  headers: Record<string, string | string[]>;
};

/** A response with one line per value, in the map's order; an array is a repeated header. */
export function responseOf(
  status: number,
  headers: Readonly<Record<string, string | readonly string[]>>,
): ObservedResponse {
  const lines: HeaderLine[] = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const one of typeof value === "string" ? [value] : value) lines.push({ name, value: one });
  }
  return { status, lines };
}

/** Answers every probe with `handler`, as a server would, without any socket. */
export function simulate(probes: readonly Probe[], handler: FakeServer): Exchange[] {
  return probes.map((probe) => {
    const answer = handler(probe.request);
    return { probe, response: responseOf(answer.status, answer.headers), error: null };
  });
}

export function originOf(request: ProbeRequest): string | undefined {
  return request.headers.find(([name]) => name === "Origin")?.[1];
}

export function headerOf(request: ProbeRequest, name: string): string | undefined {
  return request.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}
