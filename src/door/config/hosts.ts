/**
 * The `hosts` allowlist: the values a client may send in `Host`. It is the guard against DNS
 * rebinding (an attacker's domain re-pointed at this server, read by the attacker's page), so
 * entries are exact names: no `*`, no `*.`, no suffixes. An entry without a port allows the name
 * on any port.
 */
import { isIP } from "node:net";
import { canonicalIPv6, isLoopbackAddress } from "./listen.js";
import type { Parsed } from "./parsed.js";
import { ok, refuse } from "./parsed.js";
import type { ListenAddress } from "./types.js";

export interface HostEntry {
  /** `name`, `name:port`, `[v6]` or `[v6]:port`, lower case, punycode. */
  readonly text: string;
  /** `name` or `[v6]`. */
  readonly name: string;
  /** Digits, or "" for any port. */
  readonly port: string;
}

/** Names a loopback listener is reached by from this machine. */
export const LOOPBACK_HOSTS: readonly string[] = ["localhost", "127.0.0.1", "[::1]"];

/** Parses one `hosts` entry. */
export function parseHostEntry(value: string): Parsed<HostEntry> {
  if (value === "*" || value.startsWith("*:")) {
    return refuse(
      "GH_CONFIG_HOST_WILDCARD",
      "`*` would accept any Host, which turns off the DNS-rebinding guard: a page on an attacker's domain, re-pointed at this server, could then read from it.",
      "List the names clients use, or remove `hosts` to allow the host of `publicOrigin` (and loopback names when listening on loopback).",
    );
  }
  if (value.includes("*")) {
    return refuse(
      "GH_CONFIG_HOST_WILDCARD",
      `"${value}": hosts are matched exactly, so a wildcard would never match as intended, and allowing every subdomain weakens the DNS-rebinding guard.`,
      "List each name exactly, e.g. [gateway.example.com, api.example.com].",
    );
  }
  if (value === "" || /[\s,]/.test(value)) {
    return refuse(
      "GH_CONFIG_HOST_INVALID",
      value === "" ? "the entry is empty." : "the entry contains white space or a comma.",
      value === ""
        ? undefined
        : "Write one name per list entry: hosts: [a.example.com, b.example.com].",
    );
  }
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value);
  if (scheme !== null) {
    const rest = value.slice(scheme[0].length).replace(/[/?#].*$/, "");
    return refuse(
      "GH_CONFIG_HOST_INVALID",
      "a host has no scheme: it is what clients send in `Host`.",
      `Write "${rest}".`,
    );
  }
  const cut = value.search(/[/?#]/);
  if (cut !== -1) {
    return refuse(
      "GH_CONFIG_HOST_INVALID",
      "a host has no path, query or fragment.",
      `Write "${value.slice(0, cut)}".`,
    );
  }
  if (value.includes("@")) {
    return refuse(
      "GH_CONFIG_HOST_INVALID",
      "a host has no user name or password.",
      `Write "${value.slice(value.lastIndexOf("@") + 1)}".`,
    );
  }

  let name: string;
  let portText: string | null = null;
  if (value.startsWith("[")) {
    const close = value.indexOf("]");
    const inner = close === -1 ? "" : value.slice(1, close);
    if (close === -1 || isIP(inner) !== 6 || inner.includes("%")) {
      return refuse("GH_CONFIG_HOST_INVALID", `"${value}" is not a bracketed IPv6 address.`);
    }
    name = `[${canonicalIPv6(inner)}]`;
    const after = value.slice(close + 1);
    if (after !== "") {
      if (!after.startsWith(":")) {
        return refuse("GH_CONFIG_HOST_INVALID", "unexpected text after the IPv6 address.");
      }
      portText = after.slice(1);
    }
  } else {
    if (isIP(value) === 6) {
      return refuse(
        "GH_CONFIG_HOST_INVALID",
        "an IPv6 address in `Host` is written in brackets.",
        `Write "[${value}]".`,
      );
    }
    const colon = value.indexOf(":");
    if (colon !== value.lastIndexOf(":")) {
      return refuse("GH_CONFIG_HOST_INVALID", `"${value}" has more than one \`:\`.`);
    }
    const rawName = colon === -1 ? value : value.slice(0, colon);
    portText = colon === -1 ? null : value.slice(colon + 1);
    const canonical = canonicalName(rawName);
    if (canonical === null) {
      return refuse(
        "GH_CONFIG_HOST_INVALID",
        `"${rawName}" is not a valid host name or IPv4 address.`,
      );
    }
    name = canonical;
  }
  if (
    portText !== null &&
    (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535)
  ) {
    return refuse(
      "GH_CONFIG_HOST_INVALID",
      portText === ""
        ? "the port after `:` is empty."
        : `"${portText}" is not a port from 1 to 65535.`,
    );
  }
  const port = portText === null ? "" : String(Number(portText));
  return ok({ text: port === "" ? name : `${name}:${port}`, name, port });
}

/**
 * The URL parser's host (lower case, punycode), restricted to what a `Host` header carries:
 * letters, digits, `-`, `_` and dots between labels. A trailing dot is refused: `Host` values
 * are compared exactly, and `example.com.` is not `example.com`.
 */
function canonicalName(name: string): string | null {
  if (name === "") return null;
  let host: string;
  try {
    host = new URL(`http://${name}/`).hostname;
  } catch {
    return null;
  }
  if (!/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(host) || host.length > 253) return null;
  // The URL parser turns `0x7f.1` and `2130706433` into IPv4: keep only what was written as such.
  if (isIP(host) === 4 && host !== name) return null;
  return host;
}

/**
 * The default `hosts`: the authority of `publicOrigin` and, when the listener is loopback, the
 * loopback names on the listen port, so `http://localhost:8080` keeps working on the machine
 * itself. Each carries its port (RFC 9110 §4.2: the port is part of the authority), so another
 * port on this machine is not this door; `name:443` and `name:80` also admit the name sent
 * without a port, as browsers send it. Port 0 stands for the port the listener gets.
 */
export function defaultHosts(publicOrigin: string, listen: ListenAddress): string[] {
  const name = originHostName(publicOrigin);
  const hosts = [`${name}:${originPort(publicOrigin)}`];
  if (isLoopbackAddress(listen.host)) {
    for (const loopback of LOOPBACK_HOSTS) {
      const entry = `${loopback}:${listen.port}`;
      if (!hosts.includes(entry)) hosts.push(entry);
    }
  }
  return hosts;
}

/** `https://[::1]:8443` -> `[::1]`; the name part of a serialized origin. */
export function originHostName(origin: string): string {
  const url = new URL(origin);
  return url.hostname;
}

/** The port a serialized origin is reached on (default ports filled in). */
export function originPort(origin: string): string {
  const url = new URL(origin);
  return url.port !== "" ? url.port : url.protocol === "https:" ? "443" : "80";
}
