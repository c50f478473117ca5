import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { canonicalJson } from '@yishi/crypto';
import {
  signedCommandOf,
  WebhookDeliverySchema,
  WebhookRegisterSchema,
  WebhookRemoveSchema,
  WebhookViewSchema,
  type SignedCommand,
  type WebhookView,
} from '@yishi/schema';
import type { Statement } from 'better-sqlite3';
import { Type } from 'typebox';
import { allow } from '../auth/access.js';
import { checkSkew, principalOfKey } from '../auth/principal.js';
import { authenticateRead } from '../auth/read-auth.js';
import type { Answer, CommandPipeline } from '../commands/pipeline.js';
import { ApiError } from '../http/errors.js';
import type { RateLimiter } from '../http/rate-limit.js';
import type { ServiceDatabase } from '../storage/service-db.js';
import { parseWebhookId, type Webhooks } from '../webhooks/webhooks.js';
import {
  COMMAND_ERRORS,
  IdempotencyHeaders,
  READ_ERRORS,
  SIGNED_READ,
  submitContext,
} from './common.js';

export const WebhookRegisterBody = signedCommandOf(WebhookRegisterSchema);
export const WebhookRemoveBody = signedCommandOf(WebhookRemoveSchema);

const WebhookParams = Type.Object(
  { webhookId: Type.String({ pattern: '^wh-[0-9]{1,15}$' }) },
  { additionalProperties: false }
);

/**
 * Webhooks of the reports outbox. Registering and removing one are service commands: signed by an
 * admin like ledger commands (signature, skew, nonce never reused, Idempotency-Key), kept in
 * service.db with the signed command (on a shared database, in its webhooks table first), never
 * written to the ledger.
 */
export const webhookRoutes: FastifyPluginAsyncTypebox<{
  pipeline: CommandPipeline;
  limiter: RateLimiter;
  webhooks: Webhooks;
  db: ServiceDatabase;
}> = async (app, opts) => {
  const { pipeline, limiter, webhooks } = opts;
  const seen: Statement<[string, string], { command: string }> = opts.db.prepare(
    'SELECT command FROM service_nonces WHERE public_key = ? AND nonce = ?'
  );
  const remember: Statement<[string, string, string, number]> = opts.db.prepare(
    'INSERT INTO service_nonces (public_key, nonce, command, created_at) VALUES (?, ?, ?, ?)'
  );

  const isAdminKey = (publicKey: string): boolean => {
    try {
      return principalOfKey(pipeline.state, publicKey).role === 'admin';
    } catch {
      return false;
    }
  };

  /**
   * Nonce, skew and the admin role of a service command (the signature was checked), then
   * `apply` in one transaction with the nonce. A repeat of this exact command gets `retry()`.
   * On a shared database `applyShared` writes the shared table first, then the nonce is kept (a
   * repeat through another instance finds the same webhook there).
   */
  const serviceCommand = async (
    command: SignedCommand,
    retry: () => WebhookView | undefined,
    apply: (adminId: string) => WebhookView,
    applyShared: (adminId: string) => Promise<WebhookView>
  ): Promise<{ view: WebhookView; replayed: boolean }> => {
    const { publicKey } = command;
    const { nonce, ts } = command.payload;
    const json = canonicalJson(command);
    const before = seen.get(publicKey, nonce);
    if (before) {
      const again = before.command === json ? retry() : undefined;
      if (again) return { view: again, replayed: true };
      throw ApiError.of('NONCE_REPLAYED');
    }
    const ledgerId = pipeline.state.ledger?.ledgerId ?? null;
    if (command.payload.ledger !== ledgerId) {
      throw ApiError.of('WRONG_LEDGER', {
        expected: ledgerId,
        got: command.payload.ledger ?? null,
      });
    }
    checkSkew(ts, pipeline.now());
    const p = principalOfKey(pipeline.state, publicKey);
    allow(p.role === 'admin');
    if (webhooks.shared) {
      const view = await applyShared(p.id);
      remember.run(publicKey, nonce, json, pipeline.now());
      return { view, replayed: false };
    }
    const view = opts.db.transaction(() => {
      remember.run(publicKey, nonce, json, pipeline.now());
      return apply(p.id);
    })();
    return { view, replayed: false };
  };

  app.post(
    '/webhooks',
    {
      schema: {
        tags: ['reports'],
        summary: 'Register a webhook for the reports outbox (admin; a service command)',
        description:
          'Every report addressed upward (P13), pending now or made later, is POSTed to the URL, ' +
          'signed with the log key (Yishi-Signature over yishi/webhook/v2), retried with backoff.',
        headers: IdempotencyHeaders,
        body: WebhookRegisterBody,
        response: { 201: WebhookViewSchema, ...COMMAND_ERRORS },
      },
    },
    async (req, reply) => {
      const command: SignedCommand = req.body;
      const url = req.body.payload.url;
      const ctx = submitContext(req);
      pipeline.authenticate(command);
      // Resolved now (for an admin only: nobody else makes the service look a name up), refused
      // below if not a public https target or one the operator allowed; nothing is sent to it.
      const target = isAdminKey(command.publicKey)
        ? await webhooks.checkTarget(url)
        : ({ ok: false, reason: 'address_not_allowed' } as const);
      const json = canonicalJson(command);
      const answer = await pipeline.idempotent(
        command.publicKey,
        ctx,
        async (): Promise<Answer<WebhookView>> => {
          const { state, projections } = pipeline.ledger;
          const pending = () => {
            if (!target.ok) {
              throw ApiError.of('WEBHOOK_TARGET_REFUSED', { reason: target.reason });
            }
            return [...projections.reports.values()].filter((x) => x.acknowledgedSeq === null);
          };
          const r = await serviceCommand(
            command,
            () => webhooks.byCommand(json),
            (adminId) => webhooks.register(url, adminId, state.seq, json, pending()),
            (adminId) => webhooks.registerShared(url, adminId, state.seq, json, pending())
          );
          return { statusCode: 201 as const, body: r.view, replayed: r.replayed };
        }
      );
      if (answer.replayed) void reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(answer.body);
    }
  );

  app.post(
    '/webhooks/:webhookId/removal',
    {
      schema: {
        tags: ['reports'],
        summary: 'Stop deliveries to a webhook (admin; a service command)',
        params: WebhookParams,
        headers: IdempotencyHeaders,
        body: WebhookRemoveBody,
        response: { 200: WebhookViewSchema, ...COMMAND_ERRORS },
      },
    },
    async (req, reply) => {
      const command: SignedCommand = req.body;
      const wanted = req.body.payload.webhookId;
      if (wanted !== req.params.webhookId) {
        throw ApiError.of('PATH_MISMATCH', { parameter: 'webhookId' });
      }
      const ctx = submitContext(req);
      pipeline.authenticate(command);
      const id = parseWebhookId(wanted) ?? -1;
      const answer = await pipeline.idempotent(
        command.publicKey,
        ctx,
        async (): Promise<Answer<WebhookView>> => {
          const found = (view: WebhookView | undefined): WebhookView => {
            if (!view) throw ApiError.of('WEBHOOK_NOT_FOUND');
            return view;
          };
          const r = await serviceCommand(
            command,
            () => webhooks.get(id),
            () => found(webhooks.remove(id)),
            async () => found(await webhooks.removeShared(id))
          );
          return { statusCode: 200, body: r.view, replayed: r.replayed };
        }
      );
      if (answer.replayed) void reply.header('idempotent-replayed', 'true');
      return reply.code(200).send(answer.body);
    }
  );

  app.get(
    '/webhooks',
    {
      schema: {
        tags: ['reports'],
        summary: 'Registered webhooks (admin)',
        security: SIGNED_READ,
        response: { 200: Type.Array(WebhookViewSchema), ...READ_ERRORS },
      },
    },
    async (req) => {
      allow(authenticateRead(req, pipeline, limiter).role === 'admin');
      return webhooks.list();
    }
  );

  app.get(
    '/webhooks/:webhookId/deliveries',
    {
      schema: {
        tags: ['reports'],
        summary: 'Every delivery attempt to a webhook (admin)',
        security: SIGNED_READ,
        params: WebhookParams,
        response: { 200: Type.Array(WebhookDeliverySchema), ...READ_ERRORS },
      },
    },
    async (req) => {
      allow(authenticateRead(req, pipeline, limiter).role === 'admin');
      const id = parseWebhookId(req.params.webhookId) ?? -1;
      if (!webhooks.get(id)) throw ApiError.of('WEBHOOK_NOT_FOUND');
      return webhooks.attempts(id);
    }
  );
};
