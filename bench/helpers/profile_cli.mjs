// Runs an async-pipeline CLI module under the V8 CPU profiler of the current
// runtime (Node or Deno, both through node:inspector). The module is this
// repository's cli/main.ts or the cli/main.js of an installed npm build. The
// .cpuprofile it writes opens in Chrome DevTools and `bench/profile.ts`. Module
// loading is inside the profile, because startup is part of every run.
// `--compile-cache` turns on Node's compile cache first, as the npm bin does.
//
//   node profile_cli.mjs OUT.cpuprofile CLI_MODULE [--compile-cache] -- CLI ARGUMENTS...
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import module from "node:module";
import process from "node:process";
import { pathToFileURL } from "node:url";

const separator = process.argv.indexOf("--");
const [out, cliModule, ...flags] = process.argv.slice(2, separator);
const args = process.argv.slice(separator + 1);
if (flags.includes("--compile-cache") && !process.versions.deno) {
  module.enableCompileCache?.();
}
const session = new Session();
session.connect();
await session.post("Profiler.enable");
// Sample every 200 µs: fine enough for runs of a few hundred milliseconds.
await session.post("Profiler.setSamplingInterval", { interval: 200 });
await session.post("Profiler.start");
const { main } = await import(pathToFileURL(cliModule).href);
const code = await main(args);
const { profile } = await session.post("Profiler.stop");
session.disconnect();
writeFileSync(out, JSON.stringify(profile));
process.exitCode = code;
