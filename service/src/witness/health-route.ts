import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { WitnessCollector } from './collector.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) =>
  Type.Union([t, Type.Null()]);

/** `GET /log/witnesses`: each witness's last cosigned size and time, and its last error. */
export const witnessHealthRoutes: FastifyPluginAsyncTypebox<{
  collector: WitnessCollector;
}> = async (app, opts) => {
  app.get(
    '/log/witnesses',
    {
      schema: {
        tags: ['log'],
        summary: "The witnesses' health: last cosigned size and time, last error",
        response: {
          200: Type.Object({
            quorum: Type.String(),
            publishedSize: Nullable(Type.Integer()),
            witnesses: Type.Array(
              Type.Object({
                name: Type.String(),
                url: Nullable(Type.String()),
                lastSize: Nullable(Type.Integer()),
                lastCosignedAt: Nullable(Type.Integer()),
                lastError: Nullable(Type.String()),
              })
            ),
          }),
        },
      },
    },
    async () => opts.collector.health()
  );
};
