/**
 * The one progress helper: a bar on stderr when a person is watching (a TTY),
 * nothing with --json, under CI, or when stderr is a file or pipe.
 */
import { Presets, SingleBar } from 'cli-progress';

/** Whether progress should stay silent: machine-readable output, CI, or no terminal. */
export function quiet(json: boolean | undefined): boolean {
  return !!json || !process.stderr.isTTY || !!process.env.CI;
}

/** A progress bar; `null` when {@link quiet}. Payload keys fill `{name}` slots of the format. */
export interface Progress {
  start(total: number, value: number, payload?: Record<string, unknown>): void;
  update(value: number, payload?: Record<string, unknown>): void;
  stop(): void;
}

/**
 * A bar with cli-progress's format tokens (`{bar}`, `{value}`, `{total}`,
 * `{percentage}`, and payload names), or `null` when quiet.
 */
export function progressBar(format: string, json: boolean | undefined, o: { barsize?: number } = {}): Progress | null {
  if (quiet(json)) return null;
  return new SingleBar({ format, stream: process.stderr, hideCursor: true, ...(o.barsize ? { barsize: o.barsize } : {}) }, Presets.shades_classic);
}
