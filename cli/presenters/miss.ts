/**
 * Text for cache miss reasons: one line per task for the run summary and
 * dry runs, and the full explanation that `explain` prints. Env changes are
 * named, never valued, because records store only digests of values.
 *
 * @module
 */

import type { CacheChanges, CacheMissReason, SourceChanges, TaskResult } from "../../node/types.ts";
import { SECRET_KEY_PATH } from "../../node/cache/paths.ts";
import { printablePath } from "../../node/printable.ts";
import { formatDuration } from "./format.ts";

function inputSummary(inputs: CacheChanges["inputs"]): string | undefined {
  const total = inputs.changed.length + inputs.added.length + inputs.removed.length;
  if (total === 0) return undefined;
  const [verb, path] = inputs.changed.length > 0
    ? ["changed", inputs.changed[0]]
    : inputs.added.length > 0
    ? ["added", inputs.added[0]]
    : ["removed", inputs.removed[0]];
  return `input ${verb}: ${printablePath(path)}${total > 1 ? ` (+${total - 1} more)` : ""}`;
}

function namesSummary(singular: string, plural: string, names: readonly string[]) {
  if (names.length === 0) return undefined;
  return `${names.length === 1 ? singular : plural} changed: ${names.join(", ")}`;
}

/** Returns a commit cut to the length git shows by default. */
function shortCommit(commit: string): string {
  return commit.slice(0, 7);
}

/** Returns what changed in the source itself, such as `storefront commit d5100d5 -> e171ff5`. */
function sourceParts(source: SourceChanges): string[] {
  const parts: string[] = [];
  if (source.commit !== undefined) {
    parts.push(
      `commit ${shortCommit(source.commit.before)} -> ${shortCommit(source.commit.after)}`,
    );
  }
  if (source.content) parts.push("content");
  if (source.prepare) parts.push("prepare steps");
  return parts;
}

function sourceSummary(source: SourceChanges | undefined): string[] {
  if (source === undefined) return [];
  const parts = sourceParts(source);
  return [
    ...(parts.length > 0 ? [`source changed: ${source.id} ${parts.join(", ")}`] : []),
    ...(source.candidate ? ["candidate changed"] : []),
  ];
}

/**
 * Returns the input patterns that match only the task's own outputs as the
 * subject of a sentence, such as `its input pattern src/** matches`. Records
 * written before the patterns were stored name none.
 */
function ownOutputSubject(patterns: readonly string[] | undefined): string {
  if (patterns === undefined || patterns.length === 0) return "one of its input patterns matches";
  if (patterns.length === 1) return `its input pattern ${patterns[0]} matches`;
  return `its input patterns ${patterns.join(", ")} each match`;
}

/** Explanation of why a memory store had no entry for a task. */
const MEMORY_STORE_NOTE =
  "Memory stores live only for one process, so every CLI run starts with an empty memory store.";

/** Returns why a replaced secret key changed the key, as in `was missing`. */
function secretKeyCause(replaced: "missing" | "invalid"): string {
  return replaced === "missing" ? "was missing" : "was not a valid key";
}

/** Returns the summary part of a changed command, naming a change of runtime. */
function commandSummary(changes: CacheChanges): string | undefined {
  if (!changes.command) return undefined;
  if (changes.runtime === undefined) return "command changed";
  return `command changed (function steps rendered by ${changes.runtime.before} -> ${changes.runtime.after})`;
}

function changedSummary(changes: CacheChanges): string {
  const parts = [
    changes.secretKeyReplaced !== undefined ? "secret key replaced" : undefined,
    changes.executor !== undefined
      ? `executor changed: ${changes.executor.before} -> ${changes.executor.after}`
      : undefined,
    inputSummary(changes.inputs),
    namesSummary("env", "env", changes.env),
    namesSummary("dependency", "dependencies", changes.dependencies),
    ...sourceSummary(changes.source),
    commandSummary(changes),
    changes.definition ? "definition changed" : undefined,
  ].filter((part): part is string => part !== undefined);
  return parts.length > 0 ? parts.join(", ") : "key changed";
}

/** Returns a one-line reason, such as `input changed: src/a.ts (+2 more)`. */
export function missSummary(reason: CacheMissReason): string {
  switch (reason.kind) {
    case "no-entry":
      return reason.memory
        ? "no cache entry (memory stores start empty in each process)"
        : "no cache entry";
    case "forced":
      return "forced to run";
    case "expired":
      return `cache entry expired (${formatDuration(reason.ageMs)} old, ttl ${
        formatDuration(reason.ttlMs)
      })`;
    case "uncacheable":
      if (reason.store !== undefined) return `cache store "${reason.store}" is not built in`;
      if (reason.file !== undefined) return `${reason.file} could not be read: ${reason.reason}`;
      if (reason.secretInName !== undefined) {
        return `secret value in an input name: ${reason.secretInName}`;
      }
      if (reason.inputsAreOutputs) {
        return `${ownOutputSubject(reason.inputPatterns)} only its own outputs`;
      }
      if (reason.outputLink !== undefined) {
        return `outputs written through a symbolic link: ${printablePath(reason.outputLink)}`;
      }
      if (reason.reason !== undefined) return `inputs could not be read: ${reason.reason}`;
      return "not cached";
    case "restore-failed":
      if (reason.changedOutput !== undefined) {
        return `output changed since the cache wrote it: ${printablePath(reason.changedOutput)}`;
      }
      return `restore failed: ${reason.reason}`;
    case "changed":
      return changedSummary(reason);
  }
}

/**
 * Returns true for a result whose miss the run summary lists: a cacheable
 * task that ran. A task with caching turned off is left out.
 */
export function isReportedMiss(result: TaskResult): boolean {
  const reason = result.cacheMiss;
  if (result.cacheHit || reason === undefined) return false;
  if (result.status !== "passed" && result.status !== "failed") return false;
  return reason.kind !== "uncacheable" || reason.store !== undefined ||
    reason.reason !== undefined || reason.secretInName !== undefined ||
    reason.inputsAreOutputs === true || reason.outputLink !== undefined;
}

function sourceDetails(source: SourceChanges | undefined): string[] {
  if (source === undefined) return [];
  const lines: string[] = [];
  if (source.commit !== undefined) {
    lines.push(
      `source changed: ${source.id} commit ${shortCommit(source.commit.before)} -> ${
        shortCommit(source.commit.after)
      } (its checkout moved to another commit)`,
    );
  }
  if (source.content) {
    lines.push(`source changed: ${source.id} content (a digest of its files differs)`);
  }
  if (source.prepare) {
    lines.push(`source changed: ${source.id} prepare steps (their rendered text differs)`);
  }
  if (source.candidate) {
    lines.push(
      `candidate changed: the root repository differs, and the prepare steps of ${source.id} may install it`,
    );
  }
  return lines;
}

function changedDetails(changes: CacheChanges, uncached: ReadonlySet<string>): string[] {
  const lines = [
    ...changes.inputs.changed.map((path) => `input changed: ${printablePath(path)}`),
    ...changes.inputs.added.map((path) => `input added: ${printablePath(path)}`),
    ...changes.inputs.removed.map((path) => `input removed: ${printablePath(path)}`),
    ...changes.env.map((name) => `env changed: ${name}`),
    ...changes.dependencies.map((id) =>
      uncached.has(id)
        ? `dependency changed: ${id} (it is not cached, so its fingerprint is new each run)`
        : `dependency changed: ${id} (its cache fingerprint differs)`
    ),
  ];
  if (changes.secretKeyReplaced !== undefined) {
    lines.unshift(
      `secret key replaced: ${SECRET_KEY_PATH} ${
        secretKeyCause(changes.secretKeyReplaced)
      }, so the digests of secret values differ from the entry's`,
    );
  }
  if (changes.executor !== undefined) {
    lines.push(
      `executor changed: ${changes.executor.before} -> ${changes.executor.after} (entries of different executors are kept apart)`,
    );
  }
  lines.push(...sourceDetails(changes.source));
  if (changes.command && changes.runtime !== undefined) {
    lines.push(
      `command changed: the rendered step text differs, and the entry was stored by ${changes.runtime.before} while this run uses ${changes.runtime.after}. Runtimes render the source text of function steps differently, so it can differ with no edit to the pipeline.`,
    );
  } else if (changes.command) lines.push("command changed: the rendered step text differs");
  if (changes.definition) {
    lines.push(
      "definition changed: input or output patterns, task directory, platform or key version",
    );
  }
  return [
    "It ran because its key differs from the task's most recent cache entry:",
    ...lines.map((line) => `  ${line}`),
  ];
}

/**
 * Returns the full explanation of a miss, one sentence or item per line.
 * `uncached` lists the ids of tasks that ran without the cache in the same
 * run: a dependency among them has a fingerprint that is new each run.
 */
export function missDetails(
  reason: CacheMissReason,
  uncached: ReadonlySet<string> = new Set(),
): string[] {
  switch (reason.kind) {
    case "no-entry":
      if (reason.memory) {
        return ["It ran because its cache store has no entry for the task.", MEMORY_STORE_NOTE];
      }
      return [
        "It ran because its cache store has no entry for the task: none was stored yet, or `cache clear` or `gc` removed it.",
      ];
    case "forced":
      return ["It ran because --force (or force: true) ignored its cache entry."];
    case "expired":
      return [
        `It ran because its cache entry expired: created at ${reason.createdAt}, ${
          formatDuration(reason.ageMs)
        } before the lookup, with a ttl of ${formatDuration(reason.ttlMs)}.`,
      ];
    case "uncacheable":
      if (reason.store !== undefined) {
        return [
          `It ran without the cache: its store "${reason.store}" is declared but not built in.`,
        ];
      }
      if (reason.file !== undefined) {
        return [`It ran without the cache: ${reason.file} could not be read (${reason.reason}).`];
      }
      if (reason.secretInName !== undefined) {
        return [
          `It ran without the cache: the name of its input ${reason.secretInName} contains a secret value, and cache entries never store secrets.`,
        ];
      }
      if (reason.inputsAreOutputs) {
        return [
          `It ran without the cache: ${
            ownOutputSubject(reason.inputPatterns)
          } only files that are also its own outputs, so edits to those files cannot change its key and a hit would write stored outputs over them.`,
          "Declare the outputs apart from the inputs, or set cache: false.",
        ];
      }
      if (reason.outputLink !== undefined) {
        const link = printablePath(reason.outputLink);
        return [
          `It ran without the cache: its outputs are written through the symbolic link ${link}, and the cache stores and restores no file through a link.`,
        ];
      }
      if (reason.reason !== undefined) {
        return [`It ran without the cache: its inputs could not be read (${reason.reason}).`];
      }
      return ["It ran without the cache: caching is off for the task."];
    case "restore-failed":
      if (reason.changedOutput !== undefined) {
        return [
          `It ran because ${reason.reason}.`,
          "A hit replaces an existing output file only when the cache wrote or restored it and it is unchanged since.",
        ];
      }
      return [`It ran because its cache entry could not be restored: ${reason.reason}.`];
    case "changed":
      return changedDetails(reason, uncached);
  }
}
