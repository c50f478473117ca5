import t from 'tap';
import { base64Encode } from '@yishi/crypto';
import {
  cosignatureLine,
  parsePolicy,
  POLICY_ERROR_CODES,
  quorumSatisfied,
  requireQuorum,
  verifyCheckpointPolicy,
} from '@yishi/verify';
import { makeCosigner, makeTestLog } from '../helpers/witness-fixture.js';

const log = makeTestLog();
log.add(5);
const [w1, w2, w3] = ['w1.test/a', 'w2.test/b', 'w3.test/c'].map((n) => makeCosigner(n)) as [
  ReturnType<typeof makeCosigner>,
  ReturnType<typeof makeCosigner>,
  ReturnType<typeof makeCosigner>,
];
const policyText = (quorum: string) => `# a comment
log ${log.key.vkey} http://127.0.0.1:1/
  witness A ${w1.vkey}
witness\tB ${w2.vkey} http://127.0.0.1:2
witness C ${w3.vkey}
group two 2 A B C
group both all A B
group one any C
${quorum}
`;

t.test('parses logs, witnesses, groups and the quorum', async (t) => {
  const p = parsePolicy(policyText('quorum two'));
  t.equal(p.logs.length, 1);
  t.equal(p.logs[0]?.url, 'http://127.0.0.1:1/');
  t.same(
    p.witnesses.map((w) => w.name),
    ['A', 'B', 'C']
  );
  t.equal(p.witnesses[1]?.url, 'http://127.0.0.1:2');
  t.same(
    p.groups.map((g) => g.threshold),
    [2, 2, 1]
  );
  t.equal(p.quorum, 'two');
  t.equal(parsePolicy(`log ${log.key.vkey}\nquorum none\n`).quorum, 'none');
});

t.test('refuses malformed policies with codes', async (t) => {
  const cases: [string, string][] = [
    [`log ${log.key.vkey}\n`, 'POLICY_QUORUM_MISSING'],
    [`quorum none\nquorum none\n`, 'POLICY_QUORUM_MISSING'],
    [`quorum A\n`, 'POLICY_MALFORMED'],
    [`witness A ${w1.vkey}\nwitness A ${w2.vkey}\nquorum A\n`, 'POLICY_MALFORMED'],
    [`witness A ${w1.vkey}\nwitness B ${w1.vkey}\nquorum A\n`, 'POLICY_MALFORMED'],
    [`witness A ${log.key.vkey}\nquorum A\n`, 'POLICY_MALFORMED'],
    [`log ${w1.vkey}\nquorum none\n`, 'POLICY_MALFORMED'],
    [`witness A ${w1.vkey}\ngroup g 2 A\nquorum g\n`, 'POLICY_MALFORMED'],
    [`witness A ${w1.vkey}\ngroup g 0 A\nquorum g\n`, 'POLICY_MALFORMED'],
    [`witness A ${w1.vkey}\ngroup g any A A\nquorum g\n`, 'POLICY_MALFORMED'],
    [`witness A ${w1.vkey}\ngroup g any B\nquorum g\n`, 'POLICY_MALFORMED'],
    [`witness A ${w1.vkey}\ngroup g any none\nquorum g\n`, 'POLICY_MALFORMED'],
    [`witness none ${w1.vkey}\nquorum none\n`, 'POLICY_MALFORMED'],
    [`frobnicate\nquorum none\n`, 'POLICY_MALFORMED'],
    [`quorum none\u0001\n`, 'POLICY_MALFORMED'],
  ];
  for (const [text, code] of cases) {
    t.ok(POLICY_ERROR_CODES.includes(code as never));
    t.throws(() => parsePolicy(text), { code }, text);
  }
});

t.test('evaluates nested groups', async (t) => {
  const p = parsePolicy(policyText('group top all two one\nquorum top'));
  t.notOk(quorumSatisfied(p, new Set(['A', 'B'])));
  t.ok(quorumSatisfied(p, new Set(['A', 'C'])));
  t.notOk(quorumSatisfied(p, new Set(['C'])));
});

t.test('verifies cosignatures and the quorum of a checkpoint, ignoring grease', async (t) => {
  const p = parsePolicy(policyText('quorum two'));
  const text = log.checkpoint(5).split('\n\n')[0] + '\n';
  const grease = Array.from(
    { length: 17 },
    (_, i) => `\u2014 grease.example/${i} ${base64Encode(new Uint8Array(76).fill(i))}\n`
  ).join('');
  const one = log.checkpoint(5) + grease + cosignatureLine(w1, text);
  const v1 = verifyCheckpointPolicy(one, p);
  t.same(
    v1.cosigners.map((c) => c.name),
    ['A']
  );
  t.equal(v1.cosigners[0]?.timestamp, 1_760_000_000);
  t.equal(v1.quorum, false);
  t.throws(() => requireQuorum(one, p), { code: 'POLICY_QUORUM_UNMET' });
  const two = one + cosignatureLine(w3, text);
  t.equal(requireQuorum(two, p).checkpoint.size, 5);
  // A known witness's bad signature rejects the whole note.
  const bad = two.replace(
    /(\u2014 w3\.test\/c \S{10})(\S)/,
    (_m, a: string, c: string) => a + (c === 'A' ? 'B' : 'A')
  );
  t.throws(() => verifyCheckpointPolicy(bad, p), { code: 'NOTE_INVALID_SIGNATURE' });
  // Signed by a log the policy does not list.
  const other = makeTestLog();
  other.add(1);
  t.throws(() => verifyCheckpointPolicy(other.checkpoint(1), p), { code: 'NOTE_UNVERIFIED' });
  t.equal(
    verifyCheckpointPolicy(log.checkpoint(5), parsePolicy(`log ${log.key.vkey}\nquorum none\n`))
      .quorum,
    true
  );
});
