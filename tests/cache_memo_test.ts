/** Stat facts, walk memos and restored-output memos: the warm path of the cache. */

import assert from "node:assert/strict";
import { lstatSync } from "node:fs";
import { chmod, lstat, mkdir, readFile, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { OutputRecord } from "../node/cache/entry.ts";
import { sha256 } from "../node/cache/digest.ts";
import { factsOf, lstatFacts } from "../node/cache/facts.ts";
import { FileStateIndex, IndexSaveError, RACY_WINDOW_MS } from "../node/cache/file_index.ts";
import { outputsStillRestored, recordRestored } from "../node/cache/restored_memo.ts";
import { memoizedWalk } from "../node/cache/walk_memo.ts";
import { makeProject } from "./cache_fixture.ts";

/** Loads an index whose clock runs far enough ahead that files written now count as settled. */
function settledIndex(dir: string): Promise<FileStateIndex> {
  return FileStateIndex.load(join(dir, "index.json"), () => Date.now() + 10 * RACY_WINDOW_MS);
}

/** Sets the access and modification times of `paths` under `dir` one minute into the past. */
async function age(dir: string, ...paths: string[]): Promise<void> {
  const then = new Date(Date.now() - 60_000);
  for (const path of paths) await utimes(join(dir, path), then, then);
}

/** Lists the files and links a memoized walk of `patterns` finds. */
async function listed(index: FileStateIndex, dir: string, patterns: string[]) {
  const { entries } = await memoizedWalk(index, dir, patterns);
  return entries.filter((entry) => entry.kind !== "directory").map((entry) => entry.path);
}

Deno.test("lstatFacts returns undefined for missing paths", async () => {
  const dir = await makeProject({ "file.txt": "x" });
  assert.equal(lstatFacts(join(dir, "nothing")), undefined);
  assert.equal(lstatFacts(join(dir, "file.txt", "below")), undefined);
});

Deno.test("lstatFacts agrees with node:fs facts", async () => {
  const dir = await makeProject({ "file.txt": "hello" });
  await mkdir(join(dir, "sub"));
  await symlink("file.txt", join(dir, "link"));
  for (const [path, kind] of [["file.txt", "file"], ["sub", "directory"], ["link", "symlink"]]) {
    const facts = lstatFacts(join(dir, path));
    assert.equal(facts?.kind, kind);
    assert.deepEqual(facts, factsOf(lstatSync(join(dir, path))));
  }
});

/** Walks `patterns` through the memo and returns the directories the walk really listed. */
async function listings(index: FileStateIndex, dir: string, patterns: string[]) {
  const listed: string[] = [];
  const observer = { directory: (path: string) => listed.push(path), probe() {}, link() {} };
  await memoizedWalk(index, dir, patterns, { observer });
  return listed;
}

Deno.test("walk memo lists nothing when directories are unchanged", async () => {
  const dir = await makeProject({ "src/lib/a.ts": "a" });
  await age(dir, "src", "src/lib");
  const index = await settledIndex(dir);
  assert.deepEqual(await listings(index, dir, ["src/**"]), ["src", "src/lib"]);
  assert.deepEqual(await listings(index, dir, ["src/**"]), []);
});

Deno.test("walk memo sees a file added under a reset mtime", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  await age(dir, "src");
  const index = await FileStateIndex.load(join(dir, "index.json"));
  // Extracting an archive with fixed timestamps adds files and sets the mtime back.
  const before = await lstat(join(dir, "src"));
  await writeFile(join(dir, "src/b.ts"), "b");
  await utimes(join(dir, "src"), before.atime, before.mtime);
  assert.deepEqual(await listed(index, dir, ["src/**"]), ["src/a.ts", "src/b.ts"]);
  const later = await FileStateIndex.load(join(dir, "index.json"), () => Date.now() + 60_000);
  await listed(later, dir, ["src/**"]);
  // ctime is compared in whole seconds, so the next change lands in a later second.
  await new Promise((resolve) => setTimeout(resolve, 1010 - (Date.now() % 1000)));
  await writeFile(join(dir, "src/c.ts"), "c");
  await utimes(join(dir, "src"), before.atime, before.mtime);
  assert.deepEqual(await listed(later, dir, ["src/**"]), ["src/a.ts", "src/b.ts", "src/c.ts"]);
});

Deno.test("walk memo sees an added file", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  await age(dir, "src");
  const index = await settledIndex(dir);
  await listed(index, dir, ["src/**"]);
  await writeFile(join(dir, "src/b.ts"), "b");
  assert.deepEqual(await listed(index, dir, ["src/**"]), ["src/a.ts", "src/b.ts"]);
});

Deno.test("walk memo sees a removed file in a nested directory", async () => {
  const dir = await makeProject({ "src/lib/a.ts": "a", "src/lib/b.ts": "b" });
  await age(dir, "src", "src/lib");
  const index = await settledIndex(dir);
  await listed(index, dir, ["src/**"]);
  await rm(join(dir, "src/lib/b.ts"));
  assert.deepEqual(await listed(index, dir, ["src/**"]), ["src/lib/a.ts"]);
});

Deno.test("walk memo sees a named file that appears", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  await age(dir, "src");
  const index = await settledIndex(dir);
  assert.deepEqual((await memoizedWalk(index, dir, ["config.json"])).absent, ["config.json"]);
  await writeFile(join(dir, "config.json"), "{}");
  const second = await memoizedWalk(index, dir, ["config.json"]);
  assert.deepEqual(second.entries.map((entry) => entry.path), ["config.json"]);
  assert.deepEqual(second.absent, []);
});

Deno.test("walk memo is not kept for walks through directory links", async () => {
  const dir = await makeProject({ "real/a.ts": "a", "src/x.ts": "x" });
  await symlink("../real", join(dir, "src/linked"));
  await age(dir, "src", "real");
  const index = await settledIndex(dir);
  const listedDirectories: string[] = [];
  const observer = {
    directory: (path: string) => listedDirectories.push(path),
    probe() {},
    link() {},
  };
  await memoizedWalk(index, dir, ["src/**"], { followDirectoryLinks: true });
  await memoizedWalk(index, dir, ["src/**"], { followDirectoryLinks: true, observer });
  assert.deepEqual(listedDirectories, ["src", "src/linked"]);
});

Deno.test("walk memo is not kept for recently changed directories", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  const index = await FileStateIndex.load(join(dir, "index.json"));
  await listings(index, dir, ["src/**"]);
  assert.deepEqual(await listings(index, dir, ["src/**"]), ["src"]);
});

Deno.test("walk memo survives saving and loading the index", async () => {
  const dir = await makeProject({ "src/a.ts": "a" });
  await age(dir, "src");
  const clock = () => Date.now() + 10 * RACY_WINDOW_MS;
  const first = await FileStateIndex.load(join(dir, "index.json"), clock);
  await listings(first, dir, ["src/**"]);
  await first.save(true);
  const second = await FileStateIndex.load(join(dir, "index.json"), clock);
  assert.deepEqual(await listings(second, dir, ["src/**"]), []);
});

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

/** The output records of a `dist/` directory holding `out.txt`. */
const DIST_RECORDS: OutputRecord[] = [
  { path: "dist", kind: "directory", mode: 0o755 },
  { path: "dist/out.txt", kind: "file", mode: 0o644, size: 5, digest: "unused" },
];

/** Writes `dist/out.txt` and returns the restored-memo target of that state. */
async function restoredDist(dir: string) {
  await writeFiles(dir, { "dist/out.txt": "built" });
  await age(dir, "dist", "dist/out.txt");
  const index = await settledIndex(dir);
  const target = { index, cwd: dir, patterns: ["dist/**"], key: "k1", outputs: "d1" };
  recordRestored(target, DIST_RECORDS, index.now());
  return target;
}

Deno.test("restored memo holds while outputs are unchanged", async () => {
  const target = await restoredDist(await makeProject());
  assert.equal(await outputsStillRestored(target), true);
});

Deno.test("restored memo fails for another entry", async () => {
  const target = await restoredDist(await makeProject());
  assert.equal(await outputsStillRestored({ ...target, key: "k2" }), false);
  assert.equal(await outputsStillRestored({ ...target, outputs: "d2" }), false);
});

Deno.test("restored memo holds with a kept file", async () => {
  const dir = await makeProject();
  await writeFiles(dir, { "dist/out.txt": "built", "dist/mine.txt": "by hand" });
  await age(dir, "dist", "dist/out.txt", "dist/mine.txt");
  const index = await settledIndex(dir);
  const target = { index, cwd: dir, patterns: ["dist/**"], key: "k1", outputs: "d1" };
  recordRestored(target, [...DIST_RECORDS, { path: "dist/mine.txt" }], index.now());
  assert.equal(await outputsStillRestored(target), true);
  await writeFile(join(dir, "dist/mine.txt"), "edited");
  assert.equal(await outputsStillRestored(target), false);
});

/** Changes of the disk after a memo was recorded, each of which must fail it. */
const OUTPUT_CHANGES: [string, (dir: string) => Promise<void>][] = [
  ["an output is edited", (dir) => writeFile(join(dir, "dist/out.txt"), "rebuilt")],
  ["an output is removed", (dir) => rm(join(dir, "dist/out.txt"))],
  ["an extra output appears", (dir) => writeFile(join(dir, "dist/stale.txt"), "old")],
  ["an output mode changes", (dir) => chmod(join(dir, "dist/out.txt"), 0o755)],
];

for (const [name, change] of OUTPUT_CHANGES) {
  Deno.test(`restored memo fails when ${name}`, async () => {
    const dir = await makeProject();
    const target = await restoredDist(dir);
    await change(dir);
    assert.equal(await outputsStillRestored(target), false);
  });
}

Deno.test("restored memo fails for outputs with a recent ctime", async () => {
  const dir = await makeProject({ "dist/out.txt": "built" });
  // An old mtime, as `cp -p` or `touch -d` leave it, but a ctime of now.
  await age(dir, "dist", "dist/out.txt");
  const index = await FileStateIndex.load(join(dir, "index.json"));
  const target = { index, cwd: dir, patterns: ["dist/**"], key: "k1", outputs: "d1" };
  recordRestored(target, DIST_RECORDS, index.now());
  assert.equal(await outputsStillRestored(target), false);
});

Deno.test("restored memo fails for outputs written within the racy window", async () => {
  const dir = await makeProject({ "dist/out.txt": "built" });
  const index = await FileStateIndex.load(join(dir, "index.json"));
  const target = { index, cwd: dir, patterns: ["dist/**"], key: "k1", outputs: "d1" };
  recordRestored(target, DIST_RECORDS, index.now());
  assert.equal(await outputsStillRestored(target), false);
  // The same state checked by a clock that runs well ahead holds.
  const settled = await settledIndex(dir);
  recordRestored({ ...target, index: settled }, DIST_RECORDS, settled.now());
  assert.equal(await outputsStillRestored({ ...target, index: settled }), true);
});

/** Hashes `count` settled files through a fresh index at `indexPath` and saves it. */
async function savedIndex(dir: string, count: number, clock: () => number) {
  const files: string[] = [];
  for (let n = 0; n < count; n++) {
    await writeFile(join(dir, `f${n}.txt`), `file ${n}`);
    files.push(join(dir, `f${n}.txt`));
  }
  const index = await FileStateIndex.load(join(dir, "index.json"), clock);
  for (const file of files) await index.digest(file);
  await index.save();
  return files;
}

Deno.test("file index keeps a few changes of a large index in memory", async () => {
  const dir = await makeProject();
  const clock = () => Date.now() + 10 * RACY_WINDOW_MS;
  const files = await savedIndex(dir, 200, clock);
  const saved = await readFile(join(dir, "index.json"), "utf8");
  const index = await FileStateIndex.load(join(dir, "index.json"), clock, { direct: false });
  await writeFile(files[0], "edited");
  await index.digest(files[0]);
  await index.save();
  assert.equal(await readFile(join(dir, "index.json"), "utf8"), saved);
  await index.save(true);
  assert.notEqual(await readFile(join(dir, "index.json"), "utf8"), saved);
});

Deno.test("file index saves when last-seen times move", async () => {
  const dir = await makeProject();
  const files = await savedIndex(dir, 200, () => Date.now() + 10 * RACY_WINDOW_MS);
  const saved = await readFile(join(dir, "index.json"), "utf8");
  const twoDaysOn = () => Date.now() + 2 * 24 * 60 * 60 * 1000;
  const index = await FileStateIndex.load(join(dir, "index.json"), twoDaysOn, { direct: false });
  await index.digest(files[0]);
  await index.save();
  assert.notEqual(await readFile(join(dir, "index.json"), "utf8"), saved);
});

/** Writes an index whose one entry for `file` has its current facts followed by `rest`. */
async function indexWithEntry(dir: string, file: string, rest: string): Promise<string> {
  const facts = lstatFacts(file)!;
  const text = `${facts.size},${facts.mtimeMs},${facts.ctimeMs},${facts.ino},${facts.mode},${rest}`;
  const path = join(dir, "index.json");
  await writeFile(path, JSON.stringify({ version: 3, entries: { [file]: text }, walks: {} }));
  return path;
}

Deno.test("file index trusts a stored entry with the current facts", async () => {
  const dir = await makeProject({ "a.txt": "a" });
  const file = join(dir, "a.txt");
  await age(dir, "a.txt");
  const later = Date.now() + 10 * RACY_WINDOW_MS;
  const path = await indexWithEntry(dir, file, `${later},stored-digest,${Date.now()}`);
  const index = await FileStateIndex.load(path);
  assert.equal(await index.digest(file), "stored-digest");
  assert.equal(index.hashedFiles, 0);
});

Deno.test("file index rehashes a stored entry with a damaged tail", async () => {
  const dir = await makeProject({ "a.txt": "a" });
  const file = join(dir, "a.txt");
  await age(dir, "a.txt");
  const later = Date.now() + 10 * RACY_WINDOW_MS;
  for (const rest of ["soon,stored-digest,1", `${later},stored-digest`]) {
    const index = await FileStateIndex.load(await indexWithEntry(dir, file, rest));
    assert.equal(await index.digest(file), sha256("a"), rest);
    assert.equal(index.hashedFiles, 1, rest);
  }
});

Deno.test("file index rehashes a stored entry hashed within the racy window", async () => {
  const dir = await makeProject({ "a.txt": "a" });
  const file = join(dir, "a.txt");
  await age(dir, "a.txt");
  const facts = lstatFacts(file)!;
  const hashedAt = Math.max(facts.mtimeMs, facts.ctimeMs) + RACY_WINDOW_MS;
  const path = await indexWithEntry(dir, file, `${hashedAt},stored-digest,${Date.now()}`);
  const index = await FileStateIndex.load(path);
  assert.equal(await index.digest(file), sha256("a"));
  assert.equal(index.hashedFiles, 1);
});

Deno.test("file index saves a memo that covers many files", async () => {
  const dir = await makeProject();
  const clock = () => Date.now() + 10 * RACY_WINDOW_MS;
  await savedIndex(dir, 200, clock);
  const saved = await readFile(join(dir, "index.json"), "utf8");
  const light = await FileStateIndex.load(join(dir, "index.json"), clock);
  light.setMemo("light", { covers: 1 });
  await light.save();
  assert.equal(await readFile(join(dir, "index.json"), "utf8"), saved);
  const heavy = await FileStateIndex.load(join(dir, "index.json"), clock);
  heavy.setMemo("heavy", { covers: 200 }, 200);
  await heavy.save();
  const reloaded = await FileStateIndex.load(join(dir, "index.json"), clock);
  assert.deepEqual(reloaded.memo("heavy"), { covers: 200 });
});

/** The clock of the one-file index tests: far enough ahead that files written now are settled. */
const settledClock = () => Date.now() + 10 * RACY_WINDOW_MS;

/**
 * Saves an index of `dir` that has an entry for `a.txt`, with the memos in
 * `memos`, and returns the index path.
 */
async function oneFileIndex(dir: string, memos: Record<string, unknown> = {}): Promise<string> {
  const path = join(dir, "index.json");
  const index = await FileStateIndex.load(path, settledClock);
  await index.digest(join(dir, "a.txt"));
  for (const [key, data] of Object.entries(memos)) index.setMemo(key, data);
  await index.save(true);
  return path;
}

Deno.test("file index reads its entries on first use", async () => {
  const dir = await makeProject({ "a.txt": "a" });
  const path = await oneFileIndex(dir);
  const second = await FileStateIndex.load(path, settledClock);
  // Replacing the entries after loading shows that loading did not read them.
  const text = await readFile(path, "utf8");
  await writeFile(path, text.replace(sha256("a"), "replaced-digest"));
  assert.equal(await second.digest(join(dir, "a.txt")), "replaced-digest");
});

Deno.test("file index saves memos without rewriting unread entries", async () => {
  const dir = await makeProject({ "a.txt": "a" });
  const path = await oneFileIndex(dir);
  const before = await lstat(path);
  const second = await FileStateIndex.load(path, settledClock);
  second.setMemo("walk", { listed: 1 });
  await second.save();
  const after = await lstat(path);
  assert.equal(after.ino, before.ino);
  assert.equal(after.mtimeMs, before.mtimeMs);
  const reloaded = await FileStateIndex.load(path, settledClock);
  assert.deepEqual(reloaded.memo("walk"), { listed: 1 });
  assert.equal(await reloaded.digest(join(dir, "a.txt")), sha256("a"));
});

Deno.test("file index ignores a damaged memo file", async () => {
  const dir = await makeProject({ "a.txt": "a" });
  const path = await oneFileIndex(dir, { walk: { listed: 1 } });
  await writeFile(join(dir, "index.memos.json"), "{ not json");
  const second = await FileStateIndex.load(path, settledClock);
  assert.equal(second.memo("walk"), undefined);
  assert.equal(await second.digest(join(dir, "a.txt")), sha256("a"));
  assert.equal(second.hashedFiles, 0);
});

Deno.test("file index names the memo file it could not save", async () => {
  const dir = await makeProject();
  await mkdir(join(dir, "index.memos.json", "blocker"), { recursive: true });
  const index = await FileStateIndex.load(join(dir, "index.json"));
  index.setMemo("walk", { listed: 1 });
  await assert.rejects(
    index.save(true),
    (error) => error instanceof IndexSaveError && error.path === join(dir, "index.memos.json"),
  );
});
