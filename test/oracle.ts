// The tests' oracle for the model's dollars: the in-memory state's responses priced one by one and added up. The
// views price the store's summed cells (priceCell on a group), so comparing the two checks one against the other.
import { addUsage } from "../src/model/events.ts";
import { type Price, priceCell } from "../src/model/pricing.ts";
import { emptyTotals, type ModelState, type ResponseRec, type Totals } from "../src/model/state.ts";

/** The price one response got: its model's rates at its class, with the state's --price-per-mtok. */
export function recPrice(s: ModelState, r: ResponseRec): Price {
  return priceCell({ model: r.model, cls: r.cls, usage: r.usage }, s.priceOverride).price;
}

/** The state's responses (one session's, when given) summed: tokens, effective tokens and dollars. */
export function stateTotals(s: ModelState, sessionId?: string): Totals {
  const t = emptyTotals();
  const recs = sessionId === undefined ? s.responses.values() : (s.sessions.get(sessionId)?.responses ?? []);
  for (const r of recs) {
    t.responses++;
    addUsage(t, r.usage, 1);
    t.effectiveTokens += r.effective;
    t.costUSD += priceCell({ model: r.model, cls: r.cls, usage: r.usage }, s.priceOverride).usd;
  }
  return t;
}
