/**
 * JSONata expressions for computed fields, made safe for untrusted mapping files.
 *
 * JSONata itself cannot call into JavaScript, but a mapping file is input we did not write, so:
 * an expression is parsed once and its syntax tree is checked (no prototype-chain names, no `$eval`
 * that would parse unchecked text at run time, only regular expressions without nested
 * quantifiers); evaluation runs with JSONata's own guard rails (time, depth, sequence length); and
 * regular expressions run through an engine that refuses long inputs, so a match stays bounded.
 */
import jsonata from 'jsonata';
import safeRegex from 'safe-regex2';
import { permanentError, validationError } from '../core/errors.ts';
import { FORBIDDEN_SEGMENTS } from './path.ts';

/** Limits applied to every expression evaluation. */
export interface ExpressionLimits {
  /** Milliseconds one evaluation may take. @default 100 */
  timeoutMs: number;
  /** Maximum evaluation depth (nested calls and recursion). @default 200 */
  maxDepth: number;
  /** Maximum length of any sequence built during evaluation. @default 100000 */
  maxSequence: number;
  /** Longest string a regular expression may be applied to. @default 10000 */
  maxRegexInput: number;
}

/** The limits used when a caller gives none. */
export const DEFAULT_LIMITS: Readonly<ExpressionLimits> = Object.freeze({
  timeoutMs: 100,
  maxDepth: 200,
  maxSequence: 100_000,
  maxRegexInput: 10_000,
});

/** A parsed, checked expression. */
export interface CompiledExpression {
  /** The expression text. */
  readonly source: string;
  /** Evaluates against one input; failures become `permanent` errors naming the expression. */
  evaluate(input: unknown, bindings?: Record<string, unknown>): Promise<unknown>;
}

// Functions that would evaluate text unseen by the checks below.
const FORBIDDEN_FUNCTIONS = new Set(['eval']);

type Node = Omit<jsonata.ExprNode, 'type'> & { type: string } & Record<string, unknown>;

/** Parses and checks `source`; throws a `validation` error naming the first problem. */
export function compileExpression(source: string, limits: ExpressionLimits = DEFAULT_LIMITS): CompiledExpression {
  let expr: jsonata.Expression;
  try {
    expr = jsonata(source, {
      timeout: limits.timeoutMs,
      stack: limits.maxDepth,
      sequence: limits.maxSequence,
      RegexEngine: boundedRegexEngine(limits.maxRegexInput),
    });
  } catch (err) {
    throw validationError(`expression does not parse: ${describe(err)}`, { cause: err });
  }
  checkTree(expr.ast());
  return {
    source,
    async evaluate(input, bindings) {
      try {
        return await expr.evaluate(input, bindings);
      } catch (err) {
        throw permanentError(`expression failed: ${describe(err)}`, { cause: err, details: { expression: source } });
      }
    },
  };
}

function checkTree(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) checkTree(n);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const n = node as Node;
  if ((n.type === 'name' || n.type === 'string') && typeof n.value === 'string' && FORBIDDEN_SEGMENTS.has(n.value)) {
    throw validationError(`expression names the forbidden property "${n.value}"`);
  }
  if (n.type === 'variable' && typeof n.value === 'string' && FORBIDDEN_FUNCTIONS.has(n.value)) {
    throw validationError(`expression uses the forbidden function "$${n.value}"`);
  }
  if (n.type === 'regex' && n.value instanceof RegExp && !safeRegex(n.value)) {
    throw validationError(`expression has a regular expression that can backtrack catastrophically: ${String(n.value)}`);
  }
  for (const [key, child] of Object.entries(n)) {
    if (key !== 'value' && child !== null && typeof child === 'object') checkTree(child);
  }
}

/**
 * A RegExp subclass for JSONata's `RegexEngine` option: refuses to run on inputs longer than
 * `maxInput`, the other half of keeping a match bounded.
 */
function boundedRegexEngine(maxInput: number): RegExpConstructor {
  class BoundedRegExp extends RegExp {
    override exec(input: string): RegExpExecArray | null {
      if (input.length > maxInput) {
        throw new Error(`regular expression input longer than ${maxInput} characters`);
      }
      return super.exec(input);
    }
  }
  return BoundedRegExp as unknown as RegExpConstructor;
}

function describe(err: unknown): string {
  if (err !== null && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown; position?: unknown };
    const where = typeof e.position === 'number' ? ` at ${e.position}` : '';
    const code = typeof e.code === 'string' ? `${e.code} ` : '';
    return `${code}${typeof e.message === 'string' ? e.message : String(err)}${where}`;
  }
  return String(err);
}
