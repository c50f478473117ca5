import { base64Encode, formatTlogProof } from '@yishi/crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiError } from '../http/errors.js';
import type { Checkpointer, LedgerStore } from '../ledger/index.js';

/** Decimal tree sizes and indexes in query strings and paths: no sign, no leading zeros. */
const Decimal = Type.String({ pattern: '^(0|[1-9][0-9]{0,15})$' });

const PlainText = Type.String({ description: 'text/plain' });
const ErrorReply = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String(),
});

interface LogRoutesOptions {
  store: LedgerStore;
  checkpointer: Checkpointer;
  logVkey: string;
  /** With a witness policy: the latest checkpoint whose cosignatures meet the quorum. */
  published?: () => { size: number; note: string } | undefined;
}

/**
 * The public transparency-log endpoints. They reveal nothing about content: checkpoints, keys
 * and proofs carry only salted hashes.
 */
export const logRoutes: FastifyPluginAsyncTypebox<LogRoutesOptions> = async (app, opts) => {
  const { store } = opts;

  const latest = () => {
    const cp = opts.published ? opts.published() : store.latestCheckpoint();
    if (!cp) throw ApiError.of('NO_CHECKPOINT');
    return cp;
  };

  app.get(
    '/log/checkpoint',
    {
      schema: {
        tags: ['log'],
        summary: 'The latest signed checkpoint (C2SP tlog-checkpoint, a signed note)',
        response: { 200: PlainText, 429: ErrorReply, 503: ErrorReply },
      },
    },
    async (_req, reply) => {
      reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store');
      return latest().note;
    }
  );

  app.get(
    '/log/key',
    {
      schema: {
        tags: ['log'],
        summary: "The log's verifier key (C2SP signed-note vkey)",
        response: { 200: PlainText, 429: ErrorReply },
      },
    },
    async (_req, reply) => {
      reply.type('text/plain; charset=utf-8');
      return `${opts.logVkey}\n`;
    }
  );

  app.get(
    '/log/proof/:index',
    {
      schema: {
        tags: ['log'],
        summary: 'Inclusion proof of one entry (c2sp.org/tlog-proof@v1) against a checkpoint',
        params: Type.Object({ index: Decimal }, { additionalProperties: false }),
        querystring: Type.Object({ size: Type.Optional(Decimal) }, { additionalProperties: false }),
        response: {
          200: PlainText,
          400: ErrorReply,
          404: ErrorReply,
          429: ErrorReply,
          503: ErrorReply,
        },
      },
    },
    async (req, reply) => {
      const index = Number(req.params.index);
      // The checkpoint and the proof against it are read in one transaction (one snapshot, and
      // cheaper than a transaction per statement).
      const text = store.read(() => {
        let checkpoint: { size: number; note: string };
        if (req.query.size === undefined) {
          checkpoint = latest();
        } else {
          const size = Number(req.query.size);
          const found = size > 0 && size <= store.size ? store.checkpointAt(size) : undefined;
          if (!found) throw ApiError.of('SIZE_NOT_CHECKPOINTED', { size });
          checkpoint = found;
        }
        if (index >= store.size) throw ApiError.of('ENTRY_NOT_FOUND', { index });
        if (index >= checkpoint.size) {
          throw ApiError.of('INDEX_NOT_COVERED', { index, size: checkpoint.size });
        }
        const proof = store.inclusionProof(index, checkpoint.size);
        return formatTlogProof({ index, proof, checkpoint: checkpoint.note });
      });
      reply.type('text/plain; charset=utf-8');
      return text;
    }
  );

  app.get(
    '/log/consistency',
    {
      schema: {
        tags: ['log'],
        summary: 'Consistency proof between two tree sizes (base64 hashes, one a line)',
        querystring: Type.Object({ from: Decimal, to: Decimal }, { additionalProperties: false }),
        response: { 200: PlainText, 400: ErrorReply, 429: ErrorReply, 503: ErrorReply },
      },
    },
    async (req, reply) => {
      const from = Number(req.query.from);
      const to = Number(req.query.to);
      const limit = latest().size;
      if (!(from > 0 && from <= to && to <= limit)) {
        throw ApiError.of('RANGE_INVALID', { from, to, latest: limit });
      }
      const proof = from === to ? [] : store.consistencyProof(from, to);
      reply.type('text/plain; charset=utf-8');
      return proof.map((h) => `${base64Encode(h)}\n`).join('');
    }
  );
};
