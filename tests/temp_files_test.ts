import assert from "node:assert/strict";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DENO, runCommand } from "./npm_harness.ts";
import { tempDir } from "./support/temp_files.ts";

const HELPER_URL = new URL("./support/temp_files.ts", import.meta.url).href;

/** A test file that makes directories at module level, in a failing test and in a passing one. */
const SAMPLE = `import { tempDir } from ${JSON.stringify(HELPER_URL)};

const tmp = Deno.env.get("TMPDIR")!;
const names = () => [...Deno.readDirSync(tmp)].map((entry) => entry.name);
await tempDir("shared-");

Deno.test("fails after making a directory", async () => {
  await Deno.writeTextFile(\`\${await tempDir("failing-")}/file.txt\`, "x");
  throw new Error("boom");
});

Deno.test("keeps the shared directory", () => {
  if (!names().some((name) => name.startsWith("shared-"))) throw new Error("shared gone");
  if (names().some((name) => name.startsWith("failing-"))) throw new Error("failing left");
});
`;

Deno.test("tempDir removes failed tests' directories", async () => {
  const tmp = await tempDir();
  const dir = await tempDir();
  await writeFile(join(dir, "sample_test.ts"), SAMPLE);
  const env = { ...Deno.env.toObject(), NO_COLOR: "1", TMPDIR: tmp };
  const output = await runCommand(DENO, ["test", "-A", "--no-config", "sample_test.ts"], {
    cwd: dir,
    env,
  });
  const text = output.stdout + output.stderr;
  assert.notEqual(output.code, 0, text);
  assert.match(text, /fails after making a directory \.\.\. FAILED/);
  assert.match(text, /keeps the shared directory \.\.\. ok/);
  assert.deepEqual(await readdir(tmp), []);
});

Deno.test("tempDir uses the prefix", async () => {
  const dir = await tempDir("named-prefix-");
  assert.match(dir, /[\\/]named-prefix-[^\\/]+$/);
  assert.deepEqual(await readdir(dir), []);
});
