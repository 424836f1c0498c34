/**
 * Product availability at a plant (`API_PRODUCT_AVAILY_INFO_BASIC`, function import
 * `DetermineAvailabilityAt`): the quantity that can be promised now (or at a date) under an ATP
 * checking rule. A near-real-time check before a quote becomes an order.
 */
import type { SapClient } from '../client.ts';
import { collection, literal } from '../odata.ts';

/** What to check. */
export interface AvailabilityQuery {
  material: string;
  plant: string;
  /** @default 'A' */
  checkingRule?: string;
  /** ISO date-time; @default now */
  at?: string;
}

/** The answer. */
export interface Availability {
  material: string;
  plant: string;
  available: number;
  unit: string;
}

/** Asks SAP how much of a material can be promised. */
export async function checkAvailability(client: SapClient, query: AvailabilityQuery): Promise<Availability> {
  const at = query.at === undefined ? undefined : new Date(query.at).toISOString().replace(/\.\d{3}Z$/, '');
  const res = await client.get('API_PRODUCT_AVAILY_INFO_BASIC', 'DetermineAvailabilityAt', {
    SupplyingPlant: literal(query.plant),
    Material: literal(query.material),
    ATPCheckingRule: literal(query.checkingRule ?? 'A'),
    ...(at === undefined ? {} : { RequestedUTCDateTime: `datetimeoffset'${at}Z'` }),
  });
  const record = collection<{ AvailableQuantityInBaseUnit?: string; BaseUnit?: string }>(res.body).results[0];
  return { material: query.material, plant: query.plant, available: Number(record?.AvailableQuantityInBaseUnit ?? 0), unit: record?.BaseUnit ?? '' };
}
