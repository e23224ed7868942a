/**
 * Secret masking. Every text the runner prints or stores (streamed output,
 * log files, the execution record, error messages) passes through a
 * {@link Redactor}, which replaces each secret value with `***`, as GitHub
 * Actions does.
 *
 * @module
 */

import { inspect } from "node:util";
import type { CacheMissReason, CommandRecord, ExecutionRecord, TaskResult } from "./types.ts";

/** The text that replaces a secret value. */
export const MASK = "***";

/**
 * Returns a copy of a cache miss reason with `mask` applied to the text that
 * can hold a file name or a message: input paths and reasons. Its kind,
 * names and digests are left as they are.
 */
export function maskMissText(
  reason: CacheMissReason,
  mask: (text: string) => string,
): CacheMissReason {
  switch (reason.kind) {
    case "changed": {
      const { added, removed, changed } = reason.inputs;
      return {
        ...reason,
        inputs: { added: added.map(mask), removed: removed.map(mask), changed: changed.map(mask) },
      };
    }
    case "restore-failed":
      return {
        ...reason,
        reason: mask(reason.reason),
        ...(reason.changedOutput !== undefined
          ? { changedOutput: mask(reason.changedOutput) }
          : {}),
      };
    case "uncacheable":
      return {
        ...reason,
        ...(reason.reason !== undefined ? { reason: mask(reason.reason) } : {}),
        ...(reason.secretInName !== undefined ? { secretInName: mask(reason.secretInName) } : {}),
        ...(reason.outputLink !== undefined ? { outputLink: mask(reason.outputLink) } : {}),
        ...(reason.inputPatterns !== undefined
          ? { inputPatterns: reason.inputPatterns.map(mask) }
          : {}),
      };
    default:
      return reason;
  }
}

/**
 * Returns the escaped forms in which a value is commonly printed inside
 * quotes, where they differ from the value. These are a JSON string, a
 * string as `util.inspect` shows it (console output of objects, thrown
 * values), and a single-quoted shell word (`sh` quoting, `set -x` traces).
 */
function escapedForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  // The whole string on one line: no length cap and no split at newlines.
  const inspected = inspect(value, { maxStringLength: Infinity, breakLength: Infinity })
    .slice(1, -1);
  const shellWord = value.replaceAll("'", `'\\''`);
  return [json, inspected, shellWord].filter((form) => form !== value);
}

/** Replaces secret values in text and in JSON-like values. */
export class Redactor {
  /** Secret values, longest first so a secret that contains another is masked whole. */
  #secrets: string[] = [];

  /** Creates a redactor for `secretValues`, as {@link Redactor.add} describes. */
  constructor(secretValues: Iterable<string> = []) {
    this.add(secretValues);
  }

  /**
   * Adds secret values to mask. Empty values are ignored. A multi-line
   * secret is also masked line by line, because tools often print such
   * values one line at a time. Each value and line is also masked in its
   * escaped forms: inside a JSON string, in `util.inspect` output and in a
   * single-quoted shell word.
   */
  add(secretValues: Iterable<string>): void {
    const unique = new Set(this.#secrets);
    for (const value of secretValues) {
      if (value === "") continue;
      const forms = [value];
      if (value.includes("\n")) {
        for (const line of value.split(/\r?\n/)) if (line.trim() !== "") forms.push(line);
      }
      for (const form of forms) {
        unique.add(form);
        for (const escaped of escapedForms(form)) unique.add(escaped);
      }
    }
    this.#secrets = [...unique].sort((a, b) => b.length - a.length);
  }

  /** The masked values, longest first. */
  get secrets(): readonly string[] {
    return this.#secrets;
  }

  /** Length of the longest secret, 0 without secrets. */
  get maxLength(): number {
    return this.#secrets[0]?.length ?? 0;
  }

  /** Returns `text` with every secret value replaced by `***`. */
  redact(text: string): string {
    let result = text;
    for (const secret of this.#secrets) {
      if (result.includes(secret)) result = result.replaceAll(secret, MASK);
    }
    return result;
  }

  /** Returns a copy of a JSON-like value with secrets masked in every string and key. */
  redactValue<T>(value: T): T {
    if (this.#secrets.length === 0) return value;
    return this.#redactAny(value) as T;
  }

  /**
   * Returns a copy of an execution record with secrets masked in the text
   * that can carry task or user content: error messages, warnings, task
   * metadata, attempt errors, cache miss paths and reasons, and governed
   * command output. Fields the runner
   * writes itself (ids, statuses, paths, timestamps, keys) are left as they
   * are, so a short secret value cannot corrupt the record's structure.
   */
  redactRecord(record: ExecutionRecord): ExecutionRecord {
    if (this.#secrets.length === 0) return record;
    const text = (value: string) => this.redact(value);
    return {
      ...record,
      ...(record.error ? { error: { ...record.error, message: text(record.error.message) } } : {}),
      ...(record.warnings ? { warnings: record.warnings.map(text) } : {}),
      ...(record.commands
        ? { commands: record.commands.map((command) => this.#redactCommand(command)) }
        : {}),
      tasks: record.tasks.map((task) => this.#redactTask(task)),
    };
  }

  /**
   * Returns a copy of a cache-miss reason with secrets masked in the text it
   * carries from the task: input paths and failure reasons. Its kind, env key
   * names, task ids, times and executor names are left as they are.
   */
  redactCacheMiss(reason: CacheMissReason): CacheMissReason {
    if (this.#secrets.length === 0) return reason;
    return maskMissText(reason, (value) => this.redact(value));
  }

  /** Masks the argv, deny reason and output of a governed command, not its field names. */
  #redactCommand(command: CommandRecord): CommandRecord {
    const text = (value: string) => this.redact(value);
    return {
      ...command,
      args: command.args.map(text),
      ...(command.reason !== undefined ? { reason: text(command.reason) } : {}),
      ...(command.stdout !== undefined ? { stdout: text(command.stdout) } : {}),
      ...(command.stderr !== undefined ? { stderr: text(command.stderr) } : {}),
    };
  }

  #redactTask(task: TaskResult): TaskResult {
    const text = (value: string) => this.redact(value);
    return {
      ...task,
      meta: this.redactValue(task.meta),
      attemptLog: task.attemptLog.map((attempt) =>
        attempt.error === undefined ? attempt : { ...attempt, error: text(attempt.error) }
      ),
      ...(task.error ? { error: { ...task.error, message: text(task.error.message) } } : {}),
      ...(task.warnings ? { warnings: task.warnings.map(text) } : {}),
      ...(task.cacheMiss ? { cacheMiss: this.redactCacheMiss(task.cacheMiss) } : {}),
    };
  }

  #redactAny(value: unknown): unknown {
    if (typeof value === "string") return this.redact(value);
    if (Array.isArray(value)) return value.map((item) => this.#redactAny(item));
    if (typeof value !== "object" || value === null) return value;
    const result: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) {
      result[this.redact(key)] = this.#redactAny(entry);
    }
    return result;
  }

  /**
   * Returns the length of the longest suffix of `text` that is the start of a
   * secret. That suffix must be held back, because the next chunk may
   * complete the secret.
   */
  pendingSuffixLength(text: string): number {
    const limit = Math.min(text.length, this.maxLength - 1);
    for (let length = limit; length > 0; length--) {
      const suffix = text.slice(text.length - length);
      if (this.#secrets.some((secret) => secret.length > length && secret.startsWith(suffix))) {
        return length;
      }
    }
    return 0;
  }
}

/**
 * Masks secrets in a stream of text chunks. A secret split across two chunks
 * is still masked: text that could be the start of a secret is held back
 * until the next chunk or {@link StreamRedactor.flush}.
 */
export class StreamRedactor {
  readonly #redactor: Redactor;
  readonly #emit: (text: string) => void;
  #pending = "";

  constructor(redactor: Redactor, emit: (text: string) => void) {
    this.#redactor = redactor;
    this.#emit = emit;
  }

  /** Adds a chunk and emits every part of the text that can no longer change. */
  write(chunk: string): void {
    if (this.#redactor.maxLength === 0) {
      if (chunk !== "") this.#emit(chunk);
      return;
    }
    const masked = this.#redactor.redact(this.#pending + chunk);
    const held = this.#redactor.pendingSuffixLength(masked);
    this.#pending = masked.slice(masked.length - held);
    const ready = masked.slice(0, masked.length - held);
    if (ready !== "") this.#emit(ready);
  }

  /** The masked text held back until the next chunk, which {@link flush} would emit. */
  get held(): string {
    return this.#pending;
  }

  /** Emits the held-back text. Call it once when the stream ends. */
  flush(): void {
    const rest = this.#pending;
    this.#pending = "";
    if (rest !== "") this.#emit(rest);
  }
}
