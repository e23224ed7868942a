/** doctor and git: a state directory that git would commit needs action. */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdir, realpath, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { collectDoctorReport } from "../node/doctor/report.ts";
import { tempDir } from "./support/temp_files.ts";

const PATH = Deno.env.get("PATH") ?? "";

async function project(options: { git: boolean; ignore?: string }): Promise<string> {
  const dir = await realpath(await tempDir());
  if (options.git) execFileSync("git", ["init", "-q", dir]);
  if (options.ignore !== undefined) await writeFile(join(dir, ".gitignore"), options.ignore);
  return dir;
}

async function stateMessages(cwd: string): Promise<string[]> {
  const report = await collectDoctorReport({ cwd, env: { PATH }, syncProviders: [] });
  return report.actions.filter((action) => action.check === "state").map((action) =>
    action.message
  );
}

Deno.test("doctor reports an unignored state directory", async () => {
  const cwd = await project({ git: true });

  const messages = await stateMessages(cwd);

  assert.equal(messages.length, 1);
  assert.match(messages[0], /^git does not ignore all of \.async\/, so `git add -A` would commit/);
});

Deno.test("doctor accepts an ignored state directory", async () => {
  const cwd = await project({ git: true, ignore: ".async/\n" });

  assert.deepEqual(await stateMessages(cwd), []);
});

Deno.test("doctor skips the git check outside git", async () => {
  const cwd = await project({ git: false });

  assert.deepEqual(await stateMessages(cwd), []);
});

Deno.test("doctor reports a partly ignored state directory", async () => {
  const cwd = await project({ git: true, ignore: ".async/cache/\n" });

  const messages = await stateMessages(cwd);

  assert.equal(messages.length, 1);
  assert.match(messages[0], /^git does not ignore all of \.async\//);
});

Deno.test("doctor reports a tracked secret key", async () => {
  const cwd = await project({ git: true, ignore: ".async/\n" });
  await mkdir(join(cwd, ".async/cache"), { recursive: true });
  await writeFile(join(cwd, ".async/cache/secret.key"), "k".repeat(32));
  execFileSync("git", ["-C", cwd, "add", "-f", ".async/cache/secret.key"]);

  const report = await collectDoctorReport({ cwd, env: { PATH }, syncProviders: [] });

  const action = report.actions.find((entry) => entry.check === "state");
  assert.match(
    action?.message ?? "",
    /^git tracks 1 file under \.async\/, the secret-digest key among them/,
  );
  assert.match(
    action?.fix ?? "",
    /delete \.async\/cache\/secret\.key so the next run makes a new key\.$/,
  );
});
