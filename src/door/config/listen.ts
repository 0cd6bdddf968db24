/**
 * Listen addresses: `127.0.0.1:8080`, `[::1]:8080`, `0.0.0.0:443`, or a port alone. Only IP
 * literals and `localhost` are accepted as hosts: a DNS name would bind whatever address it
 * resolves to today, and `:8080` (every interface, Go style) is too easy to write by accident.
 */
import { isIP } from "node:net";
import type { Parsed } from "./parsed.js";
import { ok, refuse } from "./parsed.js";
import type { ListenAddress } from "./types.js";

/** Where a bare port listens: this machine only. */
export const DEFAULT_LISTEN_HOST = "127.0.0.1";
export const DEFAULT_LISTEN: ListenAddress = Object.freeze({
  host: DEFAULT_LISTEN_HOST,
  port: 8080,
});

/** Parses a listen address; a bare port (number or digits) listens on 127.0.0.1. */
export function parseListen(value: string | number): Parsed<ListenAddress> {
  if (typeof value === "number") {
    const port = checkPort(String(value));
    return port.ok ? ok({ host: DEFAULT_LISTEN_HOST, port: port.value }) : port;
  }
  if (/^\d+$/.test(value)) {
    const port = checkPort(value);
    return port.ok ? ok({ host: DEFAULT_LISTEN_HOST, port: port.value }) : port;
  }
  if (/\s/.test(value) || value === "") {
    return refuse(
      "GH_CONFIG_LISTEN_INVALID",
      value === "" ? "the address is empty." : "the address contains white space.",
    );
  }
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value);
  if (scheme !== null) {
    const rest = value.slice(scheme[0].length).replace(/\/.*$/, "");
    return refuse(
      "GH_CONFIG_LISTEN_INVALID",
      "a listen address has no scheme or path.",
      `Write "${rest}"; the scheme follows from \`tls\`, and the public URL goes in \`publicOrigin\`.`,
    );
  }

  let host: string;
  let portText: string;
  if (value.startsWith("[")) {
    const close = value.indexOf("]");
    if (close === -1 || value[close + 1] !== ":") {
      return refuse(
        "GH_CONFIG_LISTEN_INVALID",
        close === -1 ? "the IPv6 address has no closing `]`." : "the port is missing.",
        close === -1 ? undefined : `Write "${value.slice(0, close + 1)}:8080".`,
      );
    }
    host = value.slice(1, close);
    portText = value.slice(close + 2);
    if (isIP(host) !== 6) {
      return refuse("GH_CONFIG_LISTEN_INVALID", `"${host}" is not an IPv6 address.`);
    }
    host = canonicalIPv6(host);
  } else {
    const colon = value.lastIndexOf(":");
    if (colon === -1) {
      return refuse("GH_CONFIG_LISTEN_INVALID", "the port is missing.", `Write "${value}:8080".`);
    }
    host = value.slice(0, colon);
    portText = value.slice(colon + 1);
    if (host.includes(":")) {
      return refuse(
        "GH_CONFIG_LISTEN_INVALID",
        "an IPv6 address must be in brackets before the port.",
        isIP(value) === 6 ? `Write "[${value}]:8080".` : `Write "[${host}]:${portText}".`,
      );
    }
    if (host === "" || host === "*") {
      return refuse(
        "GH_CONFIG_LISTEN_INVALID",
        `"${value}" does not say which interface to listen on.`,
        `Write "127.0.0.1:${portText}" for this machine only, or "0.0.0.0:${portText}" for every interface.`,
      );
    }
    host = host.toLowerCase();
    if (host !== "localhost" && isIP(host) !== 4) {
      return refuse(
        "GH_CONFIG_LISTEN_INVALID",
        `"${host}" is not an IP address; listen takes an address to bind, not a name.`,
        `Write an address such as "127.0.0.1:${portText}" or "0.0.0.0:${portText}"; to serve the name ${host}, set \`publicOrigin: https://${host}\`.`,
      );
    }
  }
  const port = checkPort(portText);
  return port.ok ? ok({ host, port: port.value }) : port;
}

/** `PORT` from the environment: digits only. */
export function parsePortEnv(value: string): Parsed<number> {
  if (!/^\d+$/.test(value.trim())) {
    return refuse(
      "GH_CONFIG_LISTEN_INVALID",
      `PORT must be a port number, not "${value}".`,
      "Set PORT to a number from 1 to 65535, or unset it and use `listen` or `--listen`.",
    );
  }
  return checkPort(value.trim());
}

/** Port 0 is accepted: the system picks a free port (tests, `--listen 127.0.0.1:0`). */
function checkPort(text: string): Parsed<number> {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535) {
    return refuse(
      "GH_CONFIG_LISTEN_INVALID",
      text === "" ? "the port is missing." : `"${text}" is not a port from 0 to 65535.`,
    );
  }
  return ok(port);
}

/** `127.0.0.1:8080`, `[::1]:8080`. */
export function formatListen(address: ListenAddress): string {
  return address.host.includes(":")
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export function isLoopbackAddress(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** 0.0.0.0 and ::: every interface. */
export function isWildcardAddress(host: string): boolean {
  return host === "0.0.0.0" || host === "::";
}

/** The URL parser's canonical IPv6 text (lower case, zeros compressed), without brackets. */
export function canonicalIPv6(host: string): string {
  try {
    return new URL(`http://[${host}]/`).hostname.slice(1, -1);
  } catch {
    return host.toLowerCase();
  }
}
