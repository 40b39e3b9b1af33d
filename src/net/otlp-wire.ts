// OTLP/HTTP bodies as bytes: a request body into a raw object (protobuf or JSON), and the answers (export response,
// google.rpc.Status) out of plain values. otlp-decode.ts turns the raw object into the typed shape the mapping reads.
//
// - protobuf (`application/x-protobuf`) is decoded by protobufjs (protobufjs/light) against the official
//   opentelemetry-proto schema, held as a generated JSON descriptor in ./otlp-proto.ts (see
//   scripts/gen-otlp-proto.ts). No hand-written wire decoding.
// - JSON (`application/json`) is JSON.parse'd; otlp-decode.ts checks its fields against the same schema's types.
//
// The request messages are decoded against a schema cut down to the fields the mapping (otlp-map.ts) reads (READ
// below): protobufjs skips every other field as it skips an unknown one (checking only that it is well framed), so
// a scope, a severity, trace ids, histograms and the like cost nothing and cannot fail a batch, in either encoding.
import * as protobuf from "protobufjs/light.js";
import { OTLP_PROTO_DESCRIPTOR } from "./otlp-proto.ts";

export type BodyEncoding = "json" | "protobuf";

export type Signal = "logs" | "metrics";

/** The body cannot be decoded at all (HTTP 400). */
export class OtlpDecodeError extends Error {
  override name = "OtlpDecodeError";
}

export type Obj = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------------
// The schema (protobufjs)

const NS = "opentelemetry.proto.";

/**
 * The fields of the request messages that otlp-map.ts reads, per message (under `opentelemetry.proto.`). Every other
 * field of these messages is left out of the schema; messages not listed keep all theirs (the request wrappers,
 * AnyValue and its lists, KeyValue, the responses). The JSON side reads the same fields, by code, in otlp-decode.ts.
 */
const READ: Record<string, readonly string[]> = {
  "logs.v1.ResourceLogs": ["resource", "scopeLogs"],
  "logs.v1.ScopeLogs": ["logRecords"],
  "logs.v1.LogRecord": ["timeUnixNano", "observedTimeUnixNano", "eventName", "body", "attributes"],
  "resource.v1.Resource": ["attributes"],
  "metrics.v1.ResourceMetrics": ["resource", "scopeMetrics"],
  "metrics.v1.ScopeMetrics": ["metrics"],
  "metrics.v1.Metric": ["name", "sum"],
  "metrics.v1.Sum": ["dataPoints", "aggregationTemporality"],
  "metrics.v1.NumberDataPoint": ["attributes", "startTimeUnixNano", "timeUnixNano", "asDouble", "asInt"],
};

interface MessageDescriptor {
  fields: Record<string, unknown>;
  oneofs?: Record<string, { oneof: string[] }>;
}

/** A copy of the generated descriptor with only the READ fields of the messages READ lists. */
function readSchema(): protobuf.INamespace {
  const copy = structuredClone(OTLP_PROTO_DESCRIPTOR) as unknown as protobuf.INamespace;
  for (const [name, keep] of Object.entries(READ)) {
    let node = copy as { nested?: Record<string, unknown> };
    for (const part of `${NS}${name}`.split(".")) node = node.nested?.[part] as typeof node;
    const message = node as unknown as MessageDescriptor;
    for (const f of Object.keys(message.fields)) if (!keep.includes(f)) delete message.fields[f];
    // (a oneof names its members: the dropped ones go, and a oneof left empty goes with them)
    for (const [o, group] of Object.entries(message.oneofs ?? {})) {
      group.oneof = group.oneof.filter((f) => keep.includes(f));
      if (group.oneof.length === 0) delete message.oneofs![o];
    }
  }
  return copy;
}

interface Schema {
  logsRequest: protobuf.Type;
  metricsRequest: protobuf.Type;
  logsResponse: protobuf.Type;
  metricsResponse: protobuf.Type;
  status: protobuf.Type;
  temporality: Record<string, number>;
}

let schema: Schema | null = null;

function getSchema(): Schema {
  if (schema) return schema;
  const root = protobuf.Root.fromJSON(readSchema());
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
    temporality: root.lookupEnum(`${NS}metrics.v1.AggregationTemporality`).values,
  };
  return schema;
}

/** AggregationTemporality's names and numbers (a JSON sender may spell the enum by name). */
export function temporalityValues(): Record<string, number> {
  return getSchema().temporality;
}

// ---------------------------------------------------------------------------------------------------------------
// Request bytes → a raw object

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** An export request body as a raw object: JSON as parsed, protobuf in the JSON form's conventions. */
export function rawRequest(signal: Signal, body: Uint8Array, encoding: BodyEncoding): Obj {
  if (encoding === "json") return parseJson(body);
  const s = getSchema();
  return decodeProto(signal === "logs" ? s.logsRequest : s.metricsRequest, body);
}

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

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** An error's message, cut short (it may quote the input). */
export function errorText(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.length > 200 ? `${m.slice(0, 200)}…` : m;
}

// ---------------------------------------------------------------------------------------------------------------
// Answers

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
