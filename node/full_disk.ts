/** Recognizing a write that failed because the disk or the user's quota is full. @module */

import { thrownMessage } from "./thrown.ts";

/** The cause of a full disk, by error code, in the same words on every runtime. */
const FULL_DISK_CAUSES: Record<string, string> = {
  ENOSPC: "the disk is full (ENOSPC)",
  EDQUOT: "the disk quota is used up (EDQUOT)",
};

/**
 * Returns the cause of `error` when it reports a full disk or quota, or
 * undefined for any other error. Some Deno errors carry no code and only
 * the message "No space left on device (os error 28)".
 */
export function fullDiskCause(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && FULL_DISK_CAUSES[code] !== undefined) {
    return FULL_DISK_CAUSES[code];
  }
  return /\(os error 28\)/.test(thrownMessage(error)) ? FULL_DISK_CAUSES.ENOSPC : undefined;
}
