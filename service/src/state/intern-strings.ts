// A restored snapshot holds each string value once per occurrence (a v8 deserialisation never
// shares them): at 1M entries 10 MB of the heap's 21 MB of strings are copies ("routine",
// "major_decision", body and meeting ids…). Sharing one copy of each keeps the state's heap ~25%
// smaller for the life of the process (docs/decisions/0029-start-up-and-footprint.md).
import type { LedgerState } from './ledger-state.js';

/**
 * Replaces every string value below `root` (plain objects, arrays, Map values) by one shared
 * copy of it. Equal strings are indistinguishable, so nothing observable changes. Map keys and
 * object keys are left alone (object keys are already shared). Iterative: any depth.
 */
export function internStrings(root: object): void {
  const shared = new Map<string, string>();
  const one = (s: string): string => {
    const found = shared.get(s);
    if (found !== undefined) return found;
    shared.set(s, s);
    return s;
  };
  const stack: object[] = [root];
  for (let o = stack.pop(); o !== undefined; o = stack.pop()) {
    if (Array.isArray(o)) {
      for (let i = 0; i < o.length; i++) {
        const v: unknown = o[i];
        if (typeof v === 'string') o[i] = one(v);
        else if (typeof v === 'object' && v !== null) stack.push(v);
      }
    } else if (o instanceof Map) {
      for (const [k, v] of o as Map<unknown, unknown>) {
        if (typeof v === 'string') o.set(k, one(v));
        else if (typeof v === 'object' && v !== null) stack.push(v);
      }
    } else {
      const r = o as Record<string, unknown>;
      for (const k in r) {
        if (!Object.hasOwn(r, k)) continue;
        const v = r[k];
        if (typeof v === 'string') r[k] = one(v);
        else if (typeof v === 'object' && v !== null) stack.push(v);
      }
    }
  }
}

/**
 * {@link internStrings} over the engine's state and the in-memory read models. Run once after
 * the server listens (it walks the whole state: ~70 ms at 1M entries on this machine), between
 * two events: no decision sees it half done, and no value changes.
 */
export function internStateStrings(ledger: LedgerState): void {
  const p = ledger.projections;
  internStrings([ledger.state, p.closed, p.cancelled, p.reports, p.interference, p.objections]);
}
