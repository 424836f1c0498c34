/**
 * `GET /v1/accounts/{accountId}` and `POST /v1/accounts/validate`: account lookup and validation
 * (customer master in Salesforce and NetSuite, legal-entity mapping). `POST /v1/account-validation`
 * is the deprecated alias of the latter (see retirements.ts).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { checkAccount } from '../sync/account-check.ts';
import { describePolicy } from '../sync/policies.ts';
import { CacheControlHeaders, FreshnessFields, FreshnessSchema, IdempotencyHeaders, Nullable, responses, SalesforceId, wantsRevalidation } from './schemas.ts';
import { systemsOf, type V1Deps } from './v1-deps.ts';

/** The answer of account lookup and validation. */
export const AccountCheckSchema = Type.Object({
  accountId: Type.String(),
  valid: Type.Boolean(),
  problems: Type.Array(Type.String(), { description: 'What a seller must fix, one sentence each.' }),
  // No `type` on purpose: Fastify's serializer then writes the object with one JSON.stringify,
  // whereas an open object type has it stringify key by key (≈ 2 µs a request more).
  customer: Type.Unsafe<Record<string, unknown> | null>({ description: 'The canonical Customer (an object as the Customer contract describes it), or null when the Account could not be mapped.' }),
  legalEntity: Type.Object({ name: Nullable(Type.String()), subsidiaryId: Nullable(Type.String()) }),
  erpCustomer: Nullable(
    Type.Object({
      id: Type.String(),
      entityId: Nullable(Type.String()),
      companyName: Nullable(Type.String()),
      subsidiaryId: Nullable(Type.String()),
      externalId: Nullable(Type.String()),
      inactive: Type.Boolean(),
    }),
  ),
  ...FreshnessFields,
  sources: Type.Object({ salesforce: FreshnessSchema, netsuite: FreshnessSchema }),
});

const Params = Type.Object({ accountId: SalesforceId });
const Body = Type.Object({ accountId: SalesforceId }, { additionalProperties: false });
const PostHeaders = Type.Object({ ...IdempotencyHeaders.properties, ...CacheControlHeaders.properties });

/** Registers the account routes. */
export function accountRoutes(app: FastifyInstance, deps: V1Deps): void {
  const description = `Looks the Salesforce Account up, maps it to the canonical Customer, maps its legal entity to a NetSuite subsidiary and finds its NetSuite customer. ${describePolicy('account-validation')}`;
  app.get<{ Params: Static<typeof Params> }>(
    '/v1/accounts/:accountId',
    {
      schema: { tags: ['accounts'], summary: 'Account lookup', description, headers: CacheControlHeaders, params: Params, response: responses(200, AccountCheckSchema, 'The account, its mapping and its validation') },
    },
    // Not async: an answer from fresh copies is sent as returned, with no promise in between.
    (req) => checkAccount(deps, systemsOf(deps), req.params.accountId, { revalidate: wantsRevalidation(req.headers['cache-control']) }),
  );
  for (const url of ['/v1/accounts/validate', '/v1/account-validation']) {
    app.post<{ Body: Static<typeof Body> }>(
      url,
      {
        schema: {
          tags: ['accounts'],
          summary: 'Account validation',
          description,
          headers: PostHeaders,
          body: Body,
          response: responses(200, AccountCheckSchema, 'The verdict, with what to fix'),
        },
      },
      (req) => checkAccount(deps, systemsOf(deps), req.body.accountId, { revalidate: wantsRevalidation(req.headers['cache-control']) }),
    );
  }
}
