/**
 * The GitHub lock file: what generated the committed workflow, from which
 * pipeline file and settings, and the hash of the text it wrote. `check`
 * compares the hash with the workflow on disk to tell a hand edit from a
 * pipeline change.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { VERSION } from "../../core/version.ts";
import type { PackageManagerName } from "./package_manager.ts";

/** The lock file's content. */
export interface GithubLock {
  /** Always `@async/pipeline`. */
  readonly generator: string;
  /** Version of `@async/pipeline` that rendered the workflow. */
  readonly version: string;
  /** Pipeline file relative to the project root. */
  readonly config: string;
  /** `sha256:` and the hex digest of the workflow text. */
  readonly hash: string;
  /** The settings the workflow was rendered with. */
  readonly options: {
    readonly workflow: string;
    readonly lock: string;
    readonly nodeVersion: number;
    readonly cache: boolean;
    readonly packageManager: PackageManagerName;
  };
}

/** Returns `sha256:<hex>` of a text's UTF-8 bytes. */
export function hashText(text: string): string {
  return `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;
}

/** Renders the lock for a workflow text. Byte-stable: no timestamps. */
export function renderLock(
  workflowText: string,
  fields: { config: string; options: GithubLock["options"] },
): string {
  const lock: GithubLock = {
    generator: "@async/pipeline",
    version: VERSION,
    config: fields.config,
    hash: hashText(workflowText),
    options: fields.options,
  };
  return `${JSON.stringify(lock, null, 2)}\n`;
}

/** Reads the workflow hash from a lock's text; undefined when it is not a lock. */
export function lockedHash(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<GithubLock>;
    return typeof value.hash === "string" ? value.hash : undefined;
  } catch {
    return undefined;
  }
}
