/**
 * The Lima VM executor, published as `@async/pipeline/lima`.
 *
 * @example
 * ```ts
 * import { LimaCommandExecutor } from "@async/pipeline/lima";
 *
 * const executor = new LimaCommandExecutor({ vm: "async-pipeline" });
 * ```
 *
 * @module
 */

export { LimaCommandExecutor } from "./executor.ts";
export type { LimaExecutorOptions } from "./executor.ts";
