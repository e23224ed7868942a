/** Runs the release-on-tag example of github.md and compares its output with the page. */

import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { cli, MOD_URL } from "./helpers/cli.ts";
import { tempDir } from "./support/temp_files.ts";

/** Returns the fenced blocks of the page section under `heading`, by language, in order. */
async function sectionBlocks(heading: string): Promise<Record<string, string[]>> {
  const page = await readFile(new URL("../docs/github.md", import.meta.url), "utf8");
  const start = page.indexOf(`\n## ${heading}\n`);
  assert.notEqual(start, -1, `github.md has no "## ${heading}" section`);
  const end = page.indexOf("\n## ", start + 1);
  const section = page.slice(start, end < 0 ? undefined : end);
  const blocks: Record<string, string[]> = {};
  for (const match of section.matchAll(/\n```(\w+)\n([\s\S]*?)\n```\n/g)) {
    (blocks[match[1]] ??= []).push(match[2]);
  }
  return blocks;
}

/** Writes the example pipeline into an npm project and returns its directory. */
async function exampleProject(): Promise<string> {
  const blocks = await sectionBlocks("Release on a version tag");
  const dir = await tempDir("tags-docs-");
  const source = blocks.ts[0].replace('"@async/pipeline"', JSON.stringify(MOD_URL))
    .replace("sh`node --test`", 'sh`node -e "process.exit(0)"`')
    .replace("sh`npm publish`", 'sh`node -e "process.exit(0)"`');
  await writeFile(join(dir, "pipeline.ts"), source);
  await writeFile(join(dir, "package.json"), "{}\n");
  await writeFile(join(dir, "package-lock.json"), '{ "lockfileVersion": 3 }\n');
  return dir;
}

Deno.test("docs release example renders the lines the page shows", async () => {
  const blocks = await sectionBlocks("Release on a version tag");
  const dir = await exampleProject();
  const result = await cli(dir, ["github", "generate"]);
  assert.equal(result.code, 0, result.stderr);
  const lines = (await readFile(join(dir, ".github/workflows/async-pipeline.yml"), "utf8"))
    .split("\n");
  // The page elides steps with "# ..." lines; every other line must appear, in order.
  let from = 0;
  for (const line of blocks.yaml[0].split("\n")) {
    if (line.trim().startsWith("# ...")) continue;
    const at = lines.indexOf(line, from);
    assert.notEqual(at, -1, `generated workflow lacks, in order: ${line}`);
    from = at + 1;
  }
});

Deno.test("docs release example selects the jobs the page shows", async () => {
  const blocks = await sectionBlocks("Release on a version tag");
  const dir = await exampleProject();
  const payload = join(dir, "push.json");
  await writeFile(payload, JSON.stringify({ ref: "refs/tags/v1.2.0" }));
  const result = await cli(dir, ["github", "run"], {
    PATH: process.env.PATH,
    CI: "true",
    GITHUB_EVENT_NAME: "push",
    GITHUB_EVENT_PATH: payload,
    GITHUB_REF: "refs/tags/v1.2.0",
    NPM_TOKEN: "token-for-tests",
  });
  assert.equal(result.code, 0, result.stderr);
  assert.ok(
    result.stdout.startsWith(`${blocks.text[0]}\n`),
    `github run printed:\n${result.stdout}`,
  );
});
