export enum MerkleErrorCode {
  InvalidTreeSize = 'merkle.invalid-tree-size',
  IndexOutOfRange = 'merkle.index-out-of-range',
  InvalidRange = 'merkle.invalid-range',
  InvalidHash = 'merkle.invalid-hash',
  MissingNode = 'merkle.missing-node',
  NonCanonicalValue = 'merkle.non-canonical-value',
  InvalidCheckpoint = 'merkle.invalid-checkpoint',
  InvalidKey = 'merkle.invalid-key',
}

/**
 * Thrown for caller mistakes and broken storage (bad sizes, missing nodes, unserialisable entries).
 * Verification of untrusted proofs and checkpoints never throws: it returns false.
 */
export class MerkleError extends Error {
  constructor(
    readonly code: MerkleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MerkleError';
  }
}
