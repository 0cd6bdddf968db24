/**
 * Sizes (`25MiB`) and durations (`30s`, `1m30s`) as people write them, to bytes and
 * milliseconds. A bare number is bytes or milliseconds; a number in a string needs a unit,
 * because `"30"` in a timeout is as likely meant as seconds as milliseconds.
 */
import type { Parsed } from "./parsed.js";
import { ok, refuse } from "./parsed.js";

const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

const DURATION_UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** The longest timer Node.js runs: larger values fire at once (setTimeout's 32-bit limit). */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** Bytes from a whole number or a string such as `512KiB`, `25MiB`, `10MB`, `1.5GiB`. */
export function parseSize(value: number | string): Parsed<number> {
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value) || value < 0) {
      return refuse("GH_CONFIG_SIZE_INVALID", `${value} is not a whole number of bytes.`);
    }
    return ok(value);
  }
  const match = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(value.trim());
  if (match === null) {
    return refuse("GH_CONFIG_SIZE_INVALID", `"${value}" is not a size.`);
  }
  const unitText = match[2] ?? "";
  if (unitText === "") {
    return refuse(
      "GH_CONFIG_SIZE_INVALID",
      `"${value}" has no unit.`,
      `Write a number without quotes for bytes (${match[1]}), or add a unit: "${match[1]}MiB".`,
    );
  }
  const unit = SIZE_UNITS[unitText.toLowerCase()];
  if (unit === undefined) {
    return refuse(
      "GH_CONFIG_SIZE_INVALID",
      `"${unitText}" is not a size unit.`,
      /^[kmg]$/i.test(unitText)
        ? `Write "${match[1]}${unitText.toUpperCase()}iB" (powers of 1024) or "${match[1]}${unitText.toUpperCase()}B" (powers of 1000).`
        : "Units are B, KB, MB, GB (powers of 1000) and KiB, MiB, GiB (powers of 1024).",
    );
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes)) {
    return refuse("GH_CONFIG_SIZE_INVALID", `"${value}" is too large.`);
  }
  return ok(bytes);
}

/**
 * Milliseconds from a whole number or a string of number-unit pairs: `250ms`, `30s`, `5m`,
 * `1h30m`, `1.5s`. `min` is the smallest accepted value (timeouts cannot be 0).
 */
export function parseDuration(value: number | string, min: number): Parsed<number> {
  let ms: number;
  if (typeof value === "number") {
    if (!Number.isInteger(value)) {
      return refuse(
        "GH_CONFIG_DURATION_INVALID",
        `${value} is not a whole number of milliseconds.`,
      );
    }
    ms = value;
  } else {
    const text = value.trim().toLowerCase();
    const part = /(\d+(?:\.\d+)?)\s*(ms|s|m|h)/y;
    let total = 0;
    let index = 0;
    while (index < text.length) {
      part.lastIndex = index;
      const match = part.exec(text);
      if (match === null) {
        return refuse(
          "GH_CONFIG_DURATION_INVALID",
          /^\d+(\.\d+)?$/.test(text) ? `"${value}" has no unit.` : `"${value}" is not a duration.`,
          /^\d+(\.\d+)?$/.test(text)
            ? `Write a number without quotes for milliseconds (${text}), or add a unit: "${text}s".`
            : undefined,
        );
      }
      total += Number(match[1]) * (DURATION_UNITS[match[2] as string] ?? 1);
      index = part.lastIndex;
      while (text[index] === " ") index++;
    }
    if (text === "") return refuse("GH_CONFIG_DURATION_INVALID", "the duration is empty.");
    ms = Math.round(total);
  }
  if (ms < min) {
    return refuse(
      "GH_CONFIG_DURATION_INVALID",
      min === 0
        ? "a duration cannot be negative."
        : `${ms} ms is too short; the least is ${min} ms.`,
    );
  }
  if (ms > MAX_DURATION_MS) {
    return refuse(
      "GH_CONFIG_DURATION_INVALID",
      `${ms} ms is longer than Node.js timers run (${MAX_DURATION_MS} ms, about 24.8 days).`,
    );
  }
  return ok(ms);
}
