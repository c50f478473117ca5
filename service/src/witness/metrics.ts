// The witnesses' health in /metrics: what GET /log/witnesses shows, as Prometheus gauges.
import { Gauge, type Registry } from 'prom-client';
import type { WitnessCollector } from './collector.js';

/** Registers the witness gauges, read from `collector` at each scrape. */
export function registerWitnessMetrics(
  register: Registry,
  collector: Pick<WitnessCollector, 'health'>
): void {
  new Gauge({
    name: 'yishi_witness_published_size',
    help: 'Ledger size of the checkpoint published with the quorum of witnesses (0 before one)',
    registers: [register],
    collect() {
      this.set(collector.health().publishedSize ?? 0);
    },
  });
  new Gauge({
    name: 'yishi_witness_cosigned_size',
    help: 'Ledger size each witness last cosigned (or told us in a 409); NaN before it answers',
    labelNames: ['witness'] as const,
    registers: [register],
    collect() {
      for (const w of collector.health().witnesses)
        this.set({ witness: w.name }, w.lastSize ?? NaN);
    },
  });
  new Gauge({
    name: 'yishi_witness_cosigned_timestamp_seconds',
    help: 'When each witness last cosigned (Unix seconds); NaN before it cosigned',
    labelNames: ['witness'] as const,
    registers: [register],
    collect() {
      for (const w of collector.health().witnesses) {
        this.set({ witness: w.name }, w.lastCosignedAt === null ? NaN : w.lastCosignedAt / 1000);
      }
    },
  });
  new Gauge({
    name: 'yishi_witness_up',
    help: '1 if the last request to each witness gave a valid cosignature, 0 if it failed',
    labelNames: ['witness'] as const,
    registers: [register],
    collect() {
      for (const w of collector.health().witnesses)
        this.set({ witness: w.name }, w.lastError === null ? 1 : 0);
    },
  });
}
