/**
 * The demo's stage: the story's clock and one SDK client per person. Every command is signed by
 * the person who takes the step and posted through `submit`, exactly as a client app would.
 */
import {
  createYishiClient,
  generateKeyPair,
  Signer,
  type ApiErrorBody,
  type CommandType,
  type UnsignedCommandOf,
  type YishiClient,
} from '@yishi/sdk';
import { DemoError } from './error.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** A command as a client writes it: its type and fields; the signer adds `ts` and `nonce`. */
export type Command = { type: string } & Record<string, unknown>;

/** What an accepted command returns: the ledger position and what the rules derived. */
export interface Accepted<D> {
  seq: number;
  time: number;
  derived: D;
}

export class Stage {
  private now: number;
  private readonly clients = new Map<string, YishiClient>();
  /** The story's clock, shared by the service and every signer. */
  readonly clock = (): number => this.now;
  /** The last ledger position a step was written to. */
  lastSeq = 0;

  private url = '';

  constructor(start: number) {
    this.now = start;
  }

  /** Points the stage at the running service; clients made from now on talk to it. */
  connect(url: string): void {
    this.url = url;
  }

  get time(): number {
    return this.now;
  }

  /** Moves the clock to `time` (never backwards). */
  at(time: number): number {
    this.now = Math.max(this.now, time);
    return this.now;
  }

  /** Moves the clock forward by `ms`. */
  wait(ms: number): number {
    this.now += ms;
    return this.now;
  }

  /** Gives `id` a client signing with the secret key text `secretKey`. */
  enrol(id: string, secretKey: string): void {
    this.clients.set(
      id,
      createYishiClient({
        baseUrl: this.url,
        signer: new Signer(secretKey, this.clock),
        language: 'zh',
      })
    );
  }

  /** A fresh key pair for `id`, generated as on the member's own device, and a client for it. */
  newKeys(id: string): { publicKeyBase64: string } {
    const keys = generateKeyPair(id);
    this.enrol(id, keys.secretKey);
    return keys;
  }

  client(id: string): YishiClient {
    const c = this.clients.get(id);
    if (!c) throw new DemoError('USAGE', `nobody called ${id} is on stage`);
    return c;
  }

  /** `id` takes a step the rules accept, one minute after the previous one. */
  async act<D = Record<string, unknown>>(
    id: string,
    command: Command,
    after = MINUTE
  ): Promise<Accepted<D>> {
    this.wait(after);
    const r = await this.client(id).submit<CommandType>(command as UnsignedCommandOf<CommandType>);
    if (r.error || !r.data) {
      throw new DemoError(
        'STEP_REFUSED',
        `${command.type} by ${id} was refused: ${r.error?.code ?? r.response.status} ${r.error?.message ?? ''}`,
        r.error
      );
    }
    this.lastSeq = r.data.seq;
    return { seq: r.data.seq, time: r.data.time, derived: r.data.derived as D };
  }

  /** `id` tries a step the rules refuse; returns the service's refusal. */
  async refusal(id: string, command: Command, after = MINUTE): Promise<ApiErrorBody> {
    this.wait(after);
    const r = await this.client(id).submit<CommandType>(command as UnsignedCommandOf<CommandType>);
    if (!r.error) {
      throw new DemoError(
        'STEP_ACCEPTED',
        `${command.type} by ${id} was accepted at ${r.data.seq}`
      );
    }
    return r.error;
  }
}
