/** The candidate fingerprint of a git work tree does not depend on the user's git settings. */

import assert from "node:assert/strict";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { readCandidate } from "../node/runner/candidate.ts";
import { git, gitTestEnv } from "./support/git.ts";
import { tempDir } from "./support/temp_files.ts";

/** Creates a repository with committed files, and a script that prints one fixed line. */
async function committedRepo(): Promise<{ dir: string; fixedPrinter: string }> {
  const dir = await tempDir();
  await git(dir, "init", "-q");
  await writeFile(join(dir, "lib.txt"), "version 1\n");
  await mkdir(join(dir, "sub"));
  await writeFile(join(dir, "sub/b.txt"), "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\n");
  await git(dir, "add", ".");
  await git(dir, "commit", "-qm", "init");
  const tools = await tempDir();
  const fixedPrinter = join(tools, "fixed.sh");
  await writeFile(fixedPrinter, "#!/bin/sh\necho changed\n");
  await chmod(fixedPrinter, 0o755);
  return { dir, fixedPrinter };
}

/** Returns the fingerprints of `dir` with `lib.txt` at version 2 and then at version 3. */
async function twoStates(dir: string, env: Record<string, string>): Promise<[string, string]> {
  await writeFile(join(dir, "lib.txt"), "version 2\n");
  const second = await readCandidate(dir, env);
  await writeFile(join(dir, "lib.txt"), "version 3\n");
  const third = await readCandidate(dir, env);
  assert.equal(third.git?.dirty, true);
  return [second.fingerprint, third.fingerprint];
}

Deno.test("candidate fingerprint ignores GIT_EXTERNAL_DIFF", async () => {
  const { dir, fixedPrinter } = await committedRepo();
  const [second, third] = await twoStates(dir, gitTestEnv({ GIT_EXTERNAL_DIFF: fixedPrinter }));
  assert.notEqual(third, second);
});

Deno.test("candidate fingerprint ignores a diff.external setting", async () => {
  const { dir, fixedPrinter } = await committedRepo();
  await git(dir, "config", "diff.external", fixedPrinter);
  const [second, third] = await twoStates(dir, gitTestEnv());
  assert.notEqual(third, second);
});

Deno.test("candidate fingerprint ignores a textconv driver from .gitattributes", async () => {
  const { dir, fixedPrinter } = await committedRepo();
  await writeFile(join(dir, ".gitattributes"), "*.txt diff=fixed\n");
  await git(dir, "add", ".gitattributes");
  await git(dir, "commit", "-qm", "attributes");
  await git(dir, "config", "diff.fixed.textconv", fixedPrinter);
  const [second, third] = await twoStates(dir, gitTestEnv());
  assert.notEqual(third, second);
});

Deno.test("candidate fingerprint is the same whatever the diff display settings", async () => {
  const { dir } = await committedRepo();
  await writeFile(join(dir, "lib.txt"), "version 2\n");
  await writeFile(join(dir, "sub/b.txt"), "one\ntwo\n3\nfour\nfive\n6\nseven\neight\n");
  await writeFile(join(dir, "new name.txt"), "untracked\n");
  const plain = await readCandidate(dir, gitTestEnv());
  const order = join(await tempDir(), "order");
  await writeFile(order, "sub/*\n");
  for (
    const [name, value] of [
      ["color.ui", "always"],
      ["color.diff", "always"],
      ["color.status", "always"],
      ["core.quotePath", "false"],
      ["diff.noprefix", "true"],
      ["diff.mnemonicPrefix", "true"],
      ["diff.relative", "true"],
      ["diff.context", "0"],
      ["diff.interHunkContext", "9"],
      ["diff.algorithm", "patience"],
      ["diff.orderFile", order],
      ["diff.renames", "copies"],
      ["diff.suppressBlankEmpty", "true"],
      ["status.relativePaths", "true"],
      ["status.renames", "copies"],
      ["status.showUntrackedFiles", "no"],
    ]
  ) {
    await git(dir, "config", name, value);
  }
  const configured = await readCandidate(dir, gitTestEnv({ GIT_DIFF_OPTS: "--unified=0" }));
  assert.equal(configured.fingerprint, plain.fingerprint);
  const inSub = await readCandidate(join(dir, "sub"), gitTestEnv({ GIT_DIFF_OPTS: "-u0" }));
  await git(dir, "config", "--remove-section", "diff");
  await git(dir, "config", "--remove-section", "color");
  const plainSub = await readCandidate(join(dir, "sub"), gitTestEnv());
  assert.equal(inSub.fingerprint, plainSub.fingerprint);
});
