// internStrings: a restored state's repeated string values share one copy; nothing else changes.
import { deserialize, serialize } from 'node:v8';
import t from 'tap';
import { internStrings } from '@yishi/service/internal';

t.test('leaves a deserialised value deep-equal to the original, key order included', async (t) => {
  const original = {
    a: 'routine',
    list: ['routine', 'major_decision', 1, null, { deep: [['routine']] }],
    map: new Map<string, unknown>([
      ['k1', 'routine'],
      ['k2', { category: 'routine', n: 2 }],
    ]),
    nested: { b: 'major_decision', c: true, d: undefined },
  };
  const copy = deserialize(serialize(original)) as typeof original;
  internStrings(copy);
  t.same(copy, original);
  t.same(Object.keys(copy), Object.keys(original));
  t.same([...copy.map.keys()], ['k1', 'k2']);
});

t.test('walks any depth without recursion', async (t) => {
  let deep: { next?: unknown; v: string } = { v: 'leaf' };
  for (let i = 0; i < 200_000; i++) deep = { next: deep, v: 'x' };
  t.doesNotThrow(() => internStrings(deep));
});

t.test('visits only own properties', async (t) => {
  const proto = { inherited: 'routine' };
  const o = Object.create(proto) as Record<string, unknown>;
  o['own'] = 'routine';
  internStrings(o);
  t.same(Object.keys(o), ['own']);
  t.equal(Object.hasOwn(o, 'inherited'), false);
});
