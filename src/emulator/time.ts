/**
 * The emulator's clock and its deadline scheduler.
 *
 * Every lifecycle rule of the platform is a deadline (stopped → available after ~1 s, paused
 * archives stop after 60 s without clients, broadcasts end at maxDuration …). Deadlines are
 * kept in one min-heap and evaluated two ways: lazily, at the start of every request (an O(1)
 * check when nothing is due, so hot read paths pay nothing), and by one real timer armed for
 * the earliest deadline, so callbacks fire even when nobody reads. Advancing the clock through
 * the control API runs everything that became due, in deadline order, so tests never sleep.
 */

/** Real time plus an offset that only the control API moves forward. */
export class Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  get offset(): number {
    return this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  reset(): void {
    this.offsetMs = 0;
  }
}

/** Something with at most one pending deadline. */
export interface Timed {
  /** The deadline currently wanted, or Infinity. Heap entries that disagree are stale. */
  nextAt: number;
  /** Runs the transition due at `at` (≤ now) and sets the next `nextAt`. */
  fire(at: number): void;
}

interface Entry {
  at: number;
  seq: number;
  item: Timed;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export class Scheduler {
  private heap: Entry[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private running = false;
  private closed = false;

  constructor(private readonly clock: Clock) {}

  /** Sets (or clears, with Infinity) the deadline of `item`. */
  schedule(item: Timed, at: number): void {
    item.nextAt = at;
    if (at === Infinity) return;
    this.push({ at, seq: this.seq++, item });
    if (!this.running) this.arm();
  }

  /** Runs every transition due at `now`, earliest first. Cheap when nothing is due. */
  runDue(now: number = this.clock.now()): void {
    const top = this.heap[0];
    if (top === undefined || top.at > now || this.running) return;
    this.running = true;
    try {
      for (;;) {
        const head = this.heap[0];
        if (head === undefined || head.at > now) break;
        this.pop();
        // A rescheduled or cleared item left its old entry behind; skip it.
        if (head.item.nextAt !== head.at) continue;
        head.item.nextAt = Infinity;
        try {
          head.item.fire(head.at);
        } catch (error) {
          // A broken transition must not take the emulator (or the timer's process) down.
          console.error('[opentok-emulator] lifecycle transition failed', error);
        }
      }
    } finally {
      this.running = false;
    }
    this.arm();
  }

  clear(): void {
    this.heap = [];
    this.disarm();
  }

  close(): void {
    this.closed = true;
    this.clear();
  }

  private arm(): void {
    if (this.closed) return;
    const top = this.heap[0];
    if (top === undefined) return this.disarm();
    if (this.timer !== null && this.timerAt <= top.at) return;
    this.disarm();
    const delay = Math.min(Math.max(top.at - this.clock.now(), 0), MAX_TIMER_MS);
    this.timerAt = top.at;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.runDue();
      this.arm();
    }, delay);
    // The emulator must never keep a test process alive on its own.
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
