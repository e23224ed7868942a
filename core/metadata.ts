/**
 * Metadata: a JSON description of a pipeline, read without running anything.
 * Function steps are described by name and deferred shell steps by kind; no
 * callback is called.
 *
 * @module
 */

import type { EnvValue } from "./env.ts";
import type { NormalizedStep, NormalizedTask, Pipeline } from "./model.ts";
import { maskUrlCredentials } from "./sources.ts";

/** JSON-ready description of one step. */
export type StepMetadata =
  | { type: "shell"; command: string }
  | { type: "deferred-shell" }
  | { type: "function"; name: string };

/** JSON-ready description of an env value; secrets show only their source name. */
export type EnvMetadata =
  | { type: "literal"; value: string }
  | { type: "secret"; name: string }
  | { type: "var"; name: string; default?: string; map?: Record<string, string> };

/** Describes one step without evaluating it. */
export function stepMetadata(step: NormalizedStep): StepMetadata {
  if (step.kind === "shell") return { type: "shell", command: step.command.text };
  if (step.kind === "deferred-shell") return { type: "deferred-shell" };
  return { type: "function", name: step.name };
}

/** Describes one env value. */
export function envMetadata(value: EnvValue): EnvMetadata {
  if (typeof value === "string") return { type: "literal", value };
  if (value.kind === "secret") return { type: "secret", name: value.name };
  return {
    type: "var",
    name: value.name,
    ...(value.default !== undefined ? { default: value.default } : {}),
    ...(value.map ? { map: { ...value.map } } : {}),
  };
}

function mapValues<T, U>(
  record: Readonly<Record<string, T>>,
  fn: (value: T) => U,
): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));
}

/** Describes one task. */
export function taskMetadata(task: NormalizedTask): Record<string, unknown> {
  return {
    id: task.id,
    ...(task.description !== undefined ? { description: task.description } : {}),
    ...(task.source !== undefined ? { source: task.source } : {}),
    dependsOn: [...task.dependsOn],
    inputs: [...task.inputs],
    ...(task.defaultInputs ? { defaultInputs: true } : {}),
    outputs: [...task.outputs],
    cache: task.cache.enabled
      ? {
        enabled: true,
        ref: task.cache.ref,
        store: task.cache.store,
        storeType: task.cache.storeType,
        ...(task.cache.ttlMs !== undefined ? { ttlMs: task.cache.ttlMs } : {}),
      }
      : { enabled: false },
    retry: { ...task.retry },
    ...(task.timeoutMs !== undefined ? { timeoutMs: task.timeoutMs } : {}),
    requires: {
      tools: [...task.requires.tools],
      secrets: [...task.requires.secrets],
      runtimes: [...task.requires.runtimes],
    },
    steps: task.steps.map(stepMetadata),
    directives: task.directives.map((directive) => ({ ...directive })),
  };
}

/** Returns the JSON metadata of a pipeline. Stable key order; no callbacks run. */
export function pipelineMetadata(pipeline: Pipeline): Record<string, unknown> {
  return {
    name: pipeline.name,
    env: mapValues(pipeline.env, envMetadata),
    cache: {
      ...(pipeline.cache.default !== undefined ? { default: pipeline.cache.default } : {}),
      stores: mapValues(pipeline.cache.stores, (store) => {
        const { kind: _kind, ...rest } = store;
        return rest;
      }),
    },
    namedInputs: mapValues(pipeline.namedInputs, (patterns) => [...patterns]),
    triggers: mapValues(pipeline.triggers, (trigger) => ({ ...trigger })),
    sync: JSON.parse(JSON.stringify(pipeline.sync)),
    sources: mapValues(pipeline.sources, (source) => {
      const { kind: _kind, prepare, ...rest } = source;
      return {
        ...rest,
        // A git URL may carry a token; metadata is often pasted into logs.
        ...("url" in rest ? { url: maskUrlCredentials(rest.url) } : {}),
        prepare: prepare.map((step) =>
          step.kind === "shell" ? { type: "shell", command: step.text } : { type: "deferred-shell" }
        ),
      };
    }),
    sandboxes: mapValues(pipeline.sandboxes, (sandbox) => {
      const { kind: _kind, ...rest } = sandbox;
      return JSON.parse(JSON.stringify(rest));
    }),
    ...(pipeline.commands ? { commands: JSON.parse(JSON.stringify(pipeline.commands)) } : {}),
    tasks: mapValues(pipeline.tasks, taskMetadata),
    jobs: mapValues(pipeline.jobs, (job) => ({
      id: job.id,
      ...(job.description !== undefined ? { description: job.description } : {}),
      targets: [...job.targets],
      triggers: [...job.triggers],
      ...(job.environment ? { environment: { ...job.environment } } : {}),
      requires: { ...job.requires },
      env: mapValues(job.env, envMetadata),
      github: JSON.parse(JSON.stringify(job.github)),
      ...(job.mode ? { mode: job.mode } : {}),
    })),
    warnings: pipeline.warnings.map((warning) => ({ ...warning })),
  };
}
