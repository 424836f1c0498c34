/**
 * The resolved form of a SOQL query: every field path checked against the schema, every literal
 * converted, the WHERE clause as a proper tree. Produced by `parse.ts`, run by `execute.ts`.
 */
import type { SObjectType, SfChildRelationship, SfField } from '../schema.ts';

/** A field reached through zero or more parent relationships (`Account.Owner.Name`). */
export interface FieldPath {
  /** Reference fields followed, in order (`AccountId`, `OwnerId`). */
  readonly via: readonly SfField[];
  /** The field read at the end. */
  readonly field: SfField;
  /** Relationship names as Salesforce nests them in results (`Account`, `Owner`). */
  readonly names: readonly string[];
}

/** A literal on the right of a comparison. */
export type Literal =
  | { readonly kind: 'value'; readonly value: string | number | boolean | null }
  | { readonly kind: 'range'; readonly start: number; readonly end: number };

/** A WHERE condition tree. */
export type Condition =
  | { readonly kind: 'and' | 'or'; readonly items: readonly Condition[] }
  | { readonly kind: 'not'; readonly item: Condition }
  | { readonly kind: 'compare'; readonly path: FieldPath; readonly op: string; readonly values: readonly Literal[] }
  | { readonly kind: 'semi'; readonly path: FieldPath; readonly negate: boolean; readonly query: SoqlQuery; readonly field: FieldPath };

/** One ORDER BY item. */
export interface OrderItem {
  /** Field sorted on. */
  readonly path: FieldPath;
  /** Descending order. */
  readonly desc: boolean;
  /** Nulls after values. */
  readonly nullsLast: boolean;
}

/** One SELECT item. */
export type SelectItem =
  | { readonly kind: 'field'; readonly path: FieldPath }
  | { readonly kind: 'subquery'; readonly relationship: SfChildRelationship; readonly query: SoqlQuery }
  | { readonly kind: 'aggregate'; readonly fn: AggregateFunction; readonly alias: string; readonly path: FieldPath | undefined };

/** The aggregate functions SOQL offers. */
export type AggregateFunction = 'COUNT' | 'COUNT_DISTINCT' | 'SUM' | 'MIN' | 'MAX' | 'AVG';

/** A resolved SOQL query. */
export interface SoqlQuery {
  /** Queried type. */
  readonly type: SObjectType;
  /** Selected items. */
  readonly select: readonly SelectItem[];
  /** Filter. */
  readonly where: Condition | undefined;
  /** Sort. */
  readonly orderBy: readonly OrderItem[];
  /** LIMIT. */
  readonly limit: number | undefined;
  /** OFFSET. */
  readonly offset: number | undefined;
  /** `SELECT COUNT() FROM …`: only a total is wanted. */
  readonly countOnly: boolean;
  /** GROUP BY fields (empty when not grouped). */
  readonly groupBy: readonly FieldPath[];
}
