import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { cliCommand, denoCliCommand, JSR_COMMAND, PACKAGE_COMMAND } from "../node/cli_command.ts";

Deno.test("cliCommand names the npm executable by default", () => {
  assert.equal(cliCommand(), PACKAGE_COMMAND);
});

Deno.test("denoCliCommand gives the jsr line for the published package", () => {
  const url = "https://jsr.io/@async/pipeline/0.1.0/cli/main.js";
  assert.equal(denoCliCommand(url, "/work/project"), JSR_COMMAND);
});

Deno.test("denoCliCommand gives the jsr line for a linked build", () => {
  const url = pathToFileURL("/opt/pipeline/jsr/cli/main.js").href;
  assert.equal(denoCliCommand(url, "/work/project"), JSR_COMMAND);
});

Deno.test("denoCliCommand gives a relative path for sources under the directory", () => {
  const url = pathToFileURL("/work/project/cli/main.ts").href;
  assert.equal(denoCliCommand(url, "/work/project"), "deno run -A cli/main.ts");
});

Deno.test("denoCliCommand gives an absolute path for sources elsewhere", () => {
  const url = pathToFileURL("/opt/pipeline/cli/main.ts").href;
  assert.equal(denoCliCommand(url, "/work/project"), "deno run -A /opt/pipeline/cli/main.ts");
});

Deno.test("denoCliCommand quotes a path the shell would split", () => {
  const url = pathToFileURL(join("/opt/my tools", "cli", "main.ts")).href;
  assert.equal(
    denoCliCommand(url, "/work/project"),
    "deno run -A '/opt/my tools/cli/main.ts'",
  );
});
