// A meeting's record (会议记录, P16) as a service served it, checked against the record digest
// the ledger's `meeting.close` entry carries (derived.recordDigest), which the recorder and the
// chair sign: SHA-256 of the record's RFC 8785 canonical JSON.
//
// The record is attacker-controlled (it came over the network from a service whose cache may be
// damaged): anything that does not canonicalise is simply not the record.
import { recordDigest, type MeetingRecord } from '@yishi/procedure';

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Whether `record` is the record whose digest is `recordDigest` (64 lowercase hex characters, as
 * on the ledger and in every record and minutes reply). Never throws: a malformed record or
 * digest gives `false`.
 */
export function verifyRecord(record: MeetingRecord | unknown, recordDigestHex: string): boolean {
  if (typeof recordDigestHex !== 'string' || !HEX64.test(recordDigestHex)) return false;
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return false;
  try {
    return recordDigest(record as MeetingRecord) === recordDigestHex;
  } catch {
    return false;
  }
}
