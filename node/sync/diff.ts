/** A short line diff for reporting stale generated files. @module */

/** Largest middle section (lines before × lines after) diffed line by line. */
const MAX_CELLS = 4_000_000;

type Edit = { kind: " " | "-" | "+"; text: string; line: number };

/**
 * Returns a unified-style diff of two texts: `-` lines are only in `before`,
 * `+` lines only in `after`, with one line of context around each change and
 * an `@@ line N @@` header per hunk (N counts lines of `before`). At most
 * `maxLines` lines are shown, and a last line counts the changed lines left
 * out.
 * Returns an empty string for equal texts.
 */
export function shortDiff(before: string, after: string, maxLines = 20): string {
  if (before === after) return "";
  const edits = lineEdits(splitLines(before), splitLines(after));
  const shown: string[] = [];
  let hidden = 0;
  let lastShown = -2;
  const changed = (index: number) => edits[index] !== undefined && edits[index].kind !== " ";
  edits.forEach((edit, index) => {
    if (!changed(index) && !changed(index - 1) && !changed(index + 1)) return;
    if (shown.length >= maxLines) {
      if (edit.kind !== " ") hidden++;
      return;
    }
    if (index !== lastShown + 1) shown.push(`@@ line ${edit.line} @@`);
    shown.push(`${edit.kind}${edit.text}`);
    lastShown = index;
  });
  if (hidden > 0) shown.push(`... ${hidden} more changed ${hidden === 1 ? "line" : "lines"}`);
  return shown.join("\n");
}

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

function lineEdits(a: string[], b: string[]): Edit[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const edits: Edit[] = a.slice(0, start).map((text, i) => ({ kind: " ", text, line: i + 1 }));
  edits.push(...middleEdits(a.slice(start, endA), b.slice(start, endB), start));
  a.slice(endA).forEach((text, i) => edits.push({ kind: " ", text, line: endA + i + 1 }));
  return edits;
}

/** Diffs the differing middle by longest common subsequence, or wholesale when it is large. */
function middleEdits(a: string[], b: string[], offset: number): Edit[] {
  if (a.length * b.length > MAX_CELLS) {
    return [
      ...a.map((text, i): Edit => ({ kind: "-", text, line: offset + i + 1 })),
      ...b.map((text): Edit => ({ kind: "+", text, line: offset + a.length + 1 })),
    ];
  }
  const width = b.length + 1;
  const common = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i * width + j] = a[i] === b[j]
        ? common[(i + 1) * width + j + 1] + 1
        : Math.max(common[(i + 1) * width + j], common[i * width + j + 1]);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const line = offset + i + 1;
    if (i < a.length && j < b.length && a[i] === b[j]) {
      edits.push({ kind: " ", text: a[i++], line });
      j++;
    } else if (
      i < a.length && (j === b.length || common[(i + 1) * width + j] >= common[i * width + j + 1])
    ) {
      edits.push({ kind: "-", text: a[i++], line });
    } else edits.push({ kind: "+", text: b[j++], line });
  }
  return edits;
}
