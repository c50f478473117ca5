import type { CommandType } from '@yishi/schema';

/** One state-changing route: the command it takes and the rules it enforces. */
export interface CommandRoute {
  url: string;
  type: CommandType;
  tag: 'admin' | 'meetings' | 'items' | 'votes' | 'oversight' | 'records';
  summary: string;
  /** The rules of procedure (`shared/spec/procedure.md`) this command is decided by. */
  rules: string;
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
    rules: 'admin only',
  },
  {
    url: '/bodies/:bodyId/rulebook',
    type: 'rulebook.set',
    tag: 'admin',
    summary: "Set a new version of a body's rulebook (applies to meetings scheduled after it)",
    rules: 'admin only; P1–P16 parameters checked for consistency',
  },
  {
    url: '/principals',
    type: 'principal.register',
    tag: 'admin',
    summary: 'Register a principal (member, chair, recorder, discipline, attendee, auditor, admin)',
    rules: 'admin only; one chair per body; keys canonical, not small-order, never reused',
  },
  {
    url: '/principals/:principalId/role',
    type: 'principal.update_role',
    tag: 'admin',
    summary: "Change a body principal's role",
    rules: 'admin only; one chair per body',
  },
  {
    url: '/principals/:principalId/membership-end',
    type: 'membership.end',
    tag: 'admin',
    summary: "End a principal's membership (it can no longer act)",
    rules: 'admin only',
  },
  {
    url: '/principals/:principalId/suspension',
    type: 'member.suspend',
    tag: 'admin',
    summary: 'Suspend a member',
    rules: 'admin only; P4 suspended members leave the denominator',
  },
  {
    url: '/principals/:principalId/reinstatement',
    type: 'member.reinstate',
    tag: 'admin',
    summary: 'Reinstate a suspended member',
    rules: 'admin only',
  },
  {
    url: '/principals/:principalId/keys',
    type: 'key.rotate',
    tag: 'admin',
    summary: "Rotate a principal's key (the new key is added, every current key revoked)",
    rules: 'admin or the principal itself; key validity by ledger position',
  },
  {
    url: '/keys/revocations',
    type: 'key.revoke',
    tag: 'admin',
    summary: 'Revoke a key from this ledger position on',
    rules: "admin or the key's principal; the last admin key cannot be revoked",
  },
  {
    url: '/auditors/:principalId/appointment',
    type: 'auditor.appoint',
    tag: 'admin',
    summary: 'Appoint an auditor to bodies (replaces the list)',
    rules: 'admin only',
  },
  {
    url: '/rulings',
    type: 'ruling.register',
    tag: 'admin',
    summary: 'Register the higher level’s ruling on an escalated item or objection',
    rules: 'admin only; P10 (item: approved / not approved / returned), P14 (objection)',
  },
  {
    url: '/reports/:reportId/acknowledgement',
    type: 'report.acknowledge',
    tag: 'admin',
    summary: 'Acknowledge a report addressed upward (takes it out of the outbox)',
    rules: 'admin only; P13',
  },
  // Meetings
  {
    url: '/meetings',
    type: 'meeting.schedule',
    tag: 'meetings',
    summary: 'Schedule a meeting of a body',
    rules:
      'chair or recorder of the body; P2 kind; starts in the future; keeps the rulebook in force',
  },
  {
    url: '/meetings/:meetingId/cancellation',
    type: 'meeting.cancel',
    tag: 'meetings',
    summary: 'Cancel a meeting that has not opened (its items are withdrawn)',
    rules: 'chair; P3, P14 (open objections escalated)',
  },
  {
    url: '/meetings/:meetingId/opening',
    type: 'meeting.open',
    tag: 'meetings',
    summary: 'Open a meeting with its attendance',
    rules:
      'chair, present; P3 not before the scheduled start; P4 every voting member present or absent with reason, present > 1/2 of 应到会',
  },
  {
    url: '/meetings/:meetingId/arrivals',
    type: 'meeting.arrive',
    tag: 'meetings',
    summary: 'Record a late arrival',
    rules: 'the principal, the chair or the recorder; P4',
  },
  {
    url: '/meetings/:meetingId/departures',
    type: 'meeting.depart',
    tag: 'meetings',
    summary: 'Record an early departure',
    rules: 'the principal, the chair or the recorder; P4 (quorum re-checked at each vote)',
  },
  {
    url: '/meetings/:meetingId/closing',
    type: 'meeting.close',
    tag: 'meetings',
    summary: 'Close a meeting: the record digest and the minutes number are fixed',
    rules:
      'chair or recorder; no vote open (P9); P10 items not concluded are deferred; P14 open objections escalated; P16',
  },
  // Items
  {
    url: '/meetings/:meetingId/items',
    type: 'item.submit',
    tag: 'items',
    summary: 'Submit an agenda item with its materials’ digests',
    rules:
      'a voting member of the body; P1 category fields; P3 deadline (24 h, cadre 72 h), no ad-hoc motions once open; P11',
  },
  {
    url: '/meetings/:meetingId/resubmissions',
    type: 'item.resubmit',
    tag: 'items',
    summary: 'Bring a deferred (or reopened, or returned) item back at a later meeting',
    rules: 'a voting member; P10 later meeting only, before expiry; P11; P3',
  },
  {
    url: '/items/:itemId/withdrawal',
    type: 'item.withdraw',
    tag: 'items',
    summary: 'Withdraw an item before deliberation',
    rules: 'the submitter or the chair; P3',
  },
  {
    url: '/items/:itemId/deliberation',
    type: 'item.deliberate',
    tag: 'items',
    summary: 'Open deliberation on an item (binds the materials digest)',
    rules: 'chair; meeting open; P9 one item at a time',
  },
  {
    url: '/items/:itemId/recusals',
    type: 'item.recuse',
    tag: 'items',
    summary: 'Record a recusal (回避)',
    rules: 'the member concerned or the chair; P6',
  },
  {
    url: '/items/:itemId/opinions',
    type: 'opinion.submit',
    tag: 'items',
    summary: "Submit an absent member's written opinion",
    rules: 'an absent voting member; P5 never counted as a vote; P6',
  },
  {
    url: '/items/:itemId/statements',
    type: 'statement.record',
    tag: 'items',
    summary: 'Record a statement (position and reasons) on the item in deliberation',
    rules: 'a present member; P6 not recused; P7 reasons for disagree/defer, the chair states last',
  },
  {
    url: '/items/:itemId/urgency',
    type: 'item.mark_urgent',
    tag: 'items',
    summary: 'Mark an item urgent with a written justification',
    rules: 'chair; P8 exception (majority decides, urgent_override reported upward, P13)',
  },
  {
    url: '/items/:itemId/deferral',
    type: 'item.defer',
    tag: 'items',
    summary: "Accept a member's defer statement citing unclear key facts",
    rules: 'chair; P8',
  },
  {
    url: '/items/:itemId/escalation',
    type: 'item.escalate',
    tag: 'items',
    summary: 'Escalate a deferred item to the higher level for a ruling',
    rules: 'chair; P10; P13 report',
  },
  // Votes
  {
    url: '/items/:itemId/vote',
    type: 'vote.open',
    tag: 'votes',
    summary: 'Open the vote on the item in deliberation',
    rules:
      'chair; P2 no major matter at a topical meeting; P4 quorum (cadre ≥ 2/3); P6 candidate recused; P7 statements complete; P8 large dissent defers; P9 method and scrutineers',
  },
  {
    url: '/items/:itemId/votes',
    type: 'vote.cast',
    tag: 'votes',
    summary: 'Cast a roll-call or show-of-hands vote',
    rules: 'a present, non-recused voting member, once; P5 no proxies; P6; P9',
  },
  {
    url: '/items/:itemId/ballot-receipts',
    type: 'ballot.receipt',
    tag: 'votes',
    summary: 'Record the receipt of a secret ballot (who voted, not how)',
    rules: 'a present, non-recused voting member, once; P9 secret ballot',
  },
  {
    url: '/items/:itemId/tally',
    type: 'tally.sign',
    tag: 'votes',
    summary: "Sign the secret ballot's tally (counts only)",
    rules: 'a scrutineer; P9 both scrutineers sign the same counts',
  },
  {
    url: '/items/:itemId/vote-closing',
    type: 'vote.close',
    tag: 'votes',
    summary: 'Close the vote; the outcome and the rule that decided it are derived',
    rules:
      'chair; P4 quorum; P8 close vote defers unless urgent; P9 adopted when for > 1/2 of 应到会; P13 report',
  },
  {
    url: '/meetings/:meetingId/reconsiderations',
    type: 'reconsideration.open',
    tag: 'votes',
    summary: 'Move to reconsider an adopted decision (opens its own vote)',
    rules: 'a present voting member; P12',
  },
  {
    url: '/motions/:motionId/votes',
    type: 'reconsideration.vote',
    tag: 'votes',
    summary: 'Vote on a reconsideration motion',
    rules: 'a present voting member, once; P12',
  },
  {
    url: '/motions/:motionId/closing',
    type: 'reconsideration.close',
    tag: 'votes',
    summary: 'Close a reconsideration vote',
    rules: 'chair; P12 reopened when for > 1/2 of 应到会',
  },
  // Oversight
  {
    url: '/objections',
    type: 'objection.raise',
    tag: 'oversight',
    summary: 'Raise a procedural objection on a meeting or an item, citing a rule',
    rules:
      'the discipline role or a voting member of the body; P14 (after close: escalated at once, P13)',
  },
  {
    url: '/objections/:objectionId/answer',
    type: 'objection.answer',
    tag: 'oversight',
    summary: 'Answer an objection: corrected or rejected, with reasons',
    rules: 'chair; P14 a rejected objection is escalated (P13)',
  },
  {
    url: '/interference',
    type: 'interference.record',
    tag: 'oversight',
    summary: 'Record an attempt by a leader (or relative) to interfere in a major matter',
    rules:
      'any principal (of that body, or admin/auditor); P15 delivered to the discipline role, reported upward (P13)',
  },
  // The record
  {
    url: '/meetings/:meetingId/record/signatures',
    type: 'record.sign',
    tag: 'records',
    summary: "Sign the record's digest",
    rules: 'the recorder or the chair, after close; P16',
  },
  {
    url: '/meetings/:meetingId/errata',
    type: 'erratum.record',
    tag: 'records',
    summary: 'Record an erratum pointing at an earlier entry',
    rules: 'the recorder or the chair; P16 nothing is edited',
  },
];
