/**
 * Product availability: how much of each material SAP can promise at a plant (ATP,
 * `DetermineAvailabilityAt`), against the quantity a quote asks for. Lines are asked in parallel,
 * one downstream call each; a material SAP does not keep at the plant is that line's problem, not
 * an error of the whole check.
 */
import { checkAvailability } from '../../connectors/sap/actions/check-availability.ts';
import { InterlockError } from '../../core/errors.ts';
import { Budget, combined, fetchWithFallback, type DownstreamPolicy } from './downstream.ts';
import { POLICIES } from './policies.ts';
import type { SapSystems } from './sap-systems.ts';
import type { SyncContext } from './sync-context.ts';

/** A line to check. */
export interface AvailabilityLine {
  material: string;
  quantity: number;
  /** The plant that supplies this line, when not the request's. */
  plant?: string | undefined;
}

/** What to check. */
export interface AvailabilityInput {
  plant: string;
  /** ISO date the goods are wanted on; today when absent. */
  requestedDate?: string | undefined;
  checkingRule?: string | undefined;
  lines: readonly AvailabilityLine[];
}

/** ATP of one material at one plant, as kept (and as the last-known copy holds it). */
interface Atp {
  available: number | null;
  unit: string | null;
  /** SAP's refusal, e.g. the material is not maintained in the plant. */
  problem: string | null;
}

/** One line's verdict. */
export interface AvailableLine {
  material: string;
  plant: string;
  quantity: number;
  availableQuantity: number | null;
  unit: string | null;
  /** The whole quantity can be promised. */
  sufficient: boolean;
  /** What is missing (0 when sufficient). */
  shortfall: number;
  problem?: string;
}

/** What an availability check answers. */
export interface AvailabilityCheck {
  /** Every line can be promised in full. */
  available: boolean;
  plant: string;
  requestedDate: string | null;
  lines: AvailableLine[];
  stale: boolean;
  ageSeconds: number;
  ageMs: number;
  staleReason?: string;
}

/** Checks every line's ATP under `policy` (the availability operation's, or order submission's). */
export async function availabilityOf(ctx: SyncContext, systems: SapSystems, input: AvailabilityInput, policy: DownstreamPolicy = POLICIES.availability.downstream.atp, budget?: Budget): Promise<AvailabilityCheck> {
  const b = budget ?? new Budget(ctx.clock, POLICIES.availability.budgetMs);
  const rule = input.checkingRule ?? 'A';
  // Requested quantities of the same material at the same plant add up: they draw on one stock.
  const wanted = new Map<string, { material: string; plant: string }>();
  for (const line of input.lines) {
    const plant = line.plant ?? input.plant;
    wanted.set(`${plant}\u0000${line.material}`, { material: line.material, plant });
  }
  const fetched = new Map(
    await Promise.all(
      [...wanted].map(async ([id, { material, plant }]) => {
        const key = `${plant}:${material}:${input.requestedDate ?? 'now'}:${rule}`;
        const got = await fetchWithFallback(ctx, policy, b, key, async (): Promise<Atp> => {
          try {
            const atp = await checkAvailability(systems.sap, { material, plant, checkingRule: rule, ...(input.requestedDate === undefined ? {} : { at: `${input.requestedDate}T00:00:00Z` }) });
            return { available: atp.available, unit: atp.unit, problem: null };
          } catch (err) {
            // SAP refusing the material or plant is the answer for this line.
            if (err instanceof InterlockError && (err.code === 'validation' || err.code === 'not-found')) return { available: null, unit: null, problem: err.message.replace(/^SAP \S+ \S+ answered \d+: /, '') };
            throw err;
          }
        });
        return [id, got] as const;
      }),
    ),
  );
  const totals = new Map<string, number>();
  const lines = input.lines.map((line): AvailableLine => {
    const plant = line.plant ?? input.plant;
    const id = `${plant}\u0000${line.material}`;
    const atp = fetched.get(id)!.value;
    if (atp.available === null) {
      return { material: line.material, plant, quantity: line.quantity, availableQuantity: null, unit: null, sufficient: false, shortfall: line.quantity, problem: `Material ${line.material} cannot be checked at plant ${plant}: ${atp.problem ?? 'SAP gave no availability'}.` };
    }
    // Earlier lines of the same material take their share of the stock first.
    const before = totals.get(id) ?? 0;
    totals.set(id, before + line.quantity);
    const left = Math.max(0, atp.available - before);
    const shortfall = round(Math.max(0, line.quantity - left));
    return {
      material: line.material,
      plant,
      quantity: line.quantity,
      availableQuantity: atp.available,
      unit: atp.unit,
      sufficient: shortfall === 0,
      shortfall,
      ...(shortfall === 0 ? {} : { problem: `Only ${round(left)} ${atp.unit ?? ''} of ${line.material} can be promised at plant ${plant}; ${line.quantity} asked.`.replace('  ', ' ') }),
    };
  });
  const freshness = combined([...fetched.values()].map((f) => f.freshness));
  return {
    available: lines.every((l) => l.sufficient),
    plant: input.plant,
    requestedDate: input.requestedDate ?? null,
    lines,
    stale: freshness.stale,
    ageSeconds: freshness.ageSeconds,
    ageMs: freshness.ageMs,
    ...(freshness.reason === undefined ? {} : { staleReason: freshness.reason }),
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
