/**
 * Where the demo control UI's static files are: `ui/` at the package root. The same relative
 * path works from `src/demo/` (tsx) and from `dist/demo/` (the build), both two levels down.
 */
import { fileURLToPath } from "node:url";

/** Absolute path of the demo control UI directory, with a trailing separator. */
export const DEMO_UI_ROOT: string = fileURLToPath(new URL("../../ui/", import.meta.url));
