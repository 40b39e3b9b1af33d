// The strings the facts hold as small numbers: model, agent and tool names (table `names`) and session ids (table
// `sessions`), each kept once and cached both ways for the life of a connection.
import type { SqlDatabase } from "../sqlite.ts";
import { redact } from "../shared/sanitize.ts";

/** Strings kept once in a table (`column`, unique) and held by the facts as its row ids, both ways cached. */
export class Interned {
  private ids = new Map<string, number>();
  private texts = new Map<number, string>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly table: string,
    private readonly column: string,
  ) {}

  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      // (kept as the redactor leaves it: a transcript's model name or session id holding a credential of this run is
      // stored without it; the text a query gives back finds the same row)
      const kept = redact(s);
      const r = this.db.run(`INSERT INTO ${this.table} (${this.column}) VALUES (?) ON CONFLICT DO NOTHING`, kept);
      id = r.changes > 0 ? r.lastInsertRowid : this.db.get<{ id: number }>(`SELECT id FROM ${this.table} WHERE ${this.column} = ?`, kept)!.id;
      this.ids.set(s, id);
      this.ids.set(kept, id);
      this.texts.set(id, kept);
    }
    return id;
  }

  text(id: number): string {
    let s = this.texts.get(id);
    if (s === undefined) {
      s = this.db.get<Record<string, string>>(`SELECT ${this.column} AS v FROM ${this.table} WHERE id = ?`, id)?.v ?? "?";
      this.texts.set(id, s);
      this.ids.set(s, id);
    }
    return s;
  }
}
