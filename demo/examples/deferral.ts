// Opening a vote, when the rules may defer the item instead (P8): 201 either way, so a client
// reads the explicit outcome, not only `error`.
import { outcomeOf, type YishiClient } from '@yishi/sdk';

export async function openVote(chair: YishiClient, itemId: string, materialsDigest: string) {
  const r = await chair.submit({ type: 'vote.open', itemId, materialsDigest });
  if (r.error) throw new Error(`${r.error.code} ${r.error.rule ?? ''}: ${r.error.message}`);
  const o = outcomeOf(r);
  if (o?.outcome === 'deferred') {
    // No vote opened: more than a third of the statements disagreed or asked to defer (P8).
    // The item may come back at a later meeting (item.resubmit, P10).
    return { opened: false, rule: o.rule, basis: o.basis };
  }
  // `derived` is typed per command: here, the vote that opened (or, above, the deferral).
  const d = r.data.derived;
  const method = 'method' in d ? d.method : undefined;
  return { opened: true, method, denominator: o?.denominator };
}
