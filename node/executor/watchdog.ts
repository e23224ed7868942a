/**
 * A watchdog for the process groups that the runner spawns itself. It is a
 * small `sh` process in its own session, so signals from the terminal and a
 * SIGKILL of the runner's process group do not reach it. It reads lines on
 * its stdin: `+<pgid>` when a group starts and `-<pgid>` when it ended. When
 * its stdin reaches end of file, because the runner exited or was killed, it
 * sends SIGTERM to every group still listed and SIGKILL two seconds later,
 * so commands do not outlive a runner that could not stop them itself.
 *
 * The watchdog starts with the first watched group and is not counted by
 * the runner's event loop. Where `sh` cannot be started, groups go unwatched.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import process from "../process.ts";

/**
 * The watchdog's script. The list is a space-separated string with a space
 * at both ends, so ` <pgid> ` finds a whole id. `kill "-<pgid>"` signals a
 * group without `--`, which dash's `kill` does not accept.
 */
const SCRIPT = `trap '' HUP INT
groups=" "
while IFS= read -r line; do
  case $line in
    +*) groups="$groups\${line#+} " ;;
    -*) id=\${line#-}
      case $groups in *" $id "*) groups="\${groups%% $id *} \${groups#* $id }" ;; esac ;;
  esac
done
[ "$groups" = " " ] && exit 0
for group in $groups; do kill -TERM "-$group" 2>/dev/null; done
sleep 2
for group in $groups; do kill -KILL "-$group" 2>/dev/null; done
`;

let watchdog: ChildProcess | undefined;
/** True once starting the watchdog failed, or on a platform without process groups. */
let unavailable = process.platform === "win32";

function started(): ChildProcess | undefined {
  if (watchdog !== undefined || unavailable) return watchdog;
  try {
    const child = spawn("sh", ["-c", SCRIPT], {
      detached: true,
      stdio: ["pipe", "ignore", "ignore"],
    });
    child.on("error", () => {
      unavailable = true;
      watchdog = undefined;
    });
    // A broken pipe means the watchdog is gone, and the groups then go unwatched.
    child.stdin!.on("error", () => undefined);
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    watchdog = child;
  } catch {
    unavailable = true;
  }
  return watchdog;
}

/** Lines not yet written: the changes of one turn of the event loop go in one write. */
let pending = "";

function send(line: string): void {
  if (pending === "") {
    queueMicrotask(() => {
      const lines = pending;
      pending = "";
      watchdog?.stdin?.write(lines);
    });
  }
  pending += line;
}

/** Lists the group led by `pid`, so the watchdog stops it if the runner dies first. */
export function watchGroup(pid: number): void {
  if (started() !== undefined) send(`+${pid}\n`);
}

/** Takes the group led by `pid` off the list once it ended. */
export function unwatchGroup(pid: number): void {
  if (watchdog !== undefined) send(`-${pid}\n`);
}

/** Returns the watchdog's pid, or undefined before it started. Tests use it. */
export function watchdogPid(): number | undefined {
  return watchdog?.pid;
}
