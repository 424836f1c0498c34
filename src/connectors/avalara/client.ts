/**
 * The Avalara connector's one door to HTTP: AvaTax REST v2 with HTTP Basic `accountId:licenseKey`
 * (a license key does not expire, so nothing to refresh: a refusal is `auth`), the
 * `X-Avalara-Client` identification header, and AvaTax errors refined into the taxonomy.
 */
import { hostname } from 'node:os';
import { InterlockError } from '../../core/errors.ts';
import { HttpTransport } from '../kit/http-transport.ts';
import { classifyAvaTax } from './errors.ts';

/** Options of an {@link AvalaraClient}. */
export interface AvalaraConnectorOptions {
  /** The numeric account id. */
  accountId: string;
  licenseKey: string;
  /** The company documents belong to. @default 'DEFAULT' */
  companyCode?: string;
  /** @default 'https://sandbox-rest.avatax.com' (production: 'https://rest.avatax.com') */
  baseUrl?: string;
  /** Per-call timeout. @default 15000 */
  timeoutMs?: number;
  /** Private hosts or addresses the SSRF guard lets through (tests: `['127.0.0.1']`). */
  allow?: readonly string[];
  /** Application name and version in `X-Avalara-Client`. @default 'Interlock; 1.0' */
  appName?: string;
}

/** An AvaTax account as the connector talks to it. */
export class AvalaraClient {
  readonly #http: HttpTransport;
  /** The company documents are created for. */
  readonly companyCode: string;

  constructor(options: AvalaraConnectorOptions) {
    if (!/^\d+$/.test(options.accountId) || options.licenseKey === '') {
      throw new InterlockError('validation', 'Avalara accountId must be numeric and licenseKey non-empty', { details: { field: 'accountId' } });
    }
    this.companyCode = options.companyCode ?? 'DEFAULT';
    const basic = Buffer.from(`${options.accountId}:${options.licenseKey}`).toString('base64');
    this.#http = new HttpTransport({
      vendor: 'Avalara',
      baseUrl: options.baseUrl ?? 'https://sandbox-rest.avatax.com',
      timeoutMs: options.timeoutMs ?? 15_000,
      allow: options.allow ?? [],
      headers: {
        authorization: `Basic ${basic}`,
        'x-avalara-client': `${options.appName ?? 'Interlock; 1.0'}; REST; v2; ${hostname()}`,
      },
      classify: classifyAvaTax,
    });
  }

  /** `GET /api/v2/<path>`. */
  async get<T>(path: string): Promise<T> {
    return (await this.#http.call<T>({ method: 'GET', path: `/api/v2/${path}` })).body;
  }

  /** `POST /api/v2/<path>` with a JSON body. */
  async post<T>(path: string, json: unknown): Promise<T> {
    return (await this.#http.call<T>({ method: 'POST', path: `/api/v2/${path}`, json })).body;
  }

  /** Releases connections. */
  async close(): Promise<void> {
    await this.#http.close();
  }
}
