/** `async-pipeline explain <task>`: why a task of a recorded run missed the cache. @module */

import { dirname } from "node:path";
import { ErrorCode, isPipelineError, PipelineError } from "../../core/errors.ts";
import { SECRET_KEY_PATH } from "../../node/cache/paths.ts";
import { findPipelineFile } from "../../node/load.ts";
import { findRecordedTask, type RecordedTask } from "../../node/run_history.ts";
import { parseCommandArgs, parseFormat } from "../args.ts";
import type { CacheMissReason, TaskResult } from "../../node/types.ts";
import type { CliContext } from "../io.ts";
import { renderExplanation } from "../presenters/explain.ts";
import { missSummary } from "../presenters/miss.ts";
import { styles, useColor } from "../presenters/text.ts";
import type { CliCommand } from "../registry.ts";
import { EXPLAIN } from "./specs.ts";

/**
 * Returns the project directory: where the pipeline file is. Without one
 * (and without `--config`) it is the working directory, so records can be
 * read while the pipeline file is missing.
 */
async function projectDirectory(ctx: CliContext, config: string | undefined): Promise<string> {
  try {
    return dirname(await findPipelineFile(ctx.cwd, config));
  } catch (error) {
    const missing = isPipelineError(error) && error.code === ErrorCode.CONFIG_NOT_FOUND;
    if (config === undefined && missing) return ctx.cwd;
    throw error;
  }
}

/** A part of a `changed` miss that the shared reasons leave out. */
interface ExtraPart {
  /** Phrase for the one-line summary. */
  readonly summary: string;
  /** Line for the text explanation. */
  readonly detail: string;
}

/**
 * Returns the parts of a `changed` miss that the shared reasons leave out.
 *
 * NOTE: the run summary and `--dry-run` use the shared reasons only, so a miss with nothing
 * but these parts reads `key changed` there.
 */
function extraParts(reason: CacheMissReason): ExtraPart[] {
  if (reason.kind !== "changed") return [];
  const parts: ExtraPart[] = [];
  if (reason.secretKeyReplaced !== undefined) {
    const cause = reason.secretKeyReplaced === "missing" ? "was missing" : "was not a valid key";
    parts.push({
      summary: "secret key replaced",
      detail:
        `secret key replaced: ${SECRET_KEY_PATH} ${cause}, so the digests of secret values differ from the entry's`,
    });
  }
  if (reason.executor !== undefined) {
    const change = `executor changed: ${reason.executor.before} -> ${reason.executor.after}`;
    parts.push({
      summary: change,
      detail: `${change} (entries of different executors are kept apart)`,
    });
  }
  return parts;
}

/** Explanation of why a memory store had no entry for a task. */
const MEMORY_STORE_NOTE =
  "Memory stores live only for one process, so every CLI run starts with an empty memory store.";

/** Returns true for a miss in a memory store that had no entry for the task. */
function emptyMemoryStore(reason: CacheMissReason): boolean {
  return reason.kind === "no-entry" && reason.memory === true;
}

/** Returns the one-line summary of a miss, with the parts the shared summary leaves out. */
function summary(reason: CacheMissReason): string {
  const base = missSummary(reason);
  if (emptyMemoryStore(reason)) return `${base} (memory stores start empty in each process)`;
  const parts = extraParts(reason).map((part) => part.summary);
  if (base !== "key changed" || parts.length === 0) parts.push(base);
  return parts.join(", ");
}

/**
 * Returns the lines the text explanation adds after a miss's reasons: a
 * replaced secret key, an executor change, or why a memory store was empty.
 */
function extraLines(result: TaskResult): string[] {
  const reason = result.cacheMiss;
  if (result.cacheHit || result.status === "skipped" || reason === undefined) return [];
  if (emptyMemoryStore(reason)) return [MEMORY_STORE_NOTE];
  return extraParts(reason).map((part) => `  ${part.detail}`);
}

/** Renders the text explanation, with {@link extraLines} before its `Key:` line. */
function explanationText(recorded: RecordedTask, ctx: CliContext): string {
  const text = renderExplanation(recorded, styles(useColor(ctx.stdout, ctx.env)));
  const extra = extraLines(recorded.result);
  if (extra.length === 0) return text;
  const lines = text.split("\n");
  const key = lines.findIndex((line) => line.startsWith("Key: "));
  // The text ends with a newline, so its last line is empty.
  lines.splice(key === -1 ? lines.length - 1 : key, 0, ...extra);
  return lines.join("\n");
}

/** Builds the machine-readable explanation: the task's cache fields and a one-line summary. */
function explanationJson({ record, result }: RecordedTask) {
  return {
    runId: record.id,
    jobId: record.jobId,
    runStatus: record.status,
    startedAt: record.startedAt,
    task: result.id,
    status: result.status,
    cacheHit: result.cacheHit,
    ...(result.cacheKey !== undefined ? { cacheKey: result.cacheKey } : {}),
    ...(result.cacheMiss !== undefined
      ? { cacheMiss: result.cacheMiss, summary: summary(result.cacheMiss) }
      : {}),
    ...(result.warnings !== undefined ? { warnings: result.warnings } : {}),
  };
}

async function runExplain(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseCommandArgs("explain", args, {
    run: { type: "string" },
    format: { type: "string" },
    config: { type: "string" },
  });
  if (positionals.length !== 1) {
    throw new PipelineError(
      ErrorCode.USAGE,
      `explain expects one task id, got ${
        positionals.length === 0 ? "none" : positionals.join(" ")
      }.`,
      { hint: "Run `async-pipeline explain --help` for usage." },
    );
  }
  const format = parseFormat(values.format, ["text", "json"] as const, "text");
  const projectDir = await projectDirectory(ctx, values.config);
  const recorded = await findRecordedTask(projectDir, positionals[0], values.run);
  if (recorded.unreadable !== undefined) {
    const ids = recorded.unreadable.join(", ");
    ctx.stderr.write(
      `warning: passed over the unreadable record of newer runs (${ids}); ` +
        `this explains run ${recorded.record.id}. ` +
        `\`async-pipeline explain ${positionals[0]} --run <id>\` names the error of one.\n`,
    );
  }
  if (format === "json") {
    ctx.stdout.write(`${JSON.stringify(explanationJson(recorded), null, 2)}\n`);
  } else {
    ctx.stdout.write(explanationText(recorded, ctx));
  }
  return 0;
}

/** The explain command. */
export const explainCommand: CliCommand = { ...EXPLAIN, run: runExplain };
