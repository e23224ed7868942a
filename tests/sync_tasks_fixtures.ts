/** Temp projects and CLI runners shared by the task sync tests. */

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../cli/app.ts";
import { BufferSink } from "../cli/io.ts";
import { tempDir } from "./support/temp_files.ts";

/** The repository's public module, imported by temp pipelines through its absolute URL. */
export const MOD_URL = new URL("../mod.ts", import.meta.url).href;
/** The CLI entry module, for subprocess runs. */
export const CLI_MAIN = fileURLToPath(new URL("../cli/main.ts", import.meta.url));

/** Creates a temp project holding `files` (path to content). */
export async function makeProject(files: Record<string, string>): Promise<string> {
  const dir = await tempDir("async-pipeline-sync-");
  await writeFiles(dir, files);
  return dir;
}

/** Writes files under `dir`, creating directories. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

/** Reads a project file as text. */
export function read(dir: string, path: string): Promise<string> {
  return readFile(join(dir, path), "utf8");
}

/** Returns pipeline.ts source with two tasks, the given jobs and the given `sync.tasks` literal. */
export function pipelineSource(syncTasks: string, jobs: string[] = ["verify"]): string {
  const jobLines = jobs.map((id) => `    ${JSON.stringify(id)}: job({ target: "test" }),`);
  return [
    `import { definePipeline, job, sh, task } from "${MOD_URL}";`,
    "",
    "export default definePipeline({",
    '  name: "app",',
    `  sync: { tasks: ${syncTasks} },`,
    "  tasks: {",
    "    lint: task({ run: sh`echo lint` }),",
    "    test: task({ run: sh`echo test` }),",
    "  },",
    "  jobs: {",
    ...jobLines,
    "  },",
    "});",
    "",
  ].join("\n");
}

/** The outcome of one CLI invocation. */
export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in process with `cwd` and an empty environment. */
export async function cli(cwd: string, ...args: string[]): Promise<CliOutcome> {
  const stdout = new BufferSink();
  const stderr = new BufferSink();
  const code = await runCli(args, {
    cwd,
    env: {},
    stdout,
    stderr,
    signal: new AbortController().signal,
    debug: false,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/**
 * Runs a command as a subprocess in `cwd` with a minimal environment: PATH led
 * by the current Deno binary's directory, and HOME and DENO_DIR so Deno finds
 * its cache.
 */
export async function spawn(cwd: string, command: string, args: string[]): Promise<CliOutcome> {
  const env: Record<string, string> = {
    PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`,
    NO_COLOR: "1",
  };
  for (const name of ["HOME", "DENO_DIR"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  const output = await new Deno.Command(command, {
    args,
    cwd,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Runs the CLI as a fresh Deno process, so an edited pipeline.ts is imported anew. */
export function cliProcess(cwd: string, ...args: string[]): Promise<CliOutcome> {
  return spawn(cwd, Deno.execPath(), ["run", "-A", CLI_MAIN, ...args]);
}
