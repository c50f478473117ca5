import t from 'tap';
import {
  bytesToHex,
  canonicalBytes,
  entryLeafHash,
  entryLeafHashHex,
  leafHash,
  sha256,
} from '@yishi/crypto';

t.test('an entry leaf hash is SHA-256(0x00 || canonical JSON)', async (t) => {
  const entry = { v: 1, seq: 0, prev: '0'.repeat(64), command: { type: 'ledger.genesis' } };
  const expected = sha256(Uint8Array.of(0, ...canonicalBytes(entry)));
  t.same(entryLeafHash(entry), expected);
  t.same(entryLeafHash(entry), leafHash(canonicalBytes(entry)));
  t.equal(entryLeafHashHex(entry), bytesToHex(expected));
  t.equal(
    entryLeafHashHex({ seq: 0, v: 1, command: { type: 'ledger.genesis' }, prev: '0'.repeat(64) }),
    bytesToHex(expected),
    'key order does not matter'
  );
});

t.test('entries JCS cannot represent are refused', async (t) => {
  t.throws(() => entryLeafHash({ seq: NaN }), TypeError);
  t.throws(() => entryLeafHashHex(undefined), TypeError);
});
