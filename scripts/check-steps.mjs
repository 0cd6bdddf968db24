// The step runner that scripts/pack-check.mjs and scripts/container-check.mjs share: each step
// is announced, a command that does not exit 0 ends the check with its output, and the script
// names the step that failed.
import { spawnSync } from "node:child_process";

export class CheckFailed extends Error {}

/**
 * @param {string} name prefix of every line printed
 * @param {NodeJS.ProcessEnv} env environment of every command run
 */
export function checker(name, env) {
  let step = "";
  /** @param {string} why @returns {never} */
  const fail = (why) => {
    throw new CheckFailed(why);
  };
  return {
    fail,
    /** @param {string} what */
    begin(what) {
      step = what;
      console.log(`${name}: ${what}`);
    },
    /** The step under way, for the failure report. */
    current: () => step,
    /**
     * Runs a command to completion and returns its stdout; fails the step unless it exits 0.
     * @param {string} cmd @param {string[]} args @param {string} cwd
     */
    run(cmd, args, cwd, timeout = 300_000) {
      const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout });
      if (r.error !== undefined || r.status !== 0) {
        fail(
          `\`${[cmd, ...args].join(" ")}\` in ${cwd} ${r.error ? `failed: ${r.error.message}` : `exited ${r.status ?? r.signal}`}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
        );
      }
      return r.stdout;
    },
  };
}
