// FileTailer: reads one transcript file incrementally by byte offset, in a real temp directory.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CHUNK_BYTES, FileTailer, type TailResult } from "../src/ingest/tailer.ts";

const BIG = 1024 * 1024; // a maxLine that no test line reaches

let dir = "";
let file = "";

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "claude-dash-tailer-"));
  file = path.join(dir, "session.jsonl");
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Read {
  res: TailResult;
  /** [lineNo, text] for every line delivered. */
  lines: [number, string][];
  /** line numbers reported as over-long. */
  overlong: number[];
}

function read(t: FileTailer): Read {
  const lines: [number, string][] = [];
  const overlong: number[] = [];
  const res = t.refresh(
    (line, n) => lines.push([n, line]),
    (n) => overlong.push(n),
  );
  return { res, lines, overlong };
}

const size = (s: string): number => Buffer.byteLength(s, "utf8");

describe("FileTailer: reading and appending", () => {
  test("the first read delivers every complete line, numbered from 1, and reports the bytes read", () => {
    const text = '{"a":1}\n{"b":2}\n{"c":"é"}\n';
    fs.writeFileSync(file, text);
    const t = new FileTailer(file, BIG);
    const r = read(t);
    expect(r.lines).toEqual([
      [1, '{"a":1}'],
      [2, '{"b":2}'],
      [3, '{"c":"é"}'],
    ]);
    expect(r.res).toEqual({ bytes: size(text), lines: 3, restarted: false, gone: false, error: null, deferred: false });
    expect(r.overlong).toEqual([]);
  });

  test("an empty file reads nothing and is not an error", () => {
    fs.writeFileSync(file, "");
    const r = read(new FileTailer(file, BIG));
    expect(r.lines).toEqual([]);
    expect(r.res).toEqual({ bytes: 0, lines: 0, restarted: false, gone: false, error: null, deferred: false });
  });

  test("a refresh with nothing new reads 0 bytes and delivers nothing", () => {
    fs.writeFileSync(file, "one\ntwo\n");
    const t = new FileTailer(file, BIG);
    read(t);
    const again = read(t);
    expect(again.lines).toEqual([]);
    expect(again.res.bytes).toBe(0);
    expect(again.res.lines).toBe(0);
    expect(again.res.restarted).toBe(false);
  });

  test("after an append only the appended bytes are read, and numbering continues", () => {
    fs.writeFileSync(file, "one\ntwo\n");
    const t = new FileTailer(file, BIG);
    expect(read(t).res.bytes).toBe(8);
    const appended = "three\nfour 🎉\n";
    fs.appendFileSync(file, appended);
    const r = read(t);
    expect(r.res.bytes).toBe(size(appended));
    expect(r.res.restarted).toBe(false);
    expect(r.lines).toEqual([
      [3, "three"],
      [4, "four 🎉"],
    ]);
  });

  test("a partial last line is held back, then delivered once, whole, with the right number when it completes", () => {
    fs.writeFileSync(file, '{"n":1}\n{"n":2,"te');
    const t = new FileTailer(file, BIG);
    const first = read(t);
    expect(first.lines).toEqual([[1, '{"n":1}']]);
    expect(first.res.lines).toBe(1);

    fs.appendFileSync(file, 'xt":"ha');
    const middle = read(t);
    expect(middle.lines).toEqual([]);
    expect(middle.res.bytes).toBe(7);

    fs.appendFileSync(file, 'lf"}\n{"n":3}\n');
    const last = read(t);
    expect(last.res.bytes).toBe(size('lf"}\n{"n":3}\n'));
    expect(last.lines).toEqual([
      [2, '{"n":2,"text":"half"}'],
      [3, '{"n":3}'],
    ]);
    expect(read(t).lines).toEqual([]);
  });

  test("a multi-byte character split across two appends is decoded exactly", () => {
    const emoji = Buffer.from("🎉", "utf8"); // 4 bytes
    fs.writeFileSync(file, Buffer.concat([Buffer.from('{"t":"'), emoji.subarray(0, 2)]));
    const t = new FileTailer(file, BIG);
    expect(read(t).lines).toEqual([]);
    fs.appendFileSync(file, Buffer.concat([emoji.subarray(2), Buffer.from('"}\n')]));
    expect(read(t).lines).toEqual([[1, '{"t":"🎉"}']]);
  });

  test("CRLF line endings are delivered without the CR", () => {
    fs.writeFileSync(file, "a\r\nb\r\n");
    expect(read(new FileTailer(file, BIG)).lines).toEqual([
      [1, "a"],
      [2, "b"],
    ]);
  });

  test("empty lines are delivered and counted, so later line numbers match the file", () => {
    fs.writeFileSync(file, "a\n\n\nb\n");
    expect(read(new FileTailer(file, BIG)).lines).toEqual([
      [1, "a"],
      [2, ""],
      [3, ""],
      [4, "b"],
    ]);
  });

  test("a file larger than one read chunk is read whole, including lines and characters that straddle chunk boundaries", () => {
    // Lines of varied length made of 1-, 2-, 3- and 4-byte characters, until the file spans more than two chunks.
    const expected: string[] = [];
    const parts: string[] = [];
    let bytes = 0;
    for (let i = 0; bytes < 2 * CHUNK_BYTES + 12345; i++) {
      const line = `{"i":${i},"s":"${"aé€🎉".repeat(1 + (i % 97))}"}`;
      expected.push(line);
      parts.push(line, "\n");
      bytes += size(line) + 1;
    }
    fs.writeFileSync(file, parts.join(""));
    const t = new FileTailer(file, BIG);
    const r = read(t);
    expect(r.res.bytes).toBe(bytes);
    expect(r.res.lines).toBe(expected.length);
    expect(r.lines.length).toBe(expected.length);
    let bad = -1;
    for (let i = 0; i < expected.length; i++) {
      const got = r.lines[i]!;
      if (got[0] !== i + 1 || got[1] !== expected[i]) {
        bad = i;
        break;
      }
    }
    expect(bad).toBe(-1);
  });

  test("binary junk does not throw: every newline-terminated piece is delivered with consecutive numbers, and a real line after it is intact", () => {
    // Seeded pseudo-random bytes, including NUL, 0xFF, lone continuation bytes and newlines.
    let seed = 12345;
    const junk = new Uint8Array(64 * 1024);
    for (let i = 0; i < junk.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      junk[i] = seed >>> 24;
    }
    junk[junk.length - 1] = 10;
    const newlines = junk.reduce((n, b) => n + (b === 10 ? 1 : 0), 0);
    fs.writeFileSync(file, junk);
    fs.appendFileSync(file, '{"type":"user"}\n');
    const t = new FileTailer(file, BIG);
    let r: Read | undefined;
    expect(() => {
      r = read(t);
    }).not.toThrow();
    expect(r!.res.error).toBeNull();
    expect(r!.res.bytes).toBe(junk.length + 16);
    expect(r!.lines.length).toBe(newlines + 1);
    expect(r!.lines.map(([n]) => n)).toEqual(Array.from({ length: newlines + 1 }, (_, i) => i + 1));
    expect(r!.lines.at(-1)).toEqual([newlines + 1, '{"type":"user"}']);
  });
});

describe("FileTailer: truncation, replacement, deletion", () => {
  test("a file that shrank is read again from the start and reported as restarted", () => {
    fs.writeFileSync(file, "one\ntwo\nthree\n");
    const t = new FileTailer(file, BIG);
    read(t);
    fs.writeFileSync(file, "new\n"); // same inode, truncated and rewritten shorter
    const r = read(t);
    expect(r.res.restarted).toBe(true);
    expect(r.res.bytes).toBe(4);
    expect(r.lines).toEqual([[1, "new"]]);
  });

  test("a file truncated to empty restarts, and a later append is numbered from line 1", () => {
    fs.writeFileSync(file, "one\ntwo\n");
    const t = new FileTailer(file, BIG);
    read(t);
    fs.truncateSync(file, 0);
    const r = read(t);
    expect(r.res.restarted).toBe(true);
    expect(r.lines).toEqual([]);
    fs.appendFileSync(file, "again\n");
    const r2 = read(t);
    expect(r2.res.restarted).toBe(false);
    expect(r2.lines).toEqual([[1, "again"]]);
  });

  test("truncation drops a pending partial line instead of gluing it to the new content", () => {
    fs.writeFileSync(file, "one\npartial-with-no-newline");
    const t = new FileTailer(file, BIG);
    expect(read(t).lines).toEqual([[1, "one"]]);
    fs.writeFileSync(file, "x\n");
    const r = read(t);
    expect(r.res.restarted).toBe(true);
    expect(r.lines).toEqual([[1, "x"]]);
  });

  test("a file replaced by a different file (rename over it, new inode) is read from the start even when it is larger", () => {
    fs.writeFileSync(file, "old-1\nold-2\n");
    const t = new FileTailer(file, BIG);
    read(t);
    const other = path.join(dir, "other.tmp");
    const text = "new-1\nnew-2\nnew-3 is longer than the old file\n";
    fs.writeFileSync(other, text);
    fs.renameSync(other, file);
    const r = read(t);
    expect(r.res.restarted).toBe(true);
    expect(r.res.bytes).toBe(size(text));
    expect(r.lines).toEqual([
      [1, "new-1"],
      [2, "new-2"],
      [3, "new-3 is longer than the old file"],
    ]);
  });

  test("a file rewritten in place (same inode, truncated and written again past the old end) is read from the start", () => {
    fs.writeFileSync(file, '{"first":"version"}\n{"n":2}\n');
    const t = new FileTailer(file, BIG);
    read(t);
    const fd = fs.openSync(file, "r+");
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, '{"second":"version, longer than before"}\n{"n":2}\n{"n":3}\n', 0);
    fs.closeSync(fd);
    const r = read(t);
    expect(r.res.restarted).toBe(true);
    expect(r.lines).toEqual([
      [1, '{"second":"version, longer than before"}'],
      [2, '{"n":2}'],
      [3, '{"n":3}'],
    ]);
  });

  test("an append keeps reading from the offset (the first bytes are unchanged)", () => {
    fs.writeFileSync(file, '{"a":1}\n');
    const t = new FileTailer(file, BIG);
    read(t);
    fs.appendFileSync(file, '{"b":2}\n');
    const r = read(t);
    expect(r.res.restarted).toBe(false);
    expect(r.lines).toEqual([[2, '{"b":2}']]);
  });

  test("a deleted file reports gone, delivers nothing and does not throw", () => {
    fs.writeFileSync(file, "one\n");
    const t = new FileTailer(file, BIG);
    read(t);
    fs.unlinkSync(file);
    const r = read(t);
    expect(r.res.gone).toBe(true);
    expect(r.res.error).toBeNull();
    expect(r.lines).toEqual([]);
  });

  test("a path that never existed reports gone", () => {
    const r = read(new FileTailer(path.join(dir, "missing.jsonl"), BIG));
    expect(r.res).toEqual({ bytes: 0, lines: 0, restarted: false, gone: true, error: null, deferred: false });
  });

  test("a path that is a directory, not a file, reports gone", () => {
    const sub = path.join(dir, "dir.jsonl");
    fs.mkdirSync(sub);
    const r = read(new FileTailer(sub, BIG));
    expect(r.res.gone).toBe(true);
    expect(r.lines).toEqual([]);
  });

  test("after the file was reported gone, a new file at the same path is read from line 1 (even if the filesystem reuses the inode)", () => {
    fs.writeFileSync(file, "a\n");
    const t = new FileTailer(file, BIG);
    read(t);
    fs.unlinkSync(file);
    expect(read(t).res.gone).toBe(true);
    fs.writeFileSync(file, "first\nsecond\n"); // ext4 and tmpfs typically hand back the freed inode
    const r = read(t);
    expect(r.lines).toEqual([
      [1, "first"],
      [2, "second"],
    ]);
  });
});

describe("FileTailer: over-long lines", () => {
  test("a line that grows past maxLine across appends is reported once with its line number, and later lines keep correct numbers", () => {
    const t = new FileTailer(file, 100);
    fs.writeFileSync(file, "short\n" + "x".repeat(60));
    const r1 = read(t);
    expect(r1.lines).toEqual([[1, "short"]]);
    expect(r1.overlong).toEqual([]);

    fs.appendFileSync(file, "y".repeat(80)); // 140 bytes, still no newline
    const r2 = read(t);
    expect(r2.overlong).toEqual([2]);
    expect(r2.lines).toEqual([]);

    fs.appendFileSync(file, "z".repeat(500)); // still growing: not reported again
    const r3 = read(t);
    expect(r3.overlong).toEqual([]);
    expect(r3.lines).toEqual([]);

    fs.appendFileSync(file, "end of long\nnext\nafter\n");
    const r4 = read(t);
    expect(r4.overlong).toEqual([]);
    expect(r4.lines).toEqual([
      [3, "next"],
      [4, "after"],
    ]);
  });

  test("an over-long first line with no newline yet is reported as line 1", () => {
    const t = new FileTailer(file, 100);
    fs.writeFileSync(file, "q".repeat(150));
    const r = read(t);
    expect(r.overlong).toEqual([1]);
    expect(r.lines).toEqual([]);
    fs.appendFileSync(file, "\nok\n");
    expect(read(t).lines).toEqual([[2, "ok"]]);
  });

  test("an over-long line written whole in one go is reported (not delivered) and the lines around it keep their numbers", () => {
    const t = new FileTailer(file, 100);
    fs.writeFileSync(file, "before\n" + "L".repeat(500) + "\nafter\n");
    const r = read(t);
    expect(r.overlong).toEqual([2]);
    expect(r.lines).toEqual([
      [1, "before"],
      [3, "after"],
    ]);
  });

  test("a line of exactly maxLine bytes is delivered normally", () => {
    const t = new FileTailer(file, 100);
    const exact = "e".repeat(100);
    fs.writeFileSync(file, exact);
    expect(read(t).overlong).toEqual([]);
    fs.appendFileSync(file, "\n");
    expect(read(t).lines).toEqual([[1, exact]]);
  });

  test("truncation while skipping an over-long line starts clean from line 1", () => {
    const t = new FileTailer(file, 100);
    fs.writeFileSync(file, "w".repeat(300));
    expect(read(t).overlong).toEqual([1]);
    fs.writeFileSync(file, "fresh\n");
    const r = read(t);
    expect(r.res.restarted).toBe(true);
    expect(r.lines).toEqual([[1, "fresh"]]);
  });
});

describe("FileTailer: unreadable file", () => {
  // Tests run as root here; root can usually read a chmod-000 file, in which case this case cannot be tested.
  const rootCanRead = (() => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "claude-dash-perm-"));
    const f = path.join(d, "probe");
    try {
      fs.writeFileSync(f, "x");
      fs.chmodSync(f, 0o000);
      try {
        fs.closeSync(fs.openSync(f, "r"));
        return true;
      } catch {
        return false;
      }
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  })();

  test.skipIf(rootCanRead)("a file that cannot be opened reports an error (not gone), and is read normally once it becomes readable", () => {
    fs.writeFileSync(file, "one\ntwo\n");
    fs.chmodSync(file, 0o000);
    const t = new FileTailer(file, BIG);
    const r = read(t);
    expect(r.res.gone).toBe(false);
    expect(r.res.error).not.toBeNull();
    expect(r.lines).toEqual([]);
    fs.chmodSync(file, 0o644);
    const r2 = read(t);
    expect(r2.res.error).toBeNull();
    expect(r2.lines).toEqual([
      [1, "one"],
      [2, "two"],
    ]);
  });
});
