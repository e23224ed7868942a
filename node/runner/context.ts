/** The contexts handed to function steps and deferred `sh` callbacks. @module */

import { isAbsolute, resolve } from "node:path";
import type { CandidateContext, CommandResult, TaskContext } from "../../core/context.ts";
import { ErrorCode, PipelineError } from "../../core/errors.ts";
import type { NormalizedTask } from "../../core/model.ts";
import { type DeferredShellContext, sh } from "../../core/sh.ts";
import { formatArgs } from "../commands/policy.ts";
import { setOwn, toMetaData } from "./meta.ts";
import type { TaskOutput } from "./output.ts";
import type { RunState } from "./state.ts";
import type { StepScope } from "./step_scope.ts";

/** Returns the directory a task runs in: its source's directory, or the root pipeline's. */
export function taskDir(
  state: Pick<RunState, "projectDir" | "sources">,
  task: NormalizedTask,
): string {
  return state.sources?.of(task)?.dir ?? state.projectDir;
}

/** Builds the context of a deferred `sh((ctx) => ...)` callback. */
export function deferredShellContext(
  state: Pick<RunState, "projectDir" | "env" | "sources">,
  task: NormalizedTask,
  candidate: CandidateContext,
): DeferredShellContext {
  const source = state.sources?.of(task)?.context;
  return Object.freeze({
    taskId: task.id,
    cwd: taskDir(state, task),
    env: state.env,
    root: Object.freeze({ dir: state.projectDir }),
    candidate: Object.freeze({ dir: candidate.dir, fingerprint: candidate.fingerprint }),
    ...(source ? { source } : {}),
  });
}

function checkArgs(args: unknown): readonly string[] {
  if (!Array.isArray(args) || args.length === 0 || !args.every((arg) => typeof arg === "string")) {
    throw new PipelineError(
      ErrorCode.INVALID_FIELD,
      'ctx.command expects a non-empty array of strings, such as ["npm", "publish"].',
    );
  }
  return args;
}

/** Describes a rejected `ctx.meta` call by up to three of its keys, for an error message. */
function metaNotRecorded(values: Record<string, unknown>): string {
  const keys = Object.keys(values);
  if (keys.length === 0) return "ctx.meta({}) was rejected";
  const named = keys.slice(0, 3).map((key) => JSON.stringify(key)).join(", ");
  const more = keys.length > 3 ? ` and ${keys.length - 3} more keys` : "";
  return `ctx.meta did not record ${named}${more}`;
}

/**
 * Builds the context of a function step. `meta` collects what the step
 * records. Once `scope` closed, `ctx.command` rejects without starting
 * anything and `ctx.meta` throws.
 */
export function taskContext(
  state: RunState,
  task: NormalizedTask,
  candidate: CandidateContext,
  output: TaskOutput,
  meta: Record<string, unknown>,
  signal: AbortSignal,
  scope: StepScope,
): TaskContext {
  const cwd = taskDir(state, task);
  const source = state.sources?.of(task)?.context;
  return Object.freeze({
    taskId: task.id,
    runId: state.runId,
    cwd,
    env: state.env,
    root: Object.freeze({ dir: state.projectDir }),
    candidate,
    ...(source ? { source } : {}),
    signal,
    sh,
    meta(values: Record<string, unknown>) {
      if (typeof values !== "object" || values === null || Array.isArray(values)) {
        throw new PipelineError(ErrorCode.INVALID_FIELD, "ctx.meta expects an object.");
      }
      const closed = scope.closedError(
        state.redactor.redact(metaNotRecorded(values)),
      );
      if (closed !== undefined) throw closed;
      const data = toMetaData(values);
      for (const key of Object.keys(values)) {
        if (Object.hasOwn(data, key)) setOwn(meta, key, data[key]);
        else delete meta[key];
      }
    },
    log(message: string) {
      output.write("stdout", `${String(message)}\n`);
    },
    command(args: readonly string[], options: { cwd?: string } = {}): Promise<CommandResult> {
      const argv = checkArgs(args);
      const closed = scope.closedError(
        state.redactor.redact(`ctx.command did not run \`${formatArgs(argv)}\``),
      );
      if (closed !== undefined) return Promise.reject(closed);
      const commandCwd = options.cwd === undefined
        ? cwd
        : isAbsolute(options.cwd)
        ? options.cwd
        : resolve(cwd, options.cwd);
      return state.commandRunner(argv, {
        cwd: commandCwd,
        env: state.env,
        secretValues: state.redactor.secrets,
        signal,
      });
    },
  });
}
