// OTLP/HTTP request bodies (ExportLogsServiceRequest, ExportMetricsServiceRequest) in either encoding, decoded into
// ONE plain shape: the OTLP/JSON form, normalised so that a mapper never needs to know which encoding arrived.
//
// - protobuf (`application/x-protobuf`) is decoded by protobufjs (protobufjs/light) against the official
//   opentelemetry-proto schema, held as a generated JSON descriptor in ./otlp-proto.ts (see
//   scripts/gen-otlp-proto.ts). No hand-written wire decoding.
// - JSON (`application/json`) is JSON.parse'd and checked field by field against the same schema's types.
//
// The normalised shape (both encodings give exactly this):
// - field names lowerCamelCase (JSON senders may also use the proto's snake_case names; both are read);
// - 64-bit integers (intValue, asInt, counts, *UnixNano) as decimal strings; timestamps are always present ("0"
//   when unset); doubles as numbers (NaN/±Infinity kept as numbers); enums as numbers (a JSON sender may spell
//   them by name); bytesValue base64; traceId/spanId lowercase hex; repeated fields always arrays;
// - an AnyValue has at most one of its keys (none for an empty value).
//
// Undecodable input (not protobuf, not JSON, invalid UTF-8, or a container of the wrong type: the request, a
// resourceLogs/scopeLogs entry, a resource or a scope) throws OtlpDecodeError → HTTP 400: there is no sensible
// part of such a batch to keep, and the OpenTelemetry Collector answers 400 too. A single RECORD (log record, or
// data point) with a field of the wrong type is left out and counted in `rejected`, the rest of the batch is kept,
// and the receiver answers 200 with partialSuccess. One malformed attribute entry is dropped on its own (the record
// stays), like the mapper does. Unknown fields are ignored, as the OTLP spec requires of receivers.
import { Buffer } from "node:buffer";
import * as protobuf from "protobufjs/light.js";
import { OTLP_PROTO_DESCRIPTOR } from "./otlp-proto.ts";

export type BodyEncoding = "json" | "protobuf";

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

export interface Resource {
  attributes: KeyValue[];
  droppedAttributesCount: number;
}

export interface InstrumentationScope {
  name: string;
  version: string;
  attributes: KeyValue[];
}

export interface LogRecord {
  /** nanoseconds since the epoch, decimal; "0" when unset */
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  /** OTLP ≥ 1.5 `event_name`; absent when unset */
  eventName?: string;
  body?: AnyValue;
  attributes: KeyValue[];
  droppedAttributesCount: number;
  flags: number;
  /** lowercase hex; absent when unset */
  traceId?: string;
  spanId?: string;
}

export interface ScopeLogs {
  scope: InstrumentationScope;
  logRecords: LogRecord[];
  schemaUrl: string;
}

export interface ResourceLogs {
  resource: Resource;
  scopeLogs: ScopeLogs[];
  schemaUrl: string;
}

export interface OtlpLogsRequest {
  resourceLogs: ResourceLogs[];
}

export interface NumberDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  /** exactly one of asInt (decimal string) and asDouble is set, or neither */
  asInt?: string;
  asDouble?: number;
  flags: number;
}

export interface HistogramDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  count: string;
  sum?: number;
  bucketCounts: string[];
  explicitBounds: number[];
  min?: number;
  max?: number;
  flags: number;
}

export interface ExponentialBuckets {
  offset: number;
  bucketCounts: string[];
}

export interface ExponentialHistogramDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  count: string;
  sum?: number;
  scale: number;
  zeroCount: string;
  positive: ExponentialBuckets;
  negative: ExponentialBuckets;
  min?: number;
  max?: number;
  zeroThreshold: number;
  flags: number;
}

export interface SummaryDataPoint {
  attributes: KeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  count: string;
  sum: number;
  quantileValues: { quantile: number; value: number }[];
  flags: number;
}

/** 0 unspecified, 1 delta, 2 cumulative */
export type AggregationTemporality = number;

export interface Metric {
  name: string;
  description: string;
  unit: string;
  /** at most one of the five is set */
  sum?: { dataPoints: NumberDataPoint[]; aggregationTemporality: AggregationTemporality; isMonotonic: boolean };
  gauge?: { dataPoints: NumberDataPoint[] };
  histogram?: { dataPoints: HistogramDataPoint[]; aggregationTemporality: AggregationTemporality };
  exponentialHistogram?: { dataPoints: ExponentialHistogramDataPoint[]; aggregationTemporality: AggregationTemporality };
  summary?: { dataPoints: SummaryDataPoint[] };
}

export interface ScopeMetrics {
  scope: InstrumentationScope;
  metrics: Metric[];
  schemaUrl: string;
}

export interface ResourceMetrics {
  resource: Resource;
  scopeMetrics: ScopeMetrics[];
  schemaUrl: string;
}

export interface OtlpMetricsRequest {
  resourceMetrics: ResourceMetrics[];
}

export interface Decoded<T> {
  request: T;
  /** records (log records or metric data points) left out for a field of the wrong type */
  rejected: number;
  /** what was wrong with the first one left out, or null */
  message: string | null;
  /** log records or data points kept */
  accepted: number;
}

/** The body cannot be decoded at all (HTTP 400). */
export class OtlpDecodeError extends Error {
  override name = "OtlpDecodeError";
}

// ---------------------------------------------------------------------------------------------------------------
// The schema (protobufjs)

const NS = "opentelemetry.proto.";

interface Schema {
  logsRequest: protobuf.Type;
  metricsRequest: protobuf.Type;
  logsResponse: protobuf.Type;
  metricsResponse: protobuf.Type;
  status: protobuf.Type;
  severity: Record<string, number>;
  temporality: Record<string, number>;
}

let schema: Schema | null = null;

function getSchema(): Schema {
  if (schema) return schema;
  const root = protobuf.Root.fromJSON(OTLP_PROTO_DESCRIPTOR as protobuf.INamespace);
  // google.rpc.Status, the body of an OTLP error response (its `details` are never sent, so not declared).
  const status = new protobuf.Type("Status").add(new protobuf.Field("code", 1, "int32")).add(new protobuf.Field("message", 2, "string"));
  root.define("google.rpc").add(status);
  root.resolveAll();
  schema = {
    logsRequest: root.lookupType(`${NS}collector.logs.v1.ExportLogsServiceRequest`),
    metricsRequest: root.lookupType(`${NS}collector.metrics.v1.ExportMetricsServiceRequest`),
    logsResponse: root.lookupType(`${NS}collector.logs.v1.ExportLogsServiceResponse`),
    metricsResponse: root.lookupType(`${NS}collector.metrics.v1.ExportMetricsServiceResponse`),
    status: root.lookupType("google.rpc.Status"),
    severity: root.lookupEnum(`${NS}logs.v1.SeverityNumber`).values,
    temporality: root.lookupEnum(`${NS}metrics.v1.AggregationTemporality`).values,
  };
  return schema;
}

// ---------------------------------------------------------------------------------------------------------------
// Entry points

/** Decodes an ExportLogsServiceRequest body. Throws OtlpDecodeError when it cannot be decoded. */
export function decodeLogs(body: Uint8Array, encoding: BodyEncoding): Decoded<OtlpLogsRequest> {
  const s = getSchema();
  const raw = encoding === "json" ? parseJson(body) : decodeProto(s.logsRequest, body);
  const ctx = new Ctx(encoding);
  const request: OtlpLogsRequest = {
    resourceLogs: list(raw, "resourceLogs", "resource_logs", "request").map((rl, i) => resourceLogs(ctx, rl, `resourceLogs[${i}]`)),
  };
  return { request, rejected: ctx.rejected, message: ctx.message, accepted: ctx.accepted };
}

/** Decodes an ExportMetricsServiceRequest body. Throws OtlpDecodeError when it cannot be decoded. */
export function decodeMetrics(body: Uint8Array, encoding: BodyEncoding): Decoded<OtlpMetricsRequest> {
  const s = getSchema();
  const raw = encoding === "json" ? parseJson(body) : decodeProto(s.metricsRequest, body);
  const ctx = new Ctx(encoding);
  const request: OtlpMetricsRequest = {
    resourceMetrics: list(raw, "resourceMetrics", "resource_metrics", "request").map((rm, i) => resourceMetrics(ctx, rm, `resourceMetrics[${i}]`)),
  };
  return { request, rejected: ctx.rejected, message: ctx.message, accepted: ctx.accepted };
}

export type Signal = "logs" | "metrics";

/**
 * The body of a successful export response: empty, or a partialSuccess when `rejected` > 0. JSON: `{}` or
 * `{"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"…"}}`; protobuf: the encoded ExportLogsServiceResponse
 * / ExportMetricsServiceResponse (zero bytes when empty).
 */
export function encodeExportResponse(signal: Signal, encoding: BodyEncoding, rejected: number, message: string | null): Uint8Array {
  const countKey = signal === "logs" ? "rejectedLogRecords" : "rejectedDataPoints";
  const partial = rejected > 0 ? { [countKey]: rejected, errorMessage: message ?? "" } : null;
  if (encoding === "json") {
    const body = partial ? { partialSuccess: { [countKey]: String(rejected), errorMessage: message ?? "" } } : {};
    return new TextEncoder().encode(JSON.stringify(body));
  }
  if (!partial) return new Uint8Array(0);
  const s = getSchema();
  const type = signal === "logs" ? s.logsResponse : s.metricsResponse;
  return type.encode(type.fromObject({ partialSuccess: partial })).finish();
}

/** A google.rpc.Status body for an error response, in the request's encoding. */
export function encodeStatus(encoding: BodyEncoding, code: number, message: string): Uint8Array {
  if (encoding === "json") return new TextEncoder().encode(JSON.stringify({ code, message }));
  const s = getSchema();
  return s.status.encode(s.status.fromObject({ code, message })).finish();
}

/** Decodes a google.rpc.Status (for tests and diagnostics). */
export function decodeStatus(body: Uint8Array): { code: number; message: string } {
  const s = getSchema();
  const o = s.status.toObject(s.status.decode(body), { defaults: true }) as { code: number; message: string };
  return { code: o.code, message: o.message };
}

/** Decodes an export response body (for tests): the partial success, or null when there is none. */
export function decodeExportResponse(signal: Signal, encoding: BodyEncoding, body: Uint8Array): { rejected: number; message: string } | null {
  let o: Record<string, unknown>;
  if (encoding === "json") o = parseJson(body);
  else {
    const s = getSchema();
    const type = signal === "logs" ? s.logsResponse : s.metricsResponse;
    o = type.toObject(type.decode(body), { longs: String }) as Record<string, unknown>;
  }
  const p = o.partialSuccess as Record<string, unknown> | undefined;
  if (!p) return null;
  const n = Number(p[signal === "logs" ? "rejectedLogRecords" : "rejectedDataPoints"] ?? 0);
  return { rejected: n, message: typeof p.errorMessage === "string" ? p.errorMessage : "" };
}

// ---------------------------------------------------------------------------------------------------------------
// Bytes → a raw object

type Obj = Record<string, unknown>;

const utf8 = new TextDecoder("utf-8", { fatal: true });

function parseJson(body: Uint8Array): Obj {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch (e) {
    throw new OtlpDecodeError(`body is not valid JSON: ${errorText(e)}`);
  }
  if (!isObj(value)) throw new OtlpDecodeError("body is not a JSON object");
  return value;
}

function decodeProto(type: protobuf.Type, body: Uint8Array): Obj {
  try {
    const message = type.decode(body);
    // int64 → decimal strings, enums → numbers, bytes → base64: the JSON form's conventions.
    return type.toObject(message, { longs: String, enums: Number, bytes: String }) as Obj;
  } catch (e) {
    throw new OtlpDecodeError(`body is not a valid protobuf ${type.name}: ${errorText(e)}`);
  }
}

/** An error's message, cut short (it may quote the input). */
function errorText(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.length > 200 ? `${m.slice(0, 200)}…` : m;
}

// ---------------------------------------------------------------------------------------------------------------
// Raw object → the normalised shape

/** A record-level field of the wrong type: the record is left out. */
class Bad extends Error {}

class Ctx {
  rejected = 0;
  accepted = 0;
  message: string | null = null;
  constructor(readonly encoding: BodyEncoding) {}
  reject(count: number, where: string, e: Bad): void {
    if (count <= 0) return;
    this.rejected += count;
    if (this.message === null) this.message = `${where}: ${e.message}`;
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
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

/** An optional nested container (resource, scope): absent → {}, not an object → undecodable. */
function container(o: Obj, camel: string, where: string): Obj {
  const v = field(o, camel);
  if (v === undefined) return {};
  if (!isObj(v)) throw new OtlpDecodeError(`${where}.${camel} is not an object`);
  return v;
}

function str(o: Obj, camel: string, snake?: string): string {
  const v = field(o, camel, snake);
  if (v === undefined) return "";
  if (typeof v !== "string") throw new Bad(`${camel} must be a string`);
  return v;
}

function containerStr(o: Obj, camel: string, snake: string | undefined, where: string): string {
  try {
    return str(o, camel, snake);
  } catch (e) {
    throw new OtlpDecodeError(`${where}.${e instanceof Error ? e.message : camel}`);
  }
}

function bool(o: Obj, camel: string, snake?: string): boolean {
  const v = field(o, camel, snake);
  if (v === undefined) return false;
  if (typeof v !== "boolean") throw new Bad(`${camel} must be a boolean`);
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

/** A uint64 (timestamps, counts) as a decimal string; "0" when absent. */
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

function optDouble(o: Obj, camel: string): number | undefined {
  const v = field(o, camel);
  return v === undefined ? undefined : doubleOf(v, camel);
}

/** int32/uint32 (flags, counts, scale, offset): a number or a decimal string; 0 when absent. */
function int32(o: Obj, camel: string, snake?: string): number {
  const v = field(o, camel, snake);
  if (v === undefined) return 0;
  const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d{1,10}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < -2147483648 || n > 4294967295) throw new Bad(`${camel} must be a 32-bit integer`);
  return n;
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

function hexId(ctx: Ctx, o: Obj, camel: string, snake: string): string | undefined {
  const v = field(o, camel, snake);
  if (v === undefined || v === "") return undefined;
  if (typeof v !== "string") throw new Bad(`${camel} must be a string`);
  if (ctx.encoding === "protobuf") return Buffer.from(v, "base64").toString("hex");
  if (!/^[0-9a-fA-F]*$/.test(v)) throw new Bad(`${camel} must be hex`);
  return v.toLowerCase();
}

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
    switch (key) {
      case "stringValue":
        if (typeof x !== "string") throw new Bad("stringValue must be a string");
        out = { stringValue: x };
        break;
      case "boolValue":
        if (typeof x !== "boolean") throw new Bad("boolValue must be a boolean");
        out = { boolValue: x };
        break;
      case "intValue":
        out = { intValue: integerString(x, "intValue", true) };
        break;
      case "doubleValue":
        out = { doubleValue: doubleOf(x, "doubleValue") };
        break;
      case "bytesValue":
        if (typeof x !== "string") throw new Bad("bytesValue must be a base64 string");
        out = { bytesValue: x };
        break;
      case "arrayValue": {
        if (!isObj(x)) throw new Bad("arrayValue must be an object");
        const values = field(x, "values");
        if (values !== undefined && !Array.isArray(values)) throw new Bad("arrayValue.values must be an array");
        out = { arrayValue: { values: ((values as unknown[] | undefined) ?? []).map((e) => anyValue(e, depth + 1)) } };
        break;
      }
      case "kvlistValue": {
        if (!isObj(x)) throw new Bad("kvlistValue must be an object");
        const values = field(x, "values");
        if (values !== undefined && !Array.isArray(values)) throw new Bad("kvlistValue.values must be an array");
        out = { kvlistValue: { values: keyValues(values as unknown[] | undefined, depth + 1) } };
        break;
      }
    }
  }
  return out ?? {};
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

function resourceOf(o: Obj, where: string): Resource {
  const r = container(o, "resource", where);
  try {
    return { attributes: attributes(r), droppedAttributesCount: int32(r, "droppedAttributesCount", "dropped_attributes_count") };
  } catch (e) {
    throw new OtlpDecodeError(`${where}.resource: ${errorText(e)}`);
  }
}

function scopeOf(o: Obj, where: string): InstrumentationScope {
  const s = container(o, "scope", where);
  try {
    return { name: str(s, "name"), version: str(s, "version"), attributes: attributes(s) };
  } catch (e) {
    throw new OtlpDecodeError(`${where}.scope: ${errorText(e)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Logs

function resourceLogs(ctx: Ctx, o: Obj, where: string): ResourceLogs {
  const scopeLogs: ScopeLogs[] = [];
  const sls = list(o, "scopeLogs", "scope_logs", where);
  for (let i = 0; i < sls.length; i++) scopeLogs.push(scopeLogsOf(ctx, sls[i]!, `${where}.scopeLogs[${i}]`));
  return { resource: resourceOf(o, where), scopeLogs, schemaUrl: containerStr(o, "schemaUrl", "schema_url", where) };
}

function scopeLogsOf(ctx: Ctx, o: Obj, where: string): ScopeLogs {
  const records = field(o, "logRecords", "log_records");
  if (records !== undefined && !Array.isArray(records)) throw new OtlpDecodeError(`${where}.logRecords is not an array`);
  const logRecords: LogRecord[] = [];
  const raw = (records as unknown[] | undefined) ?? [];
  for (let i = 0; i < raw.length; i++) {
    try {
      logRecords.push(logRecord(ctx, raw[i]));
      ctx.accepted++;
    } catch (e) {
      if (!(e instanceof Bad)) throw e;
      ctx.reject(1, `${where}.logRecords[${i}]`, e);
    }
  }
  return { scope: scopeOf(o, where), logRecords, schemaUrl: containerStr(o, "schemaUrl", "schema_url", where) };
}

function logRecord(ctx: Ctx, v: unknown): LogRecord {
  if (!isObj(v)) throw new Bad("a log record must be an object");
  const r: LogRecord = {
    timeUnixNano: u64(v, "timeUnixNano", "time_unix_nano"),
    observedTimeUnixNano: u64(v, "observedTimeUnixNano", "observed_time_unix_nano"),
    severityNumber: enumOf(v, "severityNumber", "severity_number", getSchema().severity),
    severityText: str(v, "severityText", "severity_text"),
    attributes: attributes(v),
    droppedAttributesCount: int32(v, "droppedAttributesCount", "dropped_attributes_count"),
    flags: int32(v, "flags"),
  };
  const eventName = str(v, "eventName", "event_name");
  if (eventName) r.eventName = eventName;
  const body = field(v, "body");
  if (body !== undefined) r.body = anyValue(body, 0);
  const traceId = hexId(ctx, v, "traceId", "trace_id");
  if (traceId) r.traceId = traceId;
  const spanId = hexId(ctx, v, "spanId", "span_id");
  if (spanId) r.spanId = spanId;
  return r;
}

// ---------------------------------------------------------------------------------------------------------------
// Metrics

function resourceMetrics(ctx: Ctx, o: Obj, where: string): ResourceMetrics {
  const scopeMetrics: ScopeMetrics[] = [];
  const sms = list(o, "scopeMetrics", "scope_metrics", where);
  for (let i = 0; i < sms.length; i++) scopeMetrics.push(scopeMetricsOf(ctx, sms[i]!, `${where}.scopeMetrics[${i}]`));
  return { resource: resourceOf(o, where), scopeMetrics, schemaUrl: containerStr(o, "schemaUrl", "schema_url", where) };
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
  return { scope: scopeOf(o, where), metrics, schemaUrl: containerStr(o, "schemaUrl", "schema_url", where) };
}

const KINDS = ["sum", "gauge", "histogram", "exponentialHistogram", "summary"] as const;
type Kind = (typeof KINDS)[number];
const KIND_SNAKE: Record<Kind, string> = {
  sum: "sum",
  gauge: "gauge",
  histogram: "histogram",
  exponentialHistogram: "exponential_histogram",
  summary: "summary",
};

/** A metric, with its malformed data points left out; null (its points counted as rejected) when the metric itself
 * is malformed. Metric-level fields are checked before any point, so a point is counted once, as kept or rejected. */
function metric(ctx: Ctx, v: unknown, where: string): Metric | null {
  let data: Obj | null = null;
  let m: Metric;
  let kind: Kind | null = null;
  let temporality = 0;
  try {
    if (!isObj(v)) throw new Bad("a metric must be an object");
    for (const k of KINDS) {
      const d = field(v, k, KIND_SNAKE[k]);
      if (d === undefined) continue;
      if (kind) throw new Bad("a metric has more than one kind of data");
      if (!isObj(d)) throw new Bad(`${k} must be an object`);
      kind = k;
      data = d;
      const dps = field(d, "dataPoints", "data_points");
      if (dps !== undefined && !Array.isArray(dps)) throw new Bad(`${k}.dataPoints must be an array`);
    }
    m = { name: str(v, "name"), description: str(v, "description"), unit: str(v, "unit") };
    if (data && (kind === "sum" || kind === "histogram" || kind === "exponentialHistogram")) {
      temporality = enumOf(data, "aggregationTemporality", "aggregation_temporality", getSchema().temporality);
    }
    if (data && kind === "sum") m.sum = { dataPoints: [], aggregationTemporality: temporality, isMonotonic: bool(data, "isMonotonic", "is_monotonic") };
  } catch (e) {
    if (!(e instanceof Bad)) throw e;
    const dps = data ? field(data, "dataPoints", "data_points") : undefined;
    ctx.reject(Array.isArray(dps) && dps.length > 0 ? dps.length : 1, where, e);
    return null;
  }
  if (!data || !kind) return m;
  switch (kind) {
    case "sum":
      m.sum!.dataPoints = points(ctx, data, where, numberPoint);
      break;
    case "gauge":
      m.gauge = { dataPoints: points(ctx, data, where, numberPoint) };
      break;
    case "histogram":
      m.histogram = { dataPoints: points(ctx, data, where, histogramPoint), aggregationTemporality: temporality };
      break;
    case "exponentialHistogram":
      m.exponentialHistogram = { dataPoints: points(ctx, data, where, exponentialPoint), aggregationTemporality: temporality };
      break;
    case "summary":
      m.summary = { dataPoints: points(ctx, data, where, summaryPoint) };
      break;
  }
  return m;
}

function points<T>(ctx: Ctx, data: Obj, where: string, one: (o: Obj) => T): T[] {
  const raw = (field(data, "dataPoints", "data_points") as unknown[] | undefined) ?? [];
  const out: T[] = [];
  for (let i = 0; i < raw.length; i++) {
    const p = raw[i];
    try {
      if (!isObj(p)) throw new Bad("a data point must be an object");
      out.push(one(p));
      ctx.accepted++;
    } catch (e) {
      if (!(e instanceof Bad)) throw e;
      ctx.reject(1, `${where}.dataPoints[${i}]`, e);
    }
  }
  return out;
}

function pointBase(o: Obj): { attributes: KeyValue[]; startTimeUnixNano: string; timeUnixNano: string; flags: number } {
  return {
    attributes: attributes(o),
    startTimeUnixNano: u64(o, "startTimeUnixNano", "start_time_unix_nano"),
    timeUnixNano: u64(o, "timeUnixNano", "time_unix_nano"),
    flags: int32(o, "flags"),
  };
}

function numberPoint(o: Obj): NumberDataPoint {
  const p: NumberDataPoint = pointBase(o);
  const asInt = field(o, "asInt", "as_int");
  const asDouble = field(o, "asDouble", "as_double");
  if (asInt !== undefined && asDouble !== undefined) throw new Bad("a data point has both asInt and asDouble");
  if (asInt !== undefined) p.asInt = integerString(asInt, "asInt", true);
  if (asDouble !== undefined) p.asDouble = doubleOf(asDouble, "asDouble");
  return p;
}

function u64List(o: Obj, camel: string, snake: string): string[] {
  const v = field(o, camel, snake);
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new Bad(`${camel} must be an array`);
  return v.map((x) => integerString(x, camel, false));
}

function doubleList(o: Obj, camel: string, snake: string): number[] {
  const v = field(o, camel, snake);
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new Bad(`${camel} must be an array`);
  return v.map((x) => doubleOf(x, camel));
}

function histogramPoint(o: Obj): HistogramDataPoint {
  const p: HistogramDataPoint = {
    ...pointBase(o),
    count: u64(o, "count"),
    bucketCounts: u64List(o, "bucketCounts", "bucket_counts"),
    explicitBounds: doubleList(o, "explicitBounds", "explicit_bounds"),
  };
  const sum = optDouble(o, "sum");
  if (sum !== undefined) p.sum = sum;
  const min = optDouble(o, "min");
  if (min !== undefined) p.min = min;
  const max = optDouble(o, "max");
  if (max !== undefined) p.max = max;
  return p;
}

function buckets(o: Obj, camel: string): ExponentialBuckets {
  const v = field(o, camel);
  if (v === undefined) return { offset: 0, bucketCounts: [] };
  if (!isObj(v)) throw new Bad(`${camel} must be an object`);
  return { offset: int32(v, "offset"), bucketCounts: u64List(v, "bucketCounts", "bucket_counts") };
}

function exponentialPoint(o: Obj): ExponentialHistogramDataPoint {
  const p: ExponentialHistogramDataPoint = {
    ...pointBase(o),
    count: u64(o, "count"),
    scale: int32(o, "scale"),
    zeroCount: u64(o, "zeroCount", "zero_count"),
    positive: buckets(o, "positive"),
    negative: buckets(o, "negative"),
    zeroThreshold: optDouble(o, "zeroThreshold") ?? 0,
  };
  const sum = optDouble(o, "sum");
  if (sum !== undefined) p.sum = sum;
  const min = optDouble(o, "min");
  if (min !== undefined) p.min = min;
  const max = optDouble(o, "max");
  if (max !== undefined) p.max = max;
  return p;
}

function summaryPoint(o: Obj): SummaryDataPoint {
  const q = field(o, "quantileValues", "quantile_values");
  if (q !== undefined && !Array.isArray(q)) throw new Bad("quantileValues must be an array");
  return {
    ...pointBase(o),
    count: u64(o, "count"),
    sum: optDouble(o, "sum") ?? 0,
    quantileValues: ((q as unknown[] | undefined) ?? []).map((x) => {
      if (!isObj(x)) throw new Bad("a quantile value must be an object");
      return { quantile: optDouble(x, "quantile") ?? 0, value: optDouble(x, "value") ?? 0 };
    }),
  };
}
