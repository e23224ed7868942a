/**
 * A watchdog for the process groups that the runner spawns itself. It is a
 * small `sh` process in its own session, so signals from the terminal and a
 * SIGKILL of the runner's process group do not reach it. It reads lines on
 * its stdin: `+<pgid>` when a group starts and `-<pgid>` when it ended. When
 * its stdin reaches end of file, because the runner exited or was killed, it
 * sends SIGTERM to every group still listed and SIGKILL two seconds later,
 * so commands do not outlive a runner that could not stop them itself.
 *
 * Work that runs outside the runner's groups, such as a Docker container or
 * a command in a Lima VM, is stopped by a clean-up script instead:
 * `c<id> <script>` lists one and `x<id>` takes it off the list. At end of
 * file the watchdog starts every listed script in the background, before it
 * signals the groups.
 *
 * The watchdog starts with the first watched group and is not counted by
 * the runner's event loop. Where `sh` cannot be started, groups go unwatched.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import process from "../process.ts";

/**
 * The watchdog's script. Each list is a space-separated string with a space
 * at both ends, so ` <id> ` finds a whole id. A clean-up script is kept in
 * the variable `cleanup_<id>`, whose id is a number the runner chose. `nl`
 * contains a newline, which the runner writes as `'"$nl"'` inside a quoted word
 * so that a script fits on one line. `kill "-<pgid>"` signals a group
 * without `--`, which dash's `kill` does not accept.
 */
const SCRIPT = `trap '' HUP INT
nl='
'
groups=" "
cleanups=" "
while IFS= read -r line; do
  case $line in
    +*) groups="$groups\${line#+} " ;;
    -*) id=\${line#-}
      case $groups in *" $id "*) groups="\${groups%% $id *} \${groups#* $id }" ;; esac ;;
    c*) id=\${line%% *}; id=\${id#c}
      eval "cleanup_$id=\\\${line#* }"
      cleanups="$cleanups$id " ;;
    x*) id=\${line#x}
      unset "cleanup_$id"
      case $cleanups in *" $id "*) cleanups="\${cleanups%% $id *} \${cleanups#* $id }" ;; esac ;;
  esac
done
[ "$groups$cleanups" = "  " ] && exit 0
for id in $cleanups; do
  eval "( eval \\"\\$cleanup_$id\\" ) </dev/null >/dev/null 2>&1 &"
done
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

let nextCleanup = 0;

/**
 * Lists a shell script that the watchdog runs if the runner dies while it is
 * listed, such as `docker kill <name>` for a container that the runner
 * started. Every newline in `script` must be inside a single-quoted word, as
 * `shellQuote` writes it. Returns the function that takes the script off the
 * list, to call once the work it would stop has ended.
 */
export function watchCleanup(script: string): () => void {
  if (started() === undefined) return () => undefined;
  const id = nextCleanup++;
  send(`c${id} ${script.replaceAll("\n", `'"$nl"'`)}\n`);
  return () => {
    if (watchdog !== undefined) send(`x${id}\n`);
  };
}

/** Returns the watchdog's pid, or undefined before it started. Tests use it. */
export function watchdogPid(): number | undefined {
  return watchdog?.pid;
}
