import { rulesOfCommand } from '@yishi/procedure';
import type { CommandType } from '@yishi/schema';

/** One state-changing route: the command it takes and who may send it. */
export interface CommandRoute {
  url: string;
  type: CommandType;
  tag: 'admin' | 'meetings' | 'items' | 'votes' | 'oversight' | 'records';
  summary: string;
  /** Who may send the command, and what it checks besides the rules of procedure. */
  who: string;
}

/**
 * Every command of the procedure engine, as a resource. Path parameters name the same resource
 * as the signed payload (`:meetingId` is `payload.meetingId`); a mismatch is refused (400).
 */
export const COMMAND_ROUTES: readonly CommandRoute[] = [
  // Administration by the higher-level organisation
  {
    url: '/bodies',
    type: 'body.create',
    tag: 'admin',
    summary: 'Create a body (领导班子)',
    who: 'admin only',
  },
  {
    url: '/bodies/:bodyId/rulebook',
    type: 'rulebook.set',
    tag: 'admin',
    summary: "Set a new version of a body's rulebook (applies to meetings scheduled after it)",
    who: 'admin only; the parameters checked for consistency',
  },
  {
    url: '/principals',
    type: 'principal.register',
    tag: 'admin',
    summary: 'Register a principal (member, chair, recorder, discipline, attendee, auditor, admin)',
    who: 'admin only; one chair per body; keys canonical, not small-order, never reused',
  },
  {
    url: '/principals/:principalId/role',
    type: 'principal.update_role',
    tag: 'admin',
    summary: "Change a body principal's role",
    who: 'admin only; one chair per body',
  },
  {
    url: '/principals/:principalId/membership-end',
    type: 'membership.end',
    tag: 'admin',
    summary: "End a principal's membership (it can no longer act)",
    who: 'admin only',
  },
  {
    url: '/principals/:principalId/suspension',
    type: 'member.suspend',
    tag: 'admin',
    summary: 'Suspend a member',
    who: 'admin only',
  },
  {
    url: '/principals/:principalId/reinstatement',
    type: 'member.reinstate',
    tag: 'admin',
    summary: 'Reinstate a suspended member',
    who: 'admin only',
  },
  {
    url: '/principals/:principalId/keys',
    type: 'key.rotate',
    tag: 'admin',
    summary: "Rotate a principal's key (the new key is added, every current key revoked)",
    who: 'admin or the principal itself; key validity by ledger position',
  },
  {
    url: '/principals/:principalId/keys/confirmation',
    type: 'key.confirm',
    tag: 'admin',
    summary:
      'Confirm a key an admin set, with a signature by the key it replaced (ends the flagging)',
    who: 'the principal itself, signing with the new key',
  },
  {
    url: '/keys/revocations',
    type: 'key.revoke',
    tag: 'admin',
    summary: 'Revoke a key from this ledger position on',
    who: "admin or the key's principal; the last admin key cannot be revoked",
  },
  {
    url: '/auditors/:principalId/appointment',
    type: 'auditor.appoint',
    tag: 'admin',
    summary: 'Appoint an auditor to bodies (replaces the list)',
    who: 'admin only',
  },
  {
    url: '/rulings',
    type: 'ruling.register',
    tag: 'admin',
    summary: 'Register the higher level’s ruling on an escalated item or objection',
    who: 'admin only',
  },
  {
    url: '/reports/:reportId/acknowledgement',
    type: 'report.acknowledge',
    tag: 'admin',
    summary: 'Acknowledge a report addressed upward (takes it out of the outbox)',
    who: 'admin only',
  },
  // Meetings
  {
    url: '/meetings',
    type: 'meeting.schedule',
    tag: 'meetings',
    summary: 'Schedule a meeting of a body',
    who: 'chair or recorder of the body; keeps the rulebook in force',
  },
  {
    url: '/meetings/:meetingId/cancellation',
    type: 'meeting.cancel',
    tag: 'meetings',
    summary: 'Cancel a meeting that has not opened (its items are withdrawn)',
    who: 'chair, before the meeting opens',
  },
  {
    url: '/meetings/:meetingId/opening',
    type: 'meeting.open',
    tag: 'meetings',
    summary: 'Open a meeting with its attendance',
    who: 'chair',
  },
  {
    url: '/meetings/:meetingId/arrivals',
    type: 'meeting.arrive',
    tag: 'meetings',
    summary: 'Record a late arrival',
    who: 'the principal, the chair or the recorder',
  },
  {
    url: '/meetings/:meetingId/departures',
    type: 'meeting.depart',
    tag: 'meetings',
    summary: 'Record an early departure',
    who: 'the principal, the chair or the recorder',
  },
  {
    url: '/meetings/:meetingId/closing',
    type: 'meeting.close',
    tag: 'meetings',
    summary: 'Close a meeting: the record digest and the minutes number are fixed',
    who: 'chair or recorder',
  },
  // Items
  {
    url: '/meetings/:meetingId/items',
    type: 'item.submit',
    tag: 'items',
    summary: 'Submit an agenda item with its materials’ digests',
    who: 'a voting member of the body',
  },
  {
    url: '/meetings/:meetingId/resubmissions',
    type: 'item.resubmit',
    tag: 'items',
    summary:
      'Bring a deferred (or reopened, or returned) item back at a later meeting, or renominate a rejected cadre candidate',
    who: 'a voting member of the body',
  },
  {
    url: '/items/:itemId/withdrawal',
    type: 'item.withdraw',
    tag: 'items',
    summary: 'Withdraw an item before deliberation',
    who: 'the submitter or the chair',
  },
  {
    url: '/items/:itemId/deliberation',
    type: 'item.deliberate',
    tag: 'items',
    summary: 'Open deliberation on an item (binds the materials digest)',
    who: 'chair; meeting open',
  },
  {
    url: '/items/:itemId/recusals',
    type: 'item.recuse',
    tag: 'items',
    summary: 'Record a recusal (回避)',
    who: 'the member concerned or the chair',
  },
  {
    url: '/items/:itemId/opinions',
    type: 'opinion.submit',
    tag: 'items',
    summary: "Submit an absent member's written opinion",
    who: 'an absent voting member',
  },
  {
    url: '/items/:itemId/statements',
    type: 'statement.record',
    tag: 'items',
    summary: 'Record a statement (position and reasons) on the item in deliberation',
    who: 'a present member',
  },
  {
    url: '/items/:itemId/urgency',
    type: 'item.mark_urgent',
    tag: 'items',
    summary: 'Mark an item urgent with a written justification',
    who: 'chair, before the vote',
  },
  {
    url: '/items/:itemId/deferral',
    type: 'item.defer',
    tag: 'items',
    summary: "Accept a member's defer statement citing unclear key facts",
    who: 'chair',
  },
  {
    url: '/items/:itemId/escalation',
    type: 'item.escalate',
    tag: 'items',
    summary: 'Escalate a deferred item to the higher level for a ruling',
    who: 'chair',
  },
  // Votes
  {
    url: '/items/:itemId/vote',
    type: 'vote.open',
    tag: 'votes',
    summary: 'Open the vote on the item in deliberation',
    who: 'chair',
  },
  {
    url: '/items/:itemId/votes',
    type: 'vote.cast',
    tag: 'votes',
    summary: 'Cast a roll-call or show-of-hands vote',
    who: 'a present, non-recused voting member, once',
  },
  {
    url: '/items/:itemId/ballot-receipts',
    type: 'ballot.receipt',
    tag: 'votes',
    summary: 'Record the receipt of a secret ballot (who voted, not how)',
    who: 'a present, non-recused voting member, once',
  },
  {
    url: '/items/:itemId/tally',
    type: 'tally.sign',
    tag: 'votes',
    summary: "Sign the secret ballot's tally (counts only)",
    who: 'a scrutineer',
  },
  {
    url: '/items/:itemId/vote-closing',
    type: 'vote.close',
    tag: 'votes',
    summary: 'Close the vote; the outcome and the rule that decided it are derived',
    who: 'chair',
  },
  {
    url: '/meetings/:meetingId/reconsiderations',
    type: 'reconsideration.open',
    tag: 'votes',
    summary: 'Move to reconsider an adopted decision (opens its own vote)',
    who: 'a present voting member',
  },
  {
    url: '/motions/:motionId/votes',
    type: 'reconsideration.vote',
    tag: 'votes',
    summary: 'Vote on a reconsideration motion',
    who: 'a present voting member, once',
  },
  {
    url: '/motions/:motionId/closing',
    type: 'reconsideration.close',
    tag: 'votes',
    summary: 'Close a reconsideration vote',
    who: 'chair',
  },
  // Oversight
  {
    url: '/objections',
    type: 'objection.raise',
    tag: 'oversight',
    summary: 'Raise a procedural objection on a meeting or an item, citing a rule',
    who: 'the discipline role or a voting member of the body',
  },
  {
    url: '/objections/:objectionId/answer',
    type: 'objection.answer',
    tag: 'oversight',
    summary: 'Answer an objection: corrected or rejected, with reasons',
    who: 'chair',
  },
  {
    url: '/interference',
    type: 'interference.record',
    tag: 'oversight',
    summary: 'Record an attempt by a leader (or relative) to interfere in a major matter',
    who: 'any principal (of that body, or admin/auditor)',
  },
  // The record
  {
    url: '/meetings/:meetingId/record/signatures',
    type: 'record.sign',
    tag: 'records',
    summary: "Sign the record's digest",
    who: 'the recorder or the chair, after close',
  },
  {
    url: '/meetings/:meetingId/errata',
    type: 'erratum.record',
    tag: 'records',
    summary: 'Record an erratum pointing at an earlier entry',
    who: 'the recorder or the chair',
  },
];

/**
 * The rules of procedure a route enforces, as its description lists them (CommonMark): each rule
 * that decides the command (from `RULES` in @yishi/procedure) with what it checks there.
 */
export function routeRules(type: CommandType): string[] {
  return rulesOfCommand(type).map(
    (r) => `**${r.id}** ${r.title.en} (${r.title.zh}): ${r.checks[type] ?? ''}`
  );
}

/** A command route's OpenAPI description: the command, who may send it, the rules it enforces. */
export function routeDescription(route: CommandRoute): string {
  const rules = routeRules(route.type);
  return (
    `Command \`${route.type}\`, signed by the acting principal. Who: ${route.who}.` +
    (rules.length > 0 ? `\n\nEnforces:\n${rules.map((r) => `- ${r}`).join('\n')}` : '')
  );
}

/** The rule ids the routes of `tag` enforce, as a short list (`P2–P4, P9`). */
export function tagRules(tag: CommandRoute['tag']): string {
  const ids = new Set<number>();
  for (const r of COMMAND_ROUTES) {
    if (r.tag !== tag) continue;
    for (const rule of rulesOfCommand(r.type)) ids.add(Number(rule.id.slice(1)));
  }
  const sorted = [...ids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
    const a = sorted[i] as number;
    const b = sorted[j] as number;
    parts.push(b - a >= 2 ? `P${a}–P${b}` : b > a ? `P${a}, P${b}` : `P${a}`);
    i = j + 1;
  }
  return parts.join(', ');
}
