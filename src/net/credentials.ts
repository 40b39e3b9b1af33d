// The OAuth access token of Claude Code, read afresh at each call and never cached, logged or printed.
// Sources, in order: `<root>/.credentials.json` for each config root, then (macOS) the keychain item
// "Claude Code-credentials". Every failure (missing file, unreadable, malformed JSON, no token) becomes "no token
// from this source" with no detail, so nothing read from a credentials file can reach a message.
import { readFile as fsReadFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { readMacKeychain } from "./keychain.ts";
import { registerSecret } from "../shared/sanitize.ts";

/** The keychain item (service name) where Claude Code keeps its credentials on macOS. */
export const KEYCHAIN_SERVICE = "Claude Code-credentials";

/** A token must be non-empty and safe in an HTTP header (visible ASCII, no spaces or line breaks). */
const Token = z
  .string()
  .trim()
  .min(1)
  .regex(/^[\x21-\x7e]+$/);

const CredentialsFile = z.object({
  claudeAiOauth: z.object({ accessToken: Token }),
});

interface CredentialSources {
  /** reads a whole file as UTF-8 text; rejects when it is missing. Default: node:fs/promises readFile. */
  readFile?: (path: string) => Promise<string>;
  /** the keychain item's value (JSON of the `.credentials.json` shape, or the raw token), or null. */
  keychain?: () => Promise<string | null>;
}

/**
 * The access token from the first root whose `.credentials.json` has one, else the keychain, else null. Never throws.
 * A token found is registered with the redactor (sanitize.ts) before it is returned: no output can carry it.
 */
export async function readAccessToken(roots: readonly string[], opts: CredentialSources = {}): Promise<string | null> {
  const token = await findAccessToken(roots, opts);
  registerSecret(token);
  return token;
}

async function findAccessToken(roots: readonly string[], opts: CredentialSources): Promise<string | null> {
  const readFile = opts.readFile ?? ((p: string) => fsReadFile(p, "utf8"));
  const keychain = opts.keychain ?? (() => readMacKeychain(KEYCHAIN_SERVICE));
  for (const root of roots) {
    let text: string;
    try {
      text = await readFile(join(root, ".credentials.json"));
    } catch {
      continue;
    }
    const token = tokenFromJsonText(text);
    if (token !== null) return token;
  }
  let value: string | null;
  try {
    value = await keychain();
  } catch {
    return null;
  }
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  if (trimmed.startsWith("{")) return tokenFromJsonText(trimmed);
  const raw = Token.safeParse(trimmed);
  return raw.success ? raw.data : null;
}

function tokenFromJsonText(text: string): string | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = CredentialsFile.safeParse(json);
  return parsed.success ? parsed.data.claudeAiOauth.accessToken : null;
}
