// Runs this repository's async-pipeline CLI from source under the V8 CPU
// profiler of the current runtime (Node or Deno, both through node:inspector)
// and writes a .cpuprofile that Chrome DevTools and `bench/profile.ts` read.
// Module loading is inside the profile, because startup is part of every run.
//
//   node profile_cli.mjs OUT.cpuprofile -- CLI ARGUMENTS...
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import process from "node:process";

const separator = process.argv.indexOf("--");
const out = process.argv[2];
const args = process.argv.slice(separator + 1);
const session = new Session();
session.connect();
await session.post("Profiler.enable");
// Sample every 200 µs: fine enough for runs of a few hundred milliseconds.
await session.post("Profiler.setSamplingInterval", { interval: 200 });
await session.post("Profiler.start");
const { main } = await import(
  new URL("../../cli/main.ts", import.meta.url).href
);
const code = await main(args);
const { profile } = await session.post("Profiler.stop");
session.disconnect();
writeFileSync(out, JSON.stringify(profile));
process.exitCode = code;
