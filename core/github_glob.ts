/**
 * GitHub Actions branch and tag filter patterns: validation and matching.
 * Tag filters use the same syntax as branch filters.
 *
 * GitHub's filter syntax is not a shell glob. `*` matches any characters
 * except `/`, and `**` matches any characters including `/`. `?` makes the
 * preceding character optional and `+` repeats it. `[...]` matches one
 * character of a set or range, `\` escapes a special character, and a
 * leading `!` negates the pattern. In a list, the last matching pattern
 * decides, so a negation after a positive pattern excludes a branch again.
 * Syntax reference: GitHub's "Filter pattern cheat sheet" in the workflow
 * syntax documentation.
 *
 * @module
 */

/** A parsed branch or tag filter pattern. */
export interface BranchPattern {
  /** The pattern as written, including a leading `!`. */
  readonly source: string;
  /** True for a `!` pattern, which excludes the names it matches. */
  readonly negated: boolean;
  /** Matches the whole branch or tag name. */
  readonly regex: RegExp;
  /** The name when the pattern has no special characters, such as `main` or `v1.0.0`. */
  readonly literal?: string;
}

/** The kind of ref a filter pattern names, which error messages mention. */
export type RefKind = "branch" | "tag";

/** Characters that a Git ref name may not contain (see `git check-ref-format`). */
const INVALID_REF_CHARACTERS = new Set([" ", "\t", "~", "^", ":"]);
/** Characters that `\` may escape in a branch filter. */
const ESCAPABLE = new Set(["+", "\\", "!"]);

/**
 * Parses one branch filter pattern, or a tag filter pattern with `kind`
 * `"tag"`, which only changes the wording of errors.
 *
 * @throws {Error} with a message that names the problem, for patterns that
 * GitHub or a Git ref name would reject.
 */
export function parseBranchPattern(pattern: string, kind: RefKind = "branch"): BranchPattern {
  if (pattern === "") throw new Error(`a ${kind} pattern cannot be empty`);
  const negated = pattern.startsWith("!");
  const body = negated ? pattern.slice(1) : pattern;
  if (body === "") throw new Error('"!" must be followed by a pattern');
  if (body.startsWith("/")) throw new Error(`a ${kind} name cannot start with /`);
  if (body.endsWith("/") || body.endsWith(".")) {
    throw new Error(`a ${kind} name cannot end with "/" or "."`);
  }

  const atoms = parseAtoms(body, kind);
  const regex = new RegExp(`^${atoms.map((atom) => atom.regex).join("")}$`);
  const isLiteral = atoms.every((atom) => atom.literal !== undefined);
  return {
    source: pattern,
    negated,
    regex,
    ...(isLiteral ? { literal: atoms.map((atom) => atom.literal).join("") } : {}),
  };
}

interface Atom {
  /** Regular expression source of the atom. */
  regex: string;
  /** The literal text when the atom is one plain character. */
  literal?: string;
  /** True when `?` or `+` may follow the atom. */
  repeatable: boolean;
}

function parseAtoms(body: string, kind: RefKind): Atom[] {
  const atoms: Atom[] = [];
  let index = 0;
  while (index < body.length) {
    const char = body[index];
    if (char === "*") {
      const double = body[index + 1] === "*";
      atoms.push({ regex: double ? ".*" : "[^/]*", repeatable: false });
      index += double ? 2 : 1;
    } else if (char === "?" || char === "+") {
      const previous = atoms.at(-1);
      if (!previous?.repeatable) {
        throw new Error(`"${char}" must follow a character that is not special`);
      }
      atoms[atoms.length - 1] = {
        regex: `(?:${previous.regex})${char}`,
        repeatable: false,
      };
      index += 1;
    } else if (char === "[") {
      const end = body.indexOf("]", index + 1);
      if (end < 0) throw new Error('"[" has no closing "]"');
      atoms.push({ regex: characterClass(body.slice(index + 1, end)), repeatable: true });
      index = end + 1;
    } else if (char === "\\") {
      const next = body[index + 1];
      if (next === undefined || !ESCAPABLE.has(next)) {
        throw new Error(`"\\" may only escape +, \\ or ! in a ${kind} name`);
      }
      atoms.push({ regex: escapeRegex(next), literal: next, repeatable: true });
      index += 2;
    } else {
      if (INVALID_REF_CHARACTERS.has(char) || char === "\n" || char === "\r") {
        throw new Error(
          `${JSON.stringify(char)} cannot appear in a ${kind} name (no spaces, ~, ^ or :)`,
        );
      }
      atoms.push({ regex: escapeRegex(char), literal: char, repeatable: true });
      index += 1;
    }
  }
  return atoms;
}

function characterClass(content: string): string {
  if (content === "") throw new Error('"[]" must list at least one character');
  const parts: string[] = [];
  let count = 0;
  for (let index = 0; index < content.length; index++) {
    const start = content[index];
    if (content[index + 1] === "-") {
      const end = content[index + 2];
      if (end === undefined) throw new Error(`the range "${start}-" in [${content}] has no end`);
      if (start > end) {
        throw new Error(`the range "${start}-${end}" in [${content}] runs backwards`);
      }
      parts.push(`${escapeClassChar(start)}-${escapeClassChar(end)}`);
      count += 2;
      index += 2;
    } else {
      parts.push(escapeClassChar(start));
      count += 1;
    }
  }
  if (count === 1) {
    throw new Error(`[${content}] matches a single character; write ${content} instead`);
  }
  return `[${parts.join("")}]`;
}

function escapeRegex(char: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(char) ? `\\${char}` : char;
}

function escapeClassChar(char: string): string {
  return /[\]\\^-]/.test(char) ? `\\${char}` : char;
}

/** The outcome of matching a branch or tag name against a filter list. */
export interface BranchMatch {
  readonly matched: boolean;
  /** The pattern that decided the outcome; absent when no pattern matched. */
  readonly pattern?: string;
}

/**
 * Matches a branch or tag name against a filter list the way GitHub does: the
 * last pattern that matches decides, and a name no pattern matches is
 * excluded.
 */
export function matchBranch(name: string, patterns: readonly string[]): BranchMatch {
  let result: BranchMatch = { matched: false };
  for (const source of patterns) {
    const pattern = parseBranchPattern(source);
    if (pattern.regex.test(name)) result = { matched: !pattern.negated, pattern: source };
  }
  return result;
}
