/** Lima VM command executor. @module */

export { VERSION } from "../../core/version.ts";
