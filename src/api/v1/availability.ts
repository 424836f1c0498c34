/**
 * `POST /v1/availability`: ATP of materials at a plant from SAP S/4HANA, against a quote's quantities.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { availabilityOf } from '../sync/availability.ts';
import { describePolicy } from '../sync/policies.ts';
import { sapOf } from '../sync/sap-systems.ts';
import { FreshnessFields, IdempotencyHeaders, Nullable, responses } from './schemas.ts';
import type { V1Deps } from './v1-deps.ts';

/** An SAP material number. */
export const Material = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_./-]{0,39}$', description: 'SAP material number (the CRM product number)' });
/** An SAP plant. */
export const Plant = Type.String({ pattern: '^[A-Za-z0-9]{4}$', description: 'SAP plant, e.g. 1710' });
/** A quantity in the material's base unit. */
export const Quantity = Type.Number({ exclusiveMinimum: 0, maximum: 1e9, description: 'Quantity in the material\'s base unit' });

const Line = Type.Object({ material: Material, quantity: Quantity, plant: Type.Optional(Plant) }, { additionalProperties: false });
const Body = Type.Object(
  {
    plant: Plant,
    requestedDate: Type.Optional(Type.String({ format: 'date', description: 'When the goods are wanted (ISO date); today when absent' })),
    checkingRule: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{1,2}$', description: 'ATP checking rule; default A (sales order)' })),
    lines: Type.Array(Line, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
);

/** The answer of an availability check. */
export const AvailabilitySchema = Type.Object({
  available: Type.Boolean({ description: 'Every line can be promised in full' }),
  plant: Type.String(),
  requestedDate: Nullable(Type.String()),
  lines: Type.Array(
    Type.Object({
      material: Type.String(),
      plant: Type.String(),
      quantity: Type.Number(),
      availableQuantity: Nullable(Type.Number({ description: 'What SAP can promise (null when SAP does not keep the material at the plant)' })),
      unit: Nullable(Type.String()),
      sufficient: Type.Boolean(),
      shortfall: Type.Number({ description: 'What is missing; earlier lines of the same material take their share first' }),
      problem: Type.Optional(Type.String()),
    }),
  ),
  ...FreshnessFields,
});

/** Registers the availability route. */
export function availabilityRoutes(app: FastifyInstance, deps: V1Deps): void {
  app.post<{ Body: Static<typeof Body> }>(
    '/v1/availability',
    {
      schema: {
        tags: ['availability'],
        summary: 'Product availability (SAP ATP)',
        description: `SAP's available-to-promise quantity of each material at its plant (\`DetermineAvailabilityAt\`) against the quantity asked. Needs \`connectors.sap\`. ${describePolicy('availability')}`,
        headers: IdempotencyHeaders,
        body: Body,
        response: responses(200, AvailabilitySchema, 'Each line against what SAP can promise'),
      },
    },
    async (req) => availabilityOf(deps, sapOf(deps.sap), req.body),
  );
}
