// The OTLP/HTTP receiver: `POST /v1/logs` and `POST /v1/metrics`, bodies in protobuf or JSON, optionally gzip,
// chunked or with a Content-Length, answered as the OTLP specification says. node:http only (Bun, Node and Deno
// all implement it), so no runtime-specific API is needed here.
//
// Status codes: 200 (empty body, or partialSuccess when records were left out), 400 undecodable body,
// 401 missing/wrong shared secret, 404 other paths, 405 other methods, 408 body not received within the timeout,
// 413 body (on the wire, or once decompressed) above `maxBytes`, 415 other content types or encodings,
// 500 a handler threw, 503 (Retry-After) too many requests at once. Error bodies are a google.rpc.Status in the
// request's encoding (text/plain when the Content-Type named none we know).
//
// Memory is bounded: a declared Content-Length above the limit is refused before any byte is read; a chunked body is
// counted as it arrives and refused as soon as it passes the limit (what arrives after that is discarded, never
// kept); gzip is inflated with an output cap, so a small "gzip bomb" costs at most `maxBytes`; at most
// `maxConcurrent` bodies are held at once. A client that stalls mid-body gets 408 after `bodyTimeoutMs` and only
// ever holds its own request: others are served meanwhile (the server never waits on one socket).
import { cleanText } from "../shared/sanitize.ts";
import { createHash, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { decodeLogs, decodeMetrics, type Decoded, type OtlpLogsRequest, type OtlpMetricsRequest } from "./otlp-decode.ts";
import { type BodyEncoding, encodeExportResponse, encodeStatus, OtlpDecodeError, type Signal } from "./otlp-wire.ts";
import { type Clock, realClock } from "../shared/clock.ts";

const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
const DEFAULT_BODY_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_CONCURRENT = 64;
/** Requests one client address may have in progress at once (default): one client cannot take every slot. */
const DEFAULT_MAX_PER_CLIENT = 16;
/** After the first seconds, a body must keep arriving at least this fast (bytes a second) or the client is cut off. */
const DEFAULT_MIN_BYTES_PER_SECOND = 1024;
const RATE_GRACE_MS = 2000;
/** Headers must be complete within this (a client that dribbles its headers holds a connection, never a slot). */
const HEADERS_TIMEOUT_MS = 10_000;
/** How often a body's pace is checked against `minBytesPerSecond`. */
const PACE_CHECK_MS = 500;

/** What a handler may answer: records it could not use (reported back to the sender as a partial success). */
export interface OtlpHandlerResult {
  rejected: number;
  message?: string;
}

type OtlpHandlerReturn = OtlpHandlerResult | undefined | Promise<OtlpHandlerResult | undefined>;

/** About the request a handler is given. */
export interface OtlpRequestInfo {
  encoding: BodyEncoding;
  /** body bytes as received (before any decompression) */
  bytes: number;
  /** records left out by the decoder for a field of the wrong type (already part of the partial success) */
  rejectedByDecoder: number;
}

interface OtlpReceiverOptions {
  host: string;
  /** 0 picks a free port */
  port: number;
  /** when set, requests must carry `Authorization: Bearer <token>` or `x-claude-dash-token: <token>` */
  token?: string | null;
  /** the largest body accepted, on the wire and once decompressed (default 8 MiB) */
  maxBytes?: number;
  /** how long a request body may take to arrive (default 30 s) */
  bodyTimeoutMs?: number;
  /** requests being received or decoded at once; more get 503 with Retry-After (default 64) */
  maxConcurrent?: number;
  /** of those, from one client address at once (default 16) */
  maxPerClient?: number;
  /** the slowest a body may arrive after its first 2 s, in bytes a second (default 1024); slower gets 408 */
  minBytesPerSecond?: number;
  /** what bodyTimeoutMs and minBytesPerSecond are timed with (default the real clock and timers) */
  clock?: Clock;
  onLogs(req: OtlpLogsRequest, info: OtlpRequestInfo): OtlpHandlerReturn;
  onMetrics(req: OtlpMetricsRequest, info: OtlpRequestInfo): OtlpHandlerReturn;
  /** `GET /metrics`: the exposition text (Prometheus format); without it /metrics is 404. Guarded by `token` too. */
  onScrape?(): string;
  /** every request answered with an error status, for logging (never throws into the server) */
  onError?(e: { status: number; message: string; path: string }): void;
}

export interface OtlpReceiver {
  /** the port listened on (the one picked when `port` was 0) */
  port: number;
  /** e.g. http://127.0.0.1:4318 */
  url: string;
  /** stops listening and closes every connection */
  stop(): Promise<void>;
  /** clients cut off for sending too slowly (or stalling), and requests refused because one client had too many */
  readonly stats: { slowClients: number; overClientCap: number };
}

const gunzip = promisify(zlib.gunzip) as (buf: Uint8Array, opts: zlib.ZlibOptions) => Promise<Buffer>;

/** How long the rest of a refused body is read and dropped before the connection is closed (see lingerThenClose). */
const LINGER_MS = 1000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** How many requests are being read at once, in all and per client: a request over either limit gets a 503. */
class Admission {
  private inFlight = 0;
  private readonly perClient = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly maxPerClient: number,
    readonly stats: { slowClients: number; overClientCap: number },
  ) {}

  /** Counts the request in, or throws the 503 it gets. */
  admit(client: string): void {
    if (this.inFlight >= this.max) throw new HttpError(503, "too many requests at once", { "Retry-After": "1" });
    if ((this.perClient.get(client) ?? 0) >= this.maxPerClient) {
      this.stats.overClientCap++;
      throw new HttpError(503, `too many requests at once from ${client}`, { "Retry-After": "1" });
    }
    this.inFlight++;
    this.perClient.set(client, (this.perClient.get(client) ?? 0) + 1);
  }

  release(client: string): void {
    this.inFlight--;
    const n = (this.perClient.get(client) ?? 1) - 1;
    if (n > 0) this.perClient.set(client, n);
    else this.perClient.delete(client);
  }
}

interface Limits {
  maxBytes: number;
  bodyTimeoutMs: number;
  minRate: number;
  tokenDigest: Buffer | null;
  clock: Clock;
}

/** Which signal a request is for, once it passed the checks that need no body (endpoint, method, token, type, size). */
function checkRequest(
  req: http.IncomingMessage,
  path: string,
  limits: Limits,
  seen: { encoding: BodyEncoding | null },
): { signal: Signal; encoding: BodyEncoding; gzip: boolean } {
  const signal: Signal | null = path === "/v1/logs" ? "logs" : path === "/v1/metrics" ? "metrics" : null;
  if (!signal) throw new HttpError(404, `no such endpoint: ${quote(path)} (use /v1/logs or /v1/metrics)`);
  if (req.method !== "POST") throw new HttpError(405, `${quote(req.method)} is not allowed (use POST)`, { Allow: "POST" });
  const encoding = encodingOf(req.headers["content-type"]);
  seen.encoding = encoding; // (errors from here on are answered in the request's encoding)
  if (limits.tokenDigest && !authorized(req.headers, limits.tokenDigest)) {
    throw new HttpError(401, "missing or wrong token (send Authorization: Bearer <token>)", { "WWW-Authenticate": 'Bearer realm="claude-dash"' });
  }
  if (!encoding) throw new HttpError(415, `unsupported Content-Type ${quote(req.headers["content-type"])} (use application/x-protobuf or application/json)`);
  const gzip = contentCoding(req.headers["content-encoding"]);
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limits.maxBytes)
    throw new HttpError(413, `body of ${declared} bytes is above the limit of ${limits.maxBytes}`);
  return { signal, encoding, gzip };
}

/** `GET /metrics` (HEAD too): the counters as exposition text, behind the same token as /v1/*. */
function scrape(req: http.IncomingMessage, res: http.ServerResponse, limits: Limits, text: () => string): void {
  if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, `${quote(req.method)} is not allowed (use GET)`, { Allow: "GET, HEAD" });
  if (limits.tokenDigest && !authorized(req.headers, limits.tokenDigest)) {
    throw new HttpError(401, "missing or wrong token (send Authorization: Bearer <token>)", { "WWW-Authenticate": 'Bearer realm="claude-dash"' });
  }
  const body = Buffer.from(text(), "utf8");
  res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Content-Length": String(body.length) });
  res.end(req.method === "HEAD" ? undefined : body);
}

/** Hands a decoded request to its handler; the export response (partial success) says what was left out. */
async function deliver(
  opts: OtlpReceiverOptions,
  signal: Signal,
  encoding: BodyEncoding,
  decoded: Decoded<OtlpLogsRequest | OtlpMetricsRequest>,
  bytes: number,
): Promise<Uint8Array> {
  const info: OtlpRequestInfo = { encoding, bytes, rejectedByDecoder: decoded.rejected };
  let result: Awaited<OtlpHandlerReturn>;
  try {
    result = await (signal === "logs" ? opts.onLogs(decoded.request as OtlpLogsRequest, info) : opts.onMetrics(decoded.request as OtlpMetricsRequest, info));
  } catch (e) {
    throw new HttpError(500, `the receiver could not store the batch: ${errorText(e)}`);
  }
  const handlerRejected = result && Number.isFinite(result.rejected) && result.rejected > 0 ? Math.floor(result.rejected) : 0;
  const rejected = decoded.rejected + handlerRejected;
  const message = [decoded.message, handlerRejected > 0 ? (result?.message ?? `${handlerRejected} rejected`) : null].filter(Boolean).join("; ") || null;
  return encodeExportResponse(signal, encoding, rejected, message);
}

/** Answers a failed request: an OTLP Status in the request's encoding (plain text when it had none). */
function sendError(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  e: unknown,
  encoding: BodyEncoding | null,
  path: string,
  report: (status: number, message: string, path: string) => void,
): void {
  const err = e instanceof HttpError ? e : e instanceof OtlpDecodeError ? new HttpError(400, e.message) : new HttpError(500, `internal error: ${errorText(e)}`);
  const message = printable(err.message);
  report(err.status, message, printable(path));
  const complete = req.complete;
  if (!res.headersSent && !res.writableEnded) {
    // The OTLP status code for a google.rpc.Status: 3 INVALID_ARGUMENT for client errors, 14 UNAVAILABLE for
    // retryable ones, 13 INTERNAL otherwise.
    const rpcCode = err.status === 503 || err.status === 408 ? 14 : err.status >= 500 ? 13 : 3;
    if (encoding) send(res, err.status, encoding, encodeStatus(encoding, rpcCode, message), err.headers);
    else sendText(res, err.status, message, err.headers);
  }
  if (!complete) lingerThenClose(req);
}

export async function startOtlpReceiver(opts: OtlpReceiverOptions): Promise<OtlpReceiver> {
  const limits: Limits = {
    maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES,
    bodyTimeoutMs: opts.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
    minRate: opts.minBytesPerSecond ?? DEFAULT_MIN_BYTES_PER_SECOND,
    tokenDigest: opts.token ? sha256(opts.token) : null,
    clock: opts.clock ?? realClock,
  };
  const gate = new Admission(opts.maxConcurrent ?? DEFAULT_MAX_CONCURRENT, opts.maxPerClient ?? DEFAULT_MAX_PER_CLIENT, { slowClients: 0, overClientCap: 0 });
  const report = (status: number, message: string, path: string) => {
    try {
      opts.onError?.({ status, message, path });
    } catch {
      // a logging hook must not take the server down
    }
  };
  const sockets = new Set<Socket>();
  const server = createServer(limits, sockets, (req, res) => handle(req, res, { opts, limits, gate, report }));
  await listen(server, opts.port, opts.host);
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(":") ? `[${opts.host}]` : opts.host;
  return {
    port,
    url: `http://${host}:${port}`,
    stats: gate.stats,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

/** What a request is handled with: the options, the limits, the admission gate and the error hook. */
interface Receiving {
  opts: OtlpReceiverOptions;
  limits: Limits;
  gate: Admission;
  report: (status: number, message: string, path: string) => void;
}

/**
 * One request, from its headers to its answer: the checks that need no body first, then a slot (held while the body
 * is read, inflated and decoded, the steps that cost memory), then the handler, outside the slot.
 */
async function handle(req: http.IncomingMessage, res: http.ServerResponse, r: Receiving): Promise<void> {
  const path = pathOf(req.url);
  const client = req.socket.remoteAddress ?? "?";
  const seen: { encoding: BodyEncoding | null } = { encoding: null };
  let admitted = false;
  try {
    if (path === "/metrics" && r.opts.onScrape) return scrape(req, res, r.limits, r.opts.onScrape);
    const { signal, encoding, gzip } = checkRequest(req, path, r.limits, seen);
    r.gate.admit(client);
    admitted = true;
    const wire = await readBody(req, r.limits).catch((e) => {
      if (e instanceof HttpError && e.status === 408) r.gate.stats.slowClients++;
      throw e;
    });
    const body = gzip ? await inflate(wire, r.limits.maxBytes) : wire;
    const decoded = signal === "logs" ? decodeLogs(body, encoding) : decodeMetrics(body, encoding);
    r.gate.release(client);
    admitted = false;
    send(res, 200, encoding, await deliver(r.opts, signal, encoding, decoded, wire.length));
  } catch (e) {
    sendError(req, res, e, seen.encoding, path, r.report);
  } finally {
    if (admitted) r.gate.release(client);
  }
}

/**
 * The HTTP server around `handle`: no error of a request, a response or a socket reaches the process, every socket is
 * tracked (so stop() can close them), and Node's own timers stand behind ours.
 */
function createServer(limits: Limits, sockets: Set<Socket>, handleOne: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>): http.Server {
  const server = http.createServer((req, res) => {
    req.on("error", () => {});
    res.on("error", () => {});
    handleOne(req, res).catch(() => {
      try {
        req.socket.destroy();
      } catch {
        // already gone
      }
    });
  });
  // Node's own timers as a backstop behind ours (a client that never finishes its headers, an idle connection).
  server.headersTimeout = Math.min(HEADERS_TIMEOUT_MS, Math.max(1000, limits.bodyTimeoutMs));
  server.requestTimeout = limits.bodyTimeoutMs * 2;
  server.keepAliveTimeout = 5000;
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
  });
  server.on("clientError", (_err: Error, socket: Socket) => {
    try {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      else socket.destroy();
    } catch {
      // nothing more to do for a broken connection
    }
  });
  return server;
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      server.on("error", () => {});
      resolve();
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Request parts

function pathOf(url: string | undefined): string {
  const u = url ?? "/";
  if (!u.startsWith("/")) {
    try {
      return new URL(u).pathname;
    } catch {
      return u;
    }
  }
  const q = u.indexOf("?");
  return q < 0 ? u : u.slice(0, q);
}

/** The body encoding named by a Content-Type, or null for anything else. */
function encodingOf(contentType: string | undefined): BodyEncoding | null {
  if (!contentType) return null;
  const mime = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  if (mime === "application/x-protobuf" || mime === "application/protobuf") return "protobuf";
  if (mime === "application/json") return "json";
  return null;
}

/** true for gzip, false for none; throws 415 for other codings. */
function contentCoding(header: string | undefined): boolean {
  const v = (header ?? "").trim().toLowerCase();
  if (v === "" || v === "identity") return false;
  if (v === "gzip" || v === "x-gzip") return true;
  throw new HttpError(415, `unsupported Content-Encoding ${quote(header)} (use gzip or none)`);
}

function sha256(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

/** Bearer token or x-claude-dash-token, compared in constant time (digests of equal length, so the token's length
 * does not leak either). */
function authorized(headers: http.IncomingHttpHeaders, expected: Buffer): boolean {
  const candidates: string[] = [];
  const auth = headers.authorization;
  if (typeof auth === "string") {
    const m = /^\s*bearer\s+(.+?)\s*$/i.exec(auth);
    if (m?.[1]) candidates.push(m[1]);
  }
  const own = headers["x-claude-dash-token"];
  if (typeof own === "string") candidates.push(own.trim());
  let ok = false;
  for (const c of candidates) ok = timingSafeEqual(sha256(c), expected) || ok;
  return ok;
}

/**
 * The whole body, refused (413) as soon as it passes `max` bytes, timed out (408) after `timeoutMs`, and cut off (408)
 * when, after its first seconds, it arrives slower than `minRate` bytes a second on average: a client trickling a
 * body holds a slot for seconds, not for as long as it likes.
 */
function readBody(req: http.IncomingMessage, limits: Limits): Promise<Buffer> {
  const { maxBytes: max, bodyTimeoutMs: timeoutMs, minRate, clock } = limits;
  return new Promise<Buffer>((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const started = clock.now();
    const checkPace = () => {
      const elapsed = clock.now() - started;
      if (elapsed >= RATE_GRACE_MS && (size * 1000) / elapsed < minRate)
        finish(new HttpError(408, `the body arrived too slowly (${size} bytes in ${(elapsed / 1000).toFixed(1)} s)`));
      else pace = clock.setTimeout(checkPace, PACE_CHECK_MS);
    };
    let pace = clock.setTimeout(checkPace, PACE_CHECK_MS);
    const finish = (err: HttpError | null) => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      clock.clearTimeout(pace);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("close", onClose);
      if (err) {
        chunks = [];
        reject(err);
      } else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer | string) => {
      const b = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      size += b.length;
      if (size > max) return finish(new HttpError(413, `body is above the limit of ${max} bytes`));
      chunks.push(b);
    };
    const onEnd = () => finish(null);
    const onClose = () => finish(new HttpError(400, "the client closed the connection before the body was complete"));
    const timer = clock.setTimeout(() => finish(new HttpError(408, `the body did not arrive within ${timeoutMs} ms`)), timeoutMs);
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("close", onClose);
  });
}

/** gunzip with an output cap: 413 past `max` bytes, 400 when it is not gzip. */
async function inflate(wire: Uint8Array, max: number): Promise<Uint8Array> {
  try {
    return await gunzip(wire, { maxOutputLength: max });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) throw new HttpError(413, `body is above the limit of ${max} bytes once decompressed`);
    throw new HttpError(400, `body is not valid gzip: ${errorText(e)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Answers

const CONTENT_TYPE: Record<BodyEncoding, string> = { json: "application/json", protobuf: "application/x-protobuf" };

function send(res: http.ServerResponse, status: number, encoding: BodyEncoding, body: Uint8Array, headers: Record<string, string> = {}): void {
  try {
    res.writeHead(status, { ...headers, "Content-Type": CONTENT_TYPE[encoding], "Content-Length": String(body.length) });
    res.end(body);
  } catch {
    // the connection is gone
  }
}

function sendText(res: http.ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(`${text}\n`, "utf8");
  try {
    res.writeHead(status, { ...headers, "Content-Type": "text/plain; charset=utf-8", "Content-Length": String(body.length) });
    res.end(body);
  } catch {
    // the connection is gone
  }
}

/**
 * After answering before the body was read (401, 413, 408, …): the rest of the body is read and dropped, so that the
 * client, which may still be sending, gets to read the answer (closing a socket with unread input resets it, and the
 * answer can be lost with it: HTTP's "lingering close"). When the body ends within LINGER_MS the connection stays
 * usable; otherwise it is closed then.
 */
function lingerThenClose(req: http.IncomingMessage): void {
  try {
    req.on("data", () => {});
    req.resume();
    if (req.complete) return;
    const timer = setTimeout(() => req.socket?.destroy(), LINGER_MS);
    timer.unref?.();
    req.once("end", () => clearTimeout(timer));
  } catch {
    // nothing more to do
  }
}

function errorText(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.length > 200 ? `${m.slice(0, 200)}…` : m;
}

/** Text safe to print on a terminal or in a log line (the one sanitizer), at most 300 characters. */
function printable(s: string): string {
  return cleanText(s, 300);
}

/** A client-supplied string for a message: quoted, cut short. */
function quote(s: string | undefined): string {
  const v = s ?? "";
  return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
}
