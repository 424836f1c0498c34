/**
 * The shape of a mapping file, as a schema: a mapping is data (YAML), validated against this before
 * it is compiled, so a malformed file is refused with the key that is wrong.
 *
 * The language, in one example:
 *
 * ```yaml
 * mapping: salesforce.opportunity-to-order      # name used in errors and parked records
 * source: { system: salesforce, object: Opportunity }
 * target: { system: canonical, object: order }
 * recordId: Id                                   # source path of the id named in errors
 * validate: order                                # canonical contract every output must satisfy
 * extra: { to: extra, ignore: [attributes] }     # unconsumed top-level source fields go here
 * valueMaps:
 *   stage: { values: { Closed Won: booked, Closed Lost: cancelled }, default: draft }
 * fields:
 *   name: Name                                   # a path: `a.b[0].c`; `$record.x` reads the whole record
 *   id: { template: "sfdc-opp-{Id}" }            # text with {path} placeholders
 *   status: { from: StageName, map: stage, required: true }
 *   customerId: { from: AccountId, lookup: { from: "salesforce:Account", to: "canonical:customer" } }
 *   total.amount: { from: Amount, as: decimal, default: 0 }   # dotted target keys nest
 *   margin: { expr: "$sum(lines.(q * p))" }      # JSONata, parsed once, sandboxed
 *   refs: { items: [{ system: { const: salesforce }, externalId: Id }] }
 *   lines: { each: OpportunityLineItems.records, fields: { lineNumber: { from: $position } } }
 * ```
 *
 * A rule takes its value from exactly one of `from`, `const`, `expr`, `template`, `each`, `items`
 * or `fields`, then applies, in order: `default` (when null or missing), `lookup`, `map` (with
 * `reverse` to map values back to keys), `as` (conversion) and `required`. Null results are left
 * out of the output.
 */
import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';

/** Conversions a rule can apply to its value. */
export const CONVERSIONS = [
  'string',
  'decimal',
  'integer',
  'number',
  'boolean',
  'date',
  'datetime',
  'epoch-ms',
  'epoch-s',
  'minor-units',
  'major-units',
  'upper',
  'lower',
] as const;
/** A conversion a rule can apply to its value. */
export type Conversion = (typeof CONVERSIONS)[number];

const Literal = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

/** One field rule: a source path (shorthand string) or an object naming where the value comes from. */
export const FieldRuleSchema = Type.Recursive((Self) =>
  Type.Union([
    Type.String({ minLength: 1 }),
    Type.Object(
      {
        from: Type.Optional(Type.String({ minLength: 1, description: 'Source path, e.g. Account.Name or items[0].id' })),
        const: Type.Optional(Literal),
        expr: Type.Optional(Type.String({ minLength: 1, description: 'JSONata expression over the source object' })),
        template: Type.Optional(Type.String({ minLength: 1, description: 'Text with {path} placeholders' })),
        as: Type.Optional(Type.Union(CONVERSIONS.map((c) => Type.Literal(c)))),
        map: Type.Optional(Type.String({ minLength: 1, description: 'Name of a value map of this file' })),
        reverse: Type.Optional(Type.Boolean({ description: 'Apply the value map from its values back to its keys' })),
        lookup: Type.Optional(
          Type.Object(
            {
              from: Type.String({ pattern: '^[a-z0-9_-]+:[A-Za-z0-9_.-]+$' }),
              to: Type.String({ pattern: '^[a-z0-9_-]+:[A-Za-z0-9_.-]+$' }),
            },
            { additionalProperties: false },
          ),
        ),
        default: Type.Optional(Literal),
        required: Type.Optional(Type.Boolean()),
        each: Type.Optional(Type.String({ minLength: 1, description: 'Source array; `fields` maps each element' })),
        fields: Type.Optional(Type.Record(Type.String(), Self)),
        items: Type.Optional(Type.Array(Type.Record(Type.String(), Self), { description: 'A fixed list of objects' })),
      },
      { additionalProperties: false },
    ),
  ]),
);

/** One field rule. */
export type FieldRule = Static<typeof FieldRuleSchema>;
/** The object form of a field rule. */
export type FieldRuleObject = Exclude<FieldRule, string>;

/** A value map: source value → target value, with an optional fallback. */
export const ValueMapSchema = Type.Object(
  {
    values: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    default: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
  },
  { additionalProperties: false },
);

/** A value map. */
export type ValueMap = Static<typeof ValueMapSchema>;

const Endpoint = (extra: Record<string, TSchema>) =>
  Type.Object({ system: Type.String({ minLength: 1 }), ...extra }, { additionalProperties: false });

/** A whole mapping file. */
export const MappingSpecSchema = Type.Object(
  {
    mapping: Type.String({ minLength: 1, description: 'Name, e.g. salesforce.opportunity-to-order' }),
    description: Type.Optional(Type.String()),
    source: Endpoint({ object: Type.String({ minLength: 1 }) }),
    target: Endpoint({ object: Type.String({ minLength: 1 }) }),
    recordId: Type.String({ minLength: 1, description: 'Source path of the id named in errors' }),
    validate: Type.Optional(Type.String({ description: 'Canonical contract the output must satisfy' })),
    extra: Type.Optional(
      Type.Object(
        {
          to: Type.String({ minLength: 1, description: 'Target field that collects unconsumed source fields' }),
          ignore: Type.Optional(Type.Array(Type.String())),
        },
        { additionalProperties: false },
      ),
    ),
    valueMaps: Type.Optional(Type.Record(Type.String(), ValueMapSchema)),
    fields: Type.Record(Type.String(), FieldRuleSchema),
  },
  { additionalProperties: false },
);

/** A whole mapping file. */
export type MappingSpec = Static<typeof MappingSpecSchema>;
