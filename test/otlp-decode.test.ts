// The OTLP body decoder on its own: protobuf and JSON give the same normalised shape (int64s, enums, snake_case
// names, empty values), wrong types are refused at the right level, fields the mapping never reads are ignored
// whatever they hold, and no input makes it throw anything but OtlpDecodeError.
import { describe, expect, test } from "bun:test";
import * as protobuf from "protobufjs/light.js";
import { decodeLogs, decodeMetrics } from "../src/net/otlp-decode.ts";
import { decodeExportResponse, encodeExportResponse, OtlpDecodeError } from "../src/net/otlp-wire.ts";
import { OTLP_PROTO_DESCRIPTOR } from "../src/net/otlp-proto.ts";

const root = protobuf.Root.fromJSON(OTLP_PROTO_DESCRIPTOR as protobuf.INamespace);
const LogsRequest = root.lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest");
const MetricsRequest = root.lookupType("opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest");
const LogRecordType = root.lookupType("opentelemetry.proto.logs.v1.LogRecord");

const json = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

const TRACE = "5b8efff798038103d269b633813fc60c";
const SPAN = "eee19b7ec3c1b174";

describe("protobuf and JSON decode to one shape", () => {
  test("log records: int64 beyond 2^53, empty strings, nested values, snake_case names", () => {
    const big = "9007199254740993"; // 2^53 + 1
    const attributes = [
      { key: "empty", value: { stringValue: "" } },
      { key: "zero", value: { intValue: "0" } },
      { key: "big", value: { intValue: big } },
      { key: "neg", value: { intValue: "-42" } },
      { key: "d", value: { doubleValue: 1.5 } },
      { key: "f", value: { boolValue: false } },
      { key: "bytes", value: { bytesValue: "AQID" } },
      { key: "arr", value: { arrayValue: { values: [{ stringValue: "a" }, { intValue: "2" }] } } },
      { key: "kv", value: { kvlistValue: { values: [{ key: "inner", value: { boolValue: true } }] } } },
      { key: "unset", value: {} },
    ];
    const protoBody = LogsRequest.encode(
      LogsRequest.fromObject({
        resourceLogs: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: "claude-code" } }] },
            scopeLogs: [
              {
                scope: { name: "s", version: "1" },
                logRecords: [
                  {
                    timeUnixNano: "1764158400000000001",
                    severityNumber: 9,
                    severityText: "INFO",
                    body: { stringValue: "claude_code.user_prompt" },
                    attributes,
                    traceId: Buffer.from(TRACE, "hex"),
                    spanId: Buffer.from(SPAN, "hex"),
                    flags: 1,
                  },
                ],
              },
            ],
          },
        ],
      }),
    ).finish();
    // The same request as a JSON sender might spell it: snake_case names, the enum by name, the int as a number.
    const jsonBody = json({
      resource_logs: [
        {
          resource: { attributes: [{ key: "service.name", value: { string_value: "claude-code" } }] },
          scope_logs: [
            {
              scope: { name: "s", version: "1" },
              log_records: [
                {
                  time_unix_nano: "1764158400000000001",
                  severity_number: "SEVERITY_NUMBER_INFO",
                  severityText: "INFO",
                  body: { stringValue: "claude_code.user_prompt" },
                  attributes: attributes.map((a) => (a.key === "neg" ? { key: "neg", value: { intValue: -42 } } : a)),
                  traceId: TRACE.toUpperCase(),
                  spanId: SPAN,
                  flags: 1,
                },
              ],
            },
          ],
        },
      ],
    });
    const p = decodeLogs(protoBody, "protobuf");
    const j = decodeLogs(jsonBody, "json");
    expect(j).toEqual(p);
    expect(p.rejected).toBe(0);
    expect(p.accepted).toBe(1);
    const r = p.request.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
    // Only what the mapping reads is kept: the severity, trace and span ids and flags (sent above, the ids in two
    // spellings) are not, and the scope is not either.
    expect(Object.keys(r).sort()).toEqual(["attributes", "body", "observedTimeUnixNano", "timeUnixNano"]);
    expect(Object.keys(p.request.resourceLogs[0]!.scopeLogs[0]!)).toEqual(["logRecords"]);
    expect(r.observedTimeUnixNano).toBe("0");
    expect(r.attributes.find((a) => a.key === "big")!.value).toEqual({ intValue: big });
    expect(r.attributes.find((a) => a.key === "empty")!.value).toEqual({ stringValue: "" });
    expect(r.attributes.find((a) => a.key === "zero")!.value).toEqual({ intValue: "0" });
    expect(r.attributes.find((a) => a.key === "f")!.value).toEqual({ boolValue: false });
    expect(r.attributes.find((a) => a.key === "unset")!.value).toEqual({});
  });

  test("eventName (field 12 of OTLP ≥ 1.5) is read from protobuf as from JSON", () => {
    // (the schema is opentelemetry-proto's own release, which has LogRecord.event_name)
    const newer = protobuf.Root.fromJSON(OTLP_PROTO_DESCRIPTOR as protobuf.INamespace);
    expect(newer.lookupType("opentelemetry.proto.logs.v1.LogRecord").fieldsById[12]?.name).toBe("eventName");
    const Req = newer.lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest");
    const record = { timeUnixNano: "5", eventName: "claude_code.api_request" };
    const p = decodeLogs(Req.encode(Req.fromObject({ resourceLogs: [{ scopeLogs: [{ logRecords: [record] }] }] })).finish(), "protobuf");
    const j = decodeLogs(json({ resourceLogs: [{ scopeLogs: [{ logRecords: [record] }] }] }), "json");
    expect(p.request.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.eventName).toBe("claude_code.api_request");
    expect(p).toEqual(j);
  });

  test("metrics: sum points; gauges and histograms are kept by name only (the mapping reads sums alone)", () => {
    const attributes = [{ key: "type", value: { stringValue: "input" } }];
    const req = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: "claude_code.token.usage",
                  unit: "tokens",
                  sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ attributes, startTimeUnixNano: "1", timeUnixNano: "2", asInt: "1200" }] },
                },
                { name: "g", gauge: { dataPoints: [{ timeUnixNano: "2", asDouble: 0.25 }] } },
                {
                  name: "h",
                  histogram: {
                    aggregationTemporality: 2,
                    dataPoints: [{ timeUnixNano: "2", count: "3", sum: 6, bucketCounts: ["1", "2"], explicitBounds: [1.5], min: 1, max: 3 }],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const p = decodeMetrics(MetricsRequest.encode(MetricsRequest.fromObject(req)).finish(), "protobuf");
    const jsonReq = JSON.parse(JSON.stringify(req));
    jsonReq.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.aggregationTemporality = "AGGREGATION_TEMPORALITY_DELTA";
    jsonReq.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0].asInt = 1200;
    const j = decodeMetrics(json(jsonReq), "json");
    expect(j).toEqual(p);
    const [sum, gauge, hist] = p.request.resourceMetrics[0]!.scopeMetrics[0]!.metrics;
    expect(sum).toEqual({
      name: "claude_code.token.usage",
      sum: { aggregationTemporality: 1, dataPoints: [{ attributes, startTimeUnixNano: "1", timeUnixNano: "2", asInt: "1200" }] },
    });
    expect(gauge).toEqual({ name: "g" });
    expect(hist).toEqual({ name: "h" });
    expect(p.accepted).toBe(1);
  });
});

describe("wrong types", () => {
  test("a wrong container is undecodable; a wrong record or point is rejected alone", () => {
    expect(() => decodeLogs(json({ resourceLogs: {} }), "json")).toThrow(OtlpDecodeError);
    expect(() => decodeLogs(json([]), "json")).toThrow(OtlpDecodeError);
    expect(() => decodeLogs(new Uint8Array([0x7b, 0xff, 0x7d]), "json")).toThrow(OtlpDecodeError); // invalid UTF-8
    expect(() => decodeMetrics(json({ resourceMetrics: [{ scopeMetrics: [{ metrics: "x" }] }] }), "json")).toThrow(OtlpDecodeError);
    expect(() => decodeMetrics(json({ resourceMetrics: [{ resource: { attributes: 7 } }] }), "json")).toThrow(OtlpDecodeError);

    const m = decodeMetrics(
      json({
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  { name: "ok", sum: { dataPoints: [{ asInt: "1" }, { asInt: "x" }, { asInt: 1, asDouble: 2 }] } },
                  { name: "bad kind", sum: { aggregationTemporality: "SIDEWAYS", dataPoints: [{}, {}, {}] } },
                  { name: 7, gauge: { dataPoints: [{}] } },
                ],
              },
            ],
          },
        ],
      }),
      "json",
    );
    const ranges = decodeLogs(
      json({
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [
                  { timeUnixNano: -1 },
                  { timeUnixNano: "18446744073709551616" },
                  { timeUnixNano: 1.5 },
                  {
                    timeUnixNano: "18446744073709551615",
                    attributes: [
                      { key: "over", value: { intValue: "9223372036854775808" } },
                      { key: "min", value: { intValue: "-9223372036854775808" } },
                      { key: "frac", value: { intValue: 2.5 } },
                      { key: "padded", value: { intValue: "007" } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      }),
      "json",
    );
    expect(ranges.rejected).toBe(3);
    expect(ranges.request.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.attributes).toEqual([
      { key: "min", value: { intValue: "-9223372036854775808" } },
      { key: "padded", value: { intValue: "7" } },
    ]);

    expect(m.accepted).toBe(1);
    expect(m.rejected).toBe(2 + 3 + 1);
    expect(m.request.resourceMetrics[0]!.scopeMetrics[0]!.metrics.map((x) => x.name)).toEqual(["ok"]);
  });

  test("fields the mapping never reads are ignored whatever they hold: the batch is taken whole", () => {
    // Each of these used to be checked: a wrong scope made the batch a 400, the rest left their record out.
    const logs = decodeLogs(
      json({
        resourceLogs: [
          {
            resource: { attributes: [], droppedAttributesCount: "many" },
            schemaUrl: 5,
            scopeLogs: [
              {
                scope: "x",
                schemaUrl: [],
                logRecords: [
                  { timeUnixNano: "1", severityNumber: "LOUD", severityText: 3, traceId: "not hex", spanId: 7, flags: -1.5, droppedAttributesCount: {} },
                ],
              },
            ],
          },
        ],
      }),
      "json",
    );
    expect(logs).toMatchObject({ rejected: 0, accepted: 1 });
    const metrics = decodeMetrics(
      json({
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                scope: 7,
                metrics: [
                  { name: "s", unit: 3, description: [], sum: { isMonotonic: "yes", dataPoints: [{ asInt: "1", flags: "x", exemplars: 5 }] } },
                  { name: "g", gauge: "x" },
                  { name: "h", histogram: { dataPoints: [{ count: "x", bucketCounts: "y" }] }, summary: 1 },
                ],
              },
            ],
          },
        ],
      }),
      "json",
    );
    expect(metrics).toMatchObject({ rejected: 0, accepted: 1 });
    expect(metrics.request.resourceMetrics[0]!.scopeMetrics[0]!.metrics.map((m) => m.name)).toEqual(["s", "g", "h"]);
    // On the wire: a scope whose bytes are no InstrumentationScope (a tag with its value cut off) is skipped, as an
    // unknown field would be, and the record beside it kept. (ScopeLogs.scope = 1, ScopeLogs.log_records = 2.)
    const record = LogRecordType.encode(LogRecordType.fromObject({ timeUnixNano: "1" })).finish();
    const scopeLogs = protobuf.Writer.create()
      .uint32((1 << 3) | 2)
      .bytes(new Uint8Array([0x08]))
      .uint32((2 << 3) | 2)
      .bytes(record)
      .finish();
    const body = protobuf.Writer.create()
      .uint32((1 << 3) | 2)
      .bytes(
        protobuf.Writer.create()
          .uint32((2 << 3) | 2)
          .bytes(scopeLogs)
          .finish(),
      )
      .finish();
    expect(decodeLogs(body, "protobuf").request.resourceLogs[0]!.scopeLogs[0]!.logRecords).toEqual([
      { timeUnixNano: "1", observedTimeUnixNano: "0", attributes: [] },
    ]);
  });

  test("values nested absurdly deep: the attribute is dropped (JSON), the body is refused (protobuf)", () => {
    let v: Record<string, unknown> = { stringValue: "leaf" };
    for (let i = 0; i < 200; i++) v = { arrayValue: { values: [v] } };
    const j = decodeLogs(
      json({
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [
                  {
                    attributes: [
                      { key: "deep", value: v },
                      { key: "k", value: { stringValue: "v" } },
                    ],
                  },
                ],
              },
            ],
          },
        ],
      }),
      "json",
    );
    expect(j.request.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!.attributes).toEqual([{ key: "k", value: { stringValue: "v" } }]);
    // The same nesting on the wire, built with protobufjs's Writer (fromObject itself refuses such depth):
    // AnyValue.array_value = 5, ArrayValue.values = 1, LogRecord.body = 5, ScopeLogs.log_records = 2,
    // ResourceLogs.scope_logs = 2, ExportLogsServiceRequest.resource_logs = 1; all length-delimited.
    const wrap = (field: number, inner: Uint8Array) =>
      protobuf.Writer.create()
        .uint32((field << 3) | 2)
        .bytes(inner)
        .finish();
    let any: Uint8Array = protobuf.Writer.create()
      .uint32((1 << 3) | 2)
      .string("leaf")
      .finish();
    for (let i = 0; i < 200; i++) any = wrap(5, wrap(1, any));
    const deep = wrap(1, wrap(2, wrap(2, wrap(5, any))));
    expect(() => decodeLogs(deep, "protobuf")).toThrow(OtlpDecodeError);
  });
});

describe("never throws anything but OtlpDecodeError", () => {
  // A small deterministic PRNG, so a failure reproduces.
  let seed = 0x2545f491;
  const rnd = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  const valid = LogsRequest.encode(
    LogsRequest.fromObject({
      resourceLogs: [
        {
          scopeLogs: [
            { logRecords: [{ timeUnixNano: "1", body: { kvlistValue: { values: [{ key: "a", value: { arrayValue: { values: [{ intValue: "1" }] } } }] } } }] },
          ],
        },
      ],
    }),
  ).finish();
  const validJson = new TextEncoder().encode(
    JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [] },
          scopeLogs: [{ logRecords: [{ timeUnixNano: "1", body: { stringValue: "x" }, attributes: [{ key: "a", value: { intValue: 1 } }] }] }],
        },
      ],
    }),
  );

  const tryAll = (bytes: Uint8Array) => {
    for (const enc of ["protobuf", "json"] as const) {
      for (const f of [decodeLogs, decodeMetrics]) {
        try {
          f(bytes, enc);
        } catch (e) {
          if (!(e instanceof OtlpDecodeError)) throw new Error(`${f.name}/${enc} threw ${String(e)} for ${Buffer.from(bytes).toString("hex")}`);
        }
      }
    }
  };

  test("random bytes and random mutations of valid bodies", () => {
    for (let i = 0; i < 3000; i++) {
      const len = Math.floor(rnd() * 64);
      tryAll(Uint8Array.from({ length: len }, () => Math.floor(rnd() * 256)));
      for (const base of [valid, validJson]) {
        const m = Uint8Array.from(base);
        const flips = 1 + Math.floor(rnd() * 4);
        for (let k = 0; k < flips; k++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
        tryAll(m.subarray(0, Math.floor(rnd() * (m.length + 1))));
      }
    }
  });
});

test("export responses round-trip in both encodings", () => {
  for (const enc of ["json", "protobuf"] as const) {
    expect(decodeExportResponse("metrics", enc, encodeExportResponse("metrics", enc, 0, null))).toBeNull();
    expect(decodeExportResponse("metrics", enc, encodeExportResponse("metrics", enc, 7, "seven"))).toEqual({ rejected: 7, message: "seven" });
  }
  expect(encodeExportResponse("logs", "protobuf", 0, null).length).toBe(0);
});
