// Seeded storms of terminal input for the hostile-input tests (input-hostile.test.ts, terminal.test.ts): random
// bytes, escape sequences (keys, a terminal's answers, pastes opened and never closed, half sequences) and SGR mouse
// reports, with none of the keys that end or stop the program on purpose (q, Ctrl-C, Ctrl-Z, Ctrl-\).

/** A small seeded generator (mulberry32), the one the corpus generator uses. */
export { rng as mulberry32 } from "../src/synth/lines.ts";

/** No q, Ctrl-C, Ctrl-Z or Ctrl-\ in a storm (those end or stop the program on purpose). */
const FORBIDDEN = new Set([0x71, 0x03, 0x1a, 0x1c]);

/** One chunk of a storm: random bytes, escape sequences (keys, answers, pastes opened and not closed) or mouse reports. */
export function stormChunk(rand: () => number, width = 160, height = 50): number[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const ascii = (s: string) => [...Buffer.from(s, "latin1")];
  const kind = rand();
  let out: number[];
  if (kind < 0.35) out = Array.from({ length: 1 + Math.floor(rand() * 24) }, () => Math.floor(rand() * 256));
  else if (kind < 0.6)
    out = ascii(`\x1b[<${pick([0, 1, 2, 32, 35, 64, 65])};${1 + Math.floor(rand() * width)};${1 + Math.floor(rand() * height)}${pick(["M", "m"])}`);
  else
    out = ascii(
      pick([
        "\x1b[A",
        "\x1b[B",
        "\x1b[5~",
        "\x1b[6~",
        "\x1b",
        "\x1b[",
        "\x1b[1;5",
        "\x1bO",
        "\x1b]0;title",
        "\x1b]11;rgb:1/2/3\x07",
        "\x1bP>|term\x1b\\",
        "\x1b[200~",
        "\x1b[201~",
        "\x1b[?62c",
        "\x1b[12;40R",
        "\x1b[M !!",
        "\x1b[<0;1;1",
        "\x1b_G",
        "\x1bX",
        "\x1b[97;3u",
      ]),
    );
  return out.filter((b) => !FORBIDDEN.has(b));
}
