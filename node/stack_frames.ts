/**
 * Reading the frames of an error's stack, to tell where a pipeline module
 * failed: in the project's own files, in a dependency, in this package or in
 * the runtime.
 *
 * @module
 */

import { isAbsolute, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** One `at ...` line of a V8 stack. */
export interface StackFrame {
  /** The place as the stack gives it: a `file:` URL or a path, with line and column. */
  readonly place: string;
  /** The file's path, or undefined for a runtime-internal or anonymous frame. */
  readonly path?: string;
  /** True for an `at async ...` frame: a caller that awaited, not a running one. */
  readonly async: boolean;
}

/** `at [async] [name (]place:line:column[)]`. */
const FRAME = /^\s+at (async )?(?:.*? \()?(\S+?):(\d+):(\d+)\)?$/;

/** Returns the file path a frame names, or undefined when it names no file on disk. */
function framePath(location: string): string | undefined {
  if (location.startsWith("file://")) {
    try {
      return fileURLToPath(location);
    } catch {
      return undefined;
    }
  }
  return isAbsolute(location) ? location : undefined;
}

/** Returns the frames of `error`'s stack, or none when it has no readable stack. */
export function stackFrames(error: unknown): StackFrame[] {
  let stack: unknown;
  try {
    stack = (error as { stack?: unknown } | null)?.stack;
  } catch {
    return [];
  }
  if (typeof stack !== "string") return [];
  const frames: StackFrame[] = [];
  for (const line of stack.split("\n")) {
    const match = FRAME.exec(line);
    if (match === null) continue;
    const place = `${match[2]}:${match[3]}:${match[4]}`;
    frames.push({ place, path: framePath(match[2]), async: match[1] !== undefined });
  }
  return frames;
}

/**
 * Folders of this package's modules: `core/`, `node/`, `cli/` and `runtime/`
 * in the sources, and `chunks/` too in the npm build. This module lies in one
 * of them, one level below the package root. Undefined when it was not
 * loaded from a file.
 */
const PRODUCT_DIRS: readonly string[] | undefined = (() => {
  if (!import.meta.url.startsWith("file:")) return undefined;
  const root = fileURLToPath(new URL("..", import.meta.url));
  return ["core", "node", "cli", "runtime", "chunks"].map((dir) => `${root}${dir}${sep}`);
})();

/** True for a file of this package, whose frames are not places in the project. */
export function isProductFile(path: string): boolean {
  return PRODUCT_DIRS?.some((dir) => path.startsWith(dir)) ?? false;
}

/** True for a file inside a `node_modules` folder: a dependency, or a loader. */
function isDependencyFile(path: string): boolean {
  return path.split(/[\\/]/).includes("node_modules");
}

/**
 * Returns the first frame of `error` that lies in the project: in a file
 * outside `node_modules` and outside this package, such as the module that
 * threw while it was imported. Frames of callers that awaited come last.
 */
export function projectFrame(error: unknown): StackFrame | undefined {
  const inProject = (frame: StackFrame) =>
    frame.path !== undefined && !isDependencyFile(frame.path) && !isProductFile(frame.path);
  const frames = stackFrames(error);
  return frames.find((frame) => !frame.async && inProject(frame)) ??
    frames.find((frame) => frame.async && inProject(frame));
}

/**
 * True when `error` was thrown by code that ran: a frame that is not an
 * awaiting caller lies in a file, the project's or a dependency's, outside
 * this package. An error of the module loader itself, such as a parse or
 * link error, has runtime-internal frames only, but so does one that a
 * dynamic `import()` in a running module raises, so false does not prove
 * that no module ran.
 */
export function thrownByRunningCode(error: unknown): boolean {
  return stackFrames(error).some((frame) =>
    !frame.async && frame.path !== undefined && !isProductFile(frame.path)
  );
}
