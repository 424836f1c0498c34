/**
 * The `connectors` and `flows` sections of the configuration: where the story's four systems are,
 * how Interlock signs in to each, and the business settings of the lead-to-order flow. Values that
 * are credentials should be `secret://name` references (resolved at start-up from the encrypted
 * secrets), never clear text in a file kept in git.
 */
import { Type, type Static } from '@sinclair/typebox';

const Url = (description: string) => Type.String({ pattern: '^https?://', description });
const Text = (description: string) => Type.String({ minLength: 1, description });

const Salesforce = Type.Object(
  {
    loginUrl: Url('Where OAuth tokens are requested: https://login.salesforce.com, https://test.salesforce.com or My Domain.'),
    clientId: Text('Consumer key of the connected app.'),
    clientSecret: Type.Optional(Text('Consumer secret, for the client-credentials flow.')),
    username: Type.Optional(Text('Integration user, for the JWT bearer flow (with privateKey).')),
    privateKey: Type.Optional(Text('PEM key whose certificate the connected app holds, for the JWT bearer flow.')),
    apiVersion: Type.Optional(Type.String({ pattern: '^\\d+\\.\\d$', description: 'REST API version, e.g. "62.0".' })),
    changeDataCapture: Type.Object(
      {
        enabled: Type.Boolean({ default: true, description: 'Subscribe to Change Data Capture to start lead-to-order on Closed Won.' }),
        topic: Type.String({ pattern: '^/data/', default: '/data/ChangeEvents', description: 'Pub/Sub topic.' }),
        startFrom: Type.Union([Type.Literal('LATEST'), Type.Literal('EARLIEST')], {
          default: 'LATEST',
          description: 'Where a subscriber with no stored replay id begins; afterwards it resumes from its replay id.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

const NetSuite = Type.Object(
  {
    baseUrl: Url('https://<account>.suitetalk.api.netsuite.com'),
    clientId: Text('Client id of the integration record (OAuth 2.0 client credentials, M2M).'),
    certificateId: Text('Certificate id of the M2M mapping.'),
    privateKey: Text('PEM private key of that certificate.'),
    algorithm: Type.Union([Type.Literal('ES256'), Type.Literal('PS256')], { default: 'ES256' }),
    concurrency: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, description: "Requests in flight at once: the account's concurrency limit (5 on the smallest tier, +10 per SuiteCloud Plus licence); more wait their turn. Default 5." }),
    ),
  },
  { additionalProperties: false },
);

const Stripe = Type.Object(
  {
    secretKey: Type.String({ pattern: '^(sk|rk)_(test|live)_', description: 'Secret or restricted API key.' }),
    baseUrl: Type.Optional(Url('API base URL; default https://api.stripe.com.')),
  },
  { additionalProperties: false },
);

const Avalara = Type.Object(
  {
    accountId: Text('AvaTax account id.'),
    licenseKey: Text('AvaTax license key.'),
    companyCode: Type.Optional(Text('Company code used for transactions; default DEFAULT.')),
    baseUrl: Type.Optional(Url('https://sandbox-rest.avatax.com (the default) or https://rest.avatax.com.')),
  },
  { additionalProperties: false },
);

const Sap = Type.Object(
  {
    baseUrl: Url('The S/4HANA Cloud API host of the communication arrangement, e.g. https://my123456-api.s4hana.cloud.sap.'),
    username: Type.Optional(Text('Communication user, for Basic authentication (with password).')),
    password: Type.Optional(Text('Communication user\'s password.')),
    clientId: Type.Optional(Text('OAuth 2.0 client id, for the client-credentials flow (with clientSecret).')),
    clientSecret: Type.Optional(Text('OAuth 2.0 client secret.')),
    servicePrefix: Type.Optional(Type.String({ pattern: '^/', description: 'Path before each service name; default /sap/opu/odata/sap/.' })),
    eventMesh: Type.Optional(
      Type.Object(
        {
          secret: Text('The value the Event Mesh webhook subscription sends in its authentication header (POST /hooks/sap).'),
          header: Type.Optional(Text('Header carrying the secret; default authorization.')),
        },
        { additionalProperties: false, description: 'S/4HANA business events (deliveries, billing documents) pushed by SAP Event Mesh.' },
      ),
    ),
  },
  { additionalProperties: false },
);

const Dynamics = Type.Object(
  {
    environmentUrl: Url('The Dataverse environment, e.g. https://contoso.crm4.dynamics.com.'),
    tenantId: Text('Microsoft Entra tenant id of the app registration.'),
    clientId: Text('Application (client) id of the app registration added as an application user.'),
    clientSecret: Text('Client secret of the app registration.'),
    loginUrl: Type.Optional(Url('Identity platform; default https://login.microsoftonline.com.')),
    webhook: Type.Optional(
      Type.Object(
        {
          key: Text('Shared key Dataverse sends as ?code= on POST /hooks/dynamics (Dataverse signs nothing).'),
          url: Type.Optional(Url('Public URL of /hooks/dynamics; when given, start registers the webhook (service endpoint and steps) with Dataverse.')),
          name: Type.Optional(Text('Name of the service endpoint; default Interlock.')),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** The systems of the first story. Configure all four to run lead-to-order and its companions. */
export const ConnectorsSchema = Type.Object(
  {
    salesforce: Type.Optional(Salesforce),
    netsuite: Type.Optional(NetSuite),
    stripe: Type.Optional(Stripe),
    avalara: Type.Optional(Avalara),
    sap: Type.Optional(Sap),
    dynamics: Type.Optional(Dynamics),
  },
  { additionalProperties: false, default: {} },
);

const Address = Type.Object(
  {
    line1: Text('Street.'),
    city: Text('City.'),
    region: Type.Optional(Type.String()),
    postalCode: Text('Postal code.'),
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166 alpha-2.' }),
  },
  { additionalProperties: false },
);

/** Business settings of lead-to-order; each replaces the default (the sandboxes' seed) when given. */
export const LeadToOrderSchema = Type.Object(
  {
    discountApprovalThresholdPercent: Type.Optional(
      Type.Number({ minimum: 0, maximum: 100, description: 'Largest line discount (percent) booked without approval.' }),
    ),
    subsidiaries: Type.Optional(Type.Record(Type.String(), Text('NetSuite subsidiary internal id.'), { description: 'Account.Legal_Entity__c → NetSuite subsidiary.' })),
    currencies: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Z]{3}$' }), Text('NetSuite currency internal id.'))),
    shipFrom: Type.Optional(Type.Record(Type.String(), Address, { description: 'Legal entity → its own address (tax origin).' })),
    intervals: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.Literal('month'), Type.Literal('year')]), { description: 'Billing_Frequency__c → Stripe interval.' }),
    ),
  },
  { additionalProperties: false, default: {} },
);

/** Business settings of the manufacturer story (Dynamics 365 → SAP S/4HANA); each replaces the default (the sandboxes' seed) when given. */
export const ManufacturerSchema = Type.Object(
  {
    discountApprovalThresholdPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'Largest line discount (percent) booked without approval.' })),
    salesAreas: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Object({ salesOrganization: Text('Sales organisation.'), distributionChannel: Text('Distribution channel.'), division: Text('Division.') }, { additionalProperties: false }),
        { description: 'Canonical legal entity (US01, DE01…) → the SAP sales area selling for it.' },
      ),
    ),
    currencies: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Z]{3}$' }), { description: 'ISO currencies SAP keeps.' })),
    shipFrom: Type.Optional(Type.Record(Type.String(), Address, { description: 'Legal entity → its own address (tax origin).' })),
    publishTo: Type.Optional(Text('Destination (from destinations) the canonical shipment and invoice CloudEvents are sent to.')),
  },
  { additionalProperties: false, default: {} },
);

/** Batch syncs run by `interlock start` and `interlock worker` when the connectors are configured. */
export const SyncSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'Run the scheduled syncs (customers, products, price-books) in start and worker.' }),
    schedules: Type.Record(Type.String(), Type.String({ minLength: 1 }), {
      default: {},
      description: 'Cron expression (UTC) per sync name, replacing its default: customers every 15 minutes, products and price-books hourly.',
    }),
  },
  { additionalProperties: false, default: {} },
);

/** `connectors` as written. */
export type ConnectorsConfig = Static<typeof ConnectorsSchema>;
/** `flows.manufacturer` as written. */
export type ManufacturerSettings = Static<typeof ManufacturerSchema>;
/** `flows.leadToOrder` as written. */
export type LeadToOrderSettings = Static<typeof LeadToOrderSchema>;
/** `sync` as written. */
export type SyncSettings = Static<typeof SyncSchema>;
