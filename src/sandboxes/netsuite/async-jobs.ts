/**
 * Asynchronous requests and idempotency, as NetSuite's REST web services offer them: a record
 * request with `Prefer: respond-async` is answered `202 Accepted` (`Preference-Applied`,
 * `Location: …/services/rest/async/v1/job/{id}`) and run in the background; the job, its task
 * and the task's result are read under `/services/rest/async/v1/job/…`. An
 * `X-NetSuite-Idempotency-Key` (a UUID) on an async request makes a repeat with the same key
 * fail with 400 `IDEMPOTENCY_ERROR` (titled "Conflict") pointing at the first job's `Location`.
 * Synchronous requests ignore the key, as NetSuite documents it for async requests only.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Collection } from '../kit/index.ts';
import { NetSuiteError, nonexistent } from './errors.ts';

/** A stored async job. */
export interface AsyncJob {
  /** Job id (also its single task's id). */
  readonly id: string;
  /** The idempotency key it was submitted with, if any. */
  readonly idempotencyKey: string | null;
  /** `pending`, then `succeeded` or `failed`. */
  progress: 'pending' | 'succeeded' | 'failed';
  /** ISO times. */
  startTime: string;
  endTime: string | null;
  /** The synchronous answer the request got, once run. */
  result: { status: number; location: string | null; body: string } | null;
}

const RESPOND_ASYNC = /\brespond-async\b/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Adds async handling to the record routes of `scope` and registers the job routes. */
export function registerAsyncJobs(scope: FastifyInstance, jobs: Collection<AsyncJob>, url: () => string): void {
  const jobUrl = (id: string): string => `${url()}/services/rest/async/v1/job/${id}`;

  // Jobs by idempotency key, built from the stored jobs on first use (after a restart from a
  // state file too); an entry whose job is gone (reset) no longer counts.
  let byKey: Map<string, string> | undefined;
  const earlierJob = (idempotencyKey: string): AsyncJob | undefined => {
    if (byKey === undefined) {
      byKey = new Map();
      for (const j of jobs.list()) if (j.idempotencyKey !== null && !byKey.has(j.idempotencyKey)) byKey.set(j.idempotencyKey, j.id);
    }
    const id = byKey.get(idempotencyKey);
    const job = id === undefined ? undefined : jobs.get(id);
    return job?.idempotencyKey === idempotencyKey ? job : undefined;
  };

  // A callback hook: it runs on every record request, and most are synchronous ones.
  scope.addHook('preHandler', (request, reply, done) => {
    const prefer = request.headers['prefer'];
    if (prefer === undefined || !RESPOND_ASYNC.test(String(prefer)) || !request.url.startsWith('/services/rest/record/')) {
      done();
      return;
    }
    try {
      // Answers 202 itself, which ends the request: `done` must not be called as well.
      startJob(request, reply);
    } catch (err) {
      done(err as Error);
    }
  });

  const startJob = (request: FastifyRequest, reply: FastifyReply): void => {
    const key = request.headers['x-netsuite-idempotency-key'];
    const idempotencyKey = typeof key === 'string' ? key : null;
    if (idempotencyKey !== null) {
      if (!UUID.test(idempotencyKey)) {
        throw new NetSuiteError(400, 'INVALID_HEADER', 'The X-NetSuite-Idempotency-Key header must be a UUID.', { header: 'X-NetSuite-Idempotency-Key' });
      }
      const earlier = earlierJob(idempotencyKey);
      if (earlier) {
        reply.header('Location', jobUrl(earlier.id));
        throw new NetSuiteError(400, 'IDEMPOTENCY_ERROR', `A request with the idempotency key ${idempotencyKey} has already been submitted.`, { header: 'X-NetSuite-Idempotency-Key' }, 'Conflict');
      }
    }
    const job: AsyncJob = { id: randomUUID().replace(/-/g, '').slice(0, 12), idempotencyKey, progress: 'pending', startTime: new Date().toISOString(), endTime: null, result: null };
    jobs.put(job.id, job);
    if (idempotencyKey !== null) byKey?.set(idempotencyKey, job.id);
    const { prefer: _prefer, 'x-netsuite-idempotency-key': _key, 'content-length': _length, ...headers } = request.headers;
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
    // Run after answering, so the job is visibly pending and holds no concurrency slot meanwhile.
    setImmediate(() => {
      void request.server
        .inject({ method: request.method as 'POST', url: request.url, headers: headers as Record<string, string>, ...(payload === undefined ? {} : { payload }) })
        .then((res) => {
          const location = res.headers['location'];
          jobs.put(job.id, {
            ...job,
            progress: res.statusCode < 400 ? 'succeeded' : 'failed',
            endTime: new Date().toISOString(),
            result: { status: res.statusCode, location: typeof location === 'string' ? location : null, body: res.body },
          });
        })
        .catch(() => jobs.put(job.id, { ...job, progress: 'failed', endTime: new Date().toISOString(), result: null }));
    });
    reply.code(202).header('Preference-Applied', 'respond-async').header('Location', jobUrl(job.id)).send();
  };

  const find = (id: string | undefined): AsyncJob => {
    const job = id === undefined ? undefined : jobs.get(id);
    if (!job) throw nonexistent('job', id ?? '');
    return job;
  };

  scope.get('/services/rest/async/v1/job/:id', async (request) => {
    const job = find((request.params as Record<string, string>)['id']);
    return { links: [{ rel: 'self', href: jobUrl(job.id) }], completed: job.progress !== 'pending', id: job.id, progress: job.progress, task: { links: [{ rel: 'related', href: `${jobUrl(job.id)}/task` }] } };
  });

  scope.get('/services/rest/async/v1/job/:id/task', async (request) => {
    const job = find((request.params as Record<string, string>)['id']);
    return { links: [{ rel: 'self', href: `${jobUrl(job.id)}/task` }], count: 1, hasMore: false, items: [{ links: [{ rel: 'self', href: `${jobUrl(job.id)}/task/${job.id}` }], id: job.id }], offset: 0, totalResults: 1 };
  });

  scope.get('/services/rest/async/v1/job/:id/task/:task', async (request) => {
    const params = request.params as Record<string, string>;
    const job = find(params['id']);
    if (params['task'] !== job.id) throw nonexistent('task', params['task'] ?? '');
    return {
      links: [{ rel: 'self', href: `${jobUrl(job.id)}/task/${job.id}` }, { rel: 'related', href: `${jobUrl(job.id)}/task/${job.id}/result` }],
      completed: job.progress !== 'pending',
      ...(job.endTime ? { endTime: job.endTime } : {}),
      id: job.id,
      progress: job.progress,
      startTime: job.startTime,
    };
  });

  scope.get('/services/rest/async/v1/job/:id/task/:task/result', async (request, reply) => {
    const params = request.params as Record<string, string>;
    const job = find(params['id']);
    if (params['task'] !== job.id || job.result === null) throw nonexistent('task result', params['task'] ?? '');
    if (job.result.location) reply.header('Location', job.result.location);
    reply.code(job.result.status);
    return job.result.body === '' ? reply.send() : reply.type('application/json; charset=utf-8').send(job.result.body);
  });
}
