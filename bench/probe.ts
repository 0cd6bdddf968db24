/**
 * What a library module hands the worker: for each workload, one function that does a whole
 * request's CORS work on fresh objects, and one that only builds those objects (its baseline).
 */

import { do_not_optimize } from "mitata";
import type { Workload } from "./workloads.js";

/** The CORS answer a library produced, read back from its response object. */
export interface Outcome {
  readonly allowOrigin: string | null;
  readonly status: number | null;
}

export interface Probe {
  /** One request: fresh request and response objects, then the library's CORS work. */
  readonly run: () => unknown;
  /** The same fresh objects with no CORS work, timed to be subtracted from `run`. */
  readonly baseline: () => unknown;
  /** One request, answering what the library did (checked before timing). */
  readonly observe: () => Promise<Outcome>;
}

/** One way of running one library (Gatehouse has two: its node adapter and bare decide()). */
export interface Variant {
  readonly id: string;
  readonly label: string;
  /** Whether this is Gatehouse (expectations differ on requests peers do not inspect). */
  readonly gatehouse: boolean;
  /** Shown in the report: the options used and how the code is called. */
  readonly configured: string;
  readonly invoked: string;
  /** Workloads this variant takes part in. */
  readonly accepts: (workload: Workload) => boolean;
  readonly probe: (workload: Workload) => Probe;
}

/** Builds a Probe from "make fresh objects", "do the CORS work" and "read the answer". */
export function probe<T>(
  fresh: () => T,
  work: (objects: T) => unknown,
  read: (objects: T, result: unknown) => Outcome | Promise<Outcome>,
): Probe {
  return {
    // Publishing the objects keeps V8 from proving them dead and skipping the allocations;
    // a returned promise is awaited by the timing loop, which publishes it just as well.
    run: () => {
      const objects = fresh();
      const result = work(objects);
      if (result instanceof Promise) return result;
      do_not_optimize(objects);
      do_not_optimize(result);
      return undefined;
    },
    baseline: () => {
      do_not_optimize(fresh());
    },
    observe: async () => {
      const objects = fresh();
      return read(objects, await work(objects));
    },
  };
}

export function memoize<K, V>(make: (key: K) => V): (key: K) => V {
  const cache = new Map<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = make(key);
      cache.set(key, value);
    }
    return value;
  };
}

/** Reads one header value from what a mock stored, as a string or null. */
export function headerText(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return null;
}
