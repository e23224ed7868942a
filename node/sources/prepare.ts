/**
 * Source prepare steps: rendered before the run's first command so missing
 * secrets fail early, then run in the source directory before the first of
 * its tasks that executes.
 *
 * @module
 */

import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { CandidateContext } from "../../core/context.ts";
import { ErrorCode, PipelineError, type PipelineIssue } from "../../core/errors.ts";
import type { NormalizedTask } from "../../core/model.ts";
import { type DeferredShellContext, toShellCommand } from "../../core/sh.ts";
import { type RenderedShell, renderShell } from "../env.ts";
import { writeFileAtomic } from "../atomic_write.ts";
import { readGitFacts } from "../runner/candidate.ts";
import { type OutputTarget, withTaskOutput } from "../runner/console_capture.ts";
import { TaskOutput } from "../runner/output.ts";
import type { RunState } from "../runner/state.ts";
import { secretDigest } from "../runner/steps.ts";
import { thrownMessage } from "../thrown.ts";
import type { ProcessEnv } from "../types.ts";
import { onTaskError, type UncaughtKind } from "../uncaught.ts";
import { sourceFailed } from "./failure.ts";
import type { ResolvedSource } from "./resolve.ts";

/** Static prepare steps rendered with the run env, by source id and step index. */
export type RenderedPrepareSteps = ReadonlyMap<string, ReadonlyMap<number, RenderedShell>>;

/** Renders the static `sh` prepare steps of `sources`, collecting every unresolved reference. */
export function renderPrepareSteps(
  sources: readonly ResolvedSource[],
  env: ProcessEnv,
): { rendered: RenderedPrepareSteps; issues: PipelineIssue[]; secretValues: string[] } {
  const rendered = new Map<string, Map<number, RenderedShell>>();
  const issues: PipelineIssue[] = [];
  const secretValues: string[] = [];
  for (const source of sources) {
    const steps = new Map<number, RenderedShell>();
    source.declaration.prepare.forEach((step, index) => {
      if (step.kind !== "shell") return;
      const result = renderShell(step, env, prepareLabel(source.id, index), secretDigest);
      if ("issues" in result) issues.push(...result.issues);
      else {
        steps.set(index, result);
        secretValues.push(...result.secretValues);
      }
    });
    rendered.set(source.id, steps);
  }
  return { rendered, issues, secretValues };
}

function prepareLabel(id: string, index: number): string {
  return `sources.${id}.prepare[${index}]`;
}

/** Name of a source's prepare output in events and log files. */
export function prepareOutputName(id: string): string {
  return `${id} prepare`;
}

/** Evaluates a deferred prepare step with the source's context and renders it. */
function renderDeferred(
  state: RunState,
  source: ResolvedSource,
  index: number,
  candidate: CandidateContext,
): RenderedShell {
  const step = source.declaration.prepare[index];
  if (step.kind !== "deferred-shell") {
    throw new Error(`${prepareLabel(source.id, index)} is static`);
  }
  const context: DeferredShellContext = Object.freeze({
    taskId: prepareOutputName(source.id),
    cwd: source.dir,
    env: state.env,
    root: Object.freeze({ dir: state.projectDir }),
    candidate: Object.freeze({ dir: candidate.dir, fingerprint: candidate.fingerprint }),
    source: source.context,
  });
  let value: ReturnType<typeof step.callback>;
  try {
    value = step.callback(context);
  } catch (error) {
    throw sourceFailed(
      source.id,
      state.redactor.redact(
        `the sh callback of prepare step ${index + 1} threw: ${thrownMessage(error)}`,
      ),
    );
  }
  const rendered = renderShell(
    toShellCommand(value, `Source "${source.id}": the sh callback of prepare step ${index + 1}`),
    state.env,
    prepareLabel(source.id, index),
    secretDigest,
    state.secretValues,
  );
  if ("issues" in rendered) throw PipelineError.fromIssues(rendered.issues, "prepare step");
  state.redactor.add(rendered.secretValues);
  for (const value of rendered.secretValues) {
    if (!state.secretValues.includes(value)) state.secretValues.push(value);
  }
  return rendered;
}

/** Options of {@link runPrepare}. */
export interface PrepareOptions {
  readonly state: RunState;
  readonly source: ResolvedSource;
  /** Static steps rendered before the run started. */
  readonly rendered: ReadonlyMap<number, RenderedShell>;
  /** The task whose start triggered the prepare; executors receive it with each step. */
  readonly task: NormalizedTask;
}

/**
 * The output target of the code of one deferred prepare step. What the code
 * prints is the prepare output, and an error that it leaves uncaught names
 * the source and the step.
 */
class PrepareStepTarget implements OutputTarget {
  readonly output: TaskOutput;
  readonly sourceId: string;
  /** The step's number, from 1. */
  readonly prepareStep: number;
  readonly origin: string;

  constructor(output: TaskOutput, sourceId: string, index: number) {
    this.output = output;
    this.sourceId = sourceId;
    this.prepareStep = index + 1;
    this.origin = `prepare step ${this.prepareStep} of source "${sourceId}"`;
  }

  write(stream: "stdout" | "stderr", text: string): void {
    this.output.write(stream, text);
  }
}

/** One run of a source's prepare steps. */
interface PrepareRun {
  readonly options: PrepareOptions;
  readonly output: TaskOutput;
  readonly targets: readonly PrepareStepTarget[];
  /** Aborted by an interrupt of the run, or by an uncaught error of a step's code. */
  readonly signal: AbortSignal;
  /** Returns the failure raised by an uncaught error of a step's code, once there is one. */
  readonly uncaught: () => PipelineError | undefined;
}

async function runStep(run: PrepareRun, index: number) {
  const { options: { state, source }, output } = run;
  const step = source.declaration.prepare[index];
  let rendered: RenderedShell | undefined;
  if (step.kind === "shell") rendered = run.options.rendered.get(index);
  else {
    const candidate = await state.candidate();
    // A deferred callback's console output is the prepare output, as for a task.
    rendered = withTaskOutput(
      run.targets[index],
      () => renderDeferred(state, source, index, candidate),
    );
  }
  if (rendered === undefined) throw new Error(`${prepareLabel(source.id, index)} was not rendered`);
  const failedEarlier = run.uncaught();
  if (failedEarlier !== undefined) throw failedEarlier;
  const display = step.kind === "shell" ? step.text : state.redactor.redact(rendered.display);

  let streamed = false;
  const write = (stream: "stdout" | "stderr") => (chunk: string) => {
    streamed = true;
    output.write(stream, chunk);
  };
  const result = await state.executor.runShell(rendered.script, {
    cwd: source.dir,
    env: { ...state.env, ...rendered.secretEnv },
    task: run.options.task,
    declaredEnv: [...state.declaredEnv, ...Object.keys(rendered.secretEnv)],
    signal: run.signal,
    onStdout: write("stdout"),
    onStderr: write("stderr"),
  }).catch((error) => {
    const message = error instanceof Error ? error.message : String(error);
    throw sourceFailed(
      source.id,
      `prepare step ${index + 1} \`${display}\` could not run: ${state.redactor.redact(message)}`,
    );
  });
  if (!streamed) {
    output.write("stdout", result.stdout);
    output.write("stderr", result.stderr);
  }
  output.flush();
  const failedMeanwhile = run.uncaught();
  if (failedMeanwhile !== undefined) throw failedMeanwhile;
  if (state.signal.aborted) {
    throw new PipelineError(ErrorCode.INTERRUPTED, "The run was interrupted.");
  }
  if (result.code !== 0) {
    throw sourceFailed(
      source.id,
      `prepare step ${index + 1} \`${display}\` exited with code ${result.code} in ${source.dir}.`,
      outputHint(source.id, output),
    );
  }
}

/** Returns a hint naming the prepare log that contains output, stderr first. A silent prepare gets none. */
function outputHint(id: string, output: TaskOutput): { hint?: string } {
  const stream = output.stderr.totalBytes > 0
    ? "stderr"
    : output.stdout.totalBytes > 0
    ? "stdout"
    : undefined;
  if (stream === undefined) return {};
  return { hint: `See its output in the run's ${prepareLogPath(id, stream)}.` };
}

function prepareLogPath(id: string, stream: "stdout" | "stderr"): string {
  return `logs/sources/${encodeURIComponent(id)}.prepare.${stream}.log`;
}

/**
 * Runs a source's prepare steps in its directory, in order, stopping at the
 * first failure. Their output is streamed like task output and stored under
 * `logs/sources/` in the run directory. On success the source's record is
 * marked prepared and its dirty flag describes the prepared work tree.
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_SOURCE_FAILED` naming the source
 * and the step when a step fails.
 */
export async function runPrepare(options: PrepareOptions): Promise<void> {
  const { state, source } = options;
  const name = prepareOutputName(source.id);
  const output = new TaskOutput(name, state.redactor, state.maxLogBytes, state.emit, state.echo);
  const steps = source.declaration.prepare;
  const targets = steps.map((_, index) => new PrepareStepTarget(output, source.id, index));

  // An uncaught error of a step's code fails the prepare at once and stops the running command,
  // as it does for a task's attempt.
  const controller = new AbortController();
  const onRunAbort = () => controller.abort(state.signal.reason);
  if (state.signal.aborted) onRunAbort();
  else state.signal.addEventListener("abort", onRunAbort, { once: true });
  let uncaught: PipelineError | undefined;
  const stopWatching = targets.map((target) =>
    onTaskError(target, (error, kind) => {
      uncaught ??= uncaughtFailure(state, target, error, kind);
      controller.abort(uncaught);
    })
  );
  const run: PrepareRun = {
    options,
    output,
    targets,
    signal: controller.signal,
    uncaught: () => uncaught,
  };
  try {
    for (let index = 0; index < steps.length; index++) await runStep(run, index);
  } finally {
    for (const stop of stopWatching) stop();
    state.signal.removeEventListener("abort", onRunAbort);
    output.flush();
    await storePrepareLogs(options, output);
  }
  source.record.prepared = true;
  const git = await readGitFacts(source.dir, state.env);
  if (git !== undefined) source.record.dirty = git.facts.dirty;
}

/** Returns the failure of a prepare whose step's code raised an error that nothing caught. */
function uncaughtFailure(
  state: RunState,
  target: PrepareStepTarget,
  error: unknown,
  kind: UncaughtKind,
): PipelineError {
  const origin = kind === "exception" ? "uncaught exception" : "unhandled rejection";
  return sourceFailed(
    target.sourceId,
    state.redactor.redact(
      `${origin} in the code of prepare step ${target.prepareStep}: ${thrownMessage(error)}`,
    ),
  );
}

/**
 * Stores the prepare output and ends its last line, so presenters print it
 * whole. A stream that printed nothing gets no file, and the source's `logs`
 * leaves its path out, as for a task.
 */
async function storePrepareLogs(options: PrepareOptions, output: TaskOutput): Promise<void> {
  const { state, source } = options;
  const logs: { stdout?: string; stderr?: string } = {};
  for (const stream of ["stdout", "stderr"] as const) {
    const text = output[stream].stored();
    if (text === "") continue;
    await mkdir(join(state.store.dir, "logs/sources"), { recursive: true });
    logs[stream] = prepareLogPath(source.id, stream);
    await writeFileAtomic(join(state.store.dir, logs[stream]), state.redactor.redact(text));
    if (state.echo && !text.endsWith("\n")) {
      state.emit({ type: "task-output", taskId: prepareOutputName(source.id), stream, text: "\n" });
    }
  }
  source.record.logs = logs;
}
