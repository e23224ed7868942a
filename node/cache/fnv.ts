/**
 * Constants of 32-bit FNV-1a, the hash that the in-memory tables of the
 * file-state index use to place paths.
 *
 * @module
 */

/** The 32-bit FNV offset basis. */
export const FNV_OFFSET = 0x811c9dc5;

/** The 32-bit FNV prime. */
export const FNV_PRIME = 0x01000193;
