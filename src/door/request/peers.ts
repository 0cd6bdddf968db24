/**
 * Which peers are trusted proxies (their `X-Forwarded-*` are believed). Backed by
 * node:net's BlockList, which matches IPv4, IPv6 and IPv4-mapped IPv6 addresses against
 * CIDR ranges without hand-written bit arithmetic.
 */
import { BlockList, isIP } from "node:net";

export class TrustedPeers {
  private readonly list = new BlockList();
  private readonly empty: boolean;

  /** Entries: IPs, CIDRs (`10.0.0.0/8`, `fd00::/8`) or `loopback`. Validated by the loader. */
  constructor(entries: readonly string[]) {
    this.empty = entries.length === 0;
    for (const entry of entries) {
      if (entry === "loopback") {
        this.list.addSubnet("127.0.0.0", 8, "ipv4");
        this.list.addAddress("::1", "ipv6");
        continue;
      }
      const [address, prefix] = entry.split("/");
      const family = isIP(address ?? "") === 6 ? "ipv6" : "ipv4";
      if (prefix === undefined) this.list.addAddress(address as string, family);
      else this.list.addSubnet(address as string, Number(prefix), family);
    }
  }

  has(address: string | undefined): boolean {
    if (this.empty || address === undefined) return false;
    const mapped =
      address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const family = isIP(mapped);
    if (family === 0) return false;
    return this.list.check(mapped, family === 6 ? "ipv6" : "ipv4");
  }
}

/** The client address to report: the socket peer, IPv4-mapped IPv6 unwrapped. */
export function peerAddress(address: string | undefined): string {
  if (address === undefined) return "unknown";
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** Is the peer this machine (127.0.0.0/8 or ::1, IPv4-mapped forms included)? */
export function isLoopbackPeer(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = peerAddress(address);
  return plain === "::1" || (isIP(plain) === 4 && plain.startsWith("127."));
}
