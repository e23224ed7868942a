/**
 * Helpers for testing the npm package as a Node user gets it: build it with
 * `scripts/build_npm.ts`, `npm pack` it once, install the tarball into fresh
 * projects under each Node version, and run commands there.
 *
 * @module
 */

import { spawn } from "node:child_process";
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** Root of this repository. */
export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The Deno binary that the repository installs from npm. */
export const DENO = join(REPO_ROOT, "node_modules", ".bin", "deno");

/** Limit on any one command, so that a hang fails the test instead of stalling the suite. */
const COMMAND_TIMEOUT_MS = 180_000;

/** Output and exit code of a finished command. */
export interface CommandOutput {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command` with `args` and collects its output. Never throws on a non-zero exit. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; input?: string },
): Promise<CommandOutput> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["pipe", "pipe", "pipe"],
      timeout: COMMAND_TIMEOUT_MS,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolvePromise({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      }));
    child.stdin.end(options.input ?? "");
  });
}

/** A command started in the background. */
export interface StartedCommand {
  /** The command's pid. */
  readonly pid: number;
  /** Sends `signal` to the command's process. */
  kill(signal: NodeJS.Signals): void;
  /** Resolves when the command exits. */
  readonly output: Promise<CommandOutput>;
}

/**
 * Starts `command` in the background; `output` resolves when it exits. It
 * uses `Deno.Command` because Deno's `node:child_process` (Deno 2.9.6)
 * reports the signal passed to `kill()` even when the child handled it and
 * exited with a code, and these tests assert that code.
 */
export function startCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string> },
): StartedCommand {
  const child = new Deno.Command(command, {
    args: [...args],
    cwd: options.cwd,
    env: options.env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const decoder = new TextDecoder();
  const output = child.output().then((result) => ({
    code: result.signal === null ? result.code : null,
    signal: result.signal as NodeJS.Signals | null,
    stdout: decoder.decode(result.stdout),
    stderr: decoder.decode(result.stderr),
  }));
  return { pid: child.pid, kill: (signal) => child.kill(signal as Deno.Signal), output };
}

/**
 * Polls `check` every 50 ms until it returns true. Fails after `limitMs`, so
 * a condition that never becomes true fails the test instead of hanging it.
 */
export async function waitFor(
  condition: string,
  check: () => Promise<boolean>,
  limitMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${condition}.`);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 50));
  }
}

/**
 * Returns the shape of a JSON value: objects keep their keys (sorted) with the
 * shape of each value, arrays the shape of each item, and other values become
 * their type name. Two execution records of the same job have equal shapes
 * although ids, paths and timings differ.
 */
export function jsonShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(jsonShape);
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  const entries = Object.entries(value as Record<string, unknown>)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, item]) => [key, jsonShape(item)]);
  return Object.fromEntries(entries);
}

/** Formats a command's output for an assertion message. */
export function describeOutput(label: string, output: CommandOutput): string {
  return `${label} exited ${output.code ?? output.signal}\n` +
    `--- stdout\n${output.stdout}\n--- stderr\n${output.stderr}`;
}

/** Runs a command and fails with its output unless it exits 0. */
export async function runChecked(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<CommandOutput> {
  const output = await runCommand(command, args, options);
  if (output.code !== 0) {
    throw new Error(describeOutput(`${command} ${args.join(" ")}`, output));
  }
  return output;
}

/**
 * Returns the environment of this process without what an enclosing
 * `npm run` adds for its own package: `npm_package_*`, `npm_lifecycle_*`
 * and `npm_config_local_prefix` variables, `INIT_CWD`, and the
 * `node_modules/.bin` folders on `PATH` (where this repository's
 * `node_modules/.bin/node` is Node 24). npm in a test project then reads
 * only that project, and `node` is the machine's own. `pathFirst` goes
 * first on `PATH`.
 */
export function projectEnv(pathFirst?: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^npm_(package|lifecycle)_/i.test(key)) continue;
    if (["npm_config_local_prefix", "npm_execpath", "npm_node_execpath"].includes(key)) continue;
    if (key === "INIT_CWD" || key === "NODE") continue;
    env[key] = value;
  }
  const path = (env.PATH ?? "").split(delimiter)
    .filter((entry) => entry !== "" && !/[\\/]node_modules[\\/]\.bin[\\/]?$/.test(entry));
  env.PATH = (pathFirst ? [pathFirst, ...path] : path).join(delimiter);
  env.npm_config_update_notifier = "false";
  env.npm_config_fund = "false";
  env.npm_config_audit = "false";
  return env;
}

/** A Node.js installation that test projects run under. */
export interface NodeRuntime {
  /** Label used in test names, such as `Node 20`. */
  readonly label: string;
  /** Major version the runtime must report. */
  readonly major: number;
  /** Directory put first on `PATH`, so `node`, `npm` and `npx` run on this Node. */
  readonly binDir?: string;
}

/** The machine's own Node, found on `PATH`. */
export const SYSTEM_NODE: NodeRuntime = { label: "Node 20", major: 20 };

/** Node 24 from the npm package `node@24`, a development dependency. */
export const NODE_24: NodeRuntime = {
  label: "Node 24",
  major: 24,
  binDir: join(REPO_ROOT, "node_modules", "node", "bin"),
};

/** One file of the tarball. */
export interface PackedFile {
  readonly path: string;
  /** Unix permission bits, such as `0o755` for an executable. */
  readonly mode: number;
}

/** The built package and its tarball. */
export interface BuiltPackage {
  /** Temporary directory holding both; removed by `removeBuild`. */
  readonly root: string;
  /** The package directory written by the build script. */
  readonly packageDir: string;
  /** The `npm pack` tarball. */
  readonly tarball: string;
  /** Files in the tarball with their modes, as `npm pack --json` lists them. */
  readonly files: readonly PackedFile[];
}

/** Builds the package into a temporary directory with the build script, then packs it. */
export async function buildAndPack(): Promise<BuiltPackage> {
  const root = await mkdtemp(join(tmpdir(), "async-pipeline-npm-"));
  const packageDir = join(root, "package");
  const env = projectEnv();
  await runChecked(DENO, ["run", "-A", "scripts/build_npm.ts", "--out", packageDir], {
    cwd: REPO_ROOT,
    env,
  });
  const packed = await runChecked(
    "npm",
    ["pack", packageDir, "--pack-destination", root, "--json"],
    { cwd: root, env },
  );
  const [summary] = JSON.parse(packed.stdout) as { filename: string; files: PackedFile[] }[];
  return {
    root,
    packageDir,
    tarball: join(root, summary.filename),
    files: summary.files
      .map(({ path, mode }) => ({ path, mode }))
      .sort((a, b) => a.path.localeCompare(b.path)),
  };
}

/** Removes a build and everything inside its temporary directory. */
export async function removeBuild(build: BuiltPackage): Promise<void> {
  await rm(build.root, { recursive: true, force: true });
}

/** A fresh npm project with the packed package installed, bound to one Node runtime. */
export class NodeProject {
  private constructor(
    readonly dir: string,
    readonly runtime: NodeRuntime,
    readonly env: Record<string, string>,
  ) {}

  /**
   * Creates a project in a new directory under `parent`, writes `files`
   * (paths relative to the project) and installs `tarball` with npm running
   * on `runtime`.
   */
  static async create(
    parent: string,
    runtime: NodeRuntime,
    tarball: string,
    files: Readonly<Record<string, string>>,
  ): Promise<NodeProject> {
    const dir = await mkdtemp(join(parent, "project-"));
    // A private TMPDIR keeps Node's compile cache and jiti's cache inside the build.
    const env = { ...projectEnv(runtime.binDir), TMPDIR: await mkdtemp(join(parent, "tmp-")) };
    const project = new NodeProject(dir, runtime, env);
    for (const [path, text] of Object.entries(files)) await project.write(path, text);
    await runChecked(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball],
      { cwd: dir, env: project.env },
    );
    return project;
  }

  /** Writes a file, creating its directory. */
  async write(path: string, text: string): Promise<void> {
    const target = join(this.dir, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  }

  /** Reads a file of the project. */
  async read(path: string): Promise<string> {
    return await readFile(join(this.dir, path), "utf8");
  }

  /** Runs the installed `async-pipeline` bin through `npx`, never fetching it from a registry. */
  async bin(args: readonly string[], env: Record<string, string> = {}): Promise<CommandOutput> {
    return await this.exec("npx", ["--no", "--", "async-pipeline", ...args], env);
  }

  /**
   * Starts the installed bin directly (not through `npx`), so that a signal
   * sent to the returned command reaches the CLI's own process.
   */
  startBin(args: readonly string[]): StartedCommand {
    const bin = join(this.dir, "node_modules", ".bin", "async-pipeline");
    return startCommand(bin, args, { cwd: this.dir, env: this.env });
  }

  /** Removes a file of the project. */
  async remove(path: string): Promise<void> {
    await rm(join(this.dir, path), { force: true });
  }

  /** Reports whether a file of the project exists. */
  async exists(path: string): Promise<boolean> {
    try {
      await access(join(this.dir, path));
      return true;
    } catch {
      return false;
    }
  }

  /** Runs `npm` in the project. */
  async npm(args: readonly string[], env: Record<string, string> = {}): Promise<CommandOutput> {
    return await this.exec("npm", args, env);
  }

  /** Runs `node` in the project. */
  async node(args: readonly string[], env: Record<string, string> = {}): Promise<CommandOutput> {
    return await this.exec("node", args, env);
  }

  /** Runs any command in the project with this runtime first on `PATH`, plus `env`. */
  async exec(
    command: string,
    args: readonly string[],
    env: Record<string, string> = {},
  ): Promise<CommandOutput> {
    return await runCommand(command, args, { cwd: this.dir, env: { ...this.env, ...env } });
  }
}

/**
 * A Deno user project that maps `@async/pipeline` in its own `deno.json`,
 * either to this repository's modules by path or to `jsr:@async/pipeline`
 * with this repository linked in place of the registry.
 */
export class DenoProject {
  private constructor(readonly dir: string, readonly env: Record<string, string>) {}

  /** Creates a project in a new directory under `parent` holding `files`. */
  static async create(
    parent: string,
    files: Readonly<Record<string, string>>,
  ): Promise<DenoProject> {
    const dir = await mkdtemp(join(parent, "deno-project-"));
    const env = { ...projectEnv(), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
    return new DenoProject(dir, env);
  }

  /** Runs `deno` with `args` in the project. */
  async deno(args: readonly string[], env: Record<string, string> = {}): Promise<CommandOutput> {
    return await runCommand(DENO, args, { cwd: this.dir, env: { ...this.env, ...env } });
  }
}

/** `deno.json` of a user project that maps every subpath to this repository's source modules. */
export async function denoPathImportMap(): Promise<string> {
  const config = JSON.parse(await readFile(join(REPO_ROOT, "deno.json"), "utf8")) as {
    exports: Record<string, string>;
  };
  const imports: Record<string, string> = {};
  for (const [subpath, source] of Object.entries(config.exports)) {
    const specifier = subpath === "." ? "@async/pipeline" : `@async/pipeline/${subpath.slice(2)}`;
    imports[specifier] = join(REPO_ROOT, source);
  }
  return `${JSON.stringify({ imports }, null, 2)}\n`;
}

/**
 * `deno.json` of a user project that imports `jsr:@async/pipeline` and links
 * `packageDir` (a JSR build) in its place, the way the published package
 * resolves.
 */
export async function denoLinkedConfig(packageDir: string): Promise<string> {
  const config = JSON.parse(await readFile(join(packageDir, "deno.json"), "utf8")) as {
    version: string;
  };
  return `${
    JSON.stringify(
      {
        links: [packageDir],
        imports: { "@async/pipeline": `jsr:@async/pipeline@^${config.version}` },
      },
      null,
      2,
    )
  }\n`;
}
