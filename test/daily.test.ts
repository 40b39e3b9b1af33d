// The dashboard as a daily driver (issue 14): what an experienced user of btop, k9s or lazygit would trip over,
// each tried through the app as a user drives it (keys, clicks, frames) on built data with a fixed clock.
import { describe, expect, test } from "bun:test";
import { memoryStore } from "../src/ingest/store-open.ts";
import { StoreQueries } from "../src/ingest/store-query.ts";
import type { ModelEvent } from "../src/model/events.ts";
import { DashboardApp, type AppOptions } from "../src/ui/app.ts";
import { CellGrid } from "../src/ui/grid.ts";
import { MIN, NOW, response } from "./builders.ts";

process.env.TZ = "UTC";

const OPTS: AppOptions = { windowHours: 12, bucketMinutes: null, activeWindowHours: 1, banner: null, account: null, still: true, allowance: false };

/** An app over a store that the test can add transcript facts to later (as a file being appended to). */
function live(events: ModelEvent[], opts: Partial<AppOptions> = {}) {
  const store = memoryStore();
  let n = 0;
  const add = (more: ModelEvent[]) => store.putEvents(`/t/file-${n++}.jsonl`, more);
  add(events);
  const app = new DashboardApp(new StoreQueries(store), { ...OPTS, ...opts });
  const frame = (w = 160, h = 50, now = NOW) => {
    const g = new CellGrid(w, h);
    app.render(g, now, now);
    return g.toPlain().split("\n");
  };
  return { app, add, frame };
}

const session = (id: string, project: string, minutesAgo: number) => response({ sessionId: id, cwd: `/home/dev/${project}`, time: NOW - minutesAgo * MIN, usage: { output: 100 } });

describe("the selection", () => {
  test("stays on its session when another session's new line moves that one to the top; Enter opens it", () => {
    const { app, add, frame } = live([session("a", "alpha", 5), session("b", "cli-tool", 10), session("c", "gamma", 20)]);
    const order = (rows: string[]) => rows.filter((l) => /alpha|cli-tool|gamma/.test(l) && l.includes("│ ")).map((l) => /alpha|cli-tool|gamma/.exec(l)![0]);
    expect(order(frame())).toEqual(["alpha", "cli-tool", "gamma"]);
    app.key({ name: "down" });
    frame();
    expect(app.ui.selectedId).toBe("b");
    add([response({ sessionId: "c", cwd: "/home/dev/gamma", time: NOW - MIN, usage: { output: 5 } })]);
    expect(order(frame())).toEqual(["gamma", "alpha", "cli-tool"]);
    expect(app.ui.selected).toBe(2); // the highlight moved down with cli-tool
    app.key({ name: "return" });
    expect(app.ui.popups.at(-1)).toMatchObject({ kind: "session", sessionId: "b" });
  });

  test("moves from where its session is now, and goes to the row's new session when its own left the list", () => {
    const { app, add, frame } = live([session("a", "alpha", 5), session("b", "beta", 10)]);
    frame();
    app.key({ name: "down" }); // b
    add([session("b", "beta", 1)]); // b to the top
    frame();
    expect(app.ui.selected).toBe(0);
    app.key({ name: "down" });
    expect(app.ui.selectedId).toBe("a");
    frame(160, 50, NOW + 58 * MIN); // b (last seen 1 min ago) stays, a (5 min) leaves the active hour
    expect(app.ui.selectedId).toBe("b");
  });
});
