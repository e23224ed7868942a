/**
 * The nesting limit of task metadata. `ctx.meta` rejects deeper values and
 * the cache treats an entry with deeper metadata as damaged, so the code that
 * masks and writes metadata, which recurses, never meets a value deep enough
 * to exhaust the stack.
 *
 * @module
 */

/** How many levels of arrays and objects a value passed to `ctx.meta` may nest. */
export const MAX_META_DEPTH = 100;

/**
 * Returns true when `value` nests arrays and objects more than `limit`
 * levels below itself, where `{ a: [1] }` nests one level. It walks with a
 * stack of its own, so a value of any depth is checked without recursion,
 * and a circular one ends at the limit.
 */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    const children = Array.isArray(current) ? current : Object.values(current as object);
    for (const child of children) {
      if (typeof child !== "object" || child === null) continue;
      if (depth + 1 > limit) return true;
      pending.push([child, depth + 1]);
    }
  }
  return false;
}
