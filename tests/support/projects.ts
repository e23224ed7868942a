/** Temporary projects and CLI subprocesses for runner tests. */

import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { ExecutionRecord } from "../../node/types.ts";
import { tempDir } from "./temp_files.ts";

/** Absolute path of the repository root. */
export const REPO_DIR = fileURLToPath(new URL("../../", import.meta.url));

/** File URL of the repository's public module. */
export const MOD_URL = new URL("../../mod.ts", import.meta.url).href;

const DENO = join(REPO_DIR, "node_modules/.bin/deno");

/**
 * Creates a temporary project whose `pipeline.ts` is `source`, with `@mod`
 * replaced by the file URL of the repository's `mod.ts`.
 */
export async function makeProject(source: string): Promise<string> {
  const dir = await tempDir("async-pipeline-run-");
  await writeFile(join(dir, "pipeline.ts"), source.replaceAll("@mod", MOD_URL));
  return dir;
}

/** Environment for CLI subprocesses: this process's env without CI or color settings. */
export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = Deno.env.toObject();
  delete env.CI;
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  delete env.ASYNC_PIPELINE_MAX_LOG_BYTES;
  delete env.ASYNC_PIPELINE_KEEP_RUNS;
  delete env.ASYNC_PIPELINE_CACHE_SECRET;
  return { ...env, ...extra };
}

/** Argv that runs the CLI from the repository with `args`. */
export function cliArgs(args: string[]): string[] {
  return [
    "run",
    "--config",
    join(REPO_DIR, "deno.json"),
    "-A",
    join(REPO_DIR, "cli/main.ts"),
    ...args,
  ];
}

/** Spawns the CLI in `cwd` with piped output. */
export function spawnCli(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Deno.ChildProcess {
  return new Deno.Command(DENO, {
    args: cliArgs(args),
    cwd,
    env: baseEnv(env),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Output of a finished CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Decodes the exit code and output of a finished CLI process. */
export function decodedOutput(output: Deno.CommandOutput): CliResult {
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Runs the CLI in `cwd` to completion. */
export async function runCli(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const output = await spawnCli(cwd, args, env).output();
  return decodedOutput(output);
}

/** Node 24 from the repository's devDependencies, which runs the TypeScript sources directly. */
const NODE = join(REPO_DIR, "node_modules/.bin/node");

/** Runs the CLI from the repository's sources under Deno or Node, in `cwd`, to completion. */
export async function runCliUnder(
  runtime: "deno" | "node",
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  if (runtime === "deno") return await runCli(cwd, args, env);
  const output = await new Deno.Command(NODE, {
    args: [join(REPO_DIR, "cli/main.ts"), ...args],
    cwd,
    env: baseEnv(env),
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return decodedOutput(output);
}

/** Command line that runs the CLI, for use inside a shell script. */
export function cliCommandLine(args: string[]): string {
  return [DENO, ...cliArgs(args)].map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(" ");
}

/** Command line that runs the CLI from the sources under Deno or Node, for a shell script. */
export function cliCommandLineUnder(runtime: "deno" | "node", args: string[]): string {
  if (runtime === "deno") return cliCommandLine(args);
  return [NODE, join(REPO_DIR, "cli/main.ts"), ...args]
    .map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(" ");
}

/** Polls `check` every 25ms until it returns true, and fails after `limitMs`. */
export async function waitFor(
  description: string,
  check: () => boolean | Promise<boolean>,
  limitMs = 15_000,
): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Returns true when the file exists and is not empty. */
export async function hasContent(path: string): Promise<boolean> {
  try {
    return (await readFile(path, "utf8")).trim() !== "";
  } catch {
    return false;
  }
}

/** Returns true when `pid` is a live process (zombies count as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

/** Reads the record of the only run in `projectDir`, or of the newest run. */
export async function readLatestRecord(
  projectDir: string,
): Promise<{ record: ExecutionRecord; dir: string }> {
  const root = join(projectDir, ".async/runs");
  const ids = (await readdir(root)).sort();
  const dir = join(root, ids[ids.length - 1]);
  return { record: JSON.parse(await readFile(join(dir, "execution.json"), "utf8")), dir };
}

/** Reads every file under a run directory into one string, to search for leaked values. */
export async function readRunFiles(runDir: string): Promise<string> {
  const parts: string[] = [];
  for (const entry of await readdir(runDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    parts.push(await readFile(join(entry.parentPath ?? entry.path, entry.name), "utf8"));
  }
  return parts.join("\n");
}
