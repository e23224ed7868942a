/**
 * Stand-in `docker` and `limactl` executables for sandbox tests. Each call
 * appends its argv, working directory, environment and stdin to
 * `calls.jsonl` beside the script, then runs the requested command on the
 * host. A test puts the directory first on the PATH of the env it passes.
 */

import { mkdir, readFile, realpath, writeFile } from "node:fs/promises";
import { tempDir } from "./temp_files.ts";
import { join } from "node:path";
import process from "node:process";

/** One recorded invocation of a stand-in. */
export interface StandInCall {
  tool: "docker" | "limactl";
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  stdin?: string;
}

const COMMON = String.raw`#!/usr/bin/env node
const fs = require("node:fs");
const path = require("node:path");
const { spawn } = require("node:child_process");
const dir = __dirname;
const argv = process.argv.slice(2);
function record(tool, extra) {
  const entry = { tool, argv, cwd: process.cwd(), env: process.env, ...extra };
  fs.appendFileSync(path.join(dir, "calls.jsonl"), JSON.stringify(entry) + "\n");
}
function runOnHost(command, options, onSpawn) {
  const child = spawn(command[0], command.slice(1), {
    cwd: options.cwd,
    env: options.env,
    stdio: [options.input === undefined ? "ignore" : "pipe", "inherit", "inherit"],
    detached: true,
  });
  if (options.input !== undefined) {
    child.stdin.on("error", () => {});
    child.stdin.end(options.input);
  }
  onSpawn(child);
  child.on("error", (error) => {
    process.stderr.write(String(error) + "\n");
    process.exit(127);
  });
  child.on("exit", (code, signal) => {
    options.onExit?.();
    process.exit(code ?? 128 + (require("node:os").constants.signals[signal] ?? 0));
  });
}
`;

const DOCKER = COMMON + String.raw`
const VALUE_FLAGS = new Set(["--name", "--mount", "-w", "-e", "--user", "--network"]);
const containers = path.join(dir, "containers");
fs.mkdirSync(containers, { recursive: true });
if (argv[0] === "kill") {
  record("docker");
  const file = path.join(containers, argv[1]);
  if (!fs.existsSync(file)) {
    process.stderr.write("Error response from daemon: No such container: " + argv[1] + "\n");
    process.exit(1);
  }
  process.kill(-Number(fs.readFileSync(file, "utf8")), "SIGKILL");
  process.stdout.write(argv[1] + "\n");
  process.exit(0);
}
if (argv[0] !== "run") {
  record("docker");
  process.exit(0);
}
const options = { env: [], mounts: [] };
let index = 1;
while (index < argv.length && argv[index].startsWith("-")) {
  const flag = argv[index];
  if (!VALUE_FLAGS.has(flag)) { index += 1; continue; }
  const value = argv[index + 1];
  if (flag === "-e") options.env.push(value);
  else if (flag === "--mount") options.mounts.push(value);
  else options[flag] = value;
  index += 2;
}
const image = argv[index];
const command = argv.slice(index + 1);
record("docker");
if (image.startsWith("missing/")) {
  process.stderr.write("Unable to find image '" + image + "' locally\n");
  process.stderr.write("docker: Error response from daemon: pull access denied for missing/image, repository does not exist or may require 'docker login'.\n");
  process.stderr.write("\nRun 'docker run --help' for more information\n");
  process.exit(125);
}
// Docker 28 ends each docker run error with a blank line and a pointer to --help.
if (process.env.STANDIN_DOCKER_DAEMON === "down") {
  process.stderr.write("docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n");
  process.stderr.write("\nRun 'docker run --help' for more information\n");
  process.exit(125);
}
if (process.env.STANDIN_DOCKER_RUN_ERROR) {
  process.stderr.write("docker: " + process.env.STANDIN_DOCKER_RUN_ERROR + "\n");
  process.stderr.write("\nRun 'docker run --help' for more information\n");
  process.exit(125);
}
const env = { PATH: process.env.PATH };
for (const name of options.env) {
  if (name.includes("=")) { process.stderr.write("value on the command line: " + name + "\n"); process.exit(125); }
  if (process.env[name] !== undefined) env[name] = process.env[name];
}
const file = options["--name"] ? path.join(containers, options["--name"]) : undefined;
runOnHost(command, { cwd: options["-w"] ?? "/", env, onExit: () => file && fs.rmSync(file, { force: true }) }, (child) => {
  if (file) fs.writeFileSync(file, String(child.pid));
});
`;

const LIMACTL = COMMON + String.raw`
const vms = JSON.parse(fs.readFileSync(path.join(dir, "lima-vms.json"), "utf8"));
if (argv[0] === "list") {
  record("limactl");
  const vm = argv[argv.length - 1];
  if (!(vm in vms)) {
    process.stderr.write('level=warning msg="No instance matching ' + vm + ' found."\n');
    process.exit(1);
  }
  process.stdout.write(vms[vm] + "\n");
  process.exit(0);
}
if (argv[0] !== "shell") {
  record("limactl");
  process.exit(0);
}
let index = 1;
let workdir;
if (argv[index] === "--workdir") { workdir = argv[index + 1]; index += 2; }
const vm = argv[index];
const command = argv.slice(index + 1);
const stdin = fs.readFileSync(0, "utf8");
record("limactl", { stdin });
if (vms[vm] !== "Running") {
  process.stderr.write("instance " + vm + " is not running\n");
  process.exit(1);
}
runOnHost(command, { cwd: workdir ?? "/", env: { PATH: process.env.PATH }, input: stdin }, () => {});
`;

/** A directory holding the stand-ins, and the env that puts them first on PATH. */
export interface StandIns {
  bin: string;
  /** An environment with only PATH (stand-ins first, then the host's PATH) and `extra`. */
  env(extra?: Record<string, string>): Record<string, string>;
  calls(): Promise<StandInCall[]>;
}

/** Writes both stand-ins into `bin`; `vms` maps Lima instance names to their status. */
export async function writeStandIns(
  bin: string,
  vms: Record<string, string> = { "async-pipeline": "Running" },
): Promise<StandIns> {
  await writeFile(join(bin, "docker"), DOCKER, { mode: 0o755 });
  await writeFile(join(bin, "limactl"), LIMACTL, { mode: 0o755 });
  await writeFile(join(bin, "lima-vms.json"), JSON.stringify(vms));
  return {
    bin,
    env: (extra = {}) => ({ PATH: `${bin}:${Deno.env.get("PATH") ?? ""}`, ...extra }),
    calls: async () => {
      let text = "";
      try {
        text = await readFile(join(bin, "calls.jsonl"), "utf8");
      } catch {
        return [];
      }
      return text.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line));
    },
  };
}

/** Waits until `check` returns true, polling every 20 ms; fails after `limitMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  limitMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Returns true while a process with `pid` exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Makes a temporary directory with a `project` directory and a `bin` directory of stand-ins. */
export async function standInProject(): Promise<{ project: string; standIns: StandIns }> {
  const root = await realpath(await tempDir());
  const project = join(root, "project");
  const bin = join(root, "bin");
  await mkdir(project);
  await mkdir(bin);
  return { project, standIns: await writeStandIns(bin) };
}
