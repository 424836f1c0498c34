/**
 * What S/4HANA does on its own when these entities are written: business partners and sales
 * orders get numbers from their ranges, a partner's full name and customer follow its
 * organisation name, a sales order is checked against the customer's sales area and the material
 * master, priced from the material's price, its items numbered 10, 20, … and its total summed.
 */
import { badRequest, SapError } from './errors.ts';
import type { Stored } from './odata/values.ts';
import { setByName } from './schema.ts';
import type { SapStore } from './store.ts';
import type { RuleContext, SetRules } from './writes.ts';

const today = (): string => new Date().toISOString().slice(0, 10);
const str = (v: Stored | undefined): string => (v === null || v === undefined ? '' : String(v));
const round2 = (n: number): string => String(Math.round(n * 100) / 100);

/** The rules by entity set. */
export const RULES: Readonly<Record<string, SetRules>> = {
  A_BusinessPartner: {
    readOnly: ['CreationDate', 'CreatedByUser', 'Customer'],
    beforeCreate(ctx, values, nested) {
      values['BusinessPartner'] ||= ctx.store.next('BusinessPartner', 1_000_100);
      values['BusinessPartnerCategory'] ||= '2';
      values['BusinessPartnerFullName'] ||= fullName(values);
      values['BusinessPartnerName'] ||= values['BusinessPartnerFullName'];
      values['CreationDate'] = today();
      values['LastChangeDate'] = today();
      values['CreatedByUser'] = 'INTERLOCK_COMM';
      if (!values['BusinessPartnerFullName']) throw badRequest('Enter a name: OrganizationBPName1 for an organization, LastName for a person', 'OrganizationBPName1');
      // The customer role makes the partner a customer with the same number.
      if ((nested['to_Customer']?.length ?? 0) > 0) values['Customer'] = values['BusinessPartner'];
      for (const c of nested['to_Customer'] ?? []) c['CustomerName'] ??= values['BusinessPartnerFullName'];
    },
    beforeUpdate(_ctx, values) {
      if (values['OrganizationBPName1'] !== undefined || values['LastName'] !== undefined) values['BusinessPartnerFullName'] = fullName(values);
      values['LastChangeDate'] = today();
    },
  },
  A_Customer: {
    beforeCreate(ctx, values) {
      const bp = ctx.store.get(setByName('A_BusinessPartner'), { BusinessPartner: values['Customer'] });
      if (bp === undefined) throw badRequest(`Business partner ${str(values['Customer'])} does not exist`, 'Customer');
      values['CustomerName'] ||= bp.values['BusinessPartnerFullName'] ?? '';
      values['CustomerFullName'] ||= values['CustomerName'];
      values['CustomerAccountGroup'] ||= 'CUST';
      values['CreationDate'] = today();
    },
    afterCreate(ctx, record) {
      const bpSet = setByName('A_BusinessPartner');
      const bp = ctx.store.get(bpSet, { BusinessPartner: record.values['Customer'] });
      if (bp !== undefined && bp.values['Customer'] !== record.values['Customer']) ctx.store.put(bpSet, { ...bp.values, Customer: record.values['Customer'] ?? null });
    },
  },
  A_SalesOrder: {
    readOnly: ['TotalNetAmount', 'OverallSDProcessStatus', 'OverallTotalDeliveryStatus', 'OverallOrdReltdBillgStatus', 'CreationDate', 'CreatedByUser', 'SoldToParty', 'SalesOrganization', 'DistributionChannel', 'OrganizationDivision', 'TransactionCurrency'],
    beforeCreate(ctx, values, nested) {
      for (const field of ['SalesOrderType', 'SalesOrganization', 'DistributionChannel', 'OrganizationDivision', 'SoldToParty']) {
        if (!values[field]) throw badRequest(`Enter a value for ${field}`, field);
      }
      const area = ctx.store.get(setByName('A_CustomerSalesArea'), {
        Customer: values['SoldToParty'], SalesOrganization: values['SalesOrganization'], DistributionChannel: values['DistributionChannel'], Division: values['OrganizationDivision'],
      });
      if (area === undefined) {
        throw new SapError(400, 'V1/390', `Sold-to party ${str(values['SoldToParty'])} not maintained for sales area ${str(values['SalesOrganization'])}/${str(values['DistributionChannel'])}/${str(values['OrganizationDivision'])}`, { target: 'SoldToParty' });
      }
      const items = nested['to_Item'] ?? [];
      if (items.length === 0) throw new SapError(400, 'V1/555', 'The sales document is not yet complete: enter at least one item (to_Item)', { target: 'to_Item' });
      values['SalesOrder'] ||= ctx.store.next('SalesOrder', 1_000);
      values['TransactionCurrency'] ||= area.values['Currency'] ?? 'EUR';
      values['CustomerPaymentTerms'] ||= area.values['CustomerPaymentTerms'] ?? '0001';
      values['SalesOrderDate'] ||= today();
      values['CreationDate'] = today();
      values['CreatedByUser'] = 'INTERLOCK_COMM';
      values['OverallSDProcessStatus'] = 'A';
      values['OverallTotalDeliveryStatus'] = '';
      values['OverallOrdReltdBillgStatus'] = '';
      values['LastChangeDateTime'] = new Date().toISOString();
      items.forEach((item, i) => {
        item['SalesOrderItem'] ??= String((i + 1) * 10);
        item['TransactionCurrency'] = values['TransactionCurrency'];
      });
    },
    afterCreate(ctx, record) {
      retotal(ctx.store, str(record.values['SalesOrder']));
    },
    beforeUpdate(_ctx, values) {
      values['LastChangeDateTime'] = new Date().toISOString();
    },
  },
  A_SalesOrderItem: {
    readOnly: ['NetAmount', 'Material'],
    beforeCreate(ctx, values) {
      const material = ctx.store.materials.get(str(values['Material']));
      if (material === undefined) throw new SapError(400, 'V1/320', `Material ${str(values['Material'])} does not exist`, { target: 'Material' });
      const quantity = Number(values['RequestedQuantity'] ?? 0);
      if (!(quantity > 0)) throw new SapError(400, 'V1/301', 'Enter a positive RequestedQuantity', { target: 'RequestedQuantity' });
      if (!values['SalesOrderItem']) {
        const header = setByName('A_SalesOrder');
        const siblings = ctx.store.children(header, 'to_Item', { SalesOrder: values['SalesOrder'] ?? null });
        values['SalesOrderItem'] = String(siblings.reduce((max, s) => Math.max(max, Number(s.values['SalesOrderItem'] ?? 0)), 0) + 10);
      }
      values['SalesOrderItemText'] ||= material.description;
      values['TransactionCurrency'] ||= ctx.store.get(setByName('A_SalesOrder'), { SalesOrder: values['SalesOrder'] })?.values['TransactionCurrency'] ?? null;
      values['RequestedQuantityUnit'] ||= material.unit;
      values['Plant'] ||= material.plant;
      values['SalesOrderItemCategory'] ||= 'TAN';
      values['SDProcessStatus'] = 'A';
      values['NetAmount'] = round2(quantity * Number(material.price));
    },
    beforeUpdate(ctx, values) {
      const material = ctx.store.materials.get(str(values['Material']));
      if (material !== undefined) values['NetAmount'] = round2(Number(values['RequestedQuantity'] ?? 0) * Number(material.price));
    },
  },
};

/** Sums a sales order's items into its `TotalNetAmount`. */
export function retotal(store: SapStore, salesOrder: string): void {
  const header = setByName('A_SalesOrder');
  const order = store.get(header, { SalesOrder: salesOrder });
  if (order === undefined) return;
  const total = store.children(header, 'to_Item', order.values).reduce((sum, item) => sum + Number(item.values['NetAmount'] ?? 0), 0);
  store.put(header, { ...order.values, TotalNetAmount: round2(total) });
}

function fullName(values: Readonly<Record<string, Stored>>): string {
  const org = [values['OrganizationBPName1'], values['OrganizationBPName2']].filter((v) => v).join(' ');
  return org || [values['FirstName'], values['LastName']].filter((v) => v).join(' ');
}

/** Whether rules need a context (re-exported for the routes). */
export type { RuleContext };
