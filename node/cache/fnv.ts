/**
 * FNV-1a, the 32-bit hash the in-memory tables of the file-state index use
 * to place paths. It is fast on short keys and needs no allocation.
 *
 * @module
 */

/** The 32-bit FNV offset basis. */
export const FNV_OFFSET = 0x811c9dc5;

/** The 32-bit FNV prime. */
export const FNV_PRIME = 0x01000193;
