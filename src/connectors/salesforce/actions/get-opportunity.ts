/**
 * Reads what the lead-to-order flow starts from — an Opportunity with its line items (child
 * subquery) and its Account (parent fields) — in one SOQL query, so the three are consistent
 * with each other and cost one API call.
 */
import { InterlockError } from '../../../core/errors.ts';
import type { SalesforceClient } from '../client.ts';
import { recordId } from './soql.ts';

/** The Account fields read with an opportunity. */
export interface OpportunityAccount {
  Id: string;
  Name: string;
  External_Id__c?: string | null;
  Legal_Entity__c?: string | null;
  CurrencyIsoCode?: string | null;
  Tax_Id__c?: string | null;
  BillingStreet?: string | null;
  BillingCity?: string | null;
  BillingState?: string | null;
  BillingPostalCode?: string | null;
  BillingCountry?: string | null;
  NetSuite_Customer_Id__c?: string | null;
  Stripe_Customer_Id__c?: string | null;
}

/** One OpportunityLineItem with its product's code and recurrence. */
export interface OpportunityLine {
  Id: string;
  Product2Id: string | null;
  Product2?: { ProductCode?: string | null; Name?: string | null; Recurring__c?: boolean | null } | null;
  PricebookEntryId: string | null;
  Description?: string | null;
  Quantity: number;
  UnitPrice: number | null;
  ListPrice?: number | null;
  TotalPrice: number | null;
  Discount?: number | null;
  ServiceDate?: string | null;
  SortOrder?: number | null;
  Billing_Frequency__c?: string | null;
  Subscription_Term_Months__c?: number | null;
}

/** An Opportunity as the flows read it, in Salesforce's own record shape. */
export interface OpportunityWithLines {
  attributes?: { type: string; url?: string };
  Id: string;
  Name: string;
  StageName: string;
  CloseDate: string;
  AccountId: string | null;
  Amount: number | null;
  CurrencyIsoCode?: string | null;
  IsWon: boolean;
  IsClosed: boolean;
  Pricebook2Id?: string | null;
  Type?: string | null;
  LeadSource?: string | null;
  SystemModstamp: string;
  Integration_Status__c?: string | null;
  Integration_Error__c?: string | null;
  NetSuite_Order_Number__c?: string | null;
  Stripe_Subscription_Id__c?: string | null;
  Stripe_Customer_Id__c?: string | null;
  Account: OpportunityAccount | null;
  /** The child subquery result; `records` holds every line (an opportunity has far fewer than a batch). */
  OpportunityLineItems: { totalSize: number; done: boolean; records: OpportunityLine[] } | null;
}

const OPPORTUNITY_FIELDS = [
  'Id', 'Name', 'StageName', 'CloseDate', 'AccountId', 'Amount', 'CurrencyIsoCode', 'IsWon', 'IsClosed', 'Pricebook2Id',
  'Type', 'LeadSource', 'SystemModstamp', 'Integration_Status__c', 'Integration_Error__c', 'NetSuite_Order_Number__c',
  'Stripe_Subscription_Id__c', 'Stripe_Customer_Id__c',
];
const ACCOUNT_FIELDS = [
  'Id', 'Name', 'External_Id__c', 'Legal_Entity__c', 'CurrencyIsoCode', 'Tax_Id__c', 'BillingStreet', 'BillingCity', 'BillingState',
  'BillingPostalCode', 'BillingCountry', 'NetSuite_Customer_Id__c', 'Stripe_Customer_Id__c',
];
const LINE_FIELDS = [
  'Id', 'Product2Id', 'Product2.ProductCode', 'Product2.Name', 'Product2.Recurring__c', 'PricebookEntryId', 'Description', 'Quantity',
  'UnitPrice', 'ListPrice', 'TotalPrice', 'Discount', 'ServiceDate', 'SortOrder', 'Billing_Frequency__c', 'Subscription_Term_Months__c',
];

/** The SOQL that {@link getOpportunity} sends. */
export function opportunityQuery(opportunityId: string): string {
  const fields = [...OPPORTUNITY_FIELDS, ...ACCOUNT_FIELDS.map((f) => `Account.${f}`)].join(', ');
  const lines = `(SELECT ${LINE_FIELDS.join(', ')} FROM OpportunityLineItems ORDER BY SortOrder NULLS LAST, Id)`;
  return `SELECT ${fields}, ${lines} FROM Opportunity WHERE Id = '${recordId(opportunityId, 'Opportunity id')}'`;
}

/** Reads an Opportunity with its lines and Account; `not-found` when there is none. */
export async function getOpportunity(client: SalesforceClient, input: { opportunityId: string }): Promise<OpportunityWithLines> {
  const res = await client.rest<{ records: OpportunityWithLines[] }>({ method: 'GET', path: 'query', query: { q: opportunityQuery(input.opportunityId) } });
  const record = res.body.records[0];
  if (record === undefined) throw new InterlockError('not-found', `Salesforce Opportunity ${input.opportunityId} does not exist`, { details: { vendor: 'salesforce' } });
  return record;
}
