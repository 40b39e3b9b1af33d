// Waiting in tests without depending on the machine's speed: poll a condition until it holds, with a deadline far
// beyond what a loaded machine needs (the deadline only turns a hang into a failure with a name; it is never the
// thing asserted). Use this instead of a fixed sleep ("wait 3 s and hope it happened") or a wall-clock bound.

/**
 * Polls `ok` every `every` ms until it returns a value other than false, null or undefined, and returns that value.
 * A throw from `ok` counts as "not yet" (a server still starting). Throws, naming `what`, after `within` ms.
 */
export async function until<T>(
  ok: () => T | false | null | undefined | Promise<T | false | null | undefined>,
  what: string,
  within = 60_000,
  every = 50,
): Promise<T> {
  const end = Date.now() + within;
  for (;;) {
    let v: T | false | null | undefined;
    try {
      v = await ok();
    } catch {
      v = null;
    }
    if (v !== false && v !== null && v !== undefined) return v;
    if (Date.now() > end) throw new Error(`gave up after ${within / 1000} s waiting for ${what}`);
    await Bun.sleep(every);
  }
}
