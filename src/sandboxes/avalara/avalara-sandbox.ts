/**
 * The Avalara AvaTax sandbox: `POST /api/v2/transactions/create` (and `createoradjust`) with
 * Basic auth, estimates (`SalesOrder`, not saved) and invoices (`SalesInvoice`, saved, committed
 * with `commit: true` or later), retrieval, commit and void by company and code, and
 * `GET /api/v2/utilities/ping`. Tax comes from the fixed table in `tax-table.ts`.
 */
import { randomUUID } from 'node:crypto';
import { errorCodes, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { defineSandbox, type Collection, type SandboxFactory } from '../kit/index.ts';
import { AvaTaxError, renderAvaTaxFault } from './avatax-error.ts';
import { calculateTransaction } from './calculate.ts';
import { parseCreateTransaction, type CreateTransactionInput } from './create-transaction-model.ts';

/** A stored (saved or committed) transaction. */
type Transaction = Record<string, unknown> & { id: number; code: string; status: string; version: number };

interface DocParams {
  companyCode: string;
  transactionCode: string;
}

/** The Avalara AvaTax sandbox factory. */
export const avalaraSandbox: SandboxFactory = defineSandbox({
  name: 'avalara',
  renderError: renderAvaTaxFault,
  routes(scope, context) {
    const transactions = context.store.collection<Transaction>('transactions');
    const counters = context.store.collection<number>('counters');
    installErrorHandlers(scope);
    acceptJson(scope);
    // A callback hook: it runs on every request, and skips the promise an async hook costs.
    scope.addHook('onRequest', (request, reply, done) => {
      reply.header('x-correlation-id', randomUUID());
      try {
        if (!request.url.startsWith('/api/v2/utilities/ping')) credentials(request, true);
      } catch (err) {
        done(err as Error);
        return;
      }
      done();
    });

    scope.get('/api/v2/utilities/ping', async (request) => {
      const who = credentials(request, false);
      return {
        version: '24.6.0',
        authenticated: who !== null,
        authenticationType: who?.type ?? 'None',
        authenticatedUserName: who?.type === 'UsernamePassword' ? who.user : null,
        authenticatedUserId: who === null ? null : 1001,
        authenticatedAccountId: who === null ? null : who.type === 'AccountIdLicenseKey' ? Number(who.user) : 2001,
        crmid: null,
      };
    });

    const save = (input: CreateTransactionInput, adjust: boolean): Record<string, unknown> => {
      const code = input.code ?? randomUUID();
      if (!input.type.endsWith('Invoice')) {
        return calculateTransaction(input, { id: 0, code, now: isoNow() });
      }
      const key = `${input.companyCode}/${code}`;
      const existing = transactions.get(key);
      if (existing !== undefined && existing.status === 'Committed' && !adjust) {
        throw new AvaTaxError(400, 'DocumentCodeConflict', `A committed document with code '${code}' already exists for company '${input.companyCode}'; use createoradjust to change it.`, 'IncorrectData', 'code');
      }
      const id = existing?.id ?? (counters.get('transactionId') ?? 85_000_000) + 1;
      if (existing === undefined) counters.put('transactionId', id);
      const transaction = calculateTransaction(input, { id, code, now: isoNow() }) as Transaction;
      transaction.version = (existing?.version ?? 0) + 1;
      transactions.put(key, transaction);
      return transaction;
    };

    // Synchronous handlers (Fastify catches what they throw): no promise per calculation.
    scope.post('/api/v2/transactions/create', (request, reply) => {
      reply.send(save(parseCreateTransaction(request.body), false));
    });

    scope.post('/api/v2/transactions/createoradjust', (request, reply) => {
      const body = request.body as { createTransactionModel?: unknown } | null;
      reply.send(save(parseCreateTransaction(body?.createTransactionModel), true));
    });

    scope.get<{ Params: DocParams }>('/api/v2/companies/:companyCode/transactions/:transactionCode', async (request) =>
      find(transactions, request.params),
    );

    scope.post<{ Params: DocParams }>('/api/v2/companies/:companyCode/transactions/:transactionCode/commit', async (request) => {
      const transaction = find(transactions, request.params);
      const body = (request.body ?? {}) as { commit?: unknown };
      if (typeof body.commit !== 'boolean') throw new AvaTaxError(400, 'ValueRequiredError', "Field 'commit' is required.", 'IncorrectData', 'commit');
      if (transaction.status === 'Cancelled') {
        throw new AvaTaxError(400, 'InvalidDocumentStatusForCommit', 'A voided document cannot be committed.', 'IncorrectData');
      }
      transaction.status = body.commit ? 'Committed' : 'Saved';
      transactions.put(keyOf(request.params), transaction);
      return transaction;
    });

    scope.post<{ Params: DocParams }>('/api/v2/companies/:companyCode/transactions/:transactionCode/void', async (request) => {
      const transaction = find(transactions, request.params);
      const body = (request.body ?? {}) as { code?: unknown };
      if (typeof body.code !== 'string' || body.code === '') throw new AvaTaxError(400, 'ValueRequiredError', "Field 'code' is required.", 'IncorrectData', 'code');
      transaction.status = 'Cancelled';
      transactions.put(keyOf(request.params), transaction);
      return transaction;
    });
  },
  summary: (context) => ({ transactions: context.store.collection('transactions').size }),
});

// Estimates come by the thousand a second: the ISO timestamp is made once per millisecond.
let isoAt = -1;
let isoText = '';
function isoNow(): string {
  const now = Date.now();
  if (now !== isoAt) {
    isoAt = now;
    isoText = new Date(now).toISOString();
  }
  return isoText;
}

function keyOf(params: DocParams): string {
  return `${params.companyCode}/${params.transactionCode}`;
}

function find(transactions: Collection<Transaction>, params: DocParams): Transaction {
  const found = transactions.get(keyOf(params));
  if (found === undefined) {
    throw new AvaTaxError(404, 'EntityNotFoundError', `Transaction '${params.transactionCode}' for company '${params.companyCode}' not found.`, 'HttpRequest', 'transactionCode');
  }
  return found;
}

interface Caller {
  type: 'AccountIdLicenseKey' | 'UsernamePassword' | 'BearerToken';
  user: string;
}

// Clients send the same header on every request: the last few callers, by header.
const callers = new Map<string, Readonly<Caller>>();
const CALLERS_MAX = 64;

// Basic auth is "accountId:licenseKey" (all digits before the colon) or "username:password".
function credentials(request: FastifyRequest, required: boolean): Readonly<Caller> | null {
  const header = request.headers.authorization ?? '';
  const known = callers.get(header);
  if (known !== undefined) return known;
  const caller = callerOf(header);
  if (caller === null) {
    if (!required) return null;
    throw new AvaTaxError(401, 'AuthenticationException', 'Authentication failed.', 'HttpRequestHeaders');
  }
  if (callers.size >= CALLERS_MAX) callers.delete(callers.keys().next().value as string);
  callers.set(header, caller);
  return caller;
}

function callerOf(header: string): Caller | null {
  const [scheme = '', value = ''] = header.split(' ', 2);
  if (scheme.toLowerCase() === 'bearer' && value !== '') return { type: 'BearerToken', user: '' };
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const at = decoded.indexOf(':');
    const user = at < 0 ? '' : decoded.slice(0, at);
    const secret = at < 0 ? '' : decoded.slice(at + 1);
    if (user !== '' && secret !== '') return { type: /^\d+$/.test(user) ? 'AccountIdLicenseKey' : 'UsernamePassword', user };
  }
  return null;
}

/**
 * JSON bodies through plain `JSON.parse`. Fastify's default parser also scans every body for
 * `__proto__` and `constructor` keys, which cost more than the parse itself on each estimate; here
 * nothing merges a body into another object (the model is read field by field), so such a key is
 * just an unknown field, which AvaTax ignores too. Malformed JSON still reaches the error handler
 * as a SyntaxError (AvaTax's `JsonFormatError`), an empty body as Fastify's own error.
 */
function acceptJson(scope: FastifyInstance): void {
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.length === 0) {
      done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}

function installErrorHandlers(scope: FastifyInstance): void {
  scope.setErrorHandler((error: FastifyError | AvaTaxError, _request, reply) => {
    const failure =
      error instanceof AvaTaxError
        ? error
        : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
          ? new AvaTaxError(400, 'JsonFormatError', `The request body is not valid JSON: ${error.message}`, 'IncorrectData')
          : (error.statusCode ?? 500) < 500
            ? new AvaTaxError(error.statusCode ?? 400, 'ModelStateInvalid', error.message, 'HttpRequest')
            : new AvaTaxError(500, 'ServerConfiguration', 'An unexpected error occurred on the server.', 'Unknown');
    return reply.code(failure.status).send(failure.body());
  });
  scope.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(new AvaTaxError(404, 'EntityNotFoundError', `No API matches ${request.method} ${request.url.split('?')[0]}.`, 'HttpRequest').body()),
  );
}
