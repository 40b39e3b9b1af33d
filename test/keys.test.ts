// Keys from one table: every key the table binds does what the table says, and the help overlay lists each row.
import { expect, test } from "bun:test";
import { keyAction, KEYS } from "../src/ui/ui-state.ts";
import { HELP_KEYS } from "../src/ui/widgets/help.ts";

test("every bound key acts as its table row says; unbound keys do nothing", () => {
  for (const row of KEYS)
    for (const [name, action] of Object.entries(row.bind)) {
      const press = name.startsWith("ctrl+") ? { name: name.slice(5), ctrl: true } : { name };
      expect(keyAction(press, 10)).toEqual(action(10));
    }
  expect(keyAction({ name: "x" }, 10)).toBeNull();
  expect(keyAction({ name: "t" }, 10)).toEqual({ type: "cycleSource" });
  expect(keyAction({ name: "pagedown" }, 7)).toEqual({ type: "scroll", delta: 7 });
});

test("the help lists every row of the table, t and u included", () => {
  expect(HELP_KEYS).toEqual(KEYS.map((k) => [k.label, k.help]));
  expect(HELP_KEYS.map(([k]) => k)).toContain("t");
  expect(HELP_KEYS.map(([k]) => k)).toContain("u");
});
