/** A cache store on a full disk: the warning names the store directory, the cause and the fix. */

import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { saveFailedWarning } from "../node/cache/save_result.ts";
import { MOD_URL } from "./support/projects.ts";
import { canMountTmpfs, runCliOnTmpfs } from "./support/tmpfs.ts";
import { tempDir } from "./support/temp_files.ts";

const STORE = "/app/.async/cache/tasks/local";
const FULL_DISK_WARNING = `task "big" was not cached: writing its entry under ${STORE} failed ` +
  "because the disk is full (ENOSPC). Free space on that disk, for example with " +
  "`async-pipeline gc` or `async-pipeline cache clear`, and run the task again.";

Deno.test("full disk warning from a Node fake error", () => {
  const error = Object.assign(new Error("ENOSPC: no space left on device, write"), {
    code: "ENOSPC",
    syscall: "write",
  });
  assert.equal(saveFailedWarning("big", error, STORE), FULL_DISK_WARNING);
});

Deno.test("full disk warning from a Deno file handle fake error", () => {
  // Deno's FileHandle.write reports a full disk with the code but not in the message.
  const error = Object.assign(new Error("No space left on device (os error 28)"), {
    code: "ENOSPC",
  });
  assert.equal(saveFailedWarning("big", error, STORE), FULL_DISK_WARNING);
});

Deno.test("failed store warning adds a missing path", () => {
  const error = Object.assign(new Error("EIO: i/o error, write"), { code: "EIO" });
  assert.equal(
    saveFailedWarning("big", error, STORE),
    `task "big" was not cached: writing its entry under ${STORE} failed (EIO: i/o error, write).`,
  );
});

Deno.test("failed store warning keeps a named path once", () => {
  const message = `EROFS: read-only file system, mkdir '${STORE}/.tmp'`;
  const error = Object.assign(new Error(message), { code: "EROFS" });
  assert.equal(
    saveFailedWarning("big", error, STORE),
    `task "big" was not cached: writing its entry failed (${message}).`,
  );
});

const PIPELINE = `
import { definePipeline, job, sh, task } from "${MOD_URL}";
export default definePipeline({
  name: "disk",
  cache: "file:local",
  tasks: {
    big: task({ inputs: [], outputs: ["out.bin"] }, sh\`head -c 600000 /dev/zero > out.bin\`),
  },
  jobs: { b: job({ target: "big" }) },
});
`;

for (const runtime of ["node", "deno"] as const) {
  Deno.test({
    name: `store on a real full tmpfs names the store (${runtime})`,
    ignore: !canMountTmpfs(),
    fn: async () => {
      const dir = await tempDir();
      await writeFile(join(dir, "pipeline.ts"), PIPELINE);
      const store = join(dir, ".async/cache/tasks");
      await mkdir(store, { recursive: true });
      const result = await runCliOnTmpfs(runtime, dir, ["run", "b"], {
        mountPoint: store,
        sizeKiB: 256,
      });
      const text = result.stdout + result.stderr;
      assert.equal(result.code, 0, text);
      assert.ok(
        text.includes(
          `writing its entry under ${
            join(store, "local")
          } failed because the disk is full (ENOSPC)`,
        ),
        text,
      );
    },
  });
}
