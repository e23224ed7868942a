/**
 * The Markdown files of the npm package: README.md and the guides under
 * `docs/`. A copied file keeps its relative links only to files that the
 * package contains, so no link in the installed package points nowhere.
 *
 * @module
 */

import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, posix } from "node:path";

/** Directory of the guides, relative to the repository root and the package root. */
export const DOCS_DIR = "docs";

/**
 * Matches an inline code span (left unchanged) or an inline link or image,
 * whose text may contain code spans, such as [`pipeline.ts`](pipeline.ts).
 */
const LINK_OR_CODE = /(`+)[^`]*?\1|(!?)\[((?:[^\]`\n]|`[^`\n]*`)*)\]\(([^()\s]+)\)/g;

/** Matches a link target with a URL scheme, such as `https:` or `mailto:`. */
const HAS_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/** Returns `target` with its percent escapes decoded, or as it is when one is malformed. */
function decodedPath(target: string): string {
  try {
    return decodeURI(target);
  } catch {
    return target;
  }
}

/**
 * Replaces each relative link in `markdown` whose target is not in `shipped`
 * by the link's text. `from` is the file's path in the package, and the paths
 * in `shipped` are relative to the package root with forward slashes. Links
 * with a scheme, links to a fragment of the same file, images and text inside
 * fenced code blocks stay as they are.
 */
export function unlinkMissingTargets(
  markdown: string,
  from: string,
  shipped: ReadonlySet<string>,
): string {
  let fence: string | undefined;
  const lines = markdown.split("\n").map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker !== undefined) {
      fence = marker;
      return line;
    }
    if (fence !== undefined) {
      if (marker !== undefined && marker[0] === fence[0] && marker.length >= fence.length) {
        fence = undefined;
      }
      return line;
    }
    return line.replace(LINK_OR_CODE, (match, code, bang, text, target) => {
      if (code !== undefined || bang === "!") return match;
      if (HAS_SCHEME.test(target) || target.startsWith("#")) return match;
      const file = decodedPath(target.split("#")[0]);
      const path = posix.normalize(posix.join(posix.dirname(from), file));
      return shipped.has(path) ? match : text;
    });
  });
  return lines.join("\n");
}

/**
 * Copies README.md and `docs/*.md` from `root` into `outDir`. A relative
 * link becomes plain text unless its target is in `shipped` or is one of the
 * copied files. Returns the written paths, relative to `outDir`.
 */
export async function copyDocs(
  root: string,
  outDir: string,
  shipped: Iterable<string>,
): Promise<string[]> {
  const guides = (await readdir(join(root, DOCS_DIR)))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `${DOCS_DIR}/${name}`);
  const written = ["README.md", ...guides];
  const targets = new Set([...shipped, ...written]);

  await mkdir(join(outDir, DOCS_DIR), { recursive: true });
  for (const path of written) {
    const text = await readFile(join(root, path), "utf8");
    await writeFile(join(outDir, path), unlinkMissingTargets(text, path, targets));
  }
  return written;
}
