// Measures the peak memory of a shell command's whole process tree.
//
//   node memtree.mjs [--interval 20] -- COMMAND...
//
// Runs `/usr/bin/time -f %M sh -c COMMAND` and samples /proc every --interval
// milliseconds, adding up the resident set size (RSS) of every descendant.
// Shared pages count once per process, so the tree sum slightly overstates,
// and a process shorter than the interval can be missed. Prints one JSON line:
//   {exit, wallMs, peakTreeRssKb, peakProcesses, maxSingleRssKb}
// maxSingleRssKb is GNU time's maximum RSS, getrusage(RUSAGE_CHILDREN): the
// largest single process of the tree, normally the task runner itself.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

const PAGE_KB = 4;
const args = process.argv.slice(2);
const separator = args.indexOf("--");
const options = args.slice(0, Math.max(separator, 0));
const command = args.slice(separator + 1).join(" ");
let interval = 20;
for (let i = 0; i < options.length; i++) {
  if (options[i] === "--interval") interval = Number(options[++i]);
}

/** Returns pid -> {ppid, rssKb} for every process. */
function processTable() {
  const table = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      table.set(Number(entry), {
        ppid: Number(fields[1]),
        rssKb: Number(fields[21]) * PAGE_KB,
      });
    } catch {
      // The process exited between readdir and read.
    }
  }
  return table;
}

/** Adds up the RSS of `rootPid` and its descendants. */
function treeRss(rootPid) {
  const table = processTable();
  const children = new Map();
  for (const [pid, info] of table) {
    if (!children.has(info.ppid)) children.set(info.ppid, []);
    children.get(info.ppid).push(pid);
  }
  let rssKb = 0;
  let processes = 0;
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop();
    const info = table.get(pid);
    if (info) {
      rssKb += info.rssKb;
      processes++;
    }
    for (const child of children.get(pid) ?? []) stack.push(child);
  }
  return { rssKb, processes };
}

const tempDir = mkdtempSync(join(tmpdir(), "memtree-"));
const timeFile = join(tempDir, "maxrss");
const started = process.hrtime.bigint();
const child = spawn("/usr/bin/time", [
  "-f",
  "%M",
  "-o",
  timeFile,
  "sh",
  "-c",
  command,
], {
  stdio: ["ignore", "ignore", "inherit"],
});
let peakTreeRssKb = 0;
let peakProcesses = 0;
const timer = setInterval(() => {
  const { rssKb, processes } = treeRss(child.pid);
  peakTreeRssKb = Math.max(peakTreeRssKb, rssKb);
  peakProcesses = Math.max(peakProcesses, processes);
}, interval);

child.on("exit", (code) => {
  clearInterval(timer);
  const wallMs = Math.round(Number(process.hrtime.bigint() - started) / 1e6);
  let maxSingleRssKb = null;
  try {
    maxSingleRssKb = Number(
      readFileSync(timeFile, "utf8").trim().split("\n").pop(),
    );
  } catch {
    // GNU time writes nothing when the command could not start.
  }
  rmSync(tempDir, { recursive: true, force: true });
  const result = {
    exit: code,
    wallMs,
    peakTreeRssKb,
    peakProcesses,
    maxSingleRssKb,
  };
  console.log(JSON.stringify(result));
  process.exit(0);
});
