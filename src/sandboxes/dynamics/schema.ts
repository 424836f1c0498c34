/**
 * The Dataverse tables the sandbox serves, described as data: entity set name, primary id and
 * name columns, columns with their types, lookups (and the navigation properties that bind
 * them), alternate keys, and which line table rolls up into which header. Custom columns carry
 * the `il_` publisher prefix, as a solution an integration installs would add them.
 */

/** A column type, as far as the Web API's JSON shows it. */
export type ColumnType = 'string' | 'memo' | 'int' | 'decimal' | 'money' | 'bool' | 'datetime' | 'date' | 'picklist' | 'guid';

/** A lookup column: stored as a reference, read as `_<name>_value`, bound through navigation properties. */
export interface Lookup {
  /** Target tables (logical names); a customer lookup has two. */
  readonly targets: readonly string[];
}

/** One table. */
export interface EntityDef {
  /** Logical name, e.g. `account`. */
  readonly logicalName: string;
  /** Entity set name in URLs, e.g. `accounts`. */
  readonly setName: string;
  /** Primary id column, e.g. `accountid`. */
  readonly idColumn: string;
  /** Primary name column, e.g. `name`; required on create when `nameRequired`. */
  readonly nameColumn: string;
  readonly nameRequired: boolean;
  /** Plain columns by logical name. */
  readonly columns: Readonly<Record<string, ColumnType>>;
  /** Lookup columns by logical name. */
  readonly lookups: Readonly<Record<string, Lookup>>;
  /** Columns the platform computes; writing them is refused. */
  readonly readOnly: readonly string[];
  /** Alternate keys (each a list of columns) usable in `set(col='v')` URLs. */
  readonly alternateKeys: ReadonlyArray<readonly string[]>;
  /** For line tables: the lookup column naming the header whose totals they roll up into. */
  readonly parentLookup?: string;
  /** An auto-numbered column and its prefix, e.g. `ordernumber` / `ORD`. */
  readonly autoNumber?: { column: string; prefix: string };
  /** Platform metadata tables whose rows the sandbox generates (not writable). */
  readonly system?: boolean;
}

const AUDIT: Readonly<Record<string, ColumnType>> = { createdon: 'datetime', modifiedon: 'datetime', versionnumber: 'int', statecode: 'picklist', statuscode: 'picklist' };
const AUDIT_READ_ONLY = ['createdon', 'modifiedon', 'versionnumber'];

const LINE_COLUMNS: Readonly<Record<string, ColumnType>> = {
  quantity: 'decimal', priceperunit: 'money', baseamount: 'money', extendedamount: 'money', manualdiscountamount: 'money', tax: 'money',
  ispriceoverridden: 'bool', isproductoverridden: 'bool', productdescription: 'string', description: 'memo', lineitemnumber: 'int', sequencenumber: 'int',
};
const LINE_READ_ONLY = ['baseamount', 'extendedamount'];
const HEADER_TOTALS: Readonly<Record<string, ColumnType>> = {
  totalamount: 'money', totallineitemamount: 'money', totaltax: 'money', discountamount: 'money', description: 'memo',
};

function entity(def: Omit<EntityDef, 'columns' | 'readOnly' | 'alternateKeys' | 'nameRequired'> & Partial<Pick<EntityDef, 'alternateKeys' | 'nameRequired'>> & { columns: Record<string, ColumnType>; readOnly?: string[] }): EntityDef {
  return {
    ...def,
    nameRequired: def.nameRequired ?? true,
    columns: { ...AUDIT, ...def.columns },
    readOnly: [def.idColumn, ...AUDIT_READ_ONLY, ...(def.readOnly ?? [])],
    alternateKeys: def.alternateKeys ?? [],
  };
}

const lineOf = (logicalName: string, setName: string, parentTable: string): EntityDef =>
  entity({
    logicalName, setName, idColumn: `${logicalName}id`, nameColumn: 'productdescription', nameRequired: false,
    columns: { ...LINE_COLUMNS }, readOnly: LINE_READ_ONLY, parentLookup: `${parentTable}id`,
    lookups: { [`${parentTable}id`]: { targets: [parentTable] }, productid: { targets: ['product'] }, uomid: { targets: ['uom'] } },
  });

const headerLookups = { customerid: { targets: ['account', 'contact'] }, pricelevelid: { targets: ['pricelevel'] }, transactioncurrencyid: { targets: ['transactioncurrency'] } };

/** Every table of the sandbox. */
export const ENTITIES: readonly EntityDef[] = [
  entity({
    logicalName: 'account', setName: 'accounts', idColumn: 'accountid', nameColumn: 'name',
    columns: {
      accountnumber: 'string', telephone1: 'string', emailaddress1: 'string', websiteurl: 'string', revenue: 'money', creditlimit: 'money', creditonhold: 'bool',
      address1_line1: 'string', address1_line2: 'string', address1_city: 'string', address1_stateorprovince: 'string', address1_postalcode: 'string', address1_country: 'string',
      address2_line1: 'string', address2_city: 'string', address2_postalcode: 'string', address2_country: 'string', paymenttermscode: 'picklist', description: 'memo',
      il_taxid: 'string', il_erpcustomerid: 'string', il_creditstatus: 'string', il_integrationstatus: 'string',
    },
    lookups: { parentaccountid: { targets: ['account'] }, primarycontactid: { targets: ['contact'] }, transactioncurrencyid: { targets: ['transactioncurrency'] } },
    alternateKeys: [['accountnumber']],
  }),
  entity({
    logicalName: 'contact', setName: 'contacts', idColumn: 'contactid', nameColumn: 'fullname', nameRequired: false,
    columns: { firstname: 'string', lastname: 'string', fullname: 'string', emailaddress1: 'string', telephone1: 'string', jobtitle: 'string' },
    readOnly: ['fullname'],
    lookups: { parentcustomerid: { targets: ['account', 'contact'] } },
    alternateKeys: [['emailaddress1']],
  }),
  entity({
    logicalName: 'opportunity', setName: 'opportunities', idColumn: 'opportunityid', nameColumn: 'name',
    columns: {
      ...HEADER_TOTALS, estimatedvalue: 'money', estimatedclosedate: 'date', actualvalue: 'money', actualclosedate: 'date', closeprobability: 'int',
      salesstage: 'picklist', stepname: 'string', isrevenuesystemcalculated: 'bool',
      il_integrationstatus: 'string', il_integrationerror: 'memo', il_erpordernumber: 'string', il_shipmentstatus: 'string', il_billingstatus: 'string', il_paymentstatus: 'string',
    },
    readOnly: ['totalamount', 'totallineitemamount'],
    lookups: { ...headerLookups, parentaccountid: { targets: ['account'] }, parentcontactid: { targets: ['contact'] } },
  }),
  lineOf('opportunityproduct', 'opportunityproducts', 'opportunity'),
  entity({
    logicalName: 'quote', setName: 'quotes', idColumn: 'quoteid', nameColumn: 'name',
    columns: { ...HEADER_TOTALS, quotenumber: 'string', revisionnumber: 'int', effectivefrom: 'date', effectiveto: 'date' },
    readOnly: ['totalamount', 'totallineitemamount', 'quotenumber'],
    lookups: { ...headerLookups, opportunityid: { targets: ['opportunity'] } },
    autoNumber: { column: 'quotenumber', prefix: 'QUO' },
  }),
  lineOf('quotedetail', 'quotedetails', 'quote'),
  entity({
    logicalName: 'salesorder', setName: 'salesorders', idColumn: 'salesorderid', nameColumn: 'name',
    columns: { ...HEADER_TOTALS, ordernumber: 'string', requestdeliveryby: 'date', submitdate: 'datetime', il_erpordernumber: 'string', il_shipmentstatus: 'string' },
    readOnly: ['totalamount', 'totallineitemamount', 'ordernumber'],
    lookups: { ...headerLookups, opportunityid: { targets: ['opportunity'] }, quoteid: { targets: ['quote'] } },
    alternateKeys: [['il_erpordernumber']],
    autoNumber: { column: 'ordernumber', prefix: 'ORD' },
  }),
  lineOf('salesorderdetail', 'salesorderdetails', 'salesorder'),
  entity({
    logicalName: 'invoice', setName: 'invoices', idColumn: 'invoiceid', nameColumn: 'name',
    columns: { ...HEADER_TOTALS, invoicenumber: 'string', duedate: 'date', il_erpbillingdocument: 'string', il_paymentstatus: 'string' },
    readOnly: ['totalamount', 'totallineitemamount', 'invoicenumber'],
    lookups: { ...headerLookups, salesorderid: { targets: ['salesorder'] }, opportunityid: { targets: ['opportunity'] } },
    alternateKeys: [['il_erpbillingdocument']],
    autoNumber: { column: 'invoicenumber', prefix: 'INV' },
  }),
  lineOf('invoicedetail', 'invoicedetails', 'invoice'),
  entity({
    logicalName: 'product', setName: 'products', idColumn: 'productid', nameColumn: 'name',
    columns: { productnumber: 'string', description: 'memo', price: 'money', standardcost: 'money', quantitydecimal: 'int', productstructure: 'picklist' },
    lookups: { defaultuomid: { targets: ['uom'] }, pricelevelid: { targets: ['pricelevel'] } },
    alternateKeys: [['productnumber']],
  }),
  entity({ logicalName: 'pricelevel', setName: 'pricelevels', idColumn: 'pricelevelid', nameColumn: 'name', columns: {}, lookups: { transactioncurrencyid: { targets: ['transactioncurrency'] } } }),
  entity({ logicalName: 'uom', setName: 'uoms', idColumn: 'uomid', nameColumn: 'name', columns: { quantity: 'decimal' }, lookups: {} }),
  entity({
    logicalName: 'transactioncurrency', setName: 'transactioncurrencies', idColumn: 'transactioncurrencyid', nameColumn: 'currencyname',
    columns: { isocurrencycode: 'string', currencysymbol: 'string', exchangerate: 'decimal' }, lookups: {}, alternateKeys: [['isocurrencycode']],
  }),
  // Webhook registration, in the platform's own tables (see webhooks.ts).
  entity({
    logicalName: 'serviceendpoint', setName: 'serviceendpoints', idColumn: 'serviceendpointid', nameColumn: 'name',
    columns: { url: 'string', contract: 'picklist', authtype: 'picklist', authvalue: 'string', messageformat: 'picklist', description: 'memo' }, lookups: {},
  }),
  entity({
    logicalName: 'sdkmessageprocessingstep', setName: 'sdkmessageprocessingsteps', idColumn: 'sdkmessageprocessingstepid', nameColumn: 'name',
    columns: { stage: 'picklist', mode: 'picklist', rank: 'int', filteringattributes: 'string', supporteddeployment: 'picklist', asyncautodelete: 'bool', description: 'memo' },
    lookups: { sdkmessageid: { targets: ['sdkmessage'] }, sdkmessagefilterid: { targets: ['sdkmessagefilter'] }, eventhandler: { targets: ['serviceendpoint'] } },
  }),
  entity({
    logicalName: 'sdkmessageprocessingstepimage', setName: 'sdkmessageprocessingstepimages', idColumn: 'sdkmessageprocessingstepimageid', nameColumn: 'name',
    columns: { entityalias: 'string', imagetype: 'picklist', attributes: 'string', messagepropertyname: 'string' },
    lookups: { sdkmessageprocessingstepid: { targets: ['sdkmessageprocessingstep'] } },
  }),
  entity({ logicalName: 'sdkmessage', setName: 'sdkmessages', idColumn: 'sdkmessageid', nameColumn: 'name', columns: {}, lookups: {}, system: true }),
  entity({
    logicalName: 'sdkmessagefilter', setName: 'sdkmessagefilters', idColumn: 'sdkmessagefilterid', nameColumn: 'primaryobjecttypecode',
    columns: { primaryobjecttypecode: 'string', secondaryobjecttypecode: 'string' }, lookups: { sdkmessageid: { targets: ['sdkmessage'] } }, system: true,
  }),
];

const BY_SET = new Map(ENTITIES.map((e) => [e.setName, e]));
const BY_NAME = new Map(ENTITIES.map((e) => [e.logicalName, e]));

/** The table of an entity set name (`accounts`), if any. */
export function entityBySet(setName: string): EntityDef | undefined {
  return BY_SET.get(setName);
}

/** The table of a logical name (`account`), if any. */
export function entityByName(logicalName: string): EntityDef | undefined {
  return BY_NAME.get(logicalName);
}

/**
 * The lookup column and target a navigation property binds, e.g. `customerid_account` →
 * (`customerid`, `account`); a single-target lookup's navigation property is its own name, and
 * a service endpoint step's `eventhandler_serviceendpoint` names its one target too.
 */
export function navigationTarget(entity: EntityDef, nav: string): { column: string; target: string } | undefined {
  const direct = entity.lookups[nav];
  if (direct !== undefined && direct.targets.length === 1 && direct.targets[0] !== undefined) return { column: nav, target: direct.targets[0] };
  for (const [column, lookup] of Object.entries(entity.lookups)) {
    for (const target of lookup.targets) if (nav === `${column}_${target}`) return { column, target };
  }
  return undefined;
}
