import { canonicalJson } from './canonical-json';
import { leafHashOfUtf8 } from './hashing';

/**
 * The audit log's leaf: the UTF-8 bytes of canonicalJson(entry). The audit service and the auditor's
 * verifier must both go through these two functions, or their roots will never agree.
 */
export function auditEntryLeafBytes(entry: unknown): Buffer {
  return Buffer.from(canonicalJson(entry), 'utf8');
}

export function auditEntryLeafHash(entry: unknown): Buffer {
  return leafHashOfUtf8(canonicalJson(entry));
}
