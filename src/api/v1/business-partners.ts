/**
 * `GET /v1/business-partners/{externalRef}`: account lookup and validation against SAP S/4HANA.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { checkBusinessPartner } from '../sync/business-partner-check.ts';
import { describePolicy } from '../sync/policies.ts';
import { sapOf } from '../sync/sap-systems.ts';
import { CacheControlHeaders, Currency, FreshnessFields, Nullable, responses, wantsRevalidation } from './schemas.ts';
import type { V1Deps } from './v1-deps.ts';

/** A CRM account number, the business partner's external reference in SAP. */
export const ExternalRef = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,19}$', description: 'The CRM account number, kept in SAP as BusinessPartnerIDByExtSystem (at most 20 characters)' });
/** A sales area. */
export const SalesArea = Type.String({ pattern: '^[A-Za-z0-9]{4}/[A-Za-z0-9]{2}/[A-Za-z0-9]{2}$', description: 'Sales organisation / distribution channel / division, e.g. 1710/10/00' });

const Params = Type.Object({ externalRef: ExternalRef });
const Query = Type.Object(
  { salesArea: Type.Optional(SalesArea), currency: Type.Optional(Currency) },
  { additionalProperties: false },
);

/** The answer of a business partner check. */
export const PartnerCheckSchema = Type.Object({
  externalRef: Type.String(),
  valid: Type.Boolean(),
  problems: Type.Array(Type.String(), { description: 'What stops an order being booked to the partner, one sentence each.' }),
  partner: Type.Object({
    businessPartner: Type.String(),
    customer: Nullable(Type.String({ description: 'Customer number; null when the partner has no customer role' })),
    name: Type.String(),
    searchTerm: Type.String(),
    externalRef: Type.String(),
    salesAreas: Type.Array(
      Type.Object({ salesOrganization: Type.String(), distributionChannel: Type.String(), division: Type.String(), currency: Type.String(), paymentTerms: Type.String() }),
    ),
    address: Nullable(Type.Object({ country: Nullable(Type.String()), city: Nullable(Type.String()), postalCode: Nullable(Type.String()), street: Nullable(Type.String()) })),
  }),
  ...FreshnessFields,
});

/** Registers the business partner route. */
export function businessPartnerRoutes(app: FastifyInstance, deps: V1Deps): void {
  app.get<{ Params: Static<typeof Params>; Querystring: Static<typeof Query> }>(
    '/v1/business-partners/:externalRef',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Account lookup and validation (SAP business partner)',
        description:
          'The SAP business partner of a CRM account (by external reference), its customer and sales areas, and what stops an order being booked to it; ' +
          `\`salesArea\` and \`currency\` say what the order needs. 404 \`business-partner-not-found\` when SAP has none. Needs \`connectors.sap\`. ${describePolicy('business-partner')}`,
        headers: CacheControlHeaders,
        params: Params,
        querystring: Query,
        response: responses(200, PartnerCheckSchema, 'The partner and its verdict'),
      },
    },
    async (req) =>
      checkBusinessPartner(deps, sapOf(deps.sap), req.params.externalRef, { salesArea: req.query.salesArea, currency: req.query.currency }, { revalidate: wantsRevalidation(req.headers['cache-control']) }),
  );
}
