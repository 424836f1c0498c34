/**
 * The entity sets the sandbox serves, per OData service: keys, typed properties, navigation
 * properties and which are writable. Property names follow SAP's services (the business partner
 * ones are checked against the Business Accelerator Hub EDMX in `schema.test.ts`); an unknown
 * property in a write is refused, as SAP does.
 */

/** Edm types the sandbox renders: strings, decimals (as strings), dates, booleans. */
export type PropType = 'string' | 'decimal' | 'date' | 'datetimeoffset' | 'boolean';

/** A navigation property: the child set and how child properties follow the parent's. */
export interface NavDef {
  readonly target: string;
  readonly many: boolean;
  /** child property ← parent property */
  readonly link: Readonly<Record<string, string>>;
}

/** One entity set. */
export interface EntitySetDef {
  readonly service: string;
  readonly name: string;
  readonly keys: readonly string[];
  readonly props: Readonly<Record<string, PropType>>;
  readonly navs: Readonly<Record<string, NavDef>>;
  /** POST, PATCH/PUT, DELETE allowed on this set. */
  readonly writable: boolean;
}

const s = (names: string): Record<string, PropType> => Object.fromEntries(names.split(/\s+/).filter(Boolean).map((n) => [n, 'string' as const]));

/** Service names (path segment after `/sap/opu/odata/sap/`). */
export const SERVICES = {
  bp: 'API_BUSINESS_PARTNER',
  salesOrder: 'API_SALES_ORDER_SRV',
  availability: 'API_PRODUCT_AVAILY_INFO_BASIC',
  credit: 'API_CREDIT_MANAGEMENT',
  billing: 'API_BILLING_DOCUMENT_SRV',
  delivery: 'API_OUTBOUND_DELIVERY_SRV;v=0002',
} as const;

const SETS: EntitySetDef[] = [
  {
    service: SERVICES.bp, name: 'A_BusinessPartner', keys: ['BusinessPartner'], writable: true,
    props: {
      ...s('BusinessPartner Customer BusinessPartnerCategory BusinessPartnerFullName BusinessPartnerGrouping BusinessPartnerName FirstName LastName OrganizationBPName1 OrganizationBPName2 SearchTerm1 SearchTerm2 Language CorrespondenceLanguage BusinessPartnerIDByExtSystem CreatedByUser LastChangedByUser Industry LegalForm'),
      CreationDate: 'date', LastChangeDate: 'date', BusinessPartnerIsBlocked: 'boolean',
    },
    navs: {
      to_BusinessPartnerAddress: { target: 'A_BusinessPartnerAddress', many: true, link: { BusinessPartner: 'BusinessPartner' } },
      to_BusinessPartnerRole: { target: 'A_BusinessPartnerRole', many: true, link: { BusinessPartner: 'BusinessPartner' } },
      to_Customer: { target: 'A_Customer', many: false, link: { Customer: 'BusinessPartner' } },
    },
  },
  {
    service: SERVICES.bp, name: 'A_BusinessPartnerAddress', keys: ['BusinessPartner', 'AddressID'], writable: true,
    props: s('BusinessPartner AddressID CityName Country HouseNumber PostalCode Region StreetName Language TaxJurisdiction'), navs: {},
  },
  { service: SERVICES.bp, name: 'A_BusinessPartnerRole', keys: ['BusinessPartner', 'BusinessPartnerRole'], writable: true, props: s('BusinessPartner BusinessPartnerRole'), navs: {} },
  {
    service: SERVICES.bp, name: 'A_Customer', keys: ['Customer'], writable: true,
    props: { ...s('Customer CustomerName CustomerFullName CustomerAccountGroup OrderIsBlockedForCustomer DeliveryIsBlocked BillingIsBlockedForCustomer VATRegistration TaxNumber1'), CreationDate: 'date', DeletionIndicator: 'boolean' },
    navs: { to_CustomerSalesArea: { target: 'A_CustomerSalesArea', many: true, link: { Customer: 'Customer' } } },
  },
  {
    service: SERVICES.bp, name: 'A_CustomerSalesArea', keys: ['Customer', 'SalesOrganization', 'DistributionChannel', 'Division'], writable: true,
    props: { ...s('Customer SalesOrganization DistributionChannel Division Currency CustomerPaymentTerms CreditControlArea IncotermsClassification IncotermsLocation1 ShippingCondition SupplyingPlant CustomerPricingProcedure'), DeletionIndicator: 'boolean' },
    navs: {},
  },
  {
    service: SERVICES.salesOrder, name: 'A_SalesOrder', keys: ['SalesOrder'], writable: true,
    props: {
      ...s('SalesOrder SalesOrderType SalesOrganization DistributionChannel OrganizationDivision SoldToParty PurchaseOrderByCustomer CustomerPurchaseOrderType TransactionCurrency CustomerPaymentTerms OverallSDProcessStatus OverallTotalDeliveryStatus OverallOrdReltdBillgStatus CreatedByUser IncotermsClassification HeaderBillingBlockReason DeliveryBlockReason'),
      TotalNetAmount: 'decimal', SalesOrderDate: 'date', RequestedDeliveryDate: 'date', CreationDate: 'date', CustomerPurchaseOrderDate: 'date', LastChangeDateTime: 'datetimeoffset',
    },
    navs: { to_Item: { target: 'A_SalesOrderItem', many: true, link: { SalesOrder: 'SalesOrder' } } },
  },
  {
    service: SERVICES.salesOrder, name: 'A_SalesOrderItem', keys: ['SalesOrder', 'SalesOrderItem'], writable: true,
    props: { ...s('SalesOrder SalesOrderItem Material SalesOrderItemText SalesOrderItemCategory RequestedQuantityUnit TransactionCurrency Plant PurchaseOrderByCustomer SDProcessStatus'), RequestedQuantity: 'decimal', NetAmount: 'decimal' },
    navs: {},
  },
  {
    service: SERVICES.credit, name: 'A_CrdtMgmtCreditExposure', keys: ['BusinessPartner', 'CreditSegment'], writable: false,
    props: { ...s('BusinessPartner CreditSegment CreditExposureCurrency'), CreditExposureAmount: 'decimal', OpenOrderValue: 'decimal', OpenDeliveryValue: 'decimal', OpenBillingDocValue: 'decimal', OpenItemValue: 'decimal' },
    navs: {},
  },
  {
    service: SERVICES.credit, name: 'A_CrdtMgmtCreditLimit', keys: ['BusinessPartner', 'CreditSegment'], writable: false,
    props: { ...s('BusinessPartner CreditSegment CreditLimitAmountCurrency'), CreditLimitAmount: 'decimal', CreditLimitValidityEndDate: 'date', CreditLimitIsExceeded: 'boolean' },
    navs: {},
  },
  {
    service: SERVICES.billing, name: 'A_BillingDocument', keys: ['BillingDocument'], writable: false,
    props: {
      ...s('BillingDocument BillingDocumentType SDDocumentCategory SalesOrganization DistributionChannel Division SoldToParty PayerParty TransactionCurrency AccountingPostingStatus OverallBillingStatus AccountingDocument CustomerPaymentTerms InvoiceClearingStatus'),
      BillingDocumentDate: 'date', CreationDate: 'date', LastChangeDateTime: 'datetimeoffset', TotalNetAmount: 'decimal', TotalTaxAmount: 'decimal', TotalGrossAmount: 'decimal', BillingDocumentIsCancelled: 'boolean',
    },
    navs: { to_Item: { target: 'A_BillingDocumentItem', many: true, link: { BillingDocument: 'BillingDocument' } } },
  },
  {
    service: SERVICES.billing, name: 'A_BillingDocumentItem', keys: ['BillingDocument', 'BillingDocumentItem'], writable: false,
    props: { ...s('BillingDocument BillingDocumentItem Material BillingQuantityUnit TransactionCurrency ReferenceSDDocument ReferenceSDDocumentItem SalesDocument SalesDocumentItem'), BillingQuantity: 'decimal', NetAmount: 'decimal' },
    navs: {},
  },
  {
    service: SERVICES.delivery, name: 'A_OutbDeliveryHeader', keys: ['DeliveryDocument'], writable: false,
    props: {
      ...s('DeliveryDocument DeliveryDocumentType ShipToParty SoldToParty ShippingPoint SalesOrganization OverallGoodsMovementStatus OverallSDProcessStatus OverallPickingStatus'),
      DeliveryDate: 'date', PlannedGoodsIssueDate: 'date', ActualGoodsMovementDate: 'date', CreationDate: 'date', LastChangeDate: 'date',
    },
    navs: { to_DeliveryDocumentItem: { target: 'A_OutbDeliveryItem', many: true, link: { DeliveryDocument: 'DeliveryDocument' } } },
  },
  {
    service: SERVICES.delivery, name: 'A_OutbDeliveryItem', keys: ['DeliveryDocument', 'DeliveryDocumentItem'], writable: false,
    props: { ...s('DeliveryDocument DeliveryDocumentItem Material DeliveryQuantityUnit Plant ReferenceSDDocument ReferenceSDDocumentItem'), ActualDeliveryQuantity: 'decimal' },
    navs: {},
  },
];

const BY_PATH = new Map(SETS.map((d) => [`${d.service}/${d.name}`, d]));
const BY_NAME = new Map(SETS.map((d) => [d.name, d]));

/** The set `name` of `service`, if served. */
export function entitySet(service: string, name: string): EntitySetDef | undefined {
  return BY_PATH.get(`${service}/${name}`);
}

/** A set by name alone (navigation targets live in the same service). */
export function setByName(name: string): EntitySetDef {
  const def = BY_NAME.get(name);
  if (def === undefined) throw new Error(`sap sandbox: unknown entity set ${name}`);
  return def;
}

/** Every set, for tests and the admin summary. */
export function allSets(): readonly EntitySetDef[] {
  return SETS;
}

/** The store id of a record: its key values joined (stable, unique per set). */
export function keyId(def: EntitySetDef, values: Readonly<Record<string, unknown>>): string {
  return def.keys.map((k) => String(values[k] ?? '')).join('\u0001');
}
