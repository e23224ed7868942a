/**
 * Error vocabulary shared by every layer of `@async/pipeline`.
 *
 * Every user-facing failure is a {@link PipelineError} with a stable
 * `ASYNC_PIPELINE_*` code. Validation collects every problem of a definition
 * in one pass and throws a single error whose `issues` lists each of them.
 *
 * @module
 */

/** Stable error codes. Tools may match on these; they never change meaning. */
export const ErrorCode = {
  UNKNOWN_FIELD: "ASYNC_PIPELINE_UNKNOWN_FIELD",
  INVALID_FIELD: "ASYNC_PIPELINE_INVALID_FIELD",
  TASK_ARGUMENT_CONFLICT: "ASYNC_PIPELINE_TASK_ARGUMENT_CONFLICT",
  UNKNOWN_TASK: "ASYNC_PIPELINE_UNKNOWN_TASK",
  UNKNOWN_SOURCE: "ASYNC_PIPELINE_UNKNOWN_SOURCE",
  UNKNOWN_JOB: "ASYNC_PIPELINE_UNKNOWN_JOB",
  UNKNOWN_TRIGGER: "ASYNC_PIPELINE_UNKNOWN_TRIGGER",
  UNKNOWN_CACHE_STORE: "ASYNC_PIPELINE_UNKNOWN_CACHE_STORE",
  UNKNOWN_SANDBOX: "ASYNC_PIPELINE_UNKNOWN_SANDBOX",
  DEPENDENCY_CYCLE: "ASYNC_PIPELINE_DEPENDENCY_CYCLE",
  INVALID_DURATION: "ASYNC_PIPELINE_INVALID_DURATION",
  INVALID_CRON: "ASYNC_PIPELINE_INVALID_CRON",
  INVALID_TRIGGER: "ASYNC_PIPELINE_INVALID_TRIGGER",
  SOURCE_NOT_WRITABLE: "ASYNC_PIPELINE_SOURCE_NOT_WRITABLE",
  PATH_OUTSIDE_ROOT: "ASYNC_PIPELINE_PATH_OUTSIDE_ROOT",
  INVALID_PIPELINE: "ASYNC_PIPELINE_INVALID_PIPELINE",
  CONFIG_NOT_FOUND: "ASYNC_PIPELINE_CONFIG_NOT_FOUND",
  CONFIG_LOAD_FAILED: "ASYNC_PIPELINE_CONFIG_LOAD_FAILED",
  MISSING_SECRET: "ASYNC_PIPELINE_MISSING_SECRET",
  MISSING_VAR: "ASYNC_PIPELINE_MISSING_VAR",
  UNMAPPED_VAR: "ASYNC_PIPELINE_UNMAPPED_VAR",
  MISSING_TOOL: "ASYNC_PIPELINE_MISSING_TOOL",
  MISSING_REQUIREMENTS: "ASYNC_PIPELINE_MISSING_REQUIREMENTS",
  RUN_ACTIVE: "ASYNC_PIPELINE_RUN_ACTIVE",
  RUN_CRASHED: "ASYNC_PIPELINE_RUN_CRASHED",
  RUN_NOT_FOUND: "ASYNC_PIPELINE_RUN_NOT_FOUND",
  TASK_FAILED: "ASYNC_PIPELINE_TASK_FAILED",
  TASK_TIMEOUT: "ASYNC_PIPELINE_TASK_TIMEOUT",
  INTERRUPTED: "ASYNC_PIPELINE_INTERRUPTED",
  USAGE: "ASYNC_PIPELINE_USAGE",
  IO_FAILED: "ASYNC_PIPELINE_IO_FAILED",
  NOT_IMPLEMENTED: "ASYNC_PIPELINE_NOT_IMPLEMENTED",
  SYNC_CONFLICT: "ASYNC_PIPELINE_SYNC_CONFLICT",
  SYNC_STALE: "ASYNC_PIPELINE_SYNC_STALE",
  SYNC_TARGET_NOT_FOUND: "ASYNC_PIPELINE_SYNC_TARGET_NOT_FOUND",
  SYNC_FILE_INVALID: "ASYNC_PIPELINE_SYNC_FILE_INVALID",
  SOURCE_FAILED: "ASYNC_PIPELINE_SOURCE_FAILED",
  SANDBOX_FAILED: "ASYNC_PIPELINE_SANDBOX_FAILED",
  SANDBOX_UNAVAILABLE: "ASYNC_PIPELINE_SANDBOX_UNAVAILABLE",
  COMMAND_DENIED: "ASYNC_PIPELINE_COMMAND_DENIED",
  CACHE_CORRUPT: "ASYNC_PIPELINE_CACHE_CORRUPT",
  RUNTIME_NEXT_TWICE: "ASYNC_PIPELINE_RUNTIME_NEXT_TWICE",
  RUNTIME_INVALID_ITEM: "ASYNC_PIPELINE_RUNTIME_INVALID_ITEM",
  RUNTIME_CACHE_KEY: "ASYNC_PIPELINE_RUNTIME_CACHE_KEY",
  DUPLICATE_ID: "ASYNC_PIPELINE_DUPLICATE_ID",
  INVALID_GITHUB_EVENT: "ASYNC_PIPELINE_INVALID_GITHUB_EVENT",
} as const;

/** One of the stable `ASYNC_PIPELINE_*` codes. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One problem found while validating a definition. */
export interface PipelineIssue {
  /** Stable error code. */
  code: ErrorCode;
  /** Dotted path of the field at fault, such as `tasks.build.timout`. */
  path?: string;
  /** Description of the problem, naming the value at fault (never a secret value). */
  message: string;
  /** Suggested fix. */
  hint?: string;
}

/** Options accepted by the {@link PipelineError} constructor. */
export interface PipelineErrorOptions {
  path?: string;
  hint?: string;
  issues?: PipelineIssue[];
  cause?: unknown;
}

/**
 * The single error class thrown by `@async/pipeline` for user-facing failures.
 *
 * `code` is stable, `path` names the field at fault when there is one, and
 * `issues` carries every problem when validation found more than one.
 */
export class PipelineError extends Error {
  readonly code: ErrorCode;
  readonly path?: string;
  readonly hint?: string;
  readonly issues: readonly PipelineIssue[];

  constructor(code: ErrorCode, message: string, options: PipelineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PipelineError";
    this.code = code;
    this.path = options.path;
    this.hint = options.hint;
    this.issues = options.issues ??
      [{ code, message, path: options.path, hint: options.hint }];
  }

  /**
   * Builds one error that reports every issue. Its code is the issues' code when they
   * share one, else `ASYNC_PIPELINE_INVALID_PIPELINE`. Each issue keeps its own code.
   */
  static fromIssues(issues: PipelineIssue[], subject = "pipeline definition"): PipelineError {
    if (issues.length === 1) {
      const [issue] = issues;
      return new PipelineError(issue.code, formatIssue(issue), {
        path: issue.path,
        hint: issue.hint,
        issues,
      });
    }
    const lines = issues.map((issue) => `  - [${issue.code}] ${formatIssue(issue)}`);
    const codes = new Set(issues.map((issue) => issue.code));
    return new PipelineError(
      codes.size === 1 ? issues[0].code : ErrorCode.INVALID_PIPELINE,
      `Invalid ${subject}: ${issues.length} problems found:\n${lines.join("\n")}`,
      { path: issues[0].path, issues },
    );
  }
}

/** Formats an issue as `path: message. hint`. */
export function formatIssue(issue: PipelineIssue): string {
  const where = issue.path ? `${issue.path}: ` : "";
  const hint = issue.hint ? ` ${issue.hint}` : "";
  return `${where}${issue.message}${hint}`;
}

/** Returns true when `value` is a {@link PipelineError}, across module copies. */
export function isPipelineError(value: unknown): value is PipelineError {
  if (value instanceof PipelineError) return true;
  const code = (value as { code?: unknown } | null)?.code;
  return value instanceof Error && typeof code === "string" && code.startsWith("ASYNC_PIPELINE_");
}

/** Shortest input that a candidate starting with it is suggested for, as `mem` for `memory`. */
const MIN_PREFIX = 3;

/**
 * Returns the closest candidate to `input` by edit distance, or undefined.
 * When no candidate is close enough, the only candidate that starts with
 * `input` is returned, so an abbreviation finds its full name.
 */
export function suggest(input: string, candidates: Iterable<string>): string | undefined {
  const lower = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  const extensions: string[] = [];
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
    if (candidate.toLowerCase().startsWith(lower)) extensions.push(candidate);
  }
  const limit = input.length <= 3 ? 1 : Math.max(2, Math.floor(input.length / 3));
  if (bestDistance <= limit) return best;
  return input.length >= MIN_PREFIX && extensions.length === 1 ? extensions[0] : undefined;
}

/** Returns ` Did you mean "x"?` or an empty string. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const match = suggest(input, candidates);
  return match === undefined ? "" : `Did you mean "${match}"?`;
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return previous[b.length];
}
