/** Output files whose names POSIX allows but path checks could mistake for separators. */

import assert from "node:assert/strict";
import { mkdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";
import { checkedOutputPath, outputMatcher } from "../node/cache/outputs.ts";
import {
  backdate,
  cacheFor,
  execute,
  lookupInput,
  makePipeline,
  makeProject,
  settled,
  writeFiles,
} from "./cache_fixture.ts";

const NAME = "gout/back\\slash";

Deno.test({
  name: "output with a backslash in its name is restored",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = await makeProject({ "gin/a": "a\n" });
    const pipeline = makePipeline({
      build: task({ cache: true, inputs: ["gin/**"], outputs: ["gout/**"] }, sh`true`),
    });
    await backdate(dir);
    const input = lookupInput(pipeline, "build", dir);
    const first = await execute(cacheFor(pipeline, dir, { now: settled }), input, async () => {
      await writeFiles(dir, { [NAME]: "made\n" });
    });
    assert.equal(first.saved?.stored, true);
    await rm(join(dir, "gout"), { recursive: true });
    const second = await execute(cacheFor(pipeline, dir, { now: settled }), input);
    assert.equal(second.lookup.status, "hit");
    assert.equal(await readFile(join(dir, NAME), "utf8"), "made\n");
  },
});

Deno.test({
  name: "output path check accepts a backslash on POSIX",
  ignore: Deno.build.os === "windows",
  fn: () => {
    const matcher = outputMatcher(["gout/**"]);
    assert.equal(checkedOutputPath("/project", NAME, matcher), `/project/${NAME}`);
  },
});

Deno.test("output path check rejects parent segments next to a backslash", () => {
  const matcher = outputMatcher(["gout/**"]);
  assert.throws(
    () => checkedOutputPath("/project", "gout/a\\b/../../../x", matcher),
    /escapes the project root/,
  );
});

Deno.test({
  name: "restore keeps a protected file with a backslash",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = await makeProject({ "gin/a": "a\n" });
    const pipeline = makePipeline({
      build: task(
        { cache: true, inputs: ["gin/**"], outputs: ["out/**", "!out/d/x?y"] },
        sh`true`,
      ),
    });
    await backdate(dir);
    const input = lookupInput(pipeline, "build", dir);
    await execute(cacheFor(pipeline, dir, { now: settled }), input, async () => {
      await writeFiles(dir, { "out/d": "file\n" });
    });
    // The entry's file out/d would replace a directory that contains a protected file.
    await rm(join(dir, "out/d"));
    await mkdir(join(dir, "out/d"));
    await writeFiles(dir, { "out/d/x\\y": "keep\n" });
    const second = await execute(cacheFor(pipeline, dir, { now: settled }), input);
    assert.equal(second.lookup.status, "miss");
    assert.equal(await readFile(join(dir, "out/d/x\\y"), "utf8"), "keep\n");
  },
});
