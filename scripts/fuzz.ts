/**
 * `npm run fuzz`: runs generated inputs (default 1,000,000; FUZZ_INPUTS to change, FUZZ_SEED to
 * replay) through the origin, host, ACRH and request-target parsers and guards, checking each
 * against the contract's oracles (test/hardening/oracles.ts): no throw, no allow of anything
 * outside the policy. Exits 1 on the first violations (up to 20 are printed), 0 otherwise.
 */
import type { Violation } from "../test/hardening/oracles.js";
import {
  checkAcrh,
  checkHost,
  checkOrigin,
  checkTarget,
  HOST_SEEDS,
  ORIGIN_SEEDS,
  PIECES,
  TARGET_SEEDS,
} from "../test/hardening/oracles.js";

const total = Number(process.env.FUZZ_INPUTS ?? 1_000_000);
let seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) >>> 0;
const firstSeed = seed;

/** mulberry32: small, fast, reproducible. */
function rand(): number {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;

function randomString(max: number, binary: boolean): string {
  const n = Math.floor(rand() * max);
  let s = "";
  for (let i = 0; i < n; i++)
    s += String.fromCharCode(binary ? Math.floor(rand() * 256) : 0x20 + Math.floor(rand() * 95));
  return s;
}

function mutate(seeds: readonly string[]): string {
  let s = pick(seeds);
  const edits = Math.floor(rand() * 5);
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(rand() * (s.length + 1));
    const piece = rand() < 0.7 ? pick(PIECES) : randomString(3, rand() < 0.3);
    const mode = rand();
    if (mode < 0.4) s = s.slice(0, i) + piece + s.slice(i);
    else if (mode < 0.8) s = s.slice(0, i) + piece + s.slice(i + 1);
    else s = s.slice(0, i) + s.slice(i + 1 + Math.floor(rand() * 3));
  }
  return s;
}

function input(seeds: readonly string[]): string {
  const r = rand();
  if (r < 0.75) return mutate(seeds);
  if (r < 0.9) return randomString(40, false);
  return randomString(40, true);
}

const families: [string, readonly string[], (s: string) => Violation | null][] = [
  ["origin", ORIGIN_SEEDS, checkOrigin],
  ["host", HOST_SEEDS, checkHost],
  ["acrh", ["content-type", "x-api-key,content-type", "authorization", "X-Api-Key, *"], checkAcrh],
  ["target", TARGET_SEEDS, checkTarget],
];

const counts = new Map<string, number>();
const violations: Violation[] = [];
let throws = 0;
const started = performance.now();
for (let i = 0; i < total; i++) {
  const [name, seeds, check] = families[i % families.length] as (typeof families)[number];
  const value = input(seeds);
  counts.set(name, (counts.get(name) ?? 0) + 1);
  try {
    const v = check(value);
    if (v !== null) violations.push(v);
  } catch (error) {
    throws++;
    violations.push({ kind: `${name}-throw`, input: value, detail: String(error) });
  }
  if (violations.length >= 20) break;
}
const seconds = (performance.now() - started) / 1000;
const ran = [...counts.values()].reduce((a, b) => a + b, 0);
console.log(
  JSON.stringify(
    {
      inputs: ran,
      perFamily: Object.fromEntries(counts),
      seed: firstSeed,
      seconds: Math.round(seconds * 10) / 10,
      inputsPerSecond: Math.round(ran / seconds),
      throws,
      violations: violations.length,
    },
    null,
    2,
  ),
);
for (const v of violations)
  console.log(`VIOLATION ${v.kind}: ${JSON.stringify(v.input)} (${v.detail})`);
process.exitCode = violations.length > 0 ? 1 : 0;
