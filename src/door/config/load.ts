/**
 * Loading a configuration file: read, parse, check the structure, check the values, derive the
 * defaults, and attach file positions to everything found. Every stage runs as far as it can so
 * that one report lists every problem; only a file that cannot be parsed at all stops early.
 */
import { dirname, resolve } from "node:path";
import { ConfigError } from "./error.js";
import { normalizeConfig } from "./normalize.js";
import type { LocatedLint, LocatedProblem } from "./report.js";
import { ConfigReport } from "./report.js";
import type { SourceFormat } from "./source.js";
import { formatOf, parseSource, readSource } from "./source.js";
import { checkStructure } from "./structure.js";
import type { GatehouseConfig } from "./types.js";

/** What the command line and the environment add to a file. */
export interface LoadOverrides {
  /** `--listen HOST:PORT`: replaces `listen` (and `PORT`). */
  readonly listen?: string | undefined;
  /** Read for `PORT`, which replaces the port of `listen`. Default: `process.env`. */
  readonly env?: NodeJS.ProcessEnv | undefined;
}

export interface LoadedConfig {
  readonly config: GatehouseConfig;
  /** Risky but legal choices and rewrites, with positions; for `gatehouse check` and start-up logs. */
  readonly lints: readonly LocatedLint[];
}

/** The outcome of checking a configuration without throwing. */
export type ConfigCheck =
  | {
      readonly ok: true;
      readonly config: GatehouseConfig;
      readonly problems: readonly [];
      readonly lints: readonly LocatedLint[];
    }
  | {
      readonly ok: false;
      readonly config: null;
      readonly problems: readonly LocatedProblem[];
      readonly lints: readonly LocatedLint[];
    };

/**
 * Loads and validates a configuration file (`.yaml`, `.yml` or `.json`, by extension).
 * `path` is reported as given; relative paths inside the file start from its folder.
 *
 * @throws ConfigError listing every problem, each with file, line, column, key, value, why, fix.
 */
export function loadConfig(path: string | null, overrides: LoadOverrides = {}): LoadedConfig {
  const result = checkConfigFile(path, overrides);
  if (!result.ok) throw new ConfigError(path, result.problems, result.lints);
  return { config: result.config, lints: result.lints };
}

/** Like `loadConfig`, but returns the problems instead of throwing. */
export function checkConfigFile(path: string | null, overrides: LoadOverrides = {}): ConfigCheck {
  const report = new ConfigReport();
  if (path === null) {
    report.problemOutside(
      "GH_CONFIG_FILE_UNREADABLE",
      "--config",
      null,
      "no configuration file was given.",
      "Pass --config FILE, or run `gatehouse serve` without --config for the built-in default.",
    );
    return finish(report, null, null, null);
  }
  const format = formatOf(path);
  if (format === null) {
    report.problemAt(
      "GH_CONFIG_FILE_FORMAT",
      null,
      path,
      "the file name does not end in .yaml, .yml or .json, so its format is unknown.",
    );
    return finish(report, path, null, null);
  }
  const text = readSource(path, report);
  if (text === null) return finish(report, path, null, null);
  return checkText(text, format, path, resolve(path), overrides, report);
}

/**
 * Validates configuration text as if read from `file` (whose extension picks the format and
 * whose folder anchors relative paths, unless `baseDir` is given). For tests and tools.
 */
export function checkConfigText(
  text: string,
  options: LoadOverrides & { readonly file: string; readonly baseDir?: string },
): ConfigCheck {
  const report = new ConfigReport();
  const format = formatOf(options.file) ?? "yaml";
  const source = resolve(options.baseDir ?? ".", options.file);
  return checkText(text, format, options.file, source, options, report, options.baseDir);
}

function checkText(
  text: string,
  format: SourceFormat,
  file: string,
  source: string,
  overrides: LoadOverrides,
  report: ConfigReport,
  baseDir: string = dirname(source),
): ConfigCheck {
  const parsed = parseSource(text, format, report);
  if (!parsed.ok) return finish(report, file, parsed.locate, null);
  checkStructure(parsed.data, report);
  const config = normalizeConfig(
    parsed.data,
    { source, baseDir, listen: overrides.listen, env: overrides.env ?? process.env },
    report,
  );
  return finish(report, file, parsed.locate, config);
}

function finish(
  report: ConfigReport,
  file: string | null,
  locate: Parameters<ConfigReport["located"]>[1],
  config: GatehouseConfig | null,
): ConfigCheck {
  const { problems, lints } = report.located(file, locate);
  if (problems.length > 0 || config === null) {
    return { ok: false, config: null, problems, lints };
  }
  return { ok: true, config, problems: [], lints };
}
