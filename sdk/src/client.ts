/**
 * The yishi client: openapi-fetch over the generated types, returning `{ data, error, response }`
 * and never throwing on an HTTP status. With a {@link Signer}, every read carries its signed
 * `Authorization` header and {@link YishiClient.submit} signs commands, so callers never handle
 * canonicalisation or signatures.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import {
  commandOutcome,
  type CommandOf,
  type CommandOutcome,
  type CommandResultOf,
  type CommandType,
  type ServiceCommandType,
  type SignedCommand,
  type WebhookRegister,
  type WebhookRemove,
  type WebhookView,
} from '@yishi/schema';
import { YishiSdkError } from './error.js';
import type { components, paths } from './generated/api.js';
import { COMMAND_ROUTES } from './generated/command-routes.js';
import type { UnsignedCommand } from './sign-command.js';
import type { Signer } from './signer.js';

/** The service's error body (`{ statusCode, code, error, message, rule? }`). */
export type ApiErrorBody = components['schemas']['ErrorReply'];
/** What the service answers to an accepted command (`derived` untyped: see {@link CommandResultOf}). */
export type CommandResult = components['schemas']['CommandResult'];

/** Every command type {@link YishiClient.submit} takes: the ledger's and the service's own. */
export type SubmitType = CommandType | ServiceCommandType;

interface ServicePayloads {
  'webhook.register': WebhookRegister;
  'webhook.remove': WebhookRemove;
}

/** The signed payload of a command of type `K`. */
export type PayloadOf<K extends SubmitType> = K extends CommandType
  ? CommandOf<K>
  : K extends ServiceCommandType
    ? ServicePayloads[K]
    : never;

/**
 * Exactly the fields a caller gives for a command of type `K`: its payload without what the SDK
 * fills in (`ts`, `nonce`, `ledger`). A missing, misspelt or extra field fails to compile.
 */
export type UnsignedCommandOf<K extends SubmitType> = {
  [P in K]: Omit<PayloadOf<P>, 'ts' | 'nonce' | 'ledger'> & { type: P };
}[K];

/**
 * What an accepted command of type `K` answers: a ledger command its {@link CommandResultOf}
 * (`derived` typed per command, `outcome` explicit); a service command (`webhook.register`,
 * `webhook.remove`), which never reaches the ledger, the webhook as the service keeps it.
 */
export type SubmitData<K extends SubmitType> = K extends CommandType
  ? CommandResultOf<K>
  : WebhookView;

/** Options of {@link createYishiClient}. */
export interface YishiClientOptions {
  /** The service's base URL, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** Signs reads and commands as this principal. */
  signer?: Signer;
  /**
   * The ledger id to sign for. The client checks once, before its first signed request, that
   * the service reports this ledger (`GET /ledger/info`) and refuses to go on otherwise
   * (LEDGER_MISMATCH). Without it the client learns the ledger on first use and pins it.
   */
  ledger?: string;
  /** Language of error messages: `en` (default) or `zh`. */
  language?: 'en' | 'zh';
  fetch?: typeof globalThis.fetch;
}

/** The key events of a principal, as `GET /principals/{principalId}/key-events` lists them. */
export type KeyEventList = components['schemas']['KeyEventList'];

/** The result of {@link YishiClient.keyEvents}: `data`, or the service's `error`. */
export type KeyEventsResult =
  | { data: KeyEventList; error?: undefined; response: Response }
  | { data?: undefined; error: ApiErrorBody; response: Response };

/** The result of {@link YishiClient.submit}: `data`, or the service's `error`. */
export type SubmitResult<K extends SubmitType = CommandType> =
  | { data: SubmitData<K>; error?: undefined; response: Response; command: SignedCommand }
  | { data?: undefined; error: ApiErrorBody; response: Response; command: SignedCommand };

/**
 * What an accepted command did, explicitly: `{ outcome, rule?, basis?, denominator?, … }`, e.g.
 * `{ outcome: 'deferred', rule: 'P8', basis: 'statements' }` for a `vote.open` that P8 turned
 * into a deferral (answered 201 like an opened vote). `undefined` when the command was refused
 * (see `error`) or is a service command. Reads the reply's `outcome`, or derives it from
 * `derived` as the service does.
 */
export function outcomeOf(result: SubmitResult<SubmitType>): CommandOutcome | undefined {
  if (result.data === undefined || !('derived' in result.data)) return undefined;
  const data = result.data as { outcome?: CommandOutcome; derived: unknown };
  return data.outcome ?? commandOutcome(result.command.payload.type, data.derived);
}

/** A typed client bound to one service and, optionally, one principal. */
export interface YishiClient {
  /** The typed openapi-fetch client: `api.GET('/meetings/{meetingId}', { params })`. */
  readonly api: Client<paths>;
  /**
   * Signs `command` as the client's principal (or `options.signer`) and posts it to the route
   * that takes its type, filling the path from the payload (`{itemId}` ← `payload.itemId`).
   */
  submit<K extends SubmitType>(
    command: UnsignedCommandOf<K>,
    options?: { signer?: Signer; idempotencyKey?: string }
  ): Promise<SubmitResult<K>>;
  /**
   * The ledger this client signs for: `options.ledger` once the service confirmed it, or what
   * the service reported on first use, pinned from then on.
   * @throws YishiSdkError LEDGER_MISMATCH, LEDGER_INFO_UNAVAILABLE
   */
  ledger(): Promise<string>;
  /**
   * `GET /principals/{principalId}/key-events` (signed): the entries that changed the principal's
   * keys, for the principal itself and admins. Give it to `watchLog(url, vkey, { principal,
   * readKeyEvents: (id) => client.keyEvents(id), onKeyEvent })` to be told of each one.
   */
  keyEvents(principalId: string): Promise<KeyEventsResult>;
  /** Posts an already signed command as it is (for retries: the same bytes, the same answer). */
  submitSigned<K extends SubmitType = CommandType>(
    command: SignedCommand,
    options?: { idempotencyKey?: string }
  ): Promise<SubmitResult<K>>;
}

function signingMiddleware(signer: Signer, ledger: () => Promise<string>): Middleware {
  return {
    async onRequest({ request }) {
      if (request.headers.has('authorization')) return request;
      const url = new URL(request.url);
      if (url.pathname.endsWith(LEDGER_INFO_PATH)) return request;
      const id = await ledger();
      const body = request.body ? new Uint8Array(await request.clone().arrayBuffer()) : undefined;
      request.headers.set(
        'authorization',
        signer.authorization(request.method, `${url.pathname}${url.search}`, body, id)
      );
      return request;
    },
  };
}

const LEDGER_INFO_PATH = '/ledger/info';

/** The path of the route taking `command`, with its parameters filled from the payload. */
export function commandPath(payload: Record<string, unknown>): string {
  const type = payload['type'];
  const template = (COMMAND_ROUTES as Record<string, string>)[String(type)];
  if (template === undefined) {
    throw new YishiSdkError(
      'COMMAND_TYPE_UNKNOWN',
      `no route takes commands of type ${String(type)}`
    );
  }
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = payload[name];
    if (typeof value !== 'string') {
      throw new YishiSdkError(
        'COMMAND_FIELD_MISSING',
        `a ${String(type)} command needs "${name}" to address its route`
      );
    }
    return encodeURIComponent(value);
  });
}

/** Creates a client for the service at `options.baseUrl`. */
export function createYishiClient(options: YishiClientOptions): YishiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? ((input: Request) => globalThis.fetch(input));
  const api = createClient<paths>({
    baseUrl,
    fetch: fetchImpl,
    headers: options.language
      ? { 'accept-language': options.language === 'zh' ? 'zh-CN' : 'en' }
      : {},
  });

  // The ledger is confirmed (or learnt) once; the answer is shared by concurrent first calls.
  let pinned: Promise<string> | undefined;
  function ledger(): Promise<string> {
    pinned ??= (async () => {
      const response = await fetchImpl(new Request(`${baseUrl}${LEDGER_INFO_PATH}`));
      const info = (await response.json().catch(() => undefined)) as
        { ledgerId?: unknown } | undefined;
      const reported = response.ok ? info?.ledgerId : undefined;
      if (typeof reported !== 'string' || reported.length === 0) {
        throw new YishiSdkError(
          'LEDGER_INFO_UNAVAILABLE',
          `GET ${LEDGER_INFO_PATH} answered ${response.status} without a ledger id`
        );
      }
      if (options.ledger !== undefined && reported !== options.ledger) {
        throw new YishiSdkError(
          'LEDGER_MISMATCH',
          `the service keeps ledger ${reported}, not ${options.ledger}`
        );
      }
      return reported;
    })();
    // A failed look-up is not pinned: the next call asks again.
    pinned.catch(() => (pinned = undefined));
    return pinned;
  }
  if (options.signer) api.use(signingMiddleware(options.signer, ledger));

  async function submitSigned<K extends SubmitType = CommandType>(
    command: SignedCommand,
    opts: { idempotencyKey?: string } = {}
  ): Promise<SubmitResult<K>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.language) headers['accept-language'] = options.language === 'zh' ? 'zh-CN' : 'en';
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    const request = new Request(`${baseUrl}${commandPath(command.payload)}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(command),
    });
    const response = await fetchImpl(request);
    const body = (await response.json().catch(() => undefined)) as unknown;
    if (response.ok) return { data: body as SubmitData<K>, response, command };
    return { error: body as ApiErrorBody, response, command };
  }

  return {
    api,
    ledger,
    submitSigned,
    async keyEvents(principalId) {
      const { data, error, response } = await api.GET('/principals/{principalId}/key-events', {
        params: { path: { principalId } },
      });
      if (data !== undefined) return { data, response };
      return { error: error as ApiErrorBody, response };
    },
    async submit<K extends SubmitType>(
      command: UnsignedCommandOf<K>,
      opts: { signer?: Signer; idempotencyKey?: string } = {}
    ): Promise<SubmitResult<K>> {
      const signer = opts.signer ?? options.signer;
      if (!signer) {
        throw new YishiSdkError(
          'SIGNER_REQUIRED',
          'submit needs a signer (in the client options or the call)'
        );
      }
      const signed = signer.command(command as UnsignedCommand, await ledger());
      return submitSigned<K>(
        signed,
        opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}
      );
    },
  };
}
