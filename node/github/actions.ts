/**
 * The actions a generated workflow uses, pinned to full commit SHAs so a
 * moved tag cannot change what runs. The version each SHA belongs to is
 * rendered as a trailing comment.
 *
 * @module
 */

/** An action reference pinned to a commit. */
export interface PinnedAction {
  /** `owner/repo`. */
  readonly name: string;
  /** Full 40-character commit SHA. */
  readonly sha: string;
  /** The release tag of that commit, rendered as a comment. */
  readonly version: string;
}

/** `actions/checkout` v4.2.2. */
export const CHECKOUT: PinnedAction = {
  name: "actions/checkout",
  sha: "11bd71901bbe5b1630ceea73d27597364c9af683",
  version: "v4.2.2",
};

/** `actions/setup-node` v4.4.0. */
export const SETUP_NODE: PinnedAction = {
  name: "actions/setup-node",
  sha: "49933ea5288caeca8642d1e84afbd3f7d6820020",
  version: "v4.4.0",
};

/** `actions/cache` v4.2.3. */
export const CACHE: PinnedAction = {
  name: "actions/cache",
  sha: "5a3ec84eff668545956fd18022155c47e93e2684",
  version: "v4.2.3",
};

/** `pnpm/action-setup` v4.1.0. */
export const PNPM_SETUP: PinnedAction = {
  name: "pnpm/action-setup",
  sha: "a7487c7e89a18df4991f7f222e4898a00d66ddda",
  version: "v4.1.0",
};

/** Returns the `uses:` value of a pinned action, without its version comment. */
export function usesOf(action: PinnedAction): string {
  return `${action.name}@${action.sha}`;
}
