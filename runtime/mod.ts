/** The embeddable runtime engine. @module */

export { VERSION } from "../core/version.ts";
