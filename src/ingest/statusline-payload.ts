// The JSON Claude Code pipes to a status-line command after each assistant message (DESIGN.md §2.4), validated once
// at this boundary. Fields come and go between Claude Code's versions: every field is optional, a field of the wrong
// type is dropped on its own (the rest of the payload still counts), unknown fields are ignored. Text that will be
// shown (model names, directories) is cleaned later, where it is drawn; ids and paths are only compared and looked up.
import { z } from "zod";

const num = z.number().finite().optional().catch(undefined);
const str = z.string().max(4096).optional().catch(undefined);

const windowSchema = z
  .object({ used_percentage: z.number().finite().min(0).max(1000), resets_at: z.number().finite().positive().optional().catch(undefined) })
  .optional()
  .catch(undefined);

const schema = z.object({
  session_id: str,
  transcript_path: str,
  cwd: str,
  version: str,
  model: z.object({ id: str, display_name: str }).optional().catch(undefined),
  workspace: z.object({ current_dir: str, project_dir: str }).optional().catch(undefined),
  cost: z
    .object({ total_cost_usd: z.number().finite().min(0).max(1e7).optional().catch(undefined), total_duration_ms: num })
    .optional()
    .catch(undefined),
  context_window: z
    .object({
      context_window_size: z.number().finite().positive().optional().catch(undefined),
      used_percentage: z.number().finite().min(0).max(1000).optional().catch(undefined),
      current_usage: z
        .object({ input_tokens: num, output_tokens: num, cache_creation_input_tokens: num, cache_read_input_tokens: num })
        .nullable()
        .optional()
        .catch(undefined),
    })
    .optional()
    .catch(undefined),
  exceeds_200k_tokens: z.boolean().optional().catch(undefined),
  rate_limits: z.object({ five_hour: windowSchema, seven_day: windowSchema }).optional().catch(undefined),
});

export type StatusPayload = z.infer<typeof schema>;

interface PayloadRead {
  payload: StatusPayload | null;
  /** why there is no payload, said briefly on the line ("no payload", "unreadable payload", "payload too large"). */
  problem: string | null;
}

/** Stdin's text as a payload; never throws. `truncated`: more came than is read (see MAX_PAYLOAD_BYTES). */
export function parsePayload(text: string, truncated = false): PayloadRead {
  if (truncated) return { payload: null, problem: "payload too large" };
  if (text.trim() === "") return { payload: null, problem: "no payload" };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { payload: null, problem: "unreadable payload" };
  }
  // (parsed once per process: compiling a fast path for it would cost more than it saves)
  const r = schema.safeParse(raw, { jitless: true });
  if (!r.success) return { payload: null, problem: "unreadable payload" };
  return { payload: r.data, problem: null };
}

/** The 5-hour and weekly figures of a payload as recorded limits ("session", "weekly": the usage endpoint's kinds). */
export function payloadLimits(p: StatusPayload, time: number): { kind: "session" | "weekly"; percent: number; resetsAt: number | null; time: number }[] {
  const out: { kind: "session" | "weekly"; percent: number; resetsAt: number | null; time: number }[] = [];
  const at = (s: number | undefined) => (s === undefined ? null : s < 1e11 ? s * 1000 : s); // (epoch seconds; tolerate ms)
  if (p.rate_limits?.five_hour)
    out.push({ kind: "session", percent: p.rate_limits.five_hour.used_percentage, resetsAt: at(p.rate_limits.five_hour.resets_at), time });
  if (p.rate_limits?.seven_day)
    out.push({ kind: "weekly", percent: p.rate_limits.seven_day.used_percentage, resetsAt: at(p.rate_limits.seven_day.resets_at), time });
  return out;
}
