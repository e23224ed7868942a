/** `async-pipeline metadata`: describe the pipeline without running anything. @module */

import { relative } from "node:path";
import { ErrorCode, isPipelineError } from "../../core/errors.ts";
import { pipelineMetadata } from "../../core/metadata.ts";
import type { Pipeline } from "../../core/model.ts";
import { loadPipeline } from "../../node/load.ts";
import { inspectSources } from "../../node/sources/inspect.ts";
import { resolveManifests } from "../../node/sync/tasks/manifests.ts";
import type { ProcessEnv } from "../../node/types.ts";
import { parseCommandArgs, parseFormat } from "../args.ts";
import type { CliContext } from "../io.ts";
import type { CliCommand } from "../registry.ts";
import { METADATA } from "./specs.ts";

async function runMetadata(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs("metadata", args, {
    format: { type: "string" },
    config: { type: "string" },
    "include-sources": { type: "boolean" },
  }, false);
  const format = parseFormat(values.format, ["json", "text"] as const, "text");
  const loaded = await loadPipeline(ctx.cwd, values.config);
  const metadata = values["include-sources"]
    ? await metadataWithSources(loaded.pipeline, loaded.dir, ctx.env)
    : pipelineMetadata(loaded.pipeline);
  if (format === "json") {
    ctx.stdout.write(`${JSON.stringify(metadata, null, 2)}\n`);
    return 0;
  }
  const manifests = await findSyncedManifests(loaded.pipeline, loaded.dir);
  ctx.stdout.write(
    renderText(loaded.pipeline.name, metadata, {
      includeSources: values["include-sources"] === true,
      cwd: loaded.dir,
      manifests,
    }),
  );
  return 0;
}

/** The manifests that task sync writes, as found on disk. */
interface SyncedManifests {
  /** Each manifest and its entry field, such as `deno.jsonc tasks`. Empty when a target is missing. */
  readonly files: readonly string[];
  /** One line for each target that was not found. */
  readonly problems: readonly string[];
}

/**
 * Finds the manifests that task sync writes, or the targets that were not
 * found. Returns undefined without task sync.
 */
async function findSyncedManifests(
  pipeline: Pipeline,
  dir: string,
): Promise<SyncedManifests | undefined> {
  const sync = pipeline.sync.tasks;
  if (sync === undefined) return undefined;
  try {
    const manifests = await resolveManifests(dir, sync);
    const files = manifests.map((manifest) => `${manifest.path} ${manifest.field}`);
    return { files, problems: [] };
  } catch (error) {
    if (!isPipelineError(error) || error.code !== ErrorCode.SYNC_TARGET_NOT_FOUND) throw error;
    const problems = error.issues.map((issue) =>
      issue.path === undefined || issue.message.startsWith(issue.path)
        ? issue.message
        : `${issue.path}: ${issue.message}`
    );
    return { files: [], problems };
  }
}

/**
 * Returns the metadata of the root pipeline with the tasks of the sources
 * on disk composed in, and for each source whether its pipeline was read.
 */
async function metadataWithSources(
  root: Pipeline,
  projectDir: string,
  env: ProcessEnv,
): Promise<Record<string, unknown>> {
  const inspected = await inspectSources(root, projectDir, env);
  const metadata = pipelineMetadata(inspected.pipeline);
  const declared = metadata.sources as Record<string, Record<string, unknown>>;
  for (const source of inspected.sources) {
    declared[source.id] = {
      ...declared[source.id],
      dir: source.dir,
      loaded: source.pipeline !== undefined,
      ...(source.pipeline ? { pipelineName: source.pipeline.name } : {}),
      ...(source.commit !== undefined ? { commit: source.commit } : {}),
      ...(source.dirty !== undefined ? { dirty: source.dirty } : {}),
      ...(source.reason !== undefined ? { reason: source.reason } : {}),
    };
  }
  return metadata;
}

type SourceMetadata = {
  type: string;
  loaded?: boolean;
  dir?: string;
  commit?: string;
  reason?: string;
};

function sourceLines(sources: Record<string, SourceMetadata>, cwd: string): string[] {
  const lines = ["", "sources:"];
  for (const [id, source] of Object.entries(sources)) {
    const where = source.dir === undefined ? "" : ` ${relative(cwd, source.dir) || "."}`;
    const state = source.loaded
      ? `loaded${source.commit ? ` at ${source.commit.slice(0, 12)}` : ""}`
      : `not loaded: ${source.reason}`;
    lines.push(`  ${id} (${source.type}${where}): ${state}`);
  }
  return lines;
}

type EnvMetadata =
  | { type: "literal"; value: string }
  | { type: "secret"; name: string }
  | { type: "var"; name: string; default?: string; map?: Record<string, string> };

type JobMetadata = {
  targets: string[];
  triggers: string[];
  environment?: { name: string; url?: string };
  requires: { provenance: boolean };
  env: Record<string, EnvMetadata>;
  github: { permissions?: Record<string, string>; runsOn?: string; timeoutMinutes?: number };
};

/**
 * Renders the GitHub settings of a job's generated workflow job: its
 * environment, permissions, runner and timeout. The `idToken write` that
 * `requires.provenance` grants is listed with the permissions.
 */
function jobGithubLines(job: JobMetadata): string[] {
  const lines: string[] = [];
  if (job.environment) {
    const url = job.environment.url === undefined ? "" : ` (${job.environment.url})`;
    lines.push(`    environment: ${job.environment.name}${url}`);
  }
  const levels: Record<string, string> = { ...job.github.permissions };
  if (job.requires.provenance && levels.idToken === undefined) {
    levels.idToken = "write (requires.provenance)";
  }
  const permissions = Object.entries(levels).map(([scope, level]) => `${scope} ${level}`);
  if (permissions.length > 0) lines.push(`    permissions: ${permissions.join(", ")}`);
  if (job.github.runsOn !== undefined) lines.push(`    runs on: ${job.github.runsOn}`);
  if (job.github.timeoutMinutes !== undefined) {
    lines.push(`    timeout: ${job.github.timeoutMinutes} minutes`);
  }
  return lines;
}

type SyncMetadata = {
  github?: { workflow: string };
  tasks?: { prefix: string };
};

/** Renders one env entry. A secret shows the name it is read from, never a value. */
function envText(key: string, value: EnvMetadata): string {
  if (value.type === "secret") return `${key} (secret ${value.name})`;
  if (value.type === "var") {
    const fallback = value.default === undefined
      ? ""
      : `, default ${JSON.stringify(value.default)}`;
    const table = value.map === undefined
      ? ""
      : `, mapped: ${
        Object.entries(value.map).map(([from, to]) => `${from} -> ${JSON.stringify(to)}`).join(", ")
      }`;
    return `${key} (var ${value.name}${fallback}${table})`;
  }
  return `${key}=${JSON.stringify(value.value)}`;
}

/** Renders a trigger as its kind and settings, such as `github push branches main`. */
function triggerText(trigger: Record<string, unknown>): string {
  const { kind, ...settings } = trigger;
  const parts = [String(kind)];
  for (const [key, value] of Object.entries(settings)) {
    const text = Array.isArray(value) ? value.join(", ") : String(value);
    parts.push(key === "events" || key === "cron" ? text : `${key} ${text}`);
  }
  return parts.join(" ");
}

/** Settings of the text view that the metadata does not carry. */
interface TextOptions {
  readonly includeSources: boolean;
  /** Directory that source directories are shown relative to. */
  readonly cwd: string;
  readonly manifests?: SyncedManifests;
}

function renderText(
  name: string,
  metadata: Record<string, unknown>,
  { includeSources, cwd, manifests }: TextOptions,
): string {
  const lines = [`pipeline ${name}`];
  const env = metadata.env as Record<string, EnvMetadata>;
  if (Object.keys(env).length > 0) {
    lines.push(
      "",
      "env:",
      ...Object.entries(env).map(([key, value]) => `  ${envText(key, value)}`),
    );
  }
  const triggers = metadata.triggers as Record<string, Record<string, unknown>>;
  if (Object.keys(triggers).length > 0) {
    lines.push("", "triggers:");
    for (const [id, trigger] of Object.entries(triggers)) {
      lines.push(`  ${id}: ${triggerText(trigger)}`);
    }
  }
  const tasks = metadata.tasks as Record<
    string,
    {
      dependsOn: string[];
      steps: { type: string; command?: string; name?: string }[];
      cache: { enabled: boolean; ref?: string };
    }
  >;
  lines.push("", "tasks:");
  for (const [id, task] of Object.entries(tasks)) {
    const deps = task.dependsOn.length ? ` (after ${task.dependsOn.join(", ")})` : "";
    const cache = task.cache.enabled ? ` [cache ${task.cache.ref}]` : "";
    lines.push(`  ${id}${deps}${cache}`);
    for (const step of task.steps) {
      lines.push(
        `    ${
          step.type === "shell"
            ? `$ ${step.command}`
            : step.type === "function"
            ? `fn ${step.name}()`
            : "sh((ctx) => ...)"
        }`,
      );
    }
  }
  const jobs = metadata.jobs as Record<string, JobMetadata>;
  lines.push("", "jobs:");
  for (const [id, job] of Object.entries(jobs)) {
    const triggers = job.triggers.length ? ` on ${job.triggers.join(", ")}` : "";
    lines.push(`  ${id} -> ${job.targets.join(", ")}${triggers}`);
    // The job's env repeats the pipeline's, so only its own keys are listed.
    const own = Object.entries(job.env).filter(([key, value]) =>
      JSON.stringify(env[key]) !== JSON.stringify(value)
    );
    if (own.length > 0) {
      lines.push(`    env: ${own.map(([key, value]) => envText(key, value)).join(", ")}`);
    }
    lines.push(...jobGithubLines(job));
  }

  const sync = metadata.sync as SyncMetadata;
  if (sync.github || sync.tasks) {
    lines.push("", "sync:");
    if (sync.github) lines.push(`  github: ${sync.github.workflow}`);
    if (sync.tasks && manifests) {
      const files = manifests.problems.length > 0
        ? "manifest not found"
        : manifests.files.join(", ");
      lines.push(`  tasks: ${files} (prefix ${sync.tasks.prefix})`);
      for (const problem of manifests.problems) lines.push(`    ${problem}`);
    }
  }

  if (includeSources) {
    lines.push(...sourceLines(metadata.sources as Record<string, SourceMetadata>, cwd));
  }

  const warnings = metadata.warnings as { path: string; message: string }[];
  if (warnings.length > 0) {
    lines.push("", "warnings:");
    for (const warning of warnings) lines.push(`  ${warning.path}: ${warning.message}`);
  }
  return lines.join("\n") + "\n";
}

/** The metadata command. */
export const metadataCommand: CliCommand = { ...METADATA, run: runMetadata };
