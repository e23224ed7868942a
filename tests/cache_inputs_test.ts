/** Input resolution and the file-state index. */

import assert from "node:assert/strict";
import { chmod, mkdir, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sh } from "../core/sh.ts";
import { task } from "../core/task.ts";
import { sha256 } from "../node/cache/digest.ts";
import { FileStateIndex, RACY_WINDOW_MS } from "../node/cache/file_index.ts";
import { resolveInputs, statInputs } from "../node/cache/inputs.ts";
import { lstatFacts } from "../node/cache/facts.ts";
import { StatedFiles } from "../node/cache/stated.ts";
import { directoryMatcher } from "../node/cache/patterns.ts";
import picomatch from "picomatch";
import {
  cacheFor,
  changesOf,
  execute,
  lookupInput,
  makePipeline,
  makeProject,
  writeFiles,
} from "./cache_fixture.ts";

/** Loads an index whose clock runs far enough ahead that fresh files count as settled. */
function settledIndex(dir: string): Promise<FileStateIndex> {
  return FileStateIndex.load(join(dir, "index.json"), () => Date.now() + 10 * RACY_WINDOW_MS);
}

async function inputsOf(dir: string, config: Parameters<typeof task>[0]) {
  const pipeline = makePipeline({ t: task({ cache: true, ...config }, sh`true`) });
  return await resolveInputs(pipeline.tasks.t, dir, await settledIndex(await makeProject()));
}

async function git(cwd: string, ...args: string[]): Promise<void> {
  const result = await new Deno.Command("git", { args, cwd, stdout: "null", stderr: "piped" })
    .output();
  assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
}

Deno.test("inputs match globs in sorted order", async () => {
  const dir = await makeProject({
    "src/b.ts": "b",
    "src/a.ts": "a",
    "src/sub/c.ts": "c",
    "src/readme.md": "r",
  });
  const inputs = await inputsOf(dir, { inputs: ["src/**/*.ts"] });
  assert.deepEqual(Object.keys(inputs), ["src/a.ts", "src/b.ts", "src/sub/c.ts"]);
  assert.equal(inputs["src/a.ts"], sha256("a"));
});

Deno.test("inputs stay in sorted order when every digest is known", async () => {
  const dir = await makeProject({ "src/b.ts": "b", "src/a-b.ts": "ab", "src/a/c.ts": "c" });
  const pipeline = makePipeline({ t: task({ cache: true, inputs: ["src/**"] }, sh`true`) });
  const index = await settledIndex(dir);
  const cold = await resolveInputs(pipeline.tasks.t, dir, index);
  const warm = await resolveInputs(pipeline.tasks.t, dir, index);
  assert.equal(index.hashedFiles, 3);
  const sorted = ["src/a-b.ts", "src/a/c.ts", "src/b.ts"];
  assert.deepEqual(Object.keys(cold), sorted);
  assert.deepEqual(Object.keys(warm), sorted);
});

Deno.test("inputs apply negated patterns", async () => {
  const dir = await makeProject({
    "src/a.ts": "a",
    "src/a.test.ts": "t",
    "src/gen/x.ts": "x",
  });
  const inputs = await inputsOf(dir, { inputs: ["src/**", "!src/**/*.test.ts", "!src/gen"] });
  assert.deepEqual(Object.keys(inputs), ["src/a.ts"]);
});

Deno.test("inputs include dotfiles", async () => {
  const dir = await makeProject({ ".eslintrc": "{}", "src/.config/x": "x", "src/a.ts": "a" });
  const inputs = await inputsOf(dir, { inputs: ["**"] });
  assert.deepEqual(Object.keys(inputs), [".eslintrc", "src/.config/x", "src/a.ts"]);
});

Deno.test("inputs skip tool and output directories", async () => {
  const dir = await makeProject({
    "src/a.ts": "a",
    ".git/HEAD": "ref",
    ".async/runs/x": "x",
    "node_modules/p/index.js": "p",
    "packages/app/node_modules/q/index.js": "q",
    "packages/app/index.ts": "i",
    "dist/out.js": "o",
    "coverage/lcov.info": "c",
  });
  const inputs = await inputsOf(dir, { inputs: ["**"], outputs: ["dist", "coverage/**"] });
  assert.deepEqual(Object.keys(inputs), ["packages/app/index.ts", "src/a.ts"]);
});

Deno.test("inputs record execute bit", async () => {
  const dir = await makeProject({ "bin/tool": "#!/bin/sh\n" });
  const before = await inputsOf(dir, { inputs: ["bin/*"] });
  await chmod(join(dir, "bin/tool"), 0o755);
  const after = await inputsOf(dir, { inputs: ["bin/*"] });
  assert.equal(before["bin/tool"], sha256("#!/bin/sh\n"));
  assert.equal(after["bin/tool"], `${sha256("#!/bin/sh\n")}+x`);
});

Deno.test("inputs record absent named files", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const inputs = await inputsOf(dir, { inputs: ["src/**", "config.json", "missing/*.ts"] });
  assert.deepEqual(inputs, { "config.json": "absent", "src/a.ts": sha256("a") });
});

Deno.test("inputs follow link targets", async () => {
  const dir = await makeProject({ "shared/config.json": "v1", "src/a.ts": "a" });
  await symlink("../shared/config.json", join(dir, "src/config.json"));
  const before = await inputsOf(dir, { inputs: ["src/**"] });
  await writeFiles(dir, { "shared/config.json": "v2" });
  const after = await inputsOf(dir, { inputs: ["src/**"] });
  assert.match(before["src/config.json"], /^link:[0-9a-f]{64}$/);
  assert.notEqual(before["src/config.json"], after["src/config.json"]);
});

Deno.test("inputs walk linked directories", async () => {
  const dir = await makeProject({ "vendor/lib/util.ts": "v1", "src/a.ts": "a" });
  const outside = await makeProject({ "shared.ts": "s1" });
  await symlink("../vendor/lib", join(dir, "src/lib"));
  await symlink(outside, join(dir, "src/outside"));
  await symlink(".", join(dir, "src/loop"));
  const before = await inputsOf(dir, { inputs: ["src/**"] });
  assert.deepEqual(Object.keys(before), [
    "src/a.ts",
    "src/lib",
    "src/lib/util.ts",
    "src/loop",
    "src/outside",
    "src/outside/shared.ts",
  ]);
  await writeFiles(outside, { "shared.ts": "s2" });
  const after = await inputsOf(dir, { inputs: ["src/**"] });
  assert.equal(before["src/outside/shared.ts"], sha256("s1"));
  assert.equal(after["src/outside/shared.ts"], sha256("s2"));
});

Deno.test("inputs include named git-ignored files", async () => {
  const dir = await makeProject({
    ".gitignore": ".env.local\nbuild/\n",
    ".env.local": "API_KEY=one",
    "build/cache.bin": "c",
    "src/a.ts": "a",
  });
  await git(dir, "init", "-q");
  const named = await inputsOf(dir, { inputs: ["src/**", ".env.local"] });
  assert.deepEqual(Object.keys(named), [".env.local", "src/a.ts"]);
  const explicitAll = await inputsOf(dir, { inputs: ["**"] });
  assert.deepEqual(Object.keys(explicitAll), [
    ".env.local",
    ".gitignore",
    "build/cache.bin",
    "src/a.ts",
  ]);
  const implicit = await inputsOf(dir, {});
  assert.deepEqual(Object.keys(implicit), [".gitignore", "src/a.ts"]);
});

Deno.test("implicit inputs skip every task's outputs", async () => {
  const dir = await makeProject({ "src/a.ts": "a", "dist/app.js": "x", "coverage/lcov": "c" });
  const pipeline = makePipeline({
    build: task({ inputs: ["src/**"], outputs: ["dist/**"], cache: true }, sh`build`),
    test: task({ outputs: ["coverage/**"], cache: true }, sh`test`),
    lint: task({ cache: true }, sh`lint`),
    pack: task({ inputs: ["**"], cache: true }, sh`pack`),
  });
  const index = await settledIndex(await makeProject());
  const outputs = [["dist/**"], ["coverage/**"]];
  const lint = await resolveInputs(pipeline.tasks.lint, dir, index, outputs);
  assert.deepEqual(Object.keys(lint), ["src/a.ts"]);
  const pack = await resolveInputs(pipeline.tasks.pack, dir, index, outputs);
  assert.deepEqual(Object.keys(pack), ["coverage/lcov", "dist/app.js", "src/a.ts"]);
});

Deno.test("implicit inputs ignore concurrent task outputs", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const pipeline = makePipeline({
    build: task({ inputs: ["src/**"], outputs: ["dist/**"], cache: true }, sh`build`),
    lint: task({ cache: true }, sh`lint`),
  });
  const hooks = cacheFor(pipeline, dir);
  const lint = await execute(hooks, lookupInput(pipeline, "lint", dir), async () => {
    await writeFiles(dir, { "dist/app.js": "written by build meanwhile" });
  });
  assert.deepEqual(lint.saved, { stored: true });
});

Deno.test("git-ignored env file edit reruns task", async () => {
  const dir = await makeProject({
    ".gitignore": ".env.local\n",
    ".env.local": "API_URL=http://localhost:1",
    "src/a.ts": "a",
  });
  await git(dir, "init", "-q");
  const pipeline = makePipeline({
    build: task({ inputs: ["src/**", ".env.local"], cache: true }, sh`build`),
  });
  const hooks = cacheFor(pipeline, dir);
  const input = lookupInput(pipeline, "build", dir);
  await execute(hooks, input);
  assert.equal((await execute(hooks, input)).lookup.status, "hit");
  await writeFiles(dir, { ".env.local": "API_URL=http://localhost:2" });
  const edited = await execute(hooks, input);
  assert.equal(edited.ran, true);
  assert.deepEqual(
    changesOf(edited.lookup)?.inputs,
    { added: [], removed: [], changed: [".env.local"] },
  );
});

Deno.test("file index skips unchanged files", async () => {
  const dir = await makeProject({ "src/a.ts": "a", "src/b.ts": "b" });
  const path = join(dir, "index.json");
  const clock = () => Date.now() + 10 * RACY_WINDOW_MS;
  const first = await FileStateIndex.load(path, clock);
  assert.equal(await first.digest(join(dir, "src/a.ts")), sha256("a"));
  assert.equal(await first.digest(join(dir, "src/b.ts")), sha256("b"));
  assert.equal(first.hashedFiles, 2);
  await first.save();

  const second = await FileStateIndex.load(path, clock);
  assert.equal(await second.digest(join(dir, "src/a.ts")), sha256("a"));
  assert.equal(second.hashedFiles, 0);
  await writeFiles(dir, { "src/b.ts": "B" });
  // File timestamps come from a coarse kernel clock, so an edit within the same tick can keep the
  // old mtime. A later mtime stands in for an edit made later.
  const later = new Date(Date.now() + 5_000);
  await utimes(join(dir, "src/b.ts"), later, later);
  assert.equal(await second.digest(join(dir, "src/b.ts")), sha256("B"));
  assert.equal(second.hashedFiles, 1);
});

Deno.test("file index unchanged on warm lookups", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const path = join(dir, "index.json");
  const clock = () => Date.now() + 10 * RACY_WINDOW_MS;
  const first = await FileStateIndex.load(path, clock);
  await first.digest(join(dir, "src/a.ts"));
  await first.save();
  const written = await Deno.stat(path);

  const second = await FileStateIndex.load(path, clock);
  assert.equal(await second.digest(join(dir, "src/a.ts")), sha256("a"));
  await second.save();
  const after = await Deno.stat(path);
  assert.equal(after.mtime?.getTime(), written.mtime?.getTime());
  assert.equal(after.ino, written.ino);
});

Deno.test("file index sees same-size edits with old mtime", async () => {
  const dir = await makeProject({ "src/a.ts": "one" });
  const file = join(dir, "src/a.ts");
  const old = new Date(Date.now() - 60_000);
  await utimes(file, old, old);
  const index = await FileStateIndex.load(join(dir, "index.json"));
  assert.equal(await index.digest(file), sha256("one"));
  await writeFile(file, "two");
  await utimes(file, old, old);
  assert.equal(await index.digest(file), sha256("two"));
});

Deno.test("file index rehashes recently written files", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const index = await FileStateIndex.load(join(dir, "index.json"));
  await index.digest(join(dir, "src/a.ts"));
  await index.digest(join(dir, "src/a.ts"));
  assert.equal(index.hashedFiles, 2);
});

Deno.test("inputs of a nested task directory", async () => {
  const dir = await makeProject({ "packages/app/src/a.ts": "a", "src/root.ts": "r" });
  await mkdir(join(dir, "packages/app/dist"));
  const inputs = await inputsOf(join(dir, "packages/app"), { inputs: ["src/**"] });
  assert.deepEqual(Object.keys(inputs), ["src/a.ts"]);
});

Deno.test("deleted input changes the key", async () => {
  const dir = await makeProject({ "src/a.ts": "a", "src/b.ts": "b" });
  const pipeline = makePipeline({ build: task({ inputs: ["src/**"], cache: true }, sh`build`) });
  const hooks = cacheFor(pipeline, dir);
  const input = lookupInput(pipeline, "build", dir);
  await execute(hooks, input);
  await rm(join(dir, "src/b.ts"));
  const result = await execute(hooks, input);
  assert.equal(result.ran, true);
  assert.deepEqual(changesOf(result.lookup)?.inputs, {
    added: [],
    removed: ["src/b.ts"],
    changed: [],
  });
});

Deno.test("inputs expand named groups", async () => {
  const dir = await makeProject({ "src/a.ts": "a", "tsconfig.json": "{}", "docs/x.md": "x" });
  const pipeline = makePipeline(
    { t: task({ inputs: ["sources", "tsconfig.json"], cache: true }, sh`t`) },
    { namedInputs: { sources: ["src/**", "!src/**/*.test.ts"] } },
  );
  const index = await FileStateIndex.load(join(dir, ".async/index.json"));
  const inputs = await resolveInputs(pipeline.tasks.t, dir, index);
  assert.deepEqual(Object.keys(inputs), ["src/a.ts", "tsconfig.json"]);
});

Deno.test("inputs digest small and large files in path order", async () => {
  const large = "x".repeat(200 * 1024);
  const dir = await makeProject({ "src/a.ts": "a", "src/b.bin": large, "src/c.ts": "c" });
  await symlink("a.ts", join(dir, "src/alias.ts"));
  const index = await settledIndex(dir);
  const pipeline = makePipeline({ t: task({ cache: true, inputs: ["src/**"] }, sh`true`) });
  const inputs = await resolveInputs(pipeline.tasks.t, dir, index);
  assert.deepEqual(Object.keys(inputs), ["src/a.ts", "src/alias.ts", "src/b.bin", "src/c.ts"]);
  assert.equal(inputs["src/b.bin"], sha256(large));
  assert.equal(inputs["src/alias.ts"], `link:${sha256(`a.ts\0${sha256("a")}`)}`);
  // The link's target is read once, as src/a.ts.
  assert.equal(index.hashedFiles, 3);
});

Deno.test("inputs read no file the index knows", async () => {
  const dir = await makeProject({ "src/a.ts": "a", "src/b.bin": "y".repeat(100 * 1024) });
  const index = await settledIndex(dir);
  const pipeline = makePipeline({ t: task({ cache: true, inputs: ["src/**"] }, sh`true`) });
  const first = await resolveInputs(pipeline.tasks.t, dir, index);
  const hashed = index.hashedFiles;
  const second = await resolveInputs(pipeline.tasks.t, dir, index);
  assert.deepEqual(second, first);
  assert.equal(index.hashedFiles, hashed);
});

Deno.test("file index digests a small file synchronously once", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const index = await settledIndex(dir);
  const file = join(dir, "src/a.ts");
  const facts = lstatFacts(file)!;
  assert.equal(index.digestSync(file, facts), sha256("a"));
  assert.equal(index.digestSync(file, facts), sha256("a"));
  assert.equal(await index.digest(file), sha256("a"));
  assert.equal(index.hashedFiles, 1);
});

Deno.test("file index digestSync throws for a vanished file", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const index = await settledIndex(dir);
  const file = join(dir, "src/a.ts");
  const facts = lstatFacts(file)!;
  await rm(file);
  assert.throws(() => index.digestSync(file, facts), { code: "ENOENT" });
  assert.equal(index.hashedFiles, 0);
});

Deno.test("file index rehashes a malformed stored entry", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const path = join(dir, "index.json");
  const file = join(dir, "src/a.ts");
  const facts = lstatFacts(file)!;
  const prefix = `${facts.size},${facts.mtimeMs},${facts.ctimeMs},${facts.ino},${facts.mode}`;
  const later = Date.now() + 10 * RACY_WINDOW_MS;
  for (const text of [`${prefix},${later},wrong`, `${prefix},${later}`, `${prefix}`]) {
    await writeFile(path, JSON.stringify({ version: 3, entries: { [file]: text }, walks: {} }));
    const index = await FileStateIndex.load(path, () => later);
    assert.equal(await index.digest(file), sha256("a"), text);
    assert.equal(index.hashedFiles, 1, text);
  }
});

Deno.test("file index trusts a stored entry with equal facts", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const path = join(dir, "index.json");
  const file = join(dir, "src/a.ts");
  const facts = lstatFacts(file)!;
  const later = Date.now() + 10 * RACY_WINDOW_MS;
  const text =
    `${facts.size},${facts.mtimeMs},${facts.ctimeMs},${facts.ino},${facts.mode},${later},stored,${later}`;
  await writeFile(path, JSON.stringify({ version: 3, entries: { [file]: text }, walks: {} }));
  const index = await FileStateIndex.load(path, () => later);
  assert.equal(index.known(file, facts), "stored");
  assert.equal(index.known(file, { ...facts, size: facts.size + 1 }), undefined);
  assert.equal(index.known(file, { ...facts, ino: facts.ino + 1 }), undefined);
});

Deno.test("file index refreshes a stale last-seen time", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const path = join(dir, "index.json");
  const file = join(dir, "src/a.ts");
  const facts = lstatFacts(file)!;
  const hashedAt = Date.now() + 10 * RACY_WINDOW_MS;
  const now = hashedAt + 2 * 24 * 60 * 60 * 1000;
  const text = `${facts.size},${facts.mtimeMs},${facts.ctimeMs},${facts.ino},${facts.mode},` +
    `${hashedAt},stored,${hashedAt}`;
  await writeFile(path, JSON.stringify({ version: 3, entries: { [file]: text }, walks: {} }));
  const index = await FileStateIndex.load(path, () => now);
  assert.equal(index.known(file, facts), "stored");
  await index.save();
  const saved = JSON.parse(await Deno.readTextFile(path));
  assert.equal(saved.entries[file], text.replace(/,\d+$/, `,${now}`));
});
Deno.test("directoryMatcher agrees with picomatch on plain paths", () => {
  const lists = [
    ["src/**"],
    ["src"],
    ["packages/app/src/**", "config.json"],
    ["a.b/**"],
    ["src/*.ts"],
    ["src/**/*.ts"],
    ["./src/**"],
    ["src/{a,b}/**"],
  ];
  const paths = ["src", "src/a.ts", "src/.env", "src/a/b.ts", "srcx", "srcx/a", "a.b", "a.b/c"]
    .concat(["axb/c", "packages/app/src/x", "packages/app", "config.json", "config.jsonx"]);
  for (const patterns of lists) {
    const expected = picomatch(patterns.flatMap((p) => [p, `${p}/**`]), { dot: true });
    const matcher = directoryMatcher(patterns);
    for (const path of paths) {
      assert.equal(matcher(path), expected(path), `${patterns.join(",")} on ${path}`);
    }
  }
});

Deno.test("stated inputs give each file's facts and path", async () => {
  const dir = await makeProject({ "src/a.ts": "a", "src/b.ts": "bb" });
  await symlink("a.ts", join(dir, "src/link.ts"));
  const pipeline = makePipeline({ t: task({ cache: true, inputs: ["src/**"] }, sh`true`) });
  const stated = await statInputs(pipeline.tasks.t, dir, await settledIndex(dir));
  const files = stated.files.toArray();
  assert.deepEqual(files.map((file) => file.path), ["src/a.ts", "src/b.ts", "src/link.ts"]);
  for (const file of files) {
    assert.equal(file.absolute, join(dir, file.path));
    assert.deepEqual(file.facts, lstatFacts(join(dir, file.path)));
  }
  assert.equal(stated.files.facts(2)?.kind, "symlink");
  assert.equal(stated.files.find("src/b.ts"), 1);
  assert.equal(stated.files.find("src/c.ts"), -1);
});

Deno.test("stated inputs mark a vanished path", async () => {
  const dir = await makeProject();
  const files = new StatedFiles(dir, 2);
  files.add("a.ts", undefined);
  files.add("b.ts", lstatFacts(dir));
  assert.equal(files.length, 2);
  assert.equal(files.facts(0), undefined);
  assert.equal(files.facts(1)?.kind, "directory");
  assert.equal(files.absolute(1), join(dir, "b.ts"));
});
