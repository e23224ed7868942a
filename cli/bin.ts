#!/usr/bin/env node
/**
 * The npm package's `async-pipeline` executable: runs the CLI and exits with
 * the code that `main()` returns: 0, 1, or 129, 130, 141 and 143 after
 * SIGHUP, SIGINT, a closed output pipe and SIGTERM.
 *
 * It is a separate file from `main.ts` so that running the bin never relies
 * on detecting the entry module.
 *
 * @module
 */

import { runAndExit } from "./main.ts";

await runAndExit();
