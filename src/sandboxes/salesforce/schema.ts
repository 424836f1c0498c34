/**
 * The sObject types the Salesforce sandbox knows, described as data: fields, their types, which
 * are required, writable or external ids, and the parent/child relationships SOQL can traverse.
 * Only the Sales Cloud subset the first story needs; names and key prefixes are Salesforce's.
 */

/** A Salesforce field type, as `describe` reports it. */
export type SfFieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'picklist'
  | 'boolean'
  | 'double'
  | 'currency'
  | 'percent'
  | 'int'
  | 'date'
  | 'datetime'
  | 'reference'
  | 'email'
  | 'phone'
  | 'url';

/** One field of an sObject type. */
export interface SfField {
  /** API name, e.g. `BillingCountry`. */
  readonly name: string;
  /** Field type. */
  readonly type: SfFieldType;
  /** Must be present on create. */
  readonly required?: boolean;
  /** Read-only: derived or system-maintained (`IsWon`, `CreatedDate`). */
  readonly readOnly?: boolean;
  /** Marked External ID, so usable for upsert. */
  readonly externalId?: boolean;
  /** For references: the parent sObject type. */
  readonly referenceTo?: string;
  /** For references: the relationship name used in SOQL (`Account` for `AccountId`). */
  readonly relationshipName?: string;
}

/** A child relationship: `Opportunity.OpportunityLineItems` → `OpportunityLineItem.OpportunityId`. */
export interface SfChildRelationship {
  /** Name used in a SOQL subquery. */
  readonly relationshipName: string;
  /** Child sObject type. */
  readonly childSObject: string;
  /** The child's reference field pointing at the parent. */
  readonly field: string;
}

/** An sObject type. */
export interface SObjectType {
  /** API name, e.g. `Account`. */
  readonly name: string;
  /** Three-character id prefix (`001`). */
  readonly keyPrefix: string;
  /** Fields, system fields included. */
  readonly fields: readonly SfField[];
  /** Child relationships. */
  readonly childRelationships: readonly SfChildRelationship[];
}

const system: readonly SfField[] = [
  { name: 'Id', type: 'id', readOnly: true },
  { name: 'IsDeleted', type: 'boolean', readOnly: true },
  { name: 'CreatedDate', type: 'datetime', readOnly: true },
  { name: 'CreatedById', type: 'reference', readOnly: true, referenceTo: 'User', relationshipName: 'CreatedBy' },
  { name: 'LastModifiedDate', type: 'datetime', readOnly: true },
  { name: 'LastModifiedById', type: 'reference', readOnly: true, referenceTo: 'User', relationshipName: 'LastModifiedBy' },
  { name: 'SystemModstamp', type: 'datetime', readOnly: true },
];

const integration: readonly SfField[] = [
  { name: 'External_Id__c', type: 'string', externalId: true },
  { name: 'Integration_Status__c', type: 'picklist' },
  { name: 'Integration_Error__c', type: 'textarea' },
];

// What billing feedback writes onto accounts and opportunities (custom fields in a real org).
const billing: readonly SfField[] = [
  { name: 'Billing_Status__c', type: 'picklist' },
  { name: 'Last_Invoice_Id__c', type: 'string' },
  { name: 'Last_Payment_Date__c', type: 'date' },
];

function address(prefix: string): SfField[] {
  return ['Street', 'City', 'State', 'PostalCode', 'Country'].map((part) => ({ name: `${prefix}${part}`, type: 'string' }));
}

function ref(name: string, referenceTo: string, extra: Partial<SfField> = {}): SfField {
  return { name, type: 'reference', referenceTo, relationshipName: name.replace(/Id$/, ''), ...extra };
}

const types: readonly SObjectType[] = [
  {
    name: 'User',
    keyPrefix: '005',
    fields: [...system, { name: 'Name', type: 'string', readOnly: true }, { name: 'Username', type: 'string', readOnly: true }],
    childRelationships: [],
  },
  {
    name: 'Account',
    keyPrefix: '001',
    fields: [
      ...system, ...integration,
      { name: 'Name', type: 'string', required: true },
      { name: 'AccountNumber', type: 'string' },
      { name: 'Type', type: 'picklist' },
      { name: 'Industry', type: 'picklist' },
      ref('ParentId', 'Account'),
      ref('OwnerId', 'User'),
      { name: 'Phone', type: 'phone' },
      { name: 'Website', type: 'url' },
      ...address('Billing'),
      ...address('Shipping'),
      { name: 'AnnualRevenue', type: 'currency' },
      { name: 'NumberOfEmployees', type: 'int' },
      { name: 'CurrencyIsoCode', type: 'picklist' },
      { name: 'Legal_Entity__c', type: 'picklist' },
      { name: 'Tax_Id__c', type: 'string' },
      { name: 'NetSuite_Customer_Id__c', type: 'string', externalId: true },
      { name: 'Stripe_Customer_Id__c', type: 'string', externalId: true },
      ...billing,
    ],
    childRelationships: [
      { relationshipName: 'Opportunities', childSObject: 'Opportunity', field: 'AccountId' },
      { relationshipName: 'Contacts', childSObject: 'Contact', field: 'AccountId' },
      { relationshipName: 'Orders', childSObject: 'Order', field: 'AccountId' },
    ],
  },
  {
    name: 'Contact',
    keyPrefix: '003',
    fields: [
      ...system, ...integration,
      ref('AccountId', 'Account'),
      { name: 'FirstName', type: 'string' },
      { name: 'LastName', type: 'string', required: true },
      { name: 'Name', type: 'string', readOnly: true },
      { name: 'Email', type: 'email' },
      { name: 'Phone', type: 'phone' },
      { name: 'Title', type: 'string' },
    ],
    childRelationships: [],
  },
  {
    name: 'Opportunity',
    keyPrefix: '006',
    fields: [
      ...system, ...integration,
      { name: 'Name', type: 'string', required: true },
      { name: 'StageName', type: 'picklist', required: true },
      { name: 'CloseDate', type: 'date', required: true },
      ref('AccountId', 'Account'),
      ref('OwnerId', 'User'),
      ref('Pricebook2Id', 'Pricebook2'),
      { name: 'Amount', type: 'currency' },
      { name: 'Probability', type: 'percent' },
      { name: 'IsClosed', type: 'boolean', readOnly: true },
      { name: 'IsWon', type: 'boolean', readOnly: true },
      { name: 'ForecastCategoryName', type: 'picklist' },
      { name: 'Type', type: 'picklist' },
      { name: 'LeadSource', type: 'picklist' },
      { name: 'Description', type: 'textarea' },
      { name: 'HasOpportunityLineItem', type: 'boolean', readOnly: true },
      { name: 'CurrencyIsoCode', type: 'picklist' },
      { name: 'NetSuite_Order_Number__c', type: 'string' },
      { name: 'Stripe_Subscription_Id__c', type: 'string' },
      { name: 'Stripe_Customer_Id__c', type: 'string' },
      ...billing,
      { name: 'Subscription_Status__c', type: 'picklist' },
      ref('Renewal_Of__c', 'Opportunity', { relationshipName: 'Renewal_Of__r' }),
    ],
    childRelationships: [
      { relationshipName: 'OpportunityLineItems', childSObject: 'OpportunityLineItem', field: 'OpportunityId' },
    ],
  },
  {
    name: 'OpportunityLineItem',
    keyPrefix: '00k',
    fields: [
      ...system,
      ref('OpportunityId', 'Opportunity', { required: true }),
      ref('PricebookEntryId', 'PricebookEntry'),
      ref('Product2Id', 'Product2'),
      { name: 'Name', type: 'string', readOnly: true },
      { name: 'ProductCode', type: 'string', readOnly: true },
      { name: 'Quantity', type: 'double', required: true },
      { name: 'UnitPrice', type: 'currency' },
      { name: 'ListPrice', type: 'currency', readOnly: true },
      { name: 'TotalPrice', type: 'currency' },
      { name: 'Subtotal', type: 'currency', readOnly: true },
      { name: 'Discount', type: 'percent' },
      { name: 'ServiceDate', type: 'date' },
      { name: 'Description', type: 'textarea' },
      { name: 'SortOrder', type: 'int' },
      { name: 'Billing_Frequency__c', type: 'picklist' },
      { name: 'Subscription_Term_Months__c', type: 'double' },
      { name: 'External_Id__c', type: 'string', externalId: true },
    ],
    childRelationships: [],
  },
  {
    name: 'Product2',
    keyPrefix: '01t',
    fields: [
      ...system, ...integration,
      { name: 'Name', type: 'string', required: true },
      { name: 'ProductCode', type: 'string' },
      { name: 'Description', type: 'textarea' },
      { name: 'IsActive', type: 'boolean' },
      { name: 'Family', type: 'picklist' },
      { name: 'QuantityUnitOfMeasure', type: 'picklist' },
      { name: 'StockKeepingUnit', type: 'string' },
      { name: 'Recurring__c', type: 'boolean' },
    ],
    childRelationships: [
      { relationshipName: 'PricebookEntries', childSObject: 'PricebookEntry', field: 'Product2Id' },
    ],
  },
  {
    name: 'Pricebook2',
    keyPrefix: '01s',
    fields: [
      ...system,
      { name: 'Name', type: 'string', required: true },
      { name: 'IsActive', type: 'boolean' },
      { name: 'IsStandard', type: 'boolean', readOnly: true },
      { name: 'Description', type: 'textarea' },
    ],
    childRelationships: [
      { relationshipName: 'PricebookEntries', childSObject: 'PricebookEntry', field: 'Pricebook2Id' },
    ],
  },
  {
    name: 'PricebookEntry',
    keyPrefix: '01u',
    fields: [
      ...system,
      ref('Pricebook2Id', 'Pricebook2', { required: true }),
      ref('Product2Id', 'Product2', { required: true }),
      { name: 'Name', type: 'string', readOnly: true },
      { name: 'ProductCode', type: 'string', readOnly: true },
      { name: 'UnitPrice', type: 'currency', required: true },
      { name: 'IsActive', type: 'boolean' },
      { name: 'UseStandardPrice', type: 'boolean' },
      { name: 'CurrencyIsoCode', type: 'picklist' },
    ],
    childRelationships: [],
  },
  {
    name: 'Order',
    keyPrefix: '801',
    fields: [
      ...system, ...integration,
      ref('AccountId', 'Account', { required: true }),
      ref('OpportunityId', 'Opportunity'),
      ref('Pricebook2Id', 'Pricebook2'),
      { name: 'EffectiveDate', type: 'date', required: true },
      { name: 'Status', type: 'picklist', required: true },
      { name: 'OrderNumber', type: 'string', readOnly: true },
      { name: 'TotalAmount', type: 'currency', readOnly: true },
      { name: 'Type', type: 'picklist' },
      { name: 'Description', type: 'textarea' },
      { name: 'NetSuite_Order_Number__c', type: 'string' },
    ],
    childRelationships: [{ relationshipName: 'OrderItems', childSObject: 'OrderItem', field: 'OrderId' }],
  },
  {
    name: 'OrderItem',
    keyPrefix: '802',
    fields: [
      ...system,
      ref('OrderId', 'Order', { required: true }),
      ref('PricebookEntryId', 'PricebookEntry', { required: true }),
      ref('Product2Id', 'Product2'),
      { name: 'Quantity', type: 'double', required: true },
      { name: 'UnitPrice', type: 'currency', required: true },
      { name: 'ListPrice', type: 'currency', readOnly: true },
      { name: 'TotalPrice', type: 'currency', readOnly: true },
      { name: 'ServiceDate', type: 'date' },
      { name: 'EndDate', type: 'date' },
    ],
    childRelationships: [],
  },
];

/** Every known sObject type, by lower-cased API name (Salesforce names are case-insensitive). */
const byName = new Map(types.map((t) => [t.name.toLowerCase(), t]));
const byPrefix = new Map(types.map((t) => [t.keyPrefix, t]));
const fieldIndex = new Map(types.map((t) => [t.name, new Map(t.fields.map((f) => [f.name.toLowerCase(), f]))]));

/** All sObject types, in describe order. */
export const SOBJECT_TYPES: readonly SObjectType[] = types;

/** Finds an sObject type by name, ignoring case. */
export function findType(name: string): SObjectType | undefined {
  return byName.get(name.toLowerCase());
}

/** Finds the sObject type an id belongs to, from its key prefix. */
export function typeOfId(id: string): SObjectType | undefined {
  return byPrefix.get(id.slice(0, 3));
}

/** Finds a field of a type by name, ignoring case. */
export function findField(type: SObjectType, name: string): SfField | undefined {
  return fieldIndex.get(type.name)?.get(name.toLowerCase());
}

/** Finds the reference field behind a relationship name (`Account` → `AccountId`), ignoring case. */
export function findRelationship(type: SObjectType, relationshipName: string): SfField | undefined {
  const wanted = relationshipName.toLowerCase();
  return type.fields.find((f) => f.relationshipName?.toLowerCase() === wanted);
}

/** Finds a child relationship by name, ignoring case. */
export function findChildRelationship(type: SObjectType, name: string): SfChildRelationship | undefined {
  const wanted = name.toLowerCase();
  return type.childRelationships.find((c) => c.relationshipName.toLowerCase() === wanted);
}

/** Sandbox-wide names of the types that publish Change Data Capture events. */
export const CDC_ENTITIES: ReadonlySet<string> = new Set(['Account', 'Opportunity', 'OpportunityLineItem', 'Order']);
