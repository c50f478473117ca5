import t from 'tap';
import { bytesToHex, sha256, utf8Encode } from '@yishi/crypto';

// FIPS 180-4 / NIST CSRC example values for SHA-256.
t.test('sha256 matches the FIPS 180-4 examples', async (t) => {
  t.equal(
    bytesToHex(sha256(new Uint8Array(0))),
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
  );
  t.equal(
    bytesToHex(sha256(utf8Encode('abc'))),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
  );
  t.equal(
    bytesToHex(sha256(utf8Encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))),
    '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'
  );
});

t.test('sha256 refuses a non-Uint8Array', async (t) => {
  t.throws(() => sha256('abc' as unknown as Uint8Array), TypeError);
});
