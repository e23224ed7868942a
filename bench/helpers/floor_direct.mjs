// The no-runner floor: spawns every node's command with `sh -c` in its
// directory, dependencies first, at most CONCURRENCY at a time, without
// hashing, caching or logging. Runs unchanged under Node and Deno.
//
//   node floor_direct.mjs WORKSPACE [CONCURRENCY=2] [inherit|pipe]
//
// With `inherit` (the default) the commands write to this process's own
// output. With `pipe` their stdout and stderr are read through pipes and
// dropped, and a command counts as done once both pipes closed: the least a
// runner that captures each command's output has to do.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

const workspace = process.argv[2];
const concurrency = Number(process.argv[3] ?? 2);
const output = process.argv[4] ?? "inherit";
if (output !== "inherit" && output !== "pipe") {
  console.error(`Unknown output mode "${output}": use inherit or pipe.`);
  process.exit(2);
}
const graph = JSON.parse(
  readFileSync(join(workspace, "bench-graph.json"), "utf8"),
);
const nodes = graph.nodes;
const waiting = nodes.map((node) => node.deps.length);
const dependents = nodes.map(() => []);
nodes.forEach((node, i) => node.deps.forEach((d) => dependents[d].push(i)));
const ready = [];
waiting.forEach((count, i) => {
  if (count === 0) ready.push(i);
});

let running = 0;
let done = 0;

function startReady() {
  while (running < concurrency && ready.length > 0) {
    const i = ready.shift();
    running++;
    const child = spawn("sh", ["-c", graph.command], {
      cwd: join(workspace, nodes[i].dir),
      stdio: output === "pipe" ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    if (output === "pipe") {
      child.stdout.on("data", () => {});
      child.stderr.on("data", () => {});
    }
    child.on(output === "pipe" ? "close" : "exit", (code) => {
      if (code !== 0) {
        console.error(`${nodes[i].dir}: exit code ${code}`);
        process.exit(1);
      }
      running--;
      done++;
      for (const next of dependents[i]) {
        if (--waiting[next] === 0) ready.push(next);
      }
      if (done === nodes.length) process.exit(0);
      startReady();
    });
  }
}

startReady();
