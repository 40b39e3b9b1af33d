// The macOS keychain, where Claude Code keeps its credentials on a Mac.
import { execFile } from "node:child_process";

/**
 * The password of a generic macOS keychain item (`security find-generic-password -s SERVICE -w`), or null on other
 * systems, when the item is missing, access is refused, or the command does not answer within `timeoutMs`.
 * The value is a secret: callers must never log or print it, and no detail of a failure is kept.
 */
export function readMacKeychain(service: string, timeoutMs = 3000): Promise<string | null> {
  if (process.platform !== "darwin") return Promise.resolve(null);
  return new Promise((resolve) => {
    try {
      execFile(
        "/usr/bin/security",
        ["find-generic-password", "-s", service, "-w"],
        { timeout: timeoutMs, encoding: "utf8", maxBuffer: 1 << 20, windowsHide: true },
        (err, stdout) => {
          if (err) return resolve(null);
          const value = String(stdout).trim();
          resolve(value.length > 0 ? value : null);
        },
      );
    } catch {
      resolve(null);
    }
  });
}
