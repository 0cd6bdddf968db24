/**
 * Lookup of a request string in a fixed set of strings without hashing the request string.
 *
 * A request's `Origin` is a fresh string every time, and hashing it (what a Map does) costs
 * its whole length. Allowlists, though, are known in advance: at compile time this picks a few
 * character positions (counted from the end, where origins differ) that, with the length, split
 * the set into tiny buckets. A lookup reads those few characters, finds the bucket by a small
 * integer, and compares the candidates with `===`. The cost stays flat from 10 to 100,000
 * entries. (The same idea as gperf's perfect hashing, without requiring perfection.)
 */
export class ExactIndex<T> {
  /** Offsets from the end of the string (1 = last character). */
  private readonly offsets: readonly number[];
  private readonly buckets = new Map<number, { keys: string[]; values: T[] }>();

  constructor(keys: readonly string[], values: readonly T[]) {
    this.offsets = chooseOffsets(keys);
    keys.forEach((key, i) => {
      const code = this.codeOf(key);
      let bucket = this.buckets.get(code);
      if (bucket === undefined) {
        bucket = { keys: [], values: [] };
        this.buckets.set(code, bucket);
      }
      bucket.keys.push(key);
      bucket.values.push(values[i] as T);
    });
  }

  get(key: string): T | undefined {
    const bucket = this.buckets.get(this.codeOf(key));
    if (bucket === undefined) return undefined;
    const keys = bucket.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return bucket.values[i];
    return undefined;
  }

  /** The bucket number: the length and the chosen characters (7 bits each; 0 when absent). */
  private codeOf(key: string): number {
    const len = key.length;
    const offsets = this.offsets;
    let code = len & 0xff;
    // An indexed loop: this runs on every request, and the iterator protocol shows up in profiles.
    for (let i = 0; i < offsets.length; i++) {
      const offset = offsets[i] as number;
      code = code * 128 + (offset <= len ? key.charCodeAt(len - offset) & 0x7f : 0);
    }
    return code;
  }
}

/** Most positions read per lookup; three keeps the bucket number a small integer. */
const MAX_OFFSETS = 3;

/** Greedily picks offsets that minimise the largest bucket, until buckets hold at most two. */
function chooseOffsets(keys: readonly string[]): number[] {
  const longest = keys.reduce((max, k) => Math.max(max, k.length), 0);
  const chosen: number[] = [];
  let current = keys.map((k) => k.length & 0xff);
  while (chosen.length < MAX_OFFSETS && largestBucket(current) > 2) {
    let best: { offset: number; codes: number[]; size: number } | null = null;
    for (let offset = 1; offset <= Math.min(longest, 64); offset++) {
      if (chosen.includes(offset)) continue;
      const codes = keys.map(
        (k, i) =>
          (current[i] as number) * 128 +
          (offset <= k.length ? k.charCodeAt(k.length - offset) & 0x7f : 0),
      );
      const size = largestBucket(codes);
      if (best === null || size < best.size) best = { offset, codes, size };
    }
    if (best === null) break;
    chosen.push(best.offset);
    current = best.codes;
  }
  return chosen;
}

function largestBucket(codes: readonly number[]): number {
  const counts = new Map<number, number>();
  let largest = 0;
  for (const code of codes) {
    const n = (counts.get(code) ?? 0) + 1;
    counts.set(code, n);
    if (n > largest) largest = n;
  }
  return largest;
}
