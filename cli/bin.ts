#!/usr/bin/env node
/**
 * The npm package's `async-pipeline` executable: runs the CLI and sets the
 * process exit code to the code that `main()` returns: 0, 1, or 130, 141
 * and 143 after SIGINT, a closed output pipe and SIGTERM.
 *
 * It is a separate file from `main.ts` so that running the bin never relies
 * on detecting the entry module.
 *
 * @module
 */

import process from "node:process";
import { main } from "./main.ts";

process.exitCode = await main();
