import assert from "node:assert/strict";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ErrorCode } from "../mod.ts";
import { detectPackageManager } from "../node/github/package_manager.ts";
import { tempDir } from "./support/temp_files.ts";

const ROOT = await tempDir("package-manager-");
let projects = 0;

/** Writes a project directory under this file's temporary root, which the last test removes. */
async function project(files: Record<string, string>): Promise<string> {
  const dir = join(ROOT, String(projects++));
  await mkdir(dir);
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

const PNPM_LOCK_V9 = "lockfileVersion: '9.0'\n\nimporters: {}\n";
const BERRY_LOCK = "__metadata:\n  version: 8\n";

Deno.test("package manager from lockfiles", async () => {
  const cases: [Record<string, string>, object][] = [
    [{ "package.json": "{}", "pnpm-lock.yaml": PNPM_LOCK_V9 }, {
      name: "pnpm",
      lockfile: "pnpm-lock.yaml",
      detectedFrom: "pnpm-lock.yaml",
      pnpmVersion: "9",
    }],
    [{ "package.json": "{}", "pnpm-lock.yaml": "lockfileVersion: '6.0'\n" }, {
      name: "pnpm",
      lockfile: "pnpm-lock.yaml",
      detectedFrom: "pnpm-lock.yaml",
      pnpmVersion: "8",
    }],
    [{ "package.json": "{}", "package-lock.json": "{}" }, {
      name: "npm",
      lockfile: "package-lock.json",
      detectedFrom: "package-lock.json",
    }],
    [{ "package.json": "{}", "npm-shrinkwrap.json": "{}" }, {
      name: "npm",
      lockfile: "npm-shrinkwrap.json",
      detectedFrom: "npm-shrinkwrap.json",
    }],
    [{ "package.json": "{}", "yarn.lock": "# yarn lockfile v1\n" }, {
      name: "yarn",
      lockfile: "yarn.lock",
      detectedFrom: "yarn.lock",
      yarnBerry: false,
    }],
    [{ "package.json": "{}", "yarn.lock": BERRY_LOCK }, {
      name: "yarn",
      lockfile: "yarn.lock",
      detectedFrom: "yarn.lock",
      yarnBerry: true,
    }],
    [{ "deno.json": "{}", "deno.lock": "{}" }, {
      name: "deno",
      lockfile: "deno.lock",
      detectedFrom: "deno.lock",
    }],
    [{ "package.json": "{}", "pnpm-lock.yaml": PNPM_LOCK_V9, "package-lock.json": "{}" }, {
      name: "pnpm",
      lockfile: "pnpm-lock.yaml",
      detectedFrom: "pnpm-lock.yaml",
      pnpmVersion: "9",
    }],
  ];
  for (const [files, expected] of cases) {
    assert.deepEqual(await detectPackageManager(await project(files)), expected);
  }
});

Deno.test("package manager from packageManager field", async () => {
  const pnpm = await project({
    "package.json": JSON.stringify({ packageManager: "pnpm@10.4.1" }),
    "pnpm-lock.yaml": PNPM_LOCK_V9,
    "package-lock.json": "{}",
  });
  assert.deepEqual(await detectPackageManager(pnpm), {
    name: "pnpm",
    lockfile: "pnpm-lock.yaml",
    detectedFrom: "package.json#packageManager",
  });

  const yarn = await project({
    "package.json": JSON.stringify({ packageManager: "yarn@4.5.0" }),
    "yarn.lock": "# yarn lockfile v1\n",
  });
  assert.deepEqual(await detectPackageManager(yarn), {
    name: "yarn",
    lockfile: "yarn.lock",
    detectedFrom: "package.json#packageManager",
    yarnBerry: true,
  });
});

Deno.test("package manager from manifests", async () => {
  assert.deepEqual(await detectPackageManager(await project({ "package.json": "{}" })), {
    name: "npm",
    detectedFrom: "package.json",
  });
  assert.deepEqual(await detectPackageManager(await project({ "deno.jsonc": "{}" })), {
    name: "deno",
    detectedFrom: "deno.jsonc",
  });
  assert.deepEqual(await detectPackageManager(await project({ "deno.json": "{}" })), {
    name: "deno",
    detectedFrom: "deno.json",
  });
  const berry = await project({ "package.json": "{}", "yarn.lock": "", ".yarnrc.yml": "" });
  assert.equal((await detectPackageManager(berry)).yarnBerry, true);
});

Deno.test("package manager missing manifest", async () => {
  const dir = await project({ "pipeline.ts": "" });
  await assert.rejects(detectPackageManager(dir), (error: Error & { code?: string }) => {
    assert.equal(error.code, ErrorCode.CONFIG_NOT_FOUND);
    assert.match(error.message, /No package\.json, deno\.json, deno\.jsonc or lockfile/);
    return true;
  });
});

Deno.test("package manager invalid package.json", async () => {
  const dir = await project({ "package.json": "{ nope" });
  await assert.rejects(detectPackageManager(dir), (error: Error & { code?: string }) => {
    assert.equal(error.code, ErrorCode.CONFIG_LOAD_FAILED);
    assert.match(error.message, /package\.json .* is not valid JSON/);
    return true;
  });
});

Deno.test("package manager cleanup", async () => {
  await rm(ROOT, { recursive: true });
  await assert.rejects(Deno.stat(ROOT));
});
