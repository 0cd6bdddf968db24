/**
 * Logging with pino: JSON lines for machines, pretty lines on a terminal. One line per
 * request; errors carry the same id the client got.
 */

import type { Logger } from "pino";
import { pino } from "pino";
import pretty from "pino-pretty";
import type { LogConfig } from "./config/types.js";

export type { Logger } from "pino";

export function createLogger(
  config: LogConfig,
  stream: NodeJS.WritableStream = process.stdout,
): Logger {
  const usePretty =
    config.format === "pretty" ||
    (config.format === "auto" && (stream as { isTTY?: boolean }).isTTY === true);
  const options = {
    level: config.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (!usePretty) return pino(options, stream);
  return pino(
    options,
    // One line per request on a terminal too: the record's fields follow its message.
    pretty({
      colorize: true,
      translateTime: "HH:MM:ss.l",
      ignore: "pid",
      singleLine: true,
      destination: stream,
    }),
  );
}

/** A logger that drops everything (library use and tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
