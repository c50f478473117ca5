import t from 'tap';
import { Value } from 'typebox/value';
import {
  base64Decode,
  base64Encode,
  generateSecretKey,
  getPublicKey,
  signingMessage,
  verify,
} from '@yishi/crypto';
import {
  GENESIS_PREV,
  LedgerGenesisSchema,
  SIGNING_CONTEXTS,
  SignedCommandSchema,
} from '@yishi/schema';
import {
  LedgerStore,
  createGenesisCommand,
  initLedger,
  type GenesisOptions,
} from '@yishi/service/internal';

const logSecretKey = generateSecretKey();
const adminKey = base64Encode(getPublicKey(generateSecretKey()));

const options = (): GenesisOptions => ({
  ledgerId: 'ledger-1',
  origin: 'yishi.local/ledger-1',
  logSecretKey,
  admin: { principalId: 'admin', name: '上级党组织', publicKey: adminKey },
  ts: 1_700_000_000_000,
  nonce: 'ab'.repeat(16),
});

t.test('creates a genesis command signed by the log key in the command context', async (t) => {
  const command = createGenesisCommand(options());
  const logPublicKey = base64Encode(getPublicKey(logSecretKey));
  t.same(command.payload, {
    type: 'ledger.genesis',
    ts: 1_700_000_000_000,
    nonce: 'ab'.repeat(16),
    ledger: 'ledger-1',
    ledgerId: 'ledger-1',
    protocol: 2,
    origin: 'yishi.local/ledger-1',
    logPublicKey,
    admin: { principalId: 'admin', name: '上级党组织', publicKey: adminKey },
  });
  t.equal(command.publicKey, logPublicKey);
  t.ok(Value.Check(SignedCommandSchema, command), 'a well-formed signed command');
  t.ok(Value.Check(LedgerGenesisSchema, command.payload), 'a well-formed genesis payload');
  const message = signingMessage(SIGNING_CONTEXTS.command, command.payload);
  t.ok(verify(base64Decode(command.signature), message, getPublicKey(logSecretKey)));
  const other = signingMessage(SIGNING_CONTEXTS.read, command.payload);
  t.notOk(verify(base64Decode(command.signature), other, getPublicKey(logSecretKey)));
  t.same(createGenesisCommand(options()), command, 'deterministic');
});

t.test('refuses genesis options that would not make a valid command', async (t) => {
  const bad: [string, Partial<GenesisOptions> & Record<string, unknown>][] = [
    ['empty ledgerId', { ledgerId: '' }],
    ['long ledgerId', { ledgerId: 'x'.repeat(129) }],
    ['origin with a newline', { origin: 'a\nb' }],
    ['empty origin', { origin: '' }],
    ['short log key', { logSecretKey: new Uint8Array(31) }],
    ['log key not bytes', { logSecretKey: 'key' as never }],
    ['negative ts', { ts: -1 }],
    ['fractional ts', { ts: 1.5 }],
    ['uppercase nonce', { nonce: 'AB'.repeat(16) }],
    ['short nonce', { nonce: 'ab' }],
    ['no admin', { admin: undefined as never }],
    ['bad principal id', { admin: { principalId: 'Admin!', name: 'n', publicKey: adminKey } }],
    ['empty admin name', { admin: { principalId: 'admin', name: '', publicKey: adminKey } }],
    ['admin key not base64', { admin: { principalId: 'admin', name: 'n', publicKey: '!!' } }],
    [
      'admin key of small order',
      { admin: { principalId: 'admin', name: 'n', publicKey: base64Encode(new Uint8Array(32)) } },
    ],
  ];
  for (const [name, patch] of bad) {
    t.throws(
      () => createGenesisCommand({ ...options(), ...patch }),
      { code: 'INVALID_ARGUMENT' },
      name
    );
  }
});

t.test('initLedger appends the genesis as entry 0 and records the ledger id', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  const { entry } = initLedger(store, { ...options(), time: 1_700_000_000_123 });
  t.equal(store.size, 1);
  t.equal(entry.seq, 0);
  t.equal(entry.prev, GENESIS_PREV);
  t.equal(entry.time, 1_700_000_000_123);
  t.equal(entry.derived, null);
  t.same(store.entry(0).command, createGenesisCommand(options()));
  t.equal(store.ledgerId, 'ledger-1');
  t.equal(store.getMeta('origin'), 'yishi.local/ledger-1');
  t.ok(store.hasNonce(entry.command.publicKey, 'ab'.repeat(16)));
  t.throws(() => initLedger(store, { ...options(), nonce: 'cd'.repeat(16) }), {
    code: 'LEDGER_NOT_EMPTY',
  });
  t.equal(store.size, 1);
});

t.test('initLedger takes ts as the entry time unless told otherwise', async (t) => {
  const store = LedgerStore.open(':memory:');
  t.teardown(() => store.close());
  t.throws(() => initLedger(store, { ...options(), nonce: 'x' }), { code: 'INVALID_ARGUMENT' });
  t.equal(store.ledgerId, undefined, 'a refused genesis records nothing');
  const { entry } = initLedger(store, { ...options(), derived: { admin: 'admin' } });
  t.equal(entry.time, 1_700_000_000_000);
  t.same(entry.derived, { admin: 'admin' });
});
