// readRequestOf: what a client signs for a read, from its method, URL and body.
import t from 'tap';
import { bodyDigest, EMPTY_BODY_DIGEST, readRequestOf } from '@yishi/crypto';

t.test('splits the URL into path and query as sent, and digests the body', async (t) => {
  t.same(readRequestOf('get', 'http://127.0.0.1:8080/principals/me?x=1&y=%20', undefined, 'L', 7), {
    ledger: 'L',
    method: 'GET',
    path: '/principals/me',
    query: 'x=1&y=%20',
    bodyDigest: EMPTY_BODY_DIGEST,
    ts: 7,
  });
  const relative = readRequestOf('POST', '/reports?', '{"a":1}', 'L', 0);
  t.equal(relative.path, '/reports');
  t.equal(relative.query, '', 'an empty query is no query');
  t.equal(relative.bodyDigest, bodyDigest('{"a":1}'));
  t.equal(readRequestOf('GET', '/x', '', 'L', 0).bodyDigest, EMPTY_BODY_DIGEST, 'empty body');
  t.equal(
    readRequestOf('GET', '/x', new Uint8Array([1]), 'L', 0).bodyDigest,
    bodyDigest(new Uint8Array([1]))
  );
});
