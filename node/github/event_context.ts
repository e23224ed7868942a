/**
 * Reading the event that started a GitHub Actions run, from the variables
 * and the payload file that GitHub provides to every step.
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { ErrorCode, PipelineError } from "../../core/errors.ts";
import type { ProcessEnv } from "../types.ts";

/** The event of a GitHub Actions run. */
export interface GithubEventContext {
  /** `GITHUB_EVENT_NAME`, such as `push` or `schedule`. */
  readonly name: string;
  /** `GITHUB_REF`, such as `refs/heads/main`. */
  readonly ref?: string;
  /** `GITHUB_BASE_REF`: the target branch of a pull request, such as `main`. */
  readonly baseRef?: string;
  /** The webhook payload from `GITHUB_EVENT_PATH`; empty when the variable is unset. */
  readonly payload: Readonly<Record<string, unknown>>;
}

const REPLAY_HINT =
  "Run it inside a GitHub Actions job, or set GITHUB_EVENT_NAME, GITHUB_REF and GITHUB_EVENT_PATH to replay an event.";

/**
 * Reads `GITHUB_EVENT_NAME`, `GITHUB_REF`, `GITHUB_BASE_REF` and the JSON
 * payload at `GITHUB_EVENT_PATH` (relative paths resolve against `cwd`).
 *
 * @throws {PipelineError} `ASYNC_PIPELINE_INVALID_GITHUB_EVENT` when the
 * event name is missing or the payload cannot be read as a JSON object.
 */
export async function readGithubEvent(env: ProcessEnv, cwd: string): Promise<GithubEventContext> {
  const name = env.GITHUB_EVENT_NAME;
  if (!name) {
    throw new PipelineError(
      ErrorCode.INVALID_GITHUB_EVENT,
      "GITHUB_EVENT_NAME is not set, so there is no GitHub event to match jobs against.",
      { path: "GITHUB_EVENT_NAME", hint: REPLAY_HINT },
    );
  }
  const payloadPath = env.GITHUB_EVENT_PATH;
  const payload = payloadPath ? await readPayload(resolve(cwd, payloadPath)) : {};
  const context = {
    name,
    ...(env.GITHUB_REF ? { ref: env.GITHUB_REF } : {}),
    ...(env.GITHUB_BASE_REF ? { baseRef: env.GITHUB_BASE_REF } : {}),
    payload,
  };
  const isPullRequest = name === "pull_request" || name === "pull_request_target";
  const payloadBase = (payload.pull_request as { base?: { ref?: unknown } } | undefined)?.base?.ref;
  if (isPullRequest && !context.baseRef && typeof payloadBase !== "string") {
    throw new PipelineError(
      ErrorCode.INVALID_GITHUB_EVENT,
      `A ${name} event needs its target branch, but neither GITHUB_BASE_REF nor pull_request.base.ref in the payload is set.`,
      { path: "GITHUB_BASE_REF", hint: REPLAY_HINT },
    );
  }
  return context;
}

async function readPayload(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new PipelineError(
      ErrorCode.INVALID_GITHUB_EVENT,
      `Cannot read the event payload at ${path} (GITHUB_EVENT_PATH): ${(error as Error).message}`,
      { path: "GITHUB_EVENT_PATH", hint: REPLAY_HINT, cause: error },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PipelineError(
      ErrorCode.INVALID_GITHUB_EVENT,
      `The event payload at ${path} (GITHUB_EVENT_PATH) is not valid JSON: ${
        (error as Error).message
      }`,
      { path: "GITHUB_EVENT_PATH", hint: REPLAY_HINT, cause: error },
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new PipelineError(
      ErrorCode.INVALID_GITHUB_EVENT,
      `The event payload at ${path} (GITHUB_EVENT_PATH) is not a JSON object.`,
      { path: "GITHUB_EVENT_PATH", hint: REPLAY_HINT },
    );
  }
  return value as Record<string, unknown>;
}
