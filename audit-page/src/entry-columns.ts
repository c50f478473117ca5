/**
 * A compact record of every entry's type, signing key, item and meeting (four small integers
 * per entry), so that once the audit is over the page can name whoever signed an entry a
 * failure points at without keeping the entries themselves (a 1M-entry export would not fit).
 */

/** Interns strings to small integers (0 is "none"). */
class Interner {
  private readonly ids = new Map<string, number>();
  private readonly values: string[] = [''];
  id(value: string | null | undefined): number {
    if (value === null || value === undefined) return 0;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }
  value(id: number): string | null {
    return id === 0 ? null : (this.values[id] ?? null);
  }
}

/** A growable column of 32-bit integers. */
class Column {
  private data = new Int32Array(1024);
  set(i: number, v: number): void {
    if (i >= this.data.length) {
      const next = new Int32Array(Math.max(this.data.length * 2, i + 1));
      next.set(this.data);
      this.data = next;
    }
    this.data[i] = v;
  }
  get(i: number): number {
    return i < this.data.length ? (this.data[i] ?? 0) : 0;
  }
}

/** What was recorded for one entry. */
export interface EntryColumnsRow {
  type: string | null;
  publicKey: string | null;
  itemId: string | null;
  meetingId: string | null;
}

/** Per-entry type, key, item and meeting, by seq. */
export class EntryColumns {
  private readonly strings = new Interner();
  private readonly type = new Column();
  private readonly key = new Column();
  private readonly item = new Column();
  private readonly meeting = new Column();

  record(seq: number, row: EntryColumnsRow): void {
    if (!Number.isSafeInteger(seq) || seq < 0 || seq > 0x7fffffff) return;
    this.type.set(seq, this.strings.id(row.type));
    this.key.set(seq, this.strings.id(row.publicKey));
    this.item.set(seq, this.strings.id(row.itemId));
    this.meeting.set(seq, this.strings.id(row.meetingId));
  }

  get(seq: number): EntryColumnsRow {
    return {
      type: this.strings.value(this.type.get(seq)),
      publicKey: this.strings.value(this.key.get(seq)),
      itemId: this.strings.value(this.item.get(seq)),
      meetingId: this.strings.value(this.meeting.get(seq)),
    };
  }
}
