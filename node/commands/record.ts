/** Building the execution-record entry of a governed command. @module */

import type { CommandPolicy } from "../../core/commands.ts";
import { Redactor } from "../redact.ts";
import type { CommandRecord } from "../types.ts";
import type { CommandDecision } from "./policy.ts";

/**
 * Keeps at most `maxBytes` UTF-8 bytes of `text`, cut on a character
 * boundary. Returns the text and whether anything was dropped.
 */
export function capBytes(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return { text, truncated: false };
  let end = maxBytes;
  // Step back over UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return { text: new TextDecoder().decode(bytes.subarray(0, end)), truncated: true };
}

/**
 * Builds the record of one governed command. Secret values are always masked
 * in argv and in the deny reason, and in output unless the policy sets
 * `output.redactSecrets: false`. Output is masked before it is capped, so a
 * cut never leaves part of a secret behind.
 */
export function buildCommandRecord(
  policy: CommandPolicy,
  args: readonly string[],
  decision: CommandDecision,
  result: { code: number; stdout: string; stderr: string } | undefined,
  secretValues: readonly string[],
): CommandRecord {
  const redactor = new Redactor(secretValues);
  const redact = (text: string) => redactor.redact(text);
  const redactOutput = (text: string) => policy.output.redactSecrets ? redact(text) : text;
  const record: CommandRecord = {
    args: args.map(redact),
    action: decision.outcome,
    ...(decision.rule !== undefined ? { rule: decision.rule } : {}),
  };
  if (decision.action.kind === "require-environment") {
    record.environment = decision.action.environment;
  }
  if (decision.outcome === "deny") {
    record.reason = redact(decision.error.message);
    return record;
  }
  if (result) {
    const stdout = capBytes(redactOutput(result.stdout), policy.output.maxBytes);
    const stderr = capBytes(redactOutput(result.stderr), policy.output.maxBytes);
    record.code = result.code;
    record.stdout = stdout.text;
    record.stderr = stderr.text;
    if (stdout.truncated || stderr.truncated) record.truncated = true;
  }
  return record;
}
