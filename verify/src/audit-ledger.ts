/**
 * The auditor's full check: everything {@link LedgerVerifier} checks, plus procedure replay.
 *
 * The same `@yishi/procedure` code the service decides with re-derives every outcome from the
 * signed commands. Findings name the entry, the rule id and the evidence:
 * - `ENTRY_REFUSED`: a command is on the ledger although the rules refuse it (e.g. a vote with
 *   no quorum (P4), a chair's statement before the others (P7), a vote before all statements);
 * - `DERIVED_MISMATCH`: the outcome the service recorded is not the one the rules give;
 * - `MALFORMED_ENTRY`: the entry cannot be replayed at all.
 * Replay goes on after a finding (a refused entry leaves the state as it was), so one audit lists
 * every finding, up to `maxFindings`.
 *
 * A scoped export (decision 0023) replays the visible bodies only: a redacted line moves the
 * position and nothing else (`skipEntry`), the entries shown in full are replayed in their
 * positions, and derived outputs are compared as `scopedDerivedEqual` says (an expiry swept at a
 * redacted entry, another body's expired items).
 */
import {
  initialState,
  replayEntry,
  skipEntry,
  type ReplayFinding,
  type State,
} from '@yishi/procedure';
import type { LedgerEntry } from '@yishi/schema';
import { feedExportLines } from './export-format.js';
import type { RedactedEntry } from './redacted.js';
import { entryContext, RecentContexts, type EntryContext } from './report/context.js';
import { LedgerVerifier, type LedgerReport, type LedgerVerifierOptions } from './verify-ledger.js';

/** Options of {@link LedgerAuditor}. */
export interface AuditOptions extends LedgerVerifierOptions {
  /** Stop collecting replay findings after this many (default 100). */
  maxFindings?: number;
  /**
   * `false`: replay only; the caller verifies the same entries another way (worker threads) and
   * hands the verifier's report to {@link LedgerAuditor.finish}. Default true.
   */
  verify?: boolean;
  /** Entries whose context {@link LedgerAuditor.contexts} must give even without a finding. */
  contextsOf?: Iterable<number>;
}

/**
 * Something an auditor should see that is no breach of the rules (issue 13): a key an admin set
 * for a principal (`KEY_SET_BY_ADMIN`), each entry signed with such a key before the principal
 * confirmed it (`SIGNED_WITH_RESET_KEY`), and the confirmation (`KEY_CONFIRMED`).
 */
export interface AuditNotice {
  seq: number;
  code: 'KEY_SET_BY_ADMIN' | 'SIGNED_WITH_RESET_KEY' | 'KEY_CONFIRMED';
  /** The command type of the entry. */
  type: string;
  /** The principal whose key it is. */
  principalId: string | null;
  /** The admin who set the key. */
  by: string | null;
}

/** The notices of one replayed entry, read from its (re-derived) `derived`. */
function noticesOf(entry: LedgerEntry, principalOf: (key: string) => string | null): AuditNotice[] {
  const d = entry.derived as Record<string, unknown> | null;
  if (typeof d !== 'object' || d === null) return [];
  const type = entry.command.payload.type;
  const out: AuditNotice[] = [];
  if (typeof d.setByAdmin === 'string') {
    const principalId = typeof d.principalId === 'string' ? d.principalId : null;
    out.push({ seq: entry.seq, code: 'KEY_SET_BY_ADMIN', type, principalId, by: d.setByAdmin });
  }
  const flag = d.keySetByAdmin as { by?: unknown } | undefined;
  if (typeof flag === 'object' && flag !== null) {
    out.push({
      seq: entry.seq,
      code: 'SIGNED_WITH_RESET_KEY',
      type,
      principalId: principalOf(entry.command.publicKey),
      by: typeof flag.by === 'string' ? flag.by : null,
    });
  }
  if (type === 'key.confirm') {
    const principalId = typeof d.principalId === 'string' ? d.principalId : null;
    out.push({ seq: entry.seq, code: 'KEY_CONFIRMED', type, principalId, by: null });
  }
  return out;
}

/** The outcome of an audit. */
export interface AuditReport {
  /** True when the ledger verifies and replay found nothing. */
  ok: boolean;
  verification: LedgerReport;
  /** Entries replayed through the rules (the full ones: redacted entries are not replayed). */
  replayed: number;
  /** Redacted lines of a scoped export (also in `verification.redactedEntries`). */
  redactedEntries: number;
  findings: ReplayFinding[];
  /** True when findings were cut at `maxFindings`. */
  truncated: boolean;
  /** Key events to look at (not findings: `ok` does not depend on them), by entry. */
  notices: AuditNotice[];
}

/** Streaming auditor: feed entries in order and checkpoint notes, then {@link finish}. */
export class LedgerAuditor {
  private readonly verifier: LedgerVerifier;
  private readonly maxFindings: number;
  private state: State = initialState();
  private replayed = 0;
  private readonly findings: ReplayFinding[] = [];
  private truncated = false;
  private readonly notices: AuditNotice[] = [];
  private readonly verifying: boolean;
  /** Contexts of the entries findings name and of the one the verifier blamed (readable report). */
  private readonly named = new Map<number, EntryContext>();
  private readonly recent = new RecentContexts();
  private readonly wanted: ReadonlySet<number>;
  private redacted = 0;
  /** A redacted line came since the last full entry. */
  private afterGap = false;

  constructor(options: AuditOptions = {}) {
    this.verifier = new LedgerVerifier(options);
    this.maxFindings = options.maxFindings ?? 100;
    this.verifying = options.verify ?? true;
    this.wanted = new Set(options.contextsOf ?? []);
  }

  /** The rules' state after the entries fed so far (read it, never change it: a live view). */
  get replayedState(): Readonly<State> {
    return this.state;
  }

  addEntry(value: unknown, storedLeafHash?: Uint8Array): void {
    const context = entryContext(this.state, value, this.replayed);
    this.recent.push(context);
    if (this.wanted.has(context.seq)) this.named.set(context.seq, context);
    if (this.verifying) {
      this.verifier.addEntry(value, storedLeafHash);
      const blamed = this.verifier.currentFailure()?.seq;
      if (blamed !== undefined && !this.named.has(blamed)) {
        const c = this.recent.find(blamed);
        if (c) this.named.set(blamed, c);
      }
    }
    let result: { state: State; findings: ReplayFinding[] };
    try {
      result =
        this.redacted === 0
          ? replayEntry(this.state, value as LedgerEntry)
          : replayEntry(this.state, value as LedgerEntry, {
              scoped: true,
              afterGap: this.afterGap,
            });
    } catch (err) {
      result = {
        state: this.state,
        findings: [
          {
            seq: this.replayed,
            code: 'MALFORMED_ENTRY',
            evidence: { error: (err as Error).message },
          },
        ],
      };
    }
    this.state = result.state;
    this.replayed++;
    this.afterGap = false;
    if (result.findings.length === 0) {
      const keys = this.state.keys;
      const principalOf = (key: string) =>
        Object.hasOwn(keys, key) ? (keys[key]?.principalId ?? null) : null;
      this.notices.push(...noticesOf(value as LedgerEntry, principalOf));
    }
    for (const f of result.findings) {
      if (this.findings.length >= this.maxFindings) {
        this.truncated = true;
        break;
      }
      this.findings.push(f);
      if (!this.named.has(f.seq))
        this.named.set(f.seq, context.seq === f.seq ? context : { seq: f.seq });
    }
  }

  /** A redacted line: verified (chain, tree), then its position passes in the replay. */
  addRedacted(redacted: RedactedEntry): void {
    if (this.verifying) this.verifier.addRedacted(redacted);
    this.redacted++;
    this.afterGap = true;
    // Out of place, the position does not move: the verifier names it (ENTRY_SEQUENCE).
    skipEntry(this.state, redacted.seq);
  }

  addCheckpoint(note: string): void {
    if (this.verifying) this.verifier.addCheckpoint(note);
  }

  /**
   * Where the entries the findings (and the verifier's failure) name stand: their command, signer,
   * meeting and item, as the state knew them when each was applied. For the readable report.
   */
  contexts(): EntryContext[] {
    return [...this.named.values()].sort((a, b) => a.seq - b.seq);
  }

  /**
   * The report. A replay-only auditor (`verify: false`) takes the report of the verification the
   * caller ran over the same entries.
   */
  finish(verification: LedgerReport = this.verifier.finish()): AuditReport {
    return {
      ok: verification.ok && this.findings.length === 0,
      verification,
      replayed: this.replayed,
      redactedEntries: this.redacted,
      findings: this.findings,
      truncated: this.truncated,
      notices: this.notices,
    };
  }
}

/** Audits an export given as text or lines (see `export-format.ts`). */
export function auditExport(
  input: string | Iterable<string>,
  options: AuditOptions = {}
): AuditReport {
  const lines = typeof input === 'string' ? input.split('\n') : input;
  const auditor = new LedgerAuditor(options);
  feedExportLines(auditor, lines);
  return auditor.finish();
}
