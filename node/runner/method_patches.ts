/**
 * Replaced methods of shared objects, such as `console.log` or
 * `process.exit`, kept in place while any of several overlapping runs in
 * one process needs them.
 *
 * @module
 */

/** A method that a wrapper replaces and calls. */
export type Method = (this: unknown, ...args: unknown[]) => unknown;

/** One replaced property, and how to put the original back. */
export interface Patch {
  readonly owner: Record<string, unknown>;
  readonly name: string;
  readonly wrapper: Method;
  readonly own: PropertyDescriptor | undefined;
}

/** Replaces the method `name` of `owner` with `wrap(original)`. Returns undefined when it cannot. */
export function patch(
  owner: Record<string, unknown>,
  name: string,
  wrap: (original: Method) => Method,
): Patch | undefined {
  const original = owner[name];
  if (typeof original !== "function") return undefined;
  const own = Object.getOwnPropertyDescriptor(owner, name);
  const wrapper = wrap(original as Method);
  try {
    Object.defineProperty(owner, name, {
      value: wrapper,
      writable: true,
      configurable: true,
      enumerable: own?.enumerable ?? false,
    });
  } catch {
    return undefined;
  }
  return { owner, name, wrapper, own };
}

/** Puts an original back, unless something replaced the wrapper since: that replacement stays. */
export function unpatch({ owner, name, wrapper, own }: Patch): void {
  if (owner[name] !== wrapper) return;
  if (own === undefined) delete owner[name];
  else Object.defineProperty(owner, name, own);
}

/**
 * Returns an acquire function for one set of patches, counted over its
 * users. The first acquire calls `install`. Each acquire returns a release
 * function, and the last release puts the originals back in reverse order,
 * then calls `restored`. Releasing twice does nothing.
 */
export function sharedPatches(
  install: () => readonly (Patch | undefined)[],
  restored?: () => void,
): () => () => void {
  let users = 0;
  let installed: Patch[] = [];
  return () => {
    if (users++ === 0) {
      installed = install().filter((entry): entry is Patch => entry !== undefined);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--users > 0) return;
      for (const entry of installed.reverse()) unpatch(entry);
      installed = [];
      restored?.();
    };
  };
}
