import assert from "node:assert/strict";
import { closeSync, openSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeAllSync } from "../node/write_sync.ts";
import { baseEnv, REPO_DIR } from "./support/projects.ts";
import { tempDir } from "./support/temp_files.ts";

const NODE = join(REPO_DIR, "node_modules/.bin/node");

// Touching process.stdout makes Node open a pipe on fd 1 non-blocking, as the CLI does.
const WRITER = `import { writeAllSync } from ${
  JSON.stringify(join(REPO_DIR, "node/write_sync.ts"))
};
void process.stdout;
const started = Date.now();
try {
  writeAllSync(1, "x".repeat(Number(process.argv[2])), Number(process.argv[3]));
  process.stderr.write("complete\\n");
} catch (error) {
  process.stderr.write(\`\${error.code} after \${Date.now() - started} ms\\n\`);
}
process.exit(0);
`;

/** Runs the writer under Node with its stdout piped into `reader`, a shell command. */
async function pipeWriter(bytes: number, stallMs: number, reader: string) {
  const dir = await tempDir();
  await writeFile(join(dir, "writer.ts"), WRITER);
  const output = await new Deno.Command("sh", {
    args: ["-c", `'${NODE}' writer.ts ${bytes} ${stallMs} | ${reader}`],
    cwd: dir,
    env: baseEnv(),
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  return { dir, stderr: new TextDecoder().decode(output.stderr) };
}

Deno.test("writeAllSync writes a file completely", async () => {
  const dir = await tempDir();
  const path = join(dir, "out.txt");
  const fd = openSync(path, "w");
  try {
    writeAllSync(fd, "héllo\n".repeat(10_000));
  } finally {
    closeSync(fd);
  }
  assert.equal(await readFile(path, "utf8"), "héllo\n".repeat(10_000));
});

Deno.test("writeAllSync waits for a slow pipe", async () => {
  const { dir, stderr } = await pipeWriter(1 << 20, 5000, "(sleep 1; cat > out.txt)");
  assert.equal(stderr, "complete\n");
  assert.equal((await readFile(join(dir, "out.txt"), "utf8")).length, 1 << 20);
});

Deno.test("writeAllSync gives up on a stalled pipe", async () => {
  const { stderr } = await pipeWriter(1 << 20, 300, "sleep 2");
  const match = /^EAGAIN after (\d+) ms\n$/.exec(stderr);
  assert.ok(match, stderr);
  assert.ok(Number(match[1]) >= 300, stderr);
});
