/**
 * Resolution of `sync.tasks` targets into the manifest files that receive
 * entries: the root manifests by default, a workspace package's manifests for
 * `{ package }`, or one named file for `{ path }`.
 *
 * @module
 */

import { access } from "node:fs/promises";
import { basename, join, posix } from "node:path";
import { didYouMean, ErrorCode, isPipelineError, PipelineError } from "../../../core/errors.ts";
import type { NormalizedTaskSync } from "../../../core/model.ts";
import type { TaskSyncTarget } from "../../../core/types.ts";
import type { ManifestKind } from "./render.ts";
import { listWorkspacePackages, type WorkspacePackage } from "./workspace.ts";

/** A manifest file that receives generated entries. */
export interface TaskManifest {
  /** Path relative to the project root, with forward slashes. */
  readonly path: string;
  readonly kind: ManifestKind;
  /** The object that contains the entries: `scripts` in package.json, `tasks` in deno.json(c). */
  readonly field: "scripts" | "tasks";
}

/** Returns the manifest kind and entry field of a file name, or undefined for other files. */
export function manifestOf(path: string): TaskManifest | undefined {
  const name = basename(path);
  if (name === "package.json") return { path, kind: "package", field: "scripts" };
  if (name === "deno.json" || name === "deno.jsonc") return { path, kind: "deno", field: "tasks" };
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Lists the manifests of the given runners that exist in a directory. */
async function manifestsIn(
  root: string,
  dir: string,
  runners: NormalizedTaskSync["runners"],
): Promise<TaskManifest[]> {
  const candidates: string[][] = [];
  if (runners.includes("package")) candidates.push(["package.json"]);
  // Deno reads deno.json before deno.jsonc when a directory has both.
  if (runners.includes("deno")) candidates.push(["deno.json", "deno.jsonc"]);

  const manifests: TaskManifest[] = [];
  for (const names of candidates) {
    for (const name of names) {
      const path = posix.join(dir, name);
      if (!(await exists(join(root, path)))) continue;
      manifests.push(manifestOf(path) as TaskManifest);
      break;
    }
  }
  return manifests;
}

function runnerFiles(runners: NormalizedTaskSync["runners"]): string {
  const files = [
    ...(runners.includes("package") ? ["package.json"] : []),
    ...(runners.includes("deno") ? ["deno.json", "deno.jsonc"] : []),
  ];
  return files.join(" or ");
}

/** Codes of the target problems that are collected, so one run reports them all. */
const TARGET_ERRORS: ReadonlySet<string> = new Set([
  ErrorCode.SYNC_TARGET_NOT_FOUND,
  ErrorCode.INVALID_FIELD,
]);

/** Resolves every target to its manifests, in target order and without duplicates. */
export async function resolveManifests(
  root: string,
  sync: NormalizedTaskSync,
): Promise<TaskManifest[]> {
  const resolved: TaskManifest[] = [];
  if (sync.targets.length === 0) {
    resolved.push(...await manifestsIn(root, ".", sync.runners));
    if (resolved.length === 0) {
      throw new PipelineError(
        ErrorCode.SYNC_TARGET_NOT_FOUND,
        `sync.tasks found no ${runnerFiles(sync.runners)} in the project root ${root}.`,
        {
          path: "sync.tasks",
          hint: "Create the manifest, or name the manifests to write in sync.tasks.targets.",
        },
      );
    }
  }

  // Every target is resolved before failing, so one run reports each missing target.
  const failures: PipelineError[] = [];
  let packages: WorkspacePackage[] | undefined;
  for (const [index, target] of sync.targets.entries()) {
    const at = `sync.tasks.targets[${index}]`;
    try {
      if ("path" in target) {
        resolved.push(await resolvePathTarget(root, target, at));
        continue;
      }
      packages ??= await listWorkspacePackages(root);
      resolved.push(...await resolvePackageTarget(root, target, packages, sync.runners, at));
    } catch (error) {
      if (!isPipelineError(error) || !TARGET_ERRORS.has(error.code)) throw error;
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw targetsNotFound(failures);

  const seen = new Set<string>();
  return resolved.filter((manifest) => !seen.has(manifest.path) && seen.add(manifest.path));
}

/**
 * Builds one error for several targets that were not found. Each issue keeps
 * its target's path, and its message drops the path prefix that the single
 * error's message starts with.
 */
function targetsNotFound(failures: readonly PipelineError[]): PipelineError {
  const issues = failures.map((failure) => {
    const prefix = `${failure.path}: `;
    const message = failure.message.startsWith(prefix)
      ? failure.message.slice(prefix.length)
      : failure.message;
    return { code: failure.code, path: failure.path, message, hint: failure.hint };
  });
  return PipelineError.fromIssues(issues, "sync.tasks.targets");
}

/** The other Deno config file name, which Deno reads when this one is missing. */
const DENO_CONFIG_ALTERNATIVE: Readonly<Record<string, string>> = {
  "deno.json": "deno.jsonc",
  "deno.jsonc": "deno.json",
};

async function resolvePathTarget(
  root: string,
  target: { path: string },
  at: string,
): Promise<TaskManifest> {
  const path = posix.normalize(target.path.replaceAll("\\", "/"));
  const manifest = manifestOf(path) as TaskManifest;
  if (!(await exists(join(root, path)))) {
    const alternative = DENO_CONFIG_ALTERNATIVE[basename(path)];
    const beside = alternative === undefined
      ? undefined
      : posix.join(posix.dirname(path), alternative);
    const hint = beside !== undefined && await exists(join(root, beside))
      ? `${beside} exists beside it. Use { path: ${JSON.stringify(beside)} } in sync.tasks.targets.`
      : "Create the manifest, or fix the path in sync.tasks.targets.";
    throw new PipelineError(
      ErrorCode.SYNC_TARGET_NOT_FOUND,
      `${at}: ${path} does not exist in ${root}.`,
      { path: at, hint },
    );
  }
  const shadowing = basename(path) === "deno.jsonc"
    ? posix.join(posix.dirname(path), "deno.json")
    : undefined;
  if (shadowing !== undefined && await exists(join(root, shadowing))) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      `${at}: Deno reads ${shadowing} and ignores ${path} beside it, so \`deno task\` would not ` +
        "see the entries written there.",
      {
        path: at,
        hint: `Use { path: ${JSON.stringify(shadowing)} } in sync.tasks.targets, ` +
          `or merge ${path} into ${shadowing} and remove it.`,
      },
    );
  }
  return manifest;
}

async function resolvePackageTarget(
  root: string,
  target: Extract<TaskSyncTarget, { package: string }>,
  packages: readonly WorkspacePackage[],
  runners: NormalizedTaskSync["runners"],
  at: string,
): Promise<TaskManifest[]> {
  const matches = packages.filter((candidate) => candidate.name === target.package);
  if (matches.length === 0) {
    const names = packages.map((candidate) => candidate.name);
    throw new PipelineError(
      ErrorCode.SYNC_TARGET_NOT_FOUND,
      `${at}: no package.json in the workspace has the name "${target.package}".`,
      {
        path: at,
        hint: didYouMean(target.package, names) ||
          (names.length > 0
            ? `Workspace packages: ${names.join(", ")}.`
            : "Declare the package in package.json#workspaces or pnpm-workspace.yaml."),
      },
    );
  }
  if (matches.length > 1) {
    throw new PipelineError(
      ErrorCode.SYNC_TARGET_NOT_FOUND,
      `${at}: several workspace packages are named "${target.package}": ${
        matches.map((match) => match.dir).join(", ")
      }.`,
      { path: at, hint: 'Use { path: "<dir>/package.json" } to pick one.' },
    );
  }

  const manifests = await manifestsIn(root, matches[0].dir, runners);
  if (manifests.length === 0) {
    throw new PipelineError(
      ErrorCode.SYNC_TARGET_NOT_FOUND,
      `${at}: package "${target.package}" in ${matches[0].dir} has no ${runnerFiles(runners)}.`,
      { path: at, hint: "Add the runner of the manifest it has to sync.tasks.runners." },
    );
  }
  return manifests;
}
