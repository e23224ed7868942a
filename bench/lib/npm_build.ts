/** Building this repository's npm and JSR packages for the benchmark runs. @module */

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";

/** Path of the npm build script, relative to the repository root. */
export const NPM_BUILD_SCRIPT = "scripts/build_npm.ts";

/** Returns true when the repository has an npm build script to pack. */
export function hasNpmBuild(repoDir: string): boolean {
  return existsSync(join(repoDir, NPM_BUILD_SCRIPT));
}

/**
 * Builds the npm package into `<workDir>/npm-package` with the repository's
 * build script, packs it with `npm pack` and returns the tarball's path.
 */
export function packNpmBuild(repoDir: string, workDir: string, deno: string): string {
  const outDir = join(workDir, "npm-package");
  mkdirSync(workDir, { recursive: true });
  execFileSync(deno, ["run", "-A", NPM_BUILD_SCRIPT, "--out", outDir], {
    cwd: repoDir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const packed = execFileSync(
    "npm",
    ["pack", outDir, "--pack-destination", workDir, "--silent"],
    { cwd: workDir, encoding: "utf8" },
  );
  const name = packed.trim().split("\n").pop();
  if (!name) throw new Error(`npm pack ${outDir} printed no tarball name.`);
  return join(workDir, name);
}

/** Path of the JSR build script, relative to the repository root. */
export const JSR_BUILD_SCRIPT = "scripts/build_jsr.ts";

/** Returns true when the repository has a JSR build script. */
export function hasJsrBuild(repoDir: string): boolean {
  return existsSync(join(repoDir, JSR_BUILD_SCRIPT));
}

/**
 * Builds the JSR package into `<workDir>/jsr-package` with the repository's
 * build script and returns that directory.
 */
export function buildJsrPackage(repoDir: string, workDir: string, deno: string): string {
  const outDir = join(workDir, "jsr-package");
  mkdirSync(workDir, { recursive: true });
  execFileSync(deno, ["run", "-A", JSR_BUILD_SCRIPT, "--out", outDir], {
    cwd: repoDir,
    stdio: ["ignore", "ignore", "inherit"],
  });
  return outDir;
}
