export * from '@yishi/verify';
export * from './sign-command.js';
export * from './error.js';
export * from './keys.js';
export * from './signer.js';
export * from './client.js';
export { COMMAND_ROUTES, type CommandRouteType } from './generated/command-routes.js';
export type { paths, components, operations } from './generated/api.js';
export { COMMAND_TYPES, DERIVED_SCHEMAS, commandOutcome } from '@yishi/schema';
export type {
  Command,
  CommandOf,
  CommandType,
  CommandOutcome,
  CommandResultOf,
  DerivedOf,
  OutcomeName,
  ServiceCommandType,
  Counts,
  Report,
  ReportKind,
  ReportSubjectOf,
  LiveItem,
  MeetingRecordValue,
  MinutesValue,
  RulebookValue,
  WebhookView,
} from '@yishi/schema';
