// OTLP/HTTP request bodies (ExportLogsServiceRequest, ExportMetricsServiceRequest) in either encoding, decoded into
// ONE plain shape: the part of the OTLP/JSON form that the mapping (otlp-map.ts) reads, normalised so that a mapper
// never needs to know which encoding arrived. The bytes themselves (protobuf, JSON.parse) are otlp-wire.ts's job.
//
// What is kept: each resource's attributes; each log record's times, event name, body and attributes; each metric's
// name, and a sum's temporality and number points (times, value, attributes). Everything else (scopes, schema URLs,
// severities, trace and span ids, flags, dropped counts, descriptions, units, gauges, histograms, summaries) is
// never read, so it is neither decoded nor checked: it is ignored like an unknown field, whatever its type.
//
// The normalised shape (both encodings give exactly this):
// - field names lowerCamelCase (JSON senders may also use the proto's snake_case names; both are read);
// - 64-bit integers (intValue, asInt, *UnixNano) as decimal strings; timestamps are always present ("0" when unset);
//   doubles as numbers (NaN/±Infinity kept as numbers); the temporality as a number (a JSON sender may spell it by
//   name); bytesValue base64; repeated fields always arrays;
// - an AnyValue has at most one of its keys (none for an empty value).
//
// Undecodable input (not protobuf, not JSON, invalid UTF-8, or a container of the wrong type: the request, a
// resourceLogs/scopeLogs entry, a resource) throws OtlpDecodeError → HTTP 400: there is no sensible part of such a
// batch to keep, and the OpenTelemetry Collector answers 400 too. A single RECORD (log record, or data point) with a
// field of the wrong type is left out and counted in `rejected`, the rest of the batch is kept, and the receiver
// answers 200 with partialSuccess. One malformed attribute entry is dropped on its own (the record stays), like the
// mapper does.
import { type BodyEncoding, errorText, isObj, type Obj, OtlpDecodeError, rawRequest, temporalityValues } from "./otlp-wire.ts";

// ---------------------------------------------------------------------------------------------------------------
// The normalised shapes

/** At most one key is set; none for an empty value. */
export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64 as a decimal string */
  intValue?: string;
  doubleValue?: number;
  /** base64 */
  bytesValue?: string;
  arrayValue?: { values: AnyValue[] };
  kvlistValue?: { values: KeyValue[] };
}

export interface KeyValue {
  key: string;
  value: AnyValue;
}

interface Resource {
  attributes: KeyValue[];
}

interface LogRecord {
  /** nanoseconds since the epoch, decimal; "0" when unset */
  timeUnixNano: string;
  observedTimeUnixNano: string;
  /** OTLP ≥ 1.5 `event_name`; absent when unset */
  eventName?: string;
  body?: AnyValue;
  attributes: KeyValue[];
}

interface ScopeLogs {
  logRecords: LogRecord[];
}

interface ResourceLogs {
  resource: Resource;
  scopeLogs: ScopeLogs[];
}

export interface OtlpLogsRequest {
  resourceLogs: ResourceLogs[];
}

interface NumberDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  /** exactly one of asInt (decimal string) and asDouble is set, or neither */
  asInt?: string;
  asDouble?: number;
}

/** 0 unspecified, 1 delta, 2 cumulative */
type AggregationTemporality = number;

/** A metric's name, and its data when it is a sum (the only kind the mapping reads; other kinds are ignored). */
interface Metric {
  name: string;
  sum?: { dataPoints: NumberDataPoint[]; aggregationTemporality: AggregationTemporality };
}

interface ScopeMetrics {
  metrics: Metric[];
}

interface ResourceMetrics {
  resource: Resource;
  scopeMetrics: ScopeMetrics[];
}

export interface OtlpMetricsRequest {
  resourceMetrics: ResourceMetrics[];
}

export interface Decoded<T> {
  request: T;
  /** records (log records or sum data points) left out for a field of the wrong type */
  rejected: number;
  /** what was wrong with the first one left out, or null */
  message: string | null;
  /** log records or sum data points kept */
  accepted: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Entry points

/** Decodes an ExportLogsServiceRequest body. Throws OtlpDecodeError when it cannot be decoded. */
export function decodeLogs(body: Uint8Array, encoding: BodyEncoding): Decoded<OtlpLogsRequest> {
  const raw = rawRequest("logs", body, encoding);
  const ctx = new Ctx();
  const request: OtlpLogsRequest = {
    resourceLogs: list(raw, "resourceLogs", "resource_logs", "request").map((rl, i) => resourceLogs(ctx, rl, `resourceLogs[${i}]`)),
  };
  return { request, rejected: ctx.rejected, message: ctx.message, accepted: ctx.accepted };
}

/** Decodes an ExportMetricsServiceRequest body. Throws OtlpDecodeError when it cannot be decoded. */
export function decodeMetrics(body: Uint8Array, encoding: BodyEncoding): Decoded<OtlpMetricsRequest> {
  const raw = rawRequest("metrics", body, encoding);
  const ctx = new Ctx();
  const request: OtlpMetricsRequest = {
    resourceMetrics: list(raw, "resourceMetrics", "resource_metrics", "request").map((rm, i) => resourceMetrics(ctx, rm, `resourceMetrics[${i}]`)),
  };
  return { request, rejected: ctx.rejected, message: ctx.message, accepted: ctx.accepted };
}

// ---------------------------------------------------------------------------------------------------------------
// Raw object → the normalised shape

/** A record-level field of the wrong type: the record is left out. */
class Bad extends Error {}

class Ctx {
  rejected = 0;
  accepted = 0;
  message: string | null = null;
  reject(count: number, where: string, e: Bad): void {
    if (count <= 0) return;
    this.rejected += count;
    if (this.message === null) this.message = `${where}: ${e.message}`;
  }
}

/** A field by its JSON name or its proto name; null counts as absent (proto3 JSON). */
function field(o: Obj, camel: string, snake?: string): unknown {
  const v = o[camel];
  if (v !== undefined && v !== null) return v;
  if (snake === undefined) return undefined;
  const w = o[snake];
  return w === null ? undefined : w;
}

/** A repeated container field: absent → [], not an array → undecodable. */
function list(o: Obj, camel: string, snake: string, where: string): Obj[] {
  const v = field(o, camel, snake);
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new OtlpDecodeError(`${where}.${camel} is not an array`);
  for (let i = 0; i < v.length; i++) if (!isObj(v[i])) throw new OtlpDecodeError(`${where}.${camel}[${i}] is not an object`);
  return v as Obj[];
}

function str(o: Obj, camel: string, snake?: string): string {
  const v = field(o, camel, snake);
  if (v === undefined) return "";
  if (typeof v !== "string") throw new Bad(`${camel} must be a string`);
  return v;
}

const UINT64 = /^\d{1,20}$/;
const INT64 = /^-?\d{1,19}$/;
const UINT64_MAX = 18446744073709551615n;
const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;

/** A 64-bit integer (a decimal string or a JSON number) as a canonical decimal string. */
function integerString(v: unknown, name: string, signed: boolean): string {
  let out: string | null = null;
  if (typeof v === "string") {
    if ((signed ? INT64 : UINT64).test(v)) out = v.length > 1 ? v.replace(/^(-?)0+(?=\d)/, "$1") : v;
    if (out === "-0") out = "0";
  } else if (typeof v === "number" && Number.isInteger(v)) {
    out = Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
  }
  if (out !== null && out.length >= 19) {
    const n = BigInt(out);
    if (signed ? n < INT64_MIN || n > INT64_MAX : n > UINT64_MAX) out = null;
  }
  if (out === null || (!signed && out.startsWith("-")))
    throw new Bad(`${name} must be ${signed ? "a 64-bit" : "an unsigned 64-bit"} integer (a decimal string or a number)`);
  return out;
}

/** A uint64 timestamp as a decimal string; "0" when absent. */
function u64(o: Obj, camel: string, snake?: string): string {
  const v = field(o, camel, snake);
  return v === undefined ? "0" : integerString(v, camel, false);
}

function doubleOf(v: unknown, name: string): number {
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    if (v === "NaN") return NaN;
    if (v === "Infinity") return Infinity;
    if (v === "-Infinity") return -Infinity;
    const n = v.trim() === "" ? NaN : Number(v);
    if (Number.isFinite(n)) return n;
  }
  throw new Bad(`${name} must be a number`);
}

/** An enum: its number, or its name as proto3 JSON allows. */
function enumOf(o: Obj, camel: string, snake: string, values: Record<string, number>): number {
  const v = field(o, camel, snake);
  if (v === undefined) return 0;
  if (typeof v === "string") {
    const n = values[v];
    if (n !== undefined) return n;
  }
  if (typeof v === "number" && Number.isInteger(v)) return v;
  throw new Bad(`${camel} must be one of the enum's numbers or names`);
}

// ---------------------------------------------------------------------------------------------------------------
// Values and attributes (the mapping reads attribute values and a record's body)

const MAX_DEPTH = 32;
const ANY_KEYS = ["stringValue", "boolValue", "intValue", "doubleValue", "arrayValue", "kvlistValue", "bytesValue"] as const;
const ANY_SNAKE: Record<string, string> = {
  stringValue: "string_value",
  boolValue: "bool_value",
  intValue: "int_value",
  doubleValue: "double_value",
  arrayValue: "array_value",
  kvlistValue: "kvlist_value",
  bytesValue: "bytes_value",
};

function anyValue(v: unknown, depth: number): AnyValue {
  if (!isObj(v)) throw new Bad("a value must be an AnyValue object");
  if (depth > MAX_DEPTH) throw new Bad(`values nested deeper than ${MAX_DEPTH}`);
  let out: AnyValue | null = null;
  for (const key of ANY_KEYS) {
    const x = field(v, key, ANY_SNAKE[key]);
    if (x === undefined) continue;
    if (out) throw new Bad("an AnyValue has more than one value");
    out = oneValue(key, x, depth);
  }
  return out ?? {};
}

/** The AnyValue holding `x` as its `key`. */
function oneValue(key: (typeof ANY_KEYS)[number], x: unknown, depth: number): AnyValue {
  switch (key) {
    case "stringValue":
      if (typeof x !== "string") throw new Bad("stringValue must be a string");
      return { stringValue: x };
    case "boolValue":
      if (typeof x !== "boolean") throw new Bad("boolValue must be a boolean");
      return { boolValue: x };
    case "intValue":
      return { intValue: integerString(x, "intValue", true) };
    case "doubleValue":
      return { doubleValue: doubleOf(x, "doubleValue") };
    case "bytesValue":
      if (typeof x !== "string") throw new Bad("bytesValue must be a base64 string");
      return { bytesValue: x };
    case "arrayValue":
      return { arrayValue: { values: (valuesOf(x, key) ?? []).map((e) => anyValue(e, depth + 1)) } };
    case "kvlistValue":
      return { kvlistValue: { values: keyValues(valuesOf(x, key), depth + 1) } };
  }
}

/** The `values` of an arrayValue or a kvlistValue. */
function valuesOf(x: unknown, key: string): unknown[] | undefined {
  if (!isObj(x)) throw new Bad(`${key} must be an object`);
  const values = field(x, "values");
  if (values !== undefined && !Array.isArray(values)) throw new Bad(`${key}.values must be an array`);
  return values as unknown[] | undefined;
}

/** A KeyValue list; a malformed entry is dropped on its own. */
function keyValues(v: unknown[] | undefined, depth: number): KeyValue[] {
  const out: KeyValue[] = [];
  if (!v) return out;
  for (const kv of v) {
    if (!isObj(kv) || typeof kv.key !== "string") continue;
    const raw = kv.value;
    // The common case first: a plain string attribute.
    if (isObj(raw) && typeof raw.stringValue === "string" && Object.keys(raw).length === 1) {
      out.push({ key: kv.key, value: { stringValue: raw.stringValue } });
      continue;
    }
    if (raw === undefined || raw === null) {
      out.push({ key: kv.key, value: {} });
      continue;
    }
    try {
      out.push({ key: kv.key, value: anyValue(raw, depth) });
    } catch (e) {
      if (!(e instanceof Bad)) throw e;
    }
  }
  return out;
}

function attributes(o: Obj): KeyValue[] {
  const v = field(o, "attributes");
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new Bad("attributes must be an array");
  return keyValues(v, 0);
}

/** A resource's attributes: absent → none; a resource or attributes of the wrong type → undecodable. */
function resourceOf(o: Obj, where: string): Resource {
  const r = field(o, "resource");
  if (r === undefined) return { attributes: [] };
  if (!isObj(r)) throw new OtlpDecodeError(`${where}.resource is not an object`);
  try {
    return { attributes: attributes(r) };
  } catch (e) {
    throw new OtlpDecodeError(`${where}.resource: ${errorText(e)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Logs

function resourceLogs(ctx: Ctx, o: Obj, where: string): ResourceLogs {
  const scopeLogs: ScopeLogs[] = [];
  const sls = list(o, "scopeLogs", "scope_logs", where);
  for (let i = 0; i < sls.length; i++) scopeLogs.push(scopeLogsOf(ctx, sls[i]!, `${where}.scopeLogs[${i}]`));
  return { resource: resourceOf(o, where), scopeLogs };
}

function scopeLogsOf(ctx: Ctx, o: Obj, where: string): ScopeLogs {
  const records = field(o, "logRecords", "log_records");
  if (records !== undefined && !Array.isArray(records)) throw new OtlpDecodeError(`${where}.logRecords is not an array`);
  const logRecords: LogRecord[] = [];
  const raw = (records as unknown[] | undefined) ?? [];
  for (let i = 0; i < raw.length; i++) {
    try {
      logRecords.push(logRecord(raw[i]));
      ctx.accepted++;
    } catch (e) {
      if (!(e instanceof Bad)) throw e;
      ctx.reject(1, `${where}.logRecords[${i}]`, e);
    }
  }
  return { logRecords };
}

function logRecord(v: unknown): LogRecord {
  if (!isObj(v)) throw new Bad("a log record must be an object");
  const r: LogRecord = {
    timeUnixNano: u64(v, "timeUnixNano", "time_unix_nano"),
    observedTimeUnixNano: u64(v, "observedTimeUnixNano", "observed_time_unix_nano"),
    attributes: attributes(v),
  };
  const eventName = str(v, "eventName", "event_name");
  if (eventName) r.eventName = eventName;
  const body = field(v, "body");
  if (body !== undefined) r.body = anyValue(body, 0);
  return r;
}

// ---------------------------------------------------------------------------------------------------------------
// Metrics

function resourceMetrics(ctx: Ctx, o: Obj, where: string): ResourceMetrics {
  const scopeMetrics: ScopeMetrics[] = [];
  const sms = list(o, "scopeMetrics", "scope_metrics", where);
  for (let i = 0; i < sms.length; i++) scopeMetrics.push(scopeMetricsOf(ctx, sms[i]!, `${where}.scopeMetrics[${i}]`));
  return { resource: resourceOf(o, where), scopeMetrics };
}

function scopeMetricsOf(ctx: Ctx, o: Obj, where: string): ScopeMetrics {
  const ms = field(o, "metrics");
  if (ms !== undefined && !Array.isArray(ms)) throw new OtlpDecodeError(`${where}.metrics is not an array`);
  const metrics: Metric[] = [];
  const raw = (ms as unknown[] | undefined) ?? [];
  for (let i = 0; i < raw.length; i++) {
    const m = metric(ctx, raw[i], `${where}.metrics[${i}]`);
    if (m) metrics.push(m);
  }
  return { metrics };
}

/** A metric, with its malformed data points left out; null (its points counted as rejected) when the metric itself
 * is malformed. Metric-level fields are checked before any point, so a point is counted once, as kept or rejected. */
function metric(ctx: Ctx, v: unknown, where: string): Metric | null {
  let sum: Obj | undefined;
  let m: Metric;
  try {
    if (!isObj(v)) throw new Bad("a metric must be an object");
    const d = field(v, "sum");
    if (d !== undefined && !isObj(d)) throw new Bad("sum must be an object");
    sum = d;
    const dps = sum && field(sum, "dataPoints", "data_points");
    if (dps !== undefined && !Array.isArray(dps)) throw new Bad("sum.dataPoints must be an array");
    m = { name: str(v, "name") };
    if (sum) m.sum = { dataPoints: [], aggregationTemporality: enumOf(sum, "aggregationTemporality", "aggregation_temporality", temporalityValues()) };
  } catch (e) {
    if (!(e instanceof Bad)) throw e;
    const dps = sum ? field(sum, "dataPoints", "data_points") : undefined;
    ctx.reject(Array.isArray(dps) && dps.length > 0 ? dps.length : 1, where, e);
    return null;
  }
  if (sum && m.sum) m.sum.dataPoints = numberPoints(ctx, sum, where);
  return m;
}

function numberPoints(ctx: Ctx, sum: Obj, where: string): NumberDataPoint[] {
  const raw = (field(sum, "dataPoints", "data_points") as unknown[] | undefined) ?? [];
  const out: NumberDataPoint[] = [];
  for (let i = 0; i < raw.length; i++) {
    const p = raw[i];
    try {
      if (!isObj(p)) throw new Bad("a data point must be an object");
      out.push(numberPoint(p));
      ctx.accepted++;
    } catch (e) {
      if (!(e instanceof Bad)) throw e;
      ctx.reject(1, `${where}.dataPoints[${i}]`, e);
    }
  }
  return out;
}

function numberPoint(o: Obj): NumberDataPoint {
  const p: NumberDataPoint = {
    attributes: attributes(o),
    startTimeUnixNano: u64(o, "startTimeUnixNano", "start_time_unix_nano"),
    timeUnixNano: u64(o, "timeUnixNano", "time_unix_nano"),
  };
  const asInt = field(o, "asInt", "as_int");
  const asDouble = field(o, "asDouble", "as_double");
  if (asInt !== undefined && asDouble !== undefined) throw new Bad("a data point has both asInt and asDouble");
  if (asInt !== undefined) p.asInt = integerString(asInt, "asInt", true);
  if (asDouble !== undefined) p.asDouble = doubleOf(asDouble, "asDouble");
  return p;
}
