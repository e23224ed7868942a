import assert from "node:assert/strict";
import { matchBranch, parseBranchPattern } from "../core/github_glob.ts";

// Cases from the filter pattern cheat sheet in GitHub's workflow syntax documentation.
const MATCHES: [pattern: string, matching: string[], other: string[]][] = [
  ["feature/*", ["feature/my-branch", "feature/your-branch"], ["feature/a/b", "feature"]],
  ["feature/**", ["feature/beta-a/my-branch", "feature/your-branch", "feature/mona/the/octocat"], [
    "features/x",
  ]],
  ["main", ["main"], ["main2", "xmain", "releases/main"]],
  ["*", ["main", "releases"], ["releases/1"]],
  ["**", ["main", "releases/1", "a/b/c"], []],
  ["*feature", ["mona-feature", "feature", "ver-10-feature"], ["feature-x", "a/feature"]],
  ["v2*", ["v2", "v2.0", "v2.9"], ["v3", "x/v2"]],
  ["v[12].[0-9]+.[0-9]+", ["v1.10.1", "v2.0.0"], ["v3.0.0", "v1..1", "v1.a.1"]],
  ["releases/**-alpha", ["releases/beta/3-alpha", "releases/1-alpha"], ["releases/1-beta"]],
  ["ma?in", ["main", "min"], ["maain", "man"]],
  ["v1\\+", ["v1+"], ["v1", "v11"]],
  ["a.b", ["a.b"], ["axb"]],
];

Deno.test("branch pattern matches cheat sheet", () => {
  for (const [pattern, matching, other] of MATCHES) {
    const { regex } = parseBranchPattern(pattern);
    for (const branch of matching) assert.ok(regex.test(branch), `${pattern} ~ ${branch}`);
    for (const branch of other) assert.ok(!regex.test(branch), `${pattern} !~ ${branch}`);
  }
});

Deno.test("branch pattern literal names", () => {
  assert.equal(parseBranchPattern("main").literal, "main");
  assert.equal(parseBranchPattern("release/1.0").literal, "release/1.0");
  assert.equal(parseBranchPattern("!wip").literal, "wip");
  assert.equal(parseBranchPattern("!wip").negated, true);
  assert.equal(parseBranchPattern("release/*").literal, undefined);
});

Deno.test("branch pattern rejects invalid syntax", () => {
  const invalid: [string, RegExp][] = [
    ["", /empty/],
    ["!", /followed by a pattern/],
    ["/main", /start with \//],
    ["main/", /end with "\/" or "\."/],
    ["v1.", /end with "\/" or "\."/],
    ["+main", /must follow a character/],
    ["v*+", /must follow a character/],
    ["v[0-9", /no closing/],
    ["v[]", /at least one character/],
    ["v[9-1]", /backwards/],
    ["v[1]", /single character/],
    ["feature branch", /cannot appear/],
    ["^main", /cannot appear/],
    ["a:b", /cannot appear/],
    ["a\\b", /may only escape/],
  ];
  for (const [pattern, message] of invalid) {
    assert.throws(() => parseBranchPattern(pattern), message, JSON.stringify(pattern));
  }
});

Deno.test("branch list last match decides", () => {
  const patterns = ["release/**", "!release/old", "release/old"];
  assert.deepEqual(matchBranch("release/1", patterns), { matched: true, pattern: "release/**" });
  assert.deepEqual(matchBranch("release/old", patterns), { matched: true, pattern: "release/old" });
  assert.deepEqual(matchBranch("release/old", ["release/**", "!release/old"]), {
    matched: false,
    pattern: "!release/old",
  });
  assert.deepEqual(matchBranch("main", ["release/**"]), { matched: false });
});
