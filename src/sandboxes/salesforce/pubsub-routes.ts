/**
 * Change Data Capture subscription over HTTP/JSON.
 *
 * Salesforce delivers change events through the Pub/Sub API, a gRPC service
 * (`eventbus.v1.PubSub`, proto in shared/vendors/specs/salesforce/pubsub_api.proto) whose
 * `Subscribe` is a bidirectional stream of `FetchRequest`/`FetchResponse`. This sandbox offers an
 * HTTP/JSON projection of it, so any HTTP client can subscribe:
 *
 * - `POST /eventbus.v1.PubSub/Fetch` with a `FetchRequest` in proto3 JSON form
 *   (`{"topicName":"/data/AccountChangeEvent","replayPreset":"CUSTOM","replayId":"<base64>","numRequested":100}`)
 *   answers one `FetchResponse`: `{events:[{event:{id,schemaId,payload,headers},replayId}], latestReplayId, rpcId, pendingNumRequested}`.
 *   Since HTTP has no stream to remember the position, every request carries it: send
 *   `replayPreset: "CUSTOM"` with the previous response's `latestReplayId` to continue.
 * - `replayPreset` LATEST (only events after now), EARLIEST (oldest retained) or CUSTOM (after `replayId`).
 * - When nothing is new the request waits up to `waitMs` (an extension; default from config,
 *   at most 60 s) and then answers an empty keep-alive response, as the stream does.
 * - Replay ids are opaque bytes (8 bytes big-endian, as Salesforce's, base64 as proto3 JSON encodes
 *   bytes); an id older than the retention window or never issued fails like Pub/Sub:
 *   INVALID_ARGUMENT, `sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted`.
 * - Authentication uses the gRPC metadata names as headers (`accesstoken`, `instanceurl`,
 *   `tenantid`), or `Authorization: Bearer`.
 * - Differences from the real API: `payload` is the decoded event as JSON rather than Avro bytes;
 *   `POST /eventbus.v1.PubSub/GetTopic` is offered, but not GetSchema/Publish.
 * The kit's duplicateEventRate and outOfOrderEvents faults apply to the events of each response.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { shuffled } from '../kit/index.ts';
import type { FaultController } from '../kit/index.ts';
import { decodeReplayId, encodeReplayId } from './change-events.ts';
import type { ChangeEvent, ChangeEventLog } from './change-events.ts';
import { CDC_ENTITIES } from './schema.ts';
import { ORG_ID } from './sessions.ts';
import type { Sessions } from './sessions.ts';

/** What the Pub/Sub routes need. */
export interface PubSubRouteDeps {
  /** The change event log. */
  readonly log: ChangeEventLog;
  /** Token store. */
  readonly sessions: Sessions;
  /** Live faults (duplicates, shuffling). */
  readonly faults: FaultController;
  /** Default long-poll wait in ms. */
  readonly defaultWaitMs: number;
}

/** A Pub/Sub failure: gRPC status name, Salesforce error code and message. */
class PubSubError extends Error {
  readonly status: number;
  readonly grpcStatus: string;
  readonly errorCode: string;

  constructor(status: number, grpcStatus: string, errorCode: string, message: string) {
    super(message);
    this.status = status;
    this.grpcStatus = grpcStatus;
    this.errorCode = errorCode;
  }
}

/** Registers `Fetch` and `GetTopic`. */
export function registerPubSubRoutes(app: FastifyInstance, deps: PubSubRouteDeps): void {
  app.post('/eventbus.v1.PubSub/Fetch', async (request, reply) => {
    try {
      authenticate(deps.sessions, request.headers);
      const body = (request.body ?? {}) as Record<string, unknown>;
      const entities = topicEntities(body['topicName']);
      const numRequested = body['numRequested'] === undefined ? 100 : Number(body['numRequested']);
      if (!Number.isInteger(numRequested) || numRequested < 1 || numRequested > 100) {
        throw invalid('sfdc.platform.eventbus.grpc.flow.control.invalid.num.requested', 'numRequested must be between 1 and 100.');
      }
      const waitMs = Math.min(60_000, Math.max(0, body['waitMs'] === undefined ? deps.defaultWaitMs : Number(body['waitMs']) || 0));
      deps.log.prune();
      let position = startPosition(deps.log, body['replayPreset'] ?? 'LATEST', body['replayId']);
      let events = deps.log.after(position, entities, numRequested);
      if (events.length === 0 && waitMs > 0) {
        await deps.log.wait(waitMs);
        events = deps.log.after(position, entities, numRequested);
      }
      const last = events[events.length - 1];
      if (last) position = last.replay;
      else position = Math.max(position, deps.log.latest());
      return reply.send({
        events: deliver(deps.faults, events).map((e) => ({ event: { ...e.event, headers: [] }, replayId: encodeReplayId(e.replay) })),
        latestReplayId: encodeReplayId(position),
        rpcId: randomUUID(),
        pendingNumRequested: numRequested - events.length,
      });
    } catch (err) {
      return sendError(reply, err);
    }
  });

  app.post('/eventbus.v1.PubSub/GetTopic', async (request, reply) => {
    try {
      authenticate(deps.sessions, request.headers);
      const topicName = (request.body as Record<string, unknown> | undefined)?.['topicName'];
      topicEntities(topicName);
      return reply.send({ topicName, tenantGuid: ORG_ID, canPublish: false, canSubscribe: true, schemaId: '', rpcId: randomUUID() });
    } catch (err) {
      return sendError(reply, err);
    }
  });
}

function authenticate(sessions: Sessions, headers: Record<string, string | string[] | undefined>): void {
  const token = headers['accesstoken'];
  try {
    sessions.check(typeof token === 'string' ? `Bearer ${token}` : (headers['authorization'] as string | undefined));
  } catch {
    throw new PubSubError(401, 'UNAUTHENTICATED', 'sfdc.platform.eventbus.grpc.service.auth.error', 'Invalid or expired access token.');
  }
}

/** Entities of a topic: null for `/data/ChangeEvents` (all). */
function topicEntities(topic: unknown): ReadonlySet<string> | null {
  if (topic === '/data/ChangeEvents') return null;
  const match = typeof topic === 'string' ? /^\/data\/(\w+)ChangeEvent$/.exec(topic) : null;
  if (match?.[1] && CDC_ENTITIES.has(match[1])) return new Set([match[1]]);
  throw new PubSubError(404, 'NOT_FOUND', 'sfdc.platform.eventbus.grpc.service.topic.not.found', `Topic ${String(topic)} not found or not selected for Change Data Capture.`);
}

/** The replay number after which to deliver. */
function startPosition(log: ChangeEventLog, preset: unknown, replayId: unknown): number {
  switch (preset) {
    case 'LATEST':
      return log.latest();
    case 'EARLIEST':
      return log.prunedThrough();
    case 'CUSTOM': {
      const n = decodeReplayId(replayId);
      if (n === undefined || n < log.prunedThrough() || n > log.latest()) {
        throw invalid(
          'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted',
          'The Replay ID validation failed. Ensure that the replay_id field value in FetchRequest is valid and refers to an event that is within the retention window.',
        );
      }
      return n;
    }
    default:
      throw invalid('sfdc.platform.eventbus.grpc.subscription.fetch.invalid.replay.preset', 'replayPreset must be LATEST, EARLIEST or CUSTOM.');
  }
}

function invalid(errorCode: string, message: string): PubSubError {
  return new PubSubError(400, 'INVALID_ARGUMENT', errorCode, message);
}

/** Applies the delivery faults: some events twice, or the batch shuffled. */
function deliver(faults: FaultController, events: ChangeEvent[]): ChangeEvent[] {
  const out: ChangeEvent[] = [];
  for (const e of events) {
    out.push(e);
    if (faults.shouldDuplicateEvent()) out.push(e);
  }
  return faults.get().outOfOrderEvents ? shuffled(out, faults.random) : out;
}

function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  if (err instanceof PubSubError) {
    return reply.code(err.status).send({ grpcStatus: err.grpcStatus, errorCode: err.errorCode, message: err.message });
  }
  throw err;
}
