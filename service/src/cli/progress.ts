import type { WriteStream } from 'node:tty';

/** A one-line progress bar on a terminal; silent when the stream is not a TTY. */
export class Progress {
  private readonly active: boolean;
  private last = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream | WriteStream,
    enabled = true
  ) {
    this.active = enabled && Boolean(stream.isTTY);
  }

  update(done: number, total: number): void {
    if (!this.active || total <= 0) return;
    const now = Date.now();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const width = 30;
    const filled = Math.round((width * Math.min(done, total)) / total);
    const pct = Math.floor((100 * Math.min(done, total)) / total);
    this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}%`);
  }

  done(): void {
    if (this.active) this.stream.write('\r\x1b[K');
  }
}
