/**
 * OTLP protobuf encoding of one span at a time, written straight into a growing byte buffer.
 *
 * `@opentelemetry/otlp-transformer`'s ProtobufTraceSerializer encodes a whole batch of held spans
 * (grouped by resource and scope, sized in a first pass); here each span is encoded as it ends and
 * the request is assembled around the encoded spans when its batch leaves (see otlp-export.ts).
 * Same fields, order and choices as that serializer (`serializeSpan`, `writeAttributes`,
 * `writeResource`, `writeInstrumentationScope`), which the test checks byte for byte.
 */
import type { AttributeValue, Attributes, HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;
const LEN = 2;

/** Bytes a varint of `v` (an unsigned 32-bit value) takes. */
function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** The value of each hex digit by character code (0 for anything else); a table, because random digits make branches mispredict. */
const NIBBLE = new Uint8Array(256);
for (let c = 0; c < 256; c++) NIBBLE[c] = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : 0;

/** A growing buffer protobuf fields are written into. */
export class ProtoWriter {
  buf: Buffer;
  pos = 0;

  constructor(size = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** The bytes written so far (a view, not a copy). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  varint(value: number): void {
    this.ensure(10);
    const b = this.buf;
    if (value >= 0 && value <= 0xffffffff) {
      let v = value >>> 0;
      while (v > 127) {
        b[this.pos++] = (v & 127) | 128;
        v >>>= 7;
      }
      b[this.pos++] = v;
      return;
    }
    // Beyond 32 bits, or negative (two's complement over 64 bits, ten bytes), as the official writer does.
    const abs = Math.abs(value);
    let low = abs >>> 0;
    let high = (abs / 4294967296) >>> 0;
    if (value < 0) {
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    while (high > 0 || low > 127) {
      b[this.pos++] = (low & 127) | 128;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    b[this.pos++] = low & 127;
  }

  fixed32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** One byte, with room already ensured (a tag of a field numbered below 16). */
  u8(v: number): void {
    this.buf[this.pos++] = v;
  }

  /** `[seconds, nanoseconds]` as fixed64 nanoseconds since the epoch, exactly (no BigInt, no float rounding). */
  hrTime([seconds, nanos]: HrTime): void {
    // seconds * 1e9 = seconds * 1953125 * 2^9, and seconds * 1953125 < 2^53 stays exact.
    const x = seconds * 1953125;
    const xHigh = Math.floor(x / 0x800000);
    const sum = (x - xHigh * 0x800000) * 512 + nanos;
    const carry = Math.floor(sum / 4294967296);
    const low = (sum - carry * 4294967296) >>> 0;
    const high = (xHigh + carry) >>> 0;
    this.ensure(8);
    // Byte by byte: the range checks of writeUInt32LE are not needed for values made above.
    const b = this.buf;
    const p = this.pos;
    b[p] = low;
    b[p + 1] = low >>> 8;
    b[p + 2] = low >>> 16;
    b[p + 3] = low >>> 24;
    b[p + 4] = high;
    b[p + 5] = high >>> 8;
    b[p + 6] = high >>> 16;
    b[p + 7] = high >>> 24;
    this.pos = p + 8;
  }

  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  /** A length-delimited UTF-8 string. */
  string(s: string): void {
    const n = s.length;
    const mark = this.pos;
    // Most strings here are short ASCII: copied code by code (a native write costs more per call than it saves).
    this.varint(n);
    this.ensure(n);
    const b = this.buf;
    let at = this.pos;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) {
        this.pos = mark;
        this.#utf8(s);
        return;
      }
      b[at++] = c;
    }
    this.pos = at;
  }

  #utf8(s: string): void {
    const size = Buffer.byteLength(s, 'utf8');
    this.varint(size);
    this.ensure(size);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** A length-delimited id given as hex (trace and span ids; the SDK's ids are always valid hex). */
  hexBytes(hex: string): void {
    const size = hex.length >>> 1;
    this.varint(size);
    this.ensure(size);
    const b = this.buf;
    let at = this.pos;
    for (let i = 0; i < size * 2; i += 2) b[at++] = (NIBBLE[hex.charCodeAt(i) & 255]! << 4) | NIBBLE[hex.charCodeAt(i + 1) & 255]!;
    this.pos = at;
  }

  bytesField(bytes: Uint8Array): void {
    this.varint(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Starts a length-delimited message: reserves `reserved` bytes for its length; returns where it starts. */
  begin(reserved = 1): number {
    this.ensure(reserved);
    this.pos += reserved;
    return this.pos;
  }

  /** Ends the message begun at `start`: writes its length, moving the body when it needs more or fewer bytes than reserved. */
  end(start: number, reserved = 1): void {
    const length = this.pos - start;
    const size = varintSize(length);
    if (size !== reserved) {
      this.ensure(size - reserved);
      this.buf.copyWithin(start + size - reserved, start, this.pos);
      this.pos += size - reserved;
    }
    let at = start - reserved;
    let v = length;
    while (v > 127) {
      this.buf[at++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.buf[at] = v;
  }
}

/**
 * Tags of the span's fields (field number << 3 | wire type), written as bytes: all but the last
 * (flags, field 16) fit in one.
 */
const T_SPAN = 0x12; // ScopeSpans.spans (2), length-delimited
const T_TRACE_ID = 0x0a;
const T_SPAN_ID = 0x12;
const T_TRACE_STATE = 0x1a;
const T_PARENT_SPAN_ID = 0x22;
const T_NAME = 0x2a;
const T_KIND = 0x30;
const T_START = 0x39; // fixed64
const T_END = 0x41; // fixed64
const T_DROPPED_ATTRIBUTES = 0x50;
const T_EVENT = 0x5a;
const T_DROPPED_EVENTS = 0x60;
const T_LINK = 0x6a;
const T_DROPPED_LINKS = 0x70;
const T_STATUS = 0x7a;
/** Room for the fixed part of a span: its tag and length, ids, kind, times, counts, status code and flags. */
const SPAN_FIXED_BYTES = 128;

/** Appends `span` as a `ScopeSpans.spans` field (2): `serializeSpan` of the official serializer. */
export function writeSpan(w: ProtoWriter, span: ReadableSpan): void {
  const ctx = span.spanContext();
  const parent = span.parentSpanContext;
  // One check of room for the fixed part; strings and attributes check their own.
  w.ensure(SPAN_FIXED_BYTES);
  w.u8(T_SPAN);
  // Most spans take 128 bytes or more: two bytes reserved spare moving them.
  const start = w.begin(2);
  w.u8(T_TRACE_ID);
  w.hexBytes(ctx.traceId);
  w.u8(T_SPAN_ID);
  w.hexBytes(ctx.spanId);
  const traceState = ctx.traceState?.serialize();
  if (traceState) {
    w.u8(T_TRACE_STATE);
    w.string(traceState);
  }
  if (parent?.spanId) {
    w.ensure(1);
    w.u8(T_PARENT_SPAN_ID);
    w.hexBytes(parent.spanId);
  }
  w.ensure(1);
  w.u8(T_NAME);
  w.string(span.name);
  const kind = span.kind == null ? 0 : span.kind + 1;
  w.ensure(SPAN_FIXED_BYTES);
  if (kind !== 0) {
    w.u8(T_KIND);
    w.varint(kind);
  }
  w.u8(T_START);
  w.hrTime(span.startTime);
  w.u8(T_END);
  w.hrTime(span.endTime);
  if (span.attributes) writeAttributes(w, span.attributes, 9);
  w.ensure(SPAN_FIXED_BYTES);
  w.u8(T_DROPPED_ATTRIBUTES);
  w.varint(span.droppedAttributesCount);
  for (const e of span.events) {
    w.ensure(1);
    w.u8(T_EVENT);
    const es = w.begin();
    w.tag(1, 1);
    w.hrTime(e.time);
    w.tag(2, LEN);
    w.string(e.name);
    if (e.attributes) writeAttributes(w, e.attributes, 3);
    w.tag(4, 0);
    w.varint(e.droppedAttributesCount || 0);
    w.end(es);
  }
  w.ensure(SPAN_FIXED_BYTES);
  w.u8(T_DROPPED_EVENTS);
  w.varint(span.droppedEventsCount);
  for (const l of span.links) {
    w.ensure(1);
    w.u8(T_LINK);
    const ls = w.begin();
    w.tag(1, LEN);
    w.hexBytes(l.context.traceId);
    w.tag(2, LEN);
    w.hexBytes(l.context.spanId);
    const ts = l.context.traceState?.serialize();
    if (ts) {
      w.tag(3, LEN);
      w.string(ts);
    }
    if (l.attributes) writeAttributes(w, l.attributes, 4);
    w.tag(5, 0);
    w.varint(l.droppedAttributesCount || 0);
    w.tag(6, 5);
    w.fixed32((l.context.traceFlags & 0xff) | HAS_IS_REMOTE | (l.context.isRemote === true ? IS_REMOTE : 0));
    w.end(ls);
  }
  w.ensure(SPAN_FIXED_BYTES);
  w.u8(T_DROPPED_LINKS);
  w.varint(span.droppedLinksCount);
  w.u8(T_STATUS);
  const ss = w.begin();
  if (span.status.message) {
    w.tag(2, LEN);
    w.string(span.status.message);
  }
  w.tag(3, 0);
  w.varint(span.status.code);
  w.end(ss);
  w.tag(16, 5);
  w.fixed32((ctx.traceFlags & 0xff) | HAS_IS_REMOTE | (parent?.isRemote === true ? IS_REMOTE : 0));
  w.end(start, 2);
}

/** Repeated `KeyValue` fields numbered `field`. */
function writeAttributes(w: ProtoWriter, attributes: Attributes, field: number): void {
  const tag = (field << 3) | LEN;
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    // Tag, two reserved lengths and the key's and value's tags: 5 bytes.
    w.ensure(5);
    w.u8(tag);
    const kv = w.begin();
    w.u8(0x0a); // key (1)
    w.string(key);
    w.ensure(2);
    w.u8(0x12); // value (2)
    const v = w.begin();
    writeAnyValue(w, attributes[key]);
    w.end(v);
    w.end(kv);
  }
}

function writeAnyValue(w: ProtoWriter, value: AttributeValue | Uint8Array | Record<string, unknown> | null | undefined): void {
  switch (typeof value) {
    case 'string':
      w.tag(1, LEN);
      w.string(value);
      return;
    case 'boolean':
      w.tag(2, 0);
      w.varint(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63) {
        w.tag(3, 0);
        w.varint(value);
      } else {
        w.tag(4, 1);
        w.double(value);
      }
      return;
    case 'object':
      if (value === null) return;
      if (value instanceof Uint8Array) {
        w.tag(7, LEN);
        w.bytesField(value);
      } else if (Array.isArray(value)) {
        w.tag(5, LEN);
        const arr = w.begin();
        for (const item of value) {
          w.tag(1, LEN);
          const s = w.begin();
          writeAnyValue(w, item as AttributeValue);
          w.end(s);
        }
        w.end(arr);
      } else {
        w.tag(6, LEN);
        const list = w.begin();
        const map = value as Record<string, unknown>;
        for (const k in map) {
          if (!Object.prototype.hasOwnProperty.call(map, k)) continue;
          w.tag(1, LEN);
          const kv = w.begin();
          w.tag(1, LEN);
          w.string(k);
          w.tag(2, LEN);
          const s = w.begin();
          writeAnyValue(w, map[k] as AttributeValue);
          w.end(s);
          w.end(kv);
        }
        w.end(list);
      }
      return;
    default:
  }
}

/** `ResourceSpans.resource` (field 1) of `span`'s resource: `writeResource`. */
export function resourceField(span: ReadableSpan): Buffer {
  const w = new ProtoWriter(256);
  w.tag(1, LEN);
  const s = w.begin();
  writeAttributes(w, span.resource.attributes, 1);
  w.tag(2, 0);
  w.varint(0);
  w.end(s);
  return Buffer.from(w.bytes());
}

/** `ScopeSpans.scope` (field 1) of `span`'s instrumentation scope: `writeInstrumentationScope`. */
export function scopeField(span: ReadableSpan): Buffer {
  const scope = span.instrumentationScope as ReadableSpan['instrumentationScope'] & { attributes?: Attributes; droppedAttributesCount?: number };
  const w = new ProtoWriter(256);
  w.tag(1, LEN);
  const s = w.begin();
  w.tag(1, LEN);
  w.string(scope.name);
  if (scope.version) {
    w.tag(2, LEN);
    w.string(scope.version);
  }
  if (scope.attributes) writeAttributes(w, scope.attributes, 3);
  if (scope.droppedAttributesCount) {
    w.tag(4, 0);
    w.varint(scope.droppedAttributesCount);
  }
  w.end(s);
  return Buffer.from(w.bytes());
}

/**
 * An `ExportTraceServiceRequest` of one resource and one scope around `spans` (spans encoded by
 * {@link writeSpan}); `schemaUrls` as the spans' resource and scope carry them.
 */
export function traceRequest(resource: Buffer, scope: Buffer, spans: Uint8Array, resourceSchemaUrl?: string, scopeSchemaUrl?: string): Buffer {
  const tail = (field: number, url: string | undefined): Buffer => {
    if (!url) return Buffer.alloc(0);
    const w = new ProtoWriter(url.length * 3 + 8);
    w.tag(field, LEN);
    w.string(url);
    return Buffer.from(w.bytes());
  };
  const scopeTail = tail(3, scopeSchemaUrl);
  const resourceTail = tail(3, resourceSchemaUrl);
  const scopeSpansLength = scope.length + spans.length + scopeTail.length;
  const resourceSpansLength = resource.length + 1 + varintSize(scopeSpansLength) + scopeSpansLength + resourceTail.length;
  const head = new ProtoWriter(32 + resource.length + scope.length);
  head.tag(1, LEN);
  head.varint(resourceSpansLength);
  head.ensure(resource.length);
  head.buf.set(resource, head.pos);
  head.pos += resource.length;
  head.tag(2, LEN);
  head.varint(scopeSpansLength);
  head.ensure(scope.length);
  head.buf.set(scope, head.pos);
  head.pos += scope.length;
  return Buffer.concat([head.bytes(), spans, scopeTail, resourceTail]);
}
