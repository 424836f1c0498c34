/**
 * What every Salesforce route needs, gathered once per sandbox, and the small helpers they share
 * (API version from the path, the CDC change origin, record rendering).
 */
import type { FastifyRequest } from 'fastify';
import type { FaultController } from '../kit/index.ts';
import type { ApiUsage } from './api-usage.ts';
import type { ChangeEventLog } from './change-events.ts';
import type { SalesforceSandboxConfig } from './config.ts';
import { SalesforceError, unknownType } from './errors.ts';
import { findField, findType } from './schema.ts';
import type { SObjectType } from './schema.ts';
import type { Sessions } from './sessions.ts';
import type { RecordStore, StoredRecord } from './store.ts';

/** The parts of one running Salesforce sandbox. */
export interface SalesforceContext {
  /** Settings. */
  readonly config: SalesforceSandboxConfig;
  /** Records. */
  readonly store: RecordStore;
  /** Change events. */
  readonly log: ChangeEventLog;
  /** Access tokens. */
  readonly sessions: Sessions;
  /** Daily allowance. */
  readonly usage: ApiUsage;
  /** Live faults. */
  readonly faults: FaultController;
  /** Base URL. */
  readonly url: () => string;
}

/** The API version of a request under `/services/data/vXX.X/`, e.g. `61.0`. */
export function apiVersion(request: FastifyRequest): string {
  const v = (request.params as Record<string, string | undefined>)['version'] ?? '';
  const match = /^v(\d{2})\.0$/.exec(v);
  if (!match || Number(match[1]) < 20 || Number(match[1]) > 69) {
    throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
  }
  return v.slice(1);
}

/** CDC `changeOrigin` of a REST request, with the client named in `Sforce-Call-Options`. */
export function changeOrigin(request: FastifyRequest): string {
  const options = request.headers['sforce-call-options'];
  const client = typeof options === 'string' ? /client=([^,;\s]+)/.exec(options)?.[1] : undefined;
  return `com/salesforce/api/rest/${apiVersion(request)}${client ? `;client=${client}` : ''}`;
}

/** The sObject type named in a path; `404 NOT_FOUND` when unknown. */
export function typeParam(name: string | undefined): SObjectType {
  const type = findType(name ?? '');
  if (!type || type.name === 'User') throw unknownType(name ?? '');
  return type;
}

/** Renders a record as the REST API does; `fields` limits the fields (validated). */
export function renderRecord(record: StoredRecord, type: SObjectType, version: string, fields?: string): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: { type: type.name, url: `/services/data/v${version}/sobjects/${type.name}/${record.id}` } };
  if (fields !== undefined && fields.trim() !== '') {
    for (const name of fields.split(',').map((f) => f.trim()).filter((f) => f)) {
      const field = findField(type, name);
      if (!field) {
        throw new SalesforceError(400, 'INVALID_FIELD', `No such column '${name}' on entity '${type.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`);
      }
      out[field.name] = record.fields[field.name] ?? null;
    }
    return out;
  }
  for (const f of type.fields) out[f.name] = record.fields[f.name] ?? null;
  return out;
}
