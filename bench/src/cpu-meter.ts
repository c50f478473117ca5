// The CPU a server process spends while a load runs, measured inside that process: on 'mark' it
// notes its CPU time and event-loop utilisation, on 'meter' it answers what was spent since.
// CPU per request, beside the same figure of the baseline server, says where the time goes
// whatever else loads the machine (wall-clock rates do not).
import type { ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

/** What a server spent between 'mark' and 'meter'. */
export interface Spent {
  type: 'spent';
  /** CPU milliseconds, user + system, all threads. */
  cpuMs: number;
  wallMs: number;
  /** Share of the wall time the event loop was busy, 0..1. */
  eventLoop: number;
  /** How late timers ran (the event loop blocked), ms: p99 and the longest. */
  loopDelayP99: number;
  loopDelayMax: number;
}

/** In a server child: answer 'mark' and 'meter' messages from the parent. */
export function answerMeter(): void {
  let cpu = process.cpuUsage();
  let elu = performance.eventLoopUtilization();
  let t = performance.now();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  process.on('message', (m) => {
    if (m === 'mark') {
      delay.reset();
      delay.enable();
      cpu = process.cpuUsage();
      elu = performance.eventLoopUtilization();
      t = performance.now();
    } else if (m === 'meter') {
      const c = process.cpuUsage(cpu);
      const spent: Spent = {
        type: 'spent',
        cpuMs: (c.user + c.system) / 1000,
        wallMs: performance.now() - t,
        eventLoop: performance.eventLoopUtilization(elu).utilization,
        loopDelayP99: delay.percentile(99) / 1e6,
        loopDelayMax: delay.max / 1e6,
      };
      delay.disable();
      process.send?.(spent);
    }
  });
}

/** In the parent: runs `fn` between 'mark' and 'meter' sent to `child`; its result and the cost. */
export async function metered<T>(
  child: ChildProcess,
  fn: () => Promise<T>
): Promise<{ result: T; spent: Spent }> {
  child.send('mark');
  const result = await fn();
  const spent = new Promise<Spent>((resolve) => {
    const onMessage = (m: unknown) => {
      if ((m as Spent | null)?.type !== 'spent') return;
      child.off('message', onMessage);
      resolve(m as Spent);
    };
    child.on('message', onMessage);
  });
  child.send('meter');
  return { result, spent: await spent };
}
