/**
 * `gatehouse` run from the sources, for tests that start the CLI in a child process (as
 * `node --import tsx test/doctor/main.ts doctor ...`): the exit code is the command's.
 */
import { main } from "../../src/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
