// The spawn floor: runs COUNT processes of `sh -c COMMAND`, at most
// CONCURRENCY at a time. Runs unchanged under Node and Deno.
//
//   node floor_spawn.mjs [COUNT=200] [CONCURRENCY=2] [COMMAND=true]
import { spawn } from "node:child_process";
import process from "node:process";

const count = Number(process.argv[2] ?? 200);
const concurrency = Number(process.argv[3] ?? 2);
const command = process.argv[4] ?? "true";
let started = 0;
let done = 0;

function startNext() {
  if (started >= count) return;
  started++;
  spawn("sh", ["-c", command], { stdio: "ignore" }).on("exit", (code) => {
    if (code !== 0) {
      console.error(`sh -c ${command}: exit code ${code}`);
      process.exit(1);
    }
    if (++done === count) process.exit(0);
    startNext();
  });
}

for (let i = 0; i < Math.min(concurrency, count); i++) startNext();
