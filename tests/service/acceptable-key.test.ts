// Built code: run `npx tsc -b service` first (the module is reached through @yishi/service/internal).
import t from 'tap';
import { readFileSync } from 'node:fs';
import {
  base64Encode,
  bytesToHex,
  concatBytes,
  hexToBytes,
  isAcceptablePublicKey,
  sha256,
  utf8Encode,
} from '@yishi/crypto';
import { acceptableKey, cachedKeyVerdicts, KEY_VERDICT_CACHE_LIMIT } from '@yishi/service/internal';
import { vectorPath } from '../helpers/paths.js';

type CctvVector = { key: string };
const cctvKeys = [
  ...new Set(
    (
      JSON.parse(readFileSync(vectorPath('ed25519', 'ed25519vectors.json'), 'utf8')) as CctvVector[]
    ).map((v) => v.key)
  ),
].map(hexToBytes);

/** 32 deterministic bytes per index: about half of them decode to a curve point. */
const keyBytes = (label: string, i: number): Uint8Array => sha256(utf8Encode(`${label} ${i}`));

t.test('gives the verdict of isAcceptablePublicKey on every CCTV key, cached or not', async (t) => {
  let accepted = 0;
  let refused = 0;
  for (const bytes of cctvKeys) {
    const text = base64Encode(bytes);
    const expected = isAcceptablePublicKey(bytes);
    for (const round of ['first', 'cached']) {
      const got = acceptableKey(text);
      if (expected) {
        t.equal(got === null ? null : bytesToHex(got), bytesToHex(bytes), `${round}: ${text}`);
      } else {
        t.equal(got, null, `${round}: ${text}`);
      }
    }
    if (expected) accepted++;
    else refused++;
  }
  t.ok(accepted > 0, `${accepted} keys accepted`);
  t.ok(refused > 0, `${refused} keys refused (non-canonical, small order, not a point)`);
});

t.test('gives the same verdict on generated keys before and after they are cached', async (t) => {
  let accepted = 0;
  for (let i = 0; i < 200; i++) {
    const bytes = keyBytes('verdict', i);
    const text = base64Encode(bytes);
    const expected = isAcceptablePublicKey(bytes);
    t.equal(acceptableKey(text) !== null, expected);
    t.equal(acceptableKey(text) !== null, expected);
    if (expected) accepted++;
  }
  t.ok(accepted > 0 && accepted < 200, `${accepted} of 200 accepted`);
});

t.test('returns fresh bytes: changing them does not change the next answer', async (t) => {
  const bytes = cctvKeys.find((b) => isAcceptablePublicKey(b))!;
  const text = base64Encode(bytes);
  const first = acceptableKey(text)!;
  first.fill(0);
  t.equal(bytesToHex(acceptableKey(text)!), bytesToHex(bytes));
});

t.test('refuses keys that are not 32 bytes of strict base64, every time', async (t) => {
  const good = base64Encode(cctvKeys.find((b) => isAcceptablePublicKey(b))!);
  const bad = [
    '',
    'AAAA',
    good.slice(0, -1),
    `${good}=`,
    good.replace(/.$/, '!'),
    base64Encode(new Uint8Array(31).fill(7)),
    base64Encode(concatBytes(hexToBytes(bytesToHex(cctvKeys[0]!)), new Uint8Array([0]))),
    base64Encode(new Uint8Array(64).fill(9)),
    ' '.repeat(44),
  ];
  for (const text of bad) {
    t.equal(acceptableKey(text), null, JSON.stringify(text));
    t.equal(acceptableKey(text), null, `again: ${JSON.stringify(text)}`);
  }
  t.not(acceptableKey(good), null);
});

t.test(
  'keeps at most KEY_VERDICT_CACHE_LIMIT verdicts and stays right after evicting',
  async (t) => {
    t.equal(KEY_VERDICT_CACHE_LIMIT, 4096);
    const n = KEY_VERDICT_CACHE_LIMIT + 300;
    const texts: string[] = [];
    let largest = 0;
    for (let i = 0; i < n; i++) {
      const text = base64Encode(keyBytes('bound', i));
      texts.push(text);
      acceptableKey(text);
      largest = Math.max(largest, cachedKeyVerdicts());
    }
    t.equal(largest, KEY_VERDICT_CACHE_LIMIT);
    t.equal(cachedKeyVerdicts(), KEY_VERDICT_CACHE_LIMIT);
    // The first keys were evicted; asked again, they get the same verdict as before.
    for (let i = 0; i < 50; i++) {
      t.equal(acceptableKey(texts[i]!) !== null, isAcceptablePublicKey(keyBytes('bound', i)));
    }
    t.equal(cachedKeyVerdicts(), KEY_VERDICT_CACHE_LIMIT);
  }
);
