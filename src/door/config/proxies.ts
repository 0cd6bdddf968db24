/**
 * `trustProxy` entries: IP addresses, CIDR ranges, or `loopback`. Peers in the list are believed
 * about `X-Forwarded-*`; everybody else has those headers overwritten. Names are refused: trust
 * must not move when DNS does.
 */
import { isIP } from "node:net";
import { canonicalIPv6 } from "./listen.js";
import type { Parsed } from "./parsed.js";
import { ok, refuse } from "./parsed.js";

/** The keyword for 127.0.0.0/8 and ::1 (a TLS terminator or CDN agent on the same machine). */
export const LOOPBACK_KEYWORD = "loopback";

export interface TrustEntry {
  /** `loopback`, an address, or `address/prefix`; IPv6 in canonical lower case. */
  readonly text: string;
  /** How much of the address space it covers: "all" (/0), "wide", or "narrow". */
  readonly breadth: "all" | "wide" | "narrow";
}

/** Shorter IPv4 / IPv6 prefixes than these are linted as wide. */
const WIDE_V4 = 8;
const WIDE_V6 = 32;

export function parseTrustEntry(value: string): Parsed<TrustEntry> {
  if (value.toLowerCase() === LOOPBACK_KEYWORD)
    return ok({ text: LOOPBACK_KEYWORD, breadth: "narrow" });
  const slash = value.indexOf("/");
  const address = slash === -1 ? value : value.slice(0, slash);
  const prefixText = slash === -1 ? null : value.slice(slash + 1);
  const family = isIP(address);
  if (family === 0 || address.includes("%")) {
    return refuse(
      "GH_CONFIG_TRUST_PROXY_INVALID",
      /^[a-z][a-z0-9.-]*$/i.test(address) && !/^[\d.]+$/.test(address)
        ? `"${value}" is a name; trusted proxies are given by address.`
        : `"${value}" is not an IP address or CIDR range.`,
    );
  }
  const bits = family === 4 ? 32 : 128;
  let prefix = bits;
  if (prefixText !== null) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
      return refuse(
        "GH_CONFIG_TRUST_PROXY_INVALID",
        `"/${prefixText}" is not a prefix length from 0 to ${bits}.`,
      );
    }
    prefix = Number(prefixText);
  }
  const canonical = family === 6 ? canonicalIPv6(address) : address;
  const text = prefixText === null ? canonical : `${canonical}/${prefix}`;
  const breadth =
    prefix === 0 ? "all" : prefix < (family === 4 ? WIDE_V4 : WIDE_V6) ? "wide" : "narrow";
  return ok({ text, breadth });
}
