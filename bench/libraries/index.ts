/** The libraries compared; each runs in its own worker process. */

import type { Variant } from "../probe.js";
import { type GatehouseSource, gatehouseVariants } from "./gatehouse.js";
import { expressCorsVariant, fastifyCorsVariant, honoCorsVariant } from "./peers.js";

export const GROUPS = ["gatehouse", "cors", "fastify", "hono"] as const;
export type Group = (typeof GROUPS)[number];

export function isGroup(value: unknown): value is Group {
  return (GROUPS as readonly unknown[]).includes(value);
}

export async function groupVariants(group: Group, source: GatehouseSource): Promise<Variant[]> {
  switch (group) {
    case "gatehouse":
      return gatehouseVariants(source);
    case "cors":
      return [expressCorsVariant()];
    case "fastify":
      return [fastifyCorsVariant()];
    case "hono":
      return [honoCorsVariant()];
  }
}
