/**
 * Package-manager detection: which of pnpm, npm, Yarn or Deno a project
 * uses, read from its manifests and lockfiles, and the commands the
 * generated workflow runs with it.
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCode, PipelineError } from "../../core/errors.ts";

/** A package manager the workflow generator supports. */
export type PackageManagerName = "pnpm" | "npm" | "yarn" | "deno";

/** The project's package manager, as the generator detected it. */
export interface PackageManager {
  readonly name: PackageManagerName;
  /** Lockfile path relative to the project root; part of the cache key when present. */
  readonly lockfile?: string;
  /** The file or field the manager was recognized from, such as `pnpm-lock.yaml`. */
  readonly detectedFrom: string;
  /**
   * pnpm major version for `pnpm/action-setup`, derived from the lockfile
   * format. Absent when `package.json` declares `packageManager`, which the
   * action reads itself.
   */
  readonly pnpmVersion?: string;
  /** True for Yarn 2 or later, which the workflow enables through Corepack. */
  readonly yarnBerry?: boolean;
}

/** Lockfiles in the order they decide the package manager. */
const LOCKFILES: readonly { file: string; name: PackageManagerName }[] = [
  { file: "pnpm-lock.yaml", name: "pnpm" },
  { file: "yarn.lock", name: "yarn" },
  { file: "package-lock.json", name: "npm" },
  { file: "npm-shrinkwrap.json", name: "npm" },
  { file: "deno.lock", name: "deno" },
];

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

async function readPackageJson(dir: string): Promise<Record<string, unknown> | undefined> {
  const text = await readText(join(dir, "package.json"));
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : {};
  } catch (error) {
    throw new PipelineError(
      ErrorCode.CONFIG_LOAD_FAILED,
      `package.json in ${dir} is not valid JSON: ${(error as Error).message}`,
      { path: "package.json", hint: "Fix package.json, then generate the workflow again." },
    );
  }
}

/** Parses `package.json#packageManager`, such as `pnpm@9.15.0`. */
function declaredManager(
  manifest: Record<string, unknown> | undefined,
): { name: "pnpm" | "npm" | "yarn"; major: number } | undefined {
  const field = manifest?.packageManager;
  if (typeof field !== "string") return undefined;
  const match = /^(pnpm|npm|yarn)@(\d+)/.exec(field);
  if (!match) return undefined;
  return { name: match[1] as "pnpm" | "npm" | "yarn", major: Number(match[2]) };
}

/**
 * Detects the project's package manager. `package.json#packageManager` wins,
 * then the first lockfile found (pnpm, Yarn, npm, Deno in that order), then
 * the manifests: `package.json` means npm, `deno.json` or `deno.jsonc` Deno.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_CONFIG_NOT_FOUND` when the project
 * has neither a manifest nor a lockfile.
 */
export async function detectPackageManager(dir: string): Promise<PackageManager> {
  const manifest = await readPackageJson(dir);
  const declared = declaredManager(manifest);
  const lockfiles: { file: string; name: PackageManagerName; text: string }[] = [];
  for (const candidate of LOCKFILES) {
    const text = await readText(join(dir, candidate.file));
    if (text !== undefined) lockfiles.push({ ...candidate, text });
  }

  const detected = declared
    ? { name: declared.name, file: "package.json#packageManager" }
    : lockfiles[0] ?? await manifestManager(dir, manifest);
  const chosen = detected.name;
  const detectedFrom = detected.file;
  const lock = lockfiles.find((entry) => entry.name === chosen);
  const base = { name: chosen, detectedFrom, ...(lock ? { lockfile: lock.file } : {}) };

  if (chosen === "pnpm" && declared?.name !== "pnpm") {
    return { ...base, pnpmVersion: pnpmMajorForLockfile(lock?.text) };
  }
  if (chosen === "yarn") {
    const berry = declared?.name === "yarn"
      ? declared.major >= 2
      : (await readText(join(dir, ".yarnrc.yml"))) !== undefined ||
        (lock?.text.includes("__metadata:") ?? false);
    return { ...base, yarnBerry: berry };
  }
  return base;
}

/** Returns the package manager that the manifests imply, with the manifest it came from. */
async function manifestManager(
  dir: string,
  manifest: Record<string, unknown> | undefined,
): Promise<{ name: PackageManagerName; file: string }> {
  if (manifest !== undefined) return { name: "npm", file: "package.json" };
  for (const file of ["deno.json", "deno.jsonc"]) {
    if ((await readText(join(dir, file))) !== undefined) return { name: "deno", file };
  }
  throw new PipelineError(
    ErrorCode.CONFIG_NOT_FOUND,
    `No package.json, deno.json, deno.jsonc or lockfile in ${dir}, so the workflow cannot tell how to install the project.`,
    { hint: "Add package.json (pnpm, npm or Yarn) or deno.json next to the pipeline file." },
  );
}

/**
 * Maps a pnpm lockfile format to the pnpm major that writes it: format 9 is
 * written by pnpm 9 and 10, 6 by pnpm 8, 5.4 by pnpm 7.
 */
function pnpmMajorForLockfile(text: string | undefined): string {
  const match = /^lockfileVersion:\s*'?(\d+)/m.exec(text ?? "");
  const format = match ? Number(match[1]) : 9;
  if (format >= 9) return "9";
  if (format >= 6) return "8";
  return "7";
}

/** Returns the command that installs dependencies, or undefined when nothing needs installing. */
export function installCommand(manager: PackageManager): string | undefined {
  const locked = manager.lockfile !== undefined;
  switch (manager.name) {
    case "pnpm":
      return locked ? "pnpm install --frozen-lockfile" : "pnpm install";
    case "npm":
      return locked ? "npm ci" : "npm install";
    case "yarn":
      if (!locked) return "yarn install";
      return manager.yarnBerry ? "yarn install --immutable" : "yarn install --frozen-lockfile";
    case "deno":
      // Without a lockfile, `deno run` fetches the pipeline's imports on first use.
      return locked ? "deno install --frozen" : undefined;
  }
}

/** Returns the command that runs one pipeline job through the package manager. */
export function runCommand(manager: PackageManager, jobId: string, configArgs = ""): string {
  const args = `run ${jobId}${configArgs}`;
  switch (manager.name) {
    case "pnpm":
      return `pnpm async-pipeline ${args}`;
    case "npm":
      return `npx async-pipeline ${args}`;
    case "yarn":
      return `yarn async-pipeline ${args}`;
    case "deno":
      return `deno run -A jsr:@async/pipeline/cli ${args}`;
  }
}
