import type { DoorConfigCode } from "./codes.js";

/**
 * What a value parser returns: the value, or why it was refused. The caller knows the key path
 * and turns a refusal into a problem there; the parsers stay pure.
 */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly code: DoorConfigCode;
      readonly why: string;
      /** Defaults to the code's "how to solve". */
      readonly fix?: string;
    };

export function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function refuse<T>(code: DoorConfigCode, why: string, fix?: string): Parsed<T> {
  return fix === undefined ? { ok: false, code, why } : { ok: false, code, why, fix };
}
