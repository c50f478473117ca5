import { ACTOR_RULES, PRESENCE_RULES, rulesOfCommand, type RefusalCode } from '@yishi/procedure';
import { COMMAND_SCHEMAS, type CommandType } from '@yishi/schema';
import { ERRORS, type ErrorCode } from './errors.js';

/**
 * The error codes each route can answer with, built from the error tables (`ERRORS` here, the
 * engine's `REFUSALS` and rule index), so that the OpenAPI document, and the SDK types generated
 * from it, list them per route and status. A command's engine codes are those of the rules that
 * decide it (a superset: a rule's code may belong to another of its commands), of its role and
 * presence checks, of the ids its payload names, and of its own checks under no rule.
 */

/** Answers any route may give. */
const EVERY_ROUTE: readonly ErrorCode[] = ['RATE_LIMITED'];

/** Answers of a signed read's authentication and access checks. */
const SIGNED_READ: readonly ErrorCode[] = [
  'AUTH_REQUIRED',
  'SIGNATURE_INVALID',
  'CLOCK_SKEW',
  'UNKNOWN_KEY',
  'KEY_REVOKED',
  'PRINCIPAL_INACTIVE',
  'PRINCIPAL_SUSPENDED',
  'FORBIDDEN',
  'LEDGER_UNAVAILABLE',
];

/** Answers of every signed command, before and around the engine's decision. */
const SIGNED_COMMAND: readonly ErrorCode[] = [
  'VALIDATION_FAILED',
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'SIGNATURE_INVALID',
  'CLOCK_SKEW',
  'PATH_MISMATCH',
  'NONCE_REPLAYED',
  'COMMAND_IN_FLIGHT',
  'IDEMPOTENCY_KEY_INVALID',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_IN_FLIGHT',
  'LEDGER_UNAVAILABLE',
  'BUSY',
  // The engine's checks of every command and its signer
  'MALFORMED_COMMAND',
  'UNKNOWN_KEY',
  'KEY_REVOKED',
  'WRONG_LEDGER',
  'TS_OUT_OF_WINDOW',
  'PRINCIPAL_INACTIVE',
  'PRINCIPAL_SUSPENDED',
  'ROLE_NOT_ALLOWED',
];

/** The engine's "unknown" refusal of each id a payload may name. */
const UNKNOWN_ID: Record<string, RefusalCode> = {
  bodyId: 'UNKNOWN_BODY',
  meetingId: 'UNKNOWN_MEETING',
  itemId: 'UNKNOWN_ITEM',
  previousItemId: 'UNKNOWN_ITEM',
  principalId: 'UNKNOWN_PRINCIPAL',
  motionId: 'UNKNOWN_MOTION',
  objectionId: 'UNKNOWN_OBJECTION',
  reportId: 'UNKNOWN_REPORT',
};

/**
 * Refusals a command's own checks give besides those of its rules (the admin's commands, and
 * checks that name no rule deciding the command).
 */
const OWN_CHECKS: { readonly [K in CommandType]?: readonly RefusalCode[] } = {
  'principal.register': [
    'PRINCIPAL_EXISTS',
    'KEY_IN_USE',
    'KEY_NOT_ACCEPTABLE',
    'INVALID_ROLE_FIELDS',
    'CHAIR_EXISTS',
  ],
  'principal.update_role': ['INVALID_ROLE_FIELDS', 'CHAIR_EXISTS'],
  'membership.end': ['INVALID_ROLE_FIELDS'],
  'member.suspend': ['INVALID_ROLE_FIELDS', 'ALREADY_SUSPENDED'],
  'member.reinstate': ['INVALID_ROLE_FIELDS', 'NOT_SUSPENDED'],
  'key.rotate': ['KEY_IN_USE', 'KEY_NOT_ACCEPTABLE'],
  'key.confirm': ['KEY_NOT_RESET', 'KEY_CONFIRMATION_INVALID'],
  'key.revoke': ['LAST_ADMIN_KEY'],
  'rulebook.set': ['INVALID_RULEBOOK'],
  'auditor.appoint': ['NOT_AN_AUDITOR', 'UNKNOWN_BODY'],
  'meeting.cancel': ['MEETING_NOT_SCHEDULED'],
  'meeting.open': ['MEETING_NOT_SCHEDULED', 'UNKNOWN_BODY'],
  'meeting.arrive': ['MEETING_NOT_OPEN'],
  'meeting.depart': ['MEETING_NOT_OPEN'],
  'meeting.close': ['UNKNOWN_BODY'],
  'item.withdraw': ['ITEM_NOT_PENDING'],
  'item.deliberate': ['ITEM_NOT_ON_AGENDA'],
};

/** Every code the engine may refuse command `type` with. */
export function commandRefusals(type: CommandType): RefusalCode[] {
  const codes = new Set<RefusalCode>();
  for (const rule of rulesOfCommand(type)) for (const c of rule.refusals) codes.add(c);
  if (ACTOR_RULES[type] !== undefined) codes.add('NOT_A_MEMBER_OF_BODY');
  if (PRESENCE_RULES[type] !== undefined) codes.add('NOT_PRESENT');
  const props = (COMMAND_SCHEMAS[type] as { properties?: Record<string, unknown> }).properties;
  for (const name of Object.keys(props ?? {})) {
    const code = UNKNOWN_ID[name];
    if (code !== undefined) codes.add(code);
  }
  for (const c of OWN_CHECKS[type] ?? []) codes.add(c);
  return [...codes];
}

/** What the routes of the app answer besides what their kind (read, command) implies. */
const ROUTE_CODES: Record<string, readonly ErrorCode[]> = {
  'GET /ready': ['NOT_READY', 'LEDGER_UNAVAILABLE'],
  'GET /ledger/info': ['NOT_READY'],
  'GET /log/checkpoint': ['NO_CHECKPOINT'],
  'GET /log/proof/:index': [
    'NO_CHECKPOINT',
    'SIZE_NOT_CHECKPOINTED',
    'ENTRY_NOT_FOUND',
    'INDEX_NOT_COVERED',
  ],
  'GET /log/consistency': ['NO_CHECKPOINT', 'RANGE_INVALID'],
  'GET /principals/:principalId': ['PRINCIPAL_NOT_FOUND'],
  'GET /principals/:principalId/key-events': ['PRINCIPAL_NOT_FOUND'],
  'GET /bodies/:bodyId': ['BODY_NOT_FOUND'],
  'GET /bodies/:bodyId/meetings': ['BODY_NOT_FOUND'],
  'GET /bodies/:bodyId/objections': ['BODY_NOT_FOUND'],
  'GET /bodies/:bodyId/interference': ['BODY_NOT_FOUND'],
  'GET /meetings/:meetingId': ['MEETING_NOT_FOUND'],
  'GET /items/:itemId': ['ITEM_NOT_FOUND'],
  'GET /meetings/:meetingId/record': ['MEETING_NOT_FOUND', 'MEETING_NOT_CLOSED', 'CACHE_DAMAGED'],
  'GET /meetings/:meetingId/record/markdown': [
    'MEETING_NOT_FOUND',
    'MEETING_NOT_CLOSED',
    'CACHE_DAMAGED',
  ],
  'GET /meetings/:meetingId/minutes': ['MEETING_NOT_FOUND', 'MEETING_NOT_CLOSED', 'CACHE_DAMAGED'],
  'GET /meetings/:meetingId/minutes/markdown': [
    'MEETING_NOT_FOUND',
    'MEETING_NOT_CLOSED',
    'CACHE_DAMAGED',
  ],
  'GET /webhooks/:webhookId/deliveries': ['WEBHOOK_NOT_FOUND'],
  'POST /webhooks': ['WEBHOOK_TARGET_REFUSED', 'WEBHOOKS_UNAVAILABLE'],
  'POST /webhooks/:webhookId/removal': ['WEBHOOK_NOT_FOUND', 'WEBHOOKS_UNAVAILABLE'],
};

/** What {@link routeErrorCodes} needs to know of a route. */
export interface RouteFacts {
  method: string;
  url: string;
  /** The command the route takes, if it is a command route. */
  command?: CommandType;
  /** The route takes a signed command (a command route, or a webhook's). */
  signedCommand: boolean;
  /** The route is a signed read (`security` in its schema). */
  signedRead: boolean;
  /** The route validates a part of the request (params, querystring, headers, body). */
  validates: boolean;
}

/** Every error code route `r` can answer with, in the table's order. */
export function routeErrorCodes(r: RouteFacts): ErrorCode[] {
  const codes = new Set<ErrorCode>(EVERY_ROUTE);
  if (r.validates) codes.add('VALIDATION_FAILED');
  if (r.signedRead) for (const c of SIGNED_READ) codes.add(c);
  if (r.signedCommand) for (const c of SIGNED_COMMAND) codes.add(c);
  if (r.command !== undefined) for (const c of commandRefusals(r.command)) codes.add(c);
  for (const c of ROUTE_CODES[`${r.method} ${r.url}`] ?? []) codes.add(c);
  const order = Object.keys(ERRORS) as ErrorCode[];
  return order.filter((c) => codes.has(c));
}

/**
 * Answers of no route in particular: a URL no route matches, with or without that method (a
 * route's path parameter names no resource, a method it does not take).
 */
const NO_ROUTE: readonly ErrorCode[] = ['NOT_FOUND', 'METHOD_NOT_ALLOWED'];

/**
 * The codes of `codes` answered with HTTP status `status`; for a status none of them has, the
 * answers of no route in particular with that status.
 */
export function codesOfStatus(codes: readonly ErrorCode[], status: number): ErrorCode[] {
  const own = codes.filter((c) => ERRORS[c].status === status);
  return own.length > 0 ? own : NO_ROUTE.filter((c) => ERRORS[c].status === status);
}

/** The HTTP statuses `codes` are answered with, and those of `declared` with a code, ascending. */
export function statusesOf(
  codes: readonly ErrorCode[],
  declared: readonly number[] = []
): number[] {
  const all = new Set(codes.map((c) => ERRORS[c].status));
  for (const s of declared) if (codesOfStatus(codes, s).length > 0) all.add(s);
  return [...all].sort((a, b) => a - b);
}
