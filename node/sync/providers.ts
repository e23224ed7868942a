/** The generated-file families that `sync list|generate|check` walk, in order. @module */

import { githubSyncProvider } from "../github/provider.ts";
import { taskSyncProvider } from "./tasks/provider.ts";
import type { SyncProvider } from "./types.ts";

/** Every sync provider. Each family adds itself here. */
export const SYNC_PROVIDERS: SyncProvider[] = [githubSyncProvider, taskSyncProvider];
