import t from 'tap';
import { SHA_A, ServiceWorld, urlOf } from '../helpers/service-world.js';

const w = await ServiceWorld.create(t, { rateLimitPerMinute: 10_000 });
await w.populate();
const meetingId = await w.schedule();

/** POSTs `body` as JSON to the route of `payload.type`. */
async function post(body: unknown, lang?: string) {
  const payload = (body as { payload: Record<string, unknown> }).payload;
  const res = await w.app.inject({
    method: 'POST',
    url: urlOf(payload as never),
    payload: JSON.stringify(body),
    headers: {
      'content-type': 'application/json',
      ...(lang ? { 'accept-language': lang } : {}),
    },
  });
  return { status: res.statusCode, body: res.json() };
}

const schedule = {
  type: 'meeting.schedule',
  bodyId: 'body-1',
  kind: 'leadership',
  title: '常委会会议',
  scheduledStart: w.now + 48 * 3_600_000,
};

t.test('a missing property is named, with its path', async (t) => {
  const { kind: _kind, ...noKind } = schedule;
  const { status, body } = await post(w.sign('chair', noKind));
  t.equal(status, 400);
  t.equal(body.code, 'VALIDATION_FAILED');
  t.match(body.details, {
    location: 'body',
    path: '/payload/kind',
    keyword: 'required',
    problem: 'missing',
    property: 'kind',
  });
  t.match(body.message, /\/payload\/kind/);
  t.match(body.message, /missing property "kind"/);
});

t.test('an unexpected property is named', async (t) => {
  const { body } = await post(w.sign('chair', { ...schedule, location: '三楼' }));
  t.equal(body.code, 'VALIDATION_FAILED');
  t.match(body.details, {
    path: '/payload/location',
    problem: 'unexpected',
    property: 'location',
    keyword: 'additionalProperties',
  });
  t.match(body.message, /unexpected property "location"/);
});

t.test('a wrong type says what was expected and what came', async (t) => {
  const iso = new Date(schedule.scheduledStart).toISOString();
  const { body } = await post(w.sign('chair', { ...schedule, scheduledStart: iso }));
  t.match(body.details, {
    path: '/payload/scheduledStart',
    problem: 'type',
    expected: 'integer',
    got: 'string',
  });
  t.match(body.message, /expected integer, got string/);
});

t.test('bounds, patterns and allowed values say what was expected', async (t) => {
  const empty = await post(w.sign('chair', { ...schedule, title: '' }));
  t.match(empty.body.details, { path: '/payload/title', problem: 'bound', keyword: 'minLength' });
  t.match(empty.body.details.expected, /at least 1 character/);
  const kind = await post(w.sign('chair', { ...schedule, kind: 'retreat' }));
  t.match(kind.body.details, { path: '/payload/kind', problem: 'value' });
  t.match(kind.body.details.expected, /"leadership" \| "topical"/);
  const nonce = await post({ ...w.sign('chair', schedule), publicKey: 'x' });
  t.match(nonce.body.details, { path: '/publicKey', problem: 'pattern', keyword: 'pattern' });
});

t.test('the message is in the language asked for', async (t) => {
  const { kind: _kind, ...noKind } = schedule;
  const res = await post(w.sign('chair', noKind), 'zh-CN,zh;q=0.9');
  t.equal(res.body.code, 'VALIDATION_FAILED');
  t.match(res.body.message, /请求格式不符合接口定义/);
  t.match(res.body.message, /缺少必填属性 "kind"/);
  t.match(res.body.message, /\/payload\/kind/);
});

t.test('the P3 material requirements carry P3', async (t) => {
  const item = {
    type: 'item.submit',
    meetingId,
    category: 'major_decision',
    title: '议题',
    materials: [{ title: '请示', sha256: SHA_A }],
  };
  const none = await post(w.sign('m1', { ...item, materials: [] }));
  t.equal(none.status, 400);
  t.equal(none.body.code, 'VALIDATION_FAILED');
  t.equal(none.body.rule, 'P3');
  t.match(none.body.details, { path: '/payload/materials', problem: 'bound', keyword: 'minItems' });
  const { materials: _m, ...missing } = item;
  const absent = await post(w.sign('m1', missing));
  t.equal(absent.body.rule, 'P3');
  t.match(absent.body.details, { path: '/payload/materials', problem: 'missing' });
  const digest = await post(w.sign('m1', { ...item, materials: [{ title: '请示', sha256: 'x' }] }));
  t.equal(digest.body.rule, 'P3');
  t.match(digest.body.details, { path: '/payload/materials/0/sha256', problem: 'pattern' });
  const other = await post(w.sign('m1', { ...item, category: 'other' }));
  t.equal(other.body.code, 'VALIDATION_FAILED');
  t.equal(other.body.rule, undefined, 'a field no rule requires names no rule');
});
