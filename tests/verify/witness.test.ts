import t from 'tap';
import {
  EMPTY_ROOT,
  base64Encode,
  generateNoteKey,
  parseNoteSigner,
  signCheckpoint,
} from '@yishi/crypto';
import {
  createCosignatureVerifier,
  createWitness,
  formatAddCheckpoint,
  memoryWitnessStore,
  originHash,
  parseAddCheckpoint,
  TLOG_SIZE_CONTENT_TYPE,
  type WitnessStore,
} from '@yishi/verify';
import { openNote } from '@yishi/crypto';
import { makeCosigner, makeTestLog, ORIGIN } from '../helpers/witness-fixture.js';

function setup(store: WitnessStore = memoryWitnessStore(), beforeSwap?: () => Promise<void>) {
  const log = makeTestLog();
  log.add(10);
  const cosigner = makeCosigner('witness.test/w1');
  const witness = createWitness({
    cosigner,
    logs: [log.verifier],
    store,
    ...(beforeSwap ? { beforeSwap } : {}),
  });
  const submit = (
    old: number,
    size: number,
    note = log.checkpoint(size),
    proof = log.proof(old, size)
  ) => witness.addCheckpoint(formatAddCheckpoint(old, proof, note));
  return { log, cosigner, witness, submit, store };
}

t.test('cosigns a first checkpoint from old 0 and a consistent next one', async (t) => {
  const { log, cosigner, submit } = setup();
  const first = await submit(0, 4);
  t.equal(first.status, 200);
  t.match(first.body, /^\u2014 witness\.test\/w1 \S+\n$/);
  const opened = openNote(log.checkpoint(4) + first.body, [
    createCosignatureVerifier(cosigner.name, cosigner.publicKey),
  ]);
  t.equal(opened.verified.length, 1);
  t.equal((await submit(4, 10)).status, 200);
  t.equal((await submit(10, 10)).status, 200, 'the same checkpoint again');
});

t.test('answers 409 text/x.tlog.size with its size when old is not its last size', async (t) => {
  const { submit } = setup();
  const wrong = await submit(3, 4);
  t.equal(wrong.status, 409);
  t.equal(wrong.contentType, TLOG_SIZE_CONTENT_TYPE);
  t.equal(wrong.body, '0\n');
  t.equal((await submit(0, 4)).status, 200);
  const stale = await submit(0, 10);
  t.equal(stale.status, 409);
  t.equal(stale.body, '4\n');
});

t.test(
  'answers 404 for an unknown origin and 403 for a bad or missing log signature',
  async (t) => {
    const { log, submit } = setup();
    const other = makeTestLog('other.test/log');
    other.add(2);
    t.equal((await submit(0, 2, other.checkpoint(2), [])).status, 404);
    const impostor = parseNoteSigner(generateNoteKey(ORIGIN).skey);
    const forged = signCheckpoint(
      { origin: ORIGIN, size: 2, rootHash: log.root(2), extensions: [] },
      [impostor]
    );
    const r403 = await submit(0, 2, forged, []);
    t.equal(r403.status, 403);
    t.equal(r403.code, 'WITNESS_BAD_SIGNATURE');
    const good = log.checkpoint(2);
    const bad = good.replace(
      / (\S)(\S+)\n$/,
      (_m, c: string, rest: string) => ` ${c === 'A' ? 'B' : 'A'}${rest}\n`
    );
    t.equal((await submit(0, 2, bad, [])).status, 403, 'a trusted key whose signature fails');
  }
);

t.test('answers 400 for old > size and for malformed bodies', async (t) => {
  const { log, submit, witness } = setup();
  const r = await submit(5, 4, log.checkpoint(4), []);
  t.equal(r.status, 400);
  t.equal(r.code, 'WITNESS_OLD_SIZE_TOO_LARGE');
  for (const body of [
    '',
    'old 1\n',
    'old 01\n\nx',
    'new 0\n\nx',
    `old 0\nnot base64\n\n${log.checkpoint(1)}`,
    `old 0\n\n${log.checkpoint(1)}`.replace(/\n\n\u2014/, '\n\u2014'),
  ]) {
    t.equal((await witness.addCheckpoint(body)).status, 400, JSON.stringify(body));
  }
  const tooMany = formatAddCheckpoint(
    0,
    Array.from({ length: 64 }, () => new Uint8Array(32)),
    log.checkpoint(1)
  );
  t.equal((await witness.addCheckpoint(tooMany)).status, 400);
});

t.test('answers 422 for a bad proof, a proof from 0, a wrong empty root, a fork', async (t) => {
  const { log, submit } = setup();
  t.equal((await submit(0, 3)).status, 200);
  const badProof = log.proof(3, 8).map((h, i) => (i === 0 ? new Uint8Array(32) : h));
  t.equal((await submit(3, 8, log.checkpoint(8), badProof)).status, 422);
  t.equal((await submit(3, 8, log.checkpoint(8), [])).status, 422);
  // A fork: the same size with another root.
  const forkLeaves = log.leaves.slice();
  forkLeaves[2] = new Uint8Array(32).fill(9);
  const fork = await submit(3, 3, log.checkpoint(3, forkLeaves), []);
  t.equal(fork.status, 422);
  t.equal(fork.code, 'WITNESS_ROOT_MISMATCH');
  // A forked bigger tree: no proof from the cosigned root verifies.
  t.equal(
    (await submit(3, 8, log.checkpoint(8, forkLeaves), log.proof(3, 8, forkLeaves))).status,
    422
  );
  const s2 = setup();
  t.equal((await s2.submit(0, 2, s2.log.checkpoint(2), [new Uint8Array(32)])).status, 422);
  const emptyWrong = signCheckpoint(
    { origin: ORIGIN, size: 0, rootHash: new Uint8Array(32), extensions: [] },
    [s2.log.signer]
  );
  t.equal((await s2.submit(0, 0, emptyWrong, [])).status, 422);
  const empty = signCheckpoint({ origin: ORIGIN, size: 0, rootHash: EMPTY_ROOT, extensions: [] }, [
    s2.log.signer,
  ]);
  t.equal((await s2.submit(0, 0, empty, [])).status, 200);
});

t.test('a rollback is refused: old below the last size is 409', async (t) => {
  const { submit } = setup();
  t.equal((await submit(0, 8)).status, 200);
  const r = await submit(0, 4);
  t.equal(r.status, 409);
  t.equal(r.body, '8\n');
});

t.test('ignores unknown (grease) signature lines on the checkpoint', async (t) => {
  const { log, submit } = setup();
  const grease = Array.from({ length: 20 }, (_, i) => {
    const raw = new Uint8Array(68).map(() => Math.floor(Math.random() * 256));
    return `\u2014 grease${i}.example/${Math.random().toString(36).slice(2)} ${base64Encode(raw)}\n`;
  }).join('');
  const r = await submit(0, 5, log.checkpoint(5) + grease, []);
  t.equal(r.status, 200);
});

t.test('check-then-swap is atomic: a racing smaller request never rolls back', async (t) => {
  let release: () => void = () => {};
  let stalled = false;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const s = setup(memoryWitnessStore(), async () => {
    if (!stalled) {
      stalled = true;
      await gate;
    }
  });
  // A (size 4) is checked, then stalls before its swap; B (size 10) passes and swaps.
  const a = s.submit(0, 4);
  await new Promise((r) => setImmediate(r));
  const b = await s.submit(0, 10);
  t.equal(b.status, 200);
  release();
  const ra = await a;
  t.equal(ra.status, 409, 'A re-checked against the new record');
  t.equal(ra.body, '10\n');
  t.equal((await s.store.get(ORIGIN))?.size, 10);
});

t.test('serves the latest cosigned checkpoint by origin hash', async (t) => {
  const { witness, submit, cosigner, log } = setup();
  t.equal(await witness.checkpoint(originHash(ORIGIN)), undefined);
  await submit(0, 6);
  const note = await witness.checkpoint(originHash(ORIGIN));
  t.ok(note);
  const opened = openNote(note!, [
    log.verifier,
    createCosignatureVerifier(cosigner.name, cosigner.publicKey),
  ]);
  t.equal(opened.verified.length, 2);
  t.equal(originHash('example.com/behind-the-sofa').length, 64);
  t.equal(parseAddCheckpoint('old 0\n\nx')?.old, 0);
});
