// splitLines(pending, chunk): the pure byte → line splitter under the tailer (tailer.ts). A chunk may end anywhere
// (mid-line, mid-character, between CR and LF); whatever is unfinished must come back as `rest` and be
// decoded whole once the rest of it arrives.
import { describe, expect, test } from "bun:test";
import { splitLines } from "../src/ingest/tailer.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string): Uint8Array => enc.encode(s);

/** Feeds the chunks through splitLines the way the tailer does; returns all lines and the final rest. */
function feed(chunks: Uint8Array[]): { lines: string[]; rest: Uint8Array } {
  let pending: Uint8Array = new Uint8Array(0);
  const lines: string[] = [];
  for (const c of chunks) {
    const r = splitLines(pending, c);
    lines.push(...r.lines);
    pending = r.rest;
  }
  return { lines, rest: pending };
}

/** Splits `data` into two chunks at every byte position and checks the decoded lines never change. */
function expectSameAtEverySplit(data: Uint8Array, expected: string[], expectedRest = ""): void {
  for (let cut = 0; cut <= data.length; cut++) {
    const r = feed([data.slice(0, cut), data.slice(cut)]);
    expect({ cut, lines: r.lines }).toEqual({ cut, lines: expected });
    expect({ cut, rest: dec.decode(r.rest) }).toEqual({ cut, rest: expectedRest });
  }
}

describe("splitLines", () => {
  test("a chunk of complete lines yields each line without its newline and an empty rest", () => {
    const r = splitLines(new Uint8Array(0), bytes('{"a":1}\n{"b":2}\n'));
    expect(r.lines).toEqual(['{"a":1}', '{"b":2}']);
    expect(r.rest.length).toBe(0);
  });

  test("a chunk ending mid-line keeps the unfinished bytes in rest and finishes the line with the next chunk", () => {
    const first = splitLines(new Uint8Array(0), bytes('{"a":1}\n{"b"'));
    expect(first.lines).toEqual(['{"a":1}']);
    expect(dec.decode(first.rest)).toBe('{"b"');
    const second = splitLines(first.rest, bytes(":2}\n"));
    expect(second.lines).toEqual(['{"b":2}']);
    expect(second.rest.length).toBe(0);
  });

  test("a chunk with no newline at all yields no line and returns everything (pending included) as rest", () => {
    const r1 = splitLines(new Uint8Array(0), bytes("abc"));
    expect(r1.lines).toEqual([]);
    expect(dec.decode(r1.rest)).toBe("abc");
    const r2 = splitLines(r1.rest, bytes("def"));
    expect(r2.lines).toEqual([]);
    expect(dec.decode(r2.rest)).toBe("abcdef");
  });

  test("an unfinished line carried over several chunks comes out once, whole", () => {
    const r = feed([bytes("first\nsec"), bytes("o"), bytes("n"), bytes(""), bytes("d li"), bytes("ne\nthi"), bytes("rd")]);
    expect(r.lines).toEqual(["first", "second line"]);
    expect(dec.decode(r.rest)).toBe("thi" + "rd");
  });

  test("rest does not alias the caller's chunk buffer, so reusing that buffer cannot corrupt a pending line", () => {
    // The tailer reads every chunk into one shared buffer and overwrites it on the next read.
    const buf = bytes("done\npartial");
    const r1 = splitLines(new Uint8Array(0), buf);
    buf.fill(0x58); // "XXXX…"
    expect(dec.decode(r1.rest)).toBe("partial");

    const buf2 = bytes("no newline");
    const r2 = splitLines(new Uint8Array(0), buf2);
    buf2.fill(0x58);
    expect(dec.decode(r2.rest)).toBe("no newline");
  });

  test("rest is a copy even when the chunk is a Node Buffer (whose slice() is a view, not a copy)", () => {
    // The tailer reads into a shared Buffer; Buffer#slice shares memory, unlike Uint8Array#slice.
    const shared = Buffer.from("done\npartial");
    const r1 = splitLines(new Uint8Array(0), shared.subarray(0, shared.length));
    shared.fill(0x58);
    expect(dec.decode(r1.rest)).toBe("partial");

    const shared2 = Buffer.from("no newline");
    const r2 = splitLines(new Uint8Array(0), shared2.subarray(0, shared2.length));
    shared2.fill(0x58);
    expect(dec.decode(r2.rest)).toBe("no newline");
  });

  test("a line carried over Buffer chunks read into one reused buffer comes out intact", () => {
    const buf = Buffer.alloc(16);
    const take = (s: string): Buffer => buf.subarray(0, buf.write(s));
    const r1 = splitLines(new Uint8Array(0), take('{"t":"caf'));
    const r2 = splitLines(r1.rest, take('é"}\nnext'));
    const r3 = splitLines(r2.rest, take("\n"));
    expect([...r1.lines, ...r2.lines, ...r3.lines]).toEqual(['{"t":"café"}', "next"]);
  });

  test("CRLF line endings: the CR is removed along with the LF", () => {
    const r = splitLines(new Uint8Array(0), bytes("one\r\ntwo\r\n\r\nthree\n"));
    expect(r.lines).toEqual(["one", "two", "", "three"]);
  });

  test("CRLF split between two chunks (CR at the end of one, LF at the start of the next) still drops the CR", () => {
    const r = feed([bytes("one\r"), bytes("\ntwo\r"), bytes("\n")]);
    expect(r.lines).toEqual(["one", "two"]);
    expect(r.rest.length).toBe(0);
  });

  test("a CR inside a line (not before the newline) is kept", () => {
    const r = splitLines(new Uint8Array(0), bytes("a\rb\n"));
    expect(r.lines).toEqual(["a\rb"]);
  });

  test("empty lines are returned as empty strings, in place", () => {
    const r = splitLines(new Uint8Array(0), bytes("\n\na\n\nb\n"));
    expect(r.lines).toEqual(["", "", "a", "", "b"]);
    expect(r.rest.length).toBe(0);
  });

  test("a lone newline completes the pending line", () => {
    const r = feed([bytes("abc"), bytes("\n")]);
    expect(r.lines).toEqual(["abc"]);
  });

  test("a two-byte character (é) split at every byte position decodes exactly", () => {
    const text = "café\nnaïve é\n";
    expectSameAtEverySplit(bytes(text), ["café", "naïve é"]);
  });

  test("a four-byte emoji split at every byte position decodes exactly", () => {
    const text = '{"t":"ok 🎉"}\n🎉🎉\n{"u":"👩‍💻"}\n';
    expectSameAtEverySplit(bytes(text), ['{"t":"ok 🎉"}', "🎉🎉", '{"u":"👩‍💻"}']);
  });

  test("a multi-byte character split at every position across three chunks, including in an unfinished last line", () => {
    const data = bytes("日本\n€ and 🎉 end\n中");
    const expected = ["日本", "€ and 🎉 end"];
    for (let a = 0; a <= data.length; a++) {
      for (let b = a; b <= data.length; b++) {
        const r = feed([data.slice(0, a), data.slice(a, b), data.slice(b)]);
        expect({ a, b, lines: r.lines }).toEqual({ a, b, lines: expected });
        expect({ a, b, rest: dec.decode(r.rest) }).toEqual({ a, b, rest: "中" });
      }
    }
  });

  test("a chunk delivered one byte at a time gives the same lines as one big chunk", () => {
    const data = bytes('{"x":"héllo"}\r\n\n{"y":"🎉"}\nlast');
    const oneByOne = feed(Array.from(data, (b) => Uint8Array.of(b)));
    const whole = feed([data]);
    expect(oneByOne.lines).toEqual(['{"x":"héllo"}', "", '{"y":"🎉"}']);
    expect(whole.lines).toEqual(oneByOne.lines);
    expect(dec.decode(oneByOne.rest)).toBe("last");
  });

  test("invalid UTF-8 bytes become replacement characters instead of throwing or swallowing the line", () => {
    const data = Uint8Array.of(0x61, 0xff, 0xfe, 0x62, 0x0a, 0x63, 0x0a);
    const r = splitLines(new Uint8Array(0), data);
    expect(r.lines).toEqual(["a\uFFFD\uFFFDb", "c"]);
  });

  test("an empty chunk with an empty pending yields nothing", () => {
    const r = splitLines(new Uint8Array(0), new Uint8Array(0));
    expect(r.lines).toEqual([]);
    expect(r.rest.length).toBe(0);
  });
});
