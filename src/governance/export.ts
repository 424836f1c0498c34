/**
 * Exports the contracts for other tools: one JSON Schema 2020-12 bundle of every subject, and an
 * AsyncAPI 3.0 document describing the canonical events (CloudEvents 1.0 in structured JSON mode,
 * one channel per event type, payload = envelope + that type's data contract).
 */
import { CloudEventEnvelope } from '../canonical/events.ts';
import { SCHEMA_BASE_URI } from '../canonical/contract.ts';

/** A contract as exported: what the registry or the shipped catalogue holds. */
export interface ExportedContract {
  /** Subject. */
  subject: string;
  /** Semver. */
  version: string;
  /** Owning domain. */
  owner: string;
  /** Object or event-data contract. */
  kind: 'object' | 'event';
  /** JSON Schema document. */
  schema: Record<string, unknown>;
}

const JSON_SCHEMA_2020 = 'https://json-schema.org/draft/2020-12/schema';

function plain(value: unknown): Record<string, unknown> {
  // Drops TypeBox's symbol keys and anything not JSON.
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/** A single JSON Schema document holding every contract under `$defs`, keyed by subject. */
export function jsonSchemaBundle(contracts: readonly ExportedContract[]): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  for (const c of contracts) {
    defs[c.subject] = { ...plain(c.schema), 'x-interlock': { version: c.version, owner: c.owner, kind: c.kind } };
  }
  return { $schema: JSON_SCHEMA_2020, $id: `${SCHEMA_BASE_URI}/bundle`, title: 'Interlock canonical contracts', $defs: defs };
}

/** The AsyncAPI 3.0 document of the canonical events among `contracts`. */
export function asyncApiDocument(contracts: readonly ExportedContract[], info: { version: string } = { version: '1.0.0' }): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const envelope = plain(CloudEventEnvelope);
  delete envelope['$id'];
  for (const c of contracts.filter((x) => x.kind === 'event')) {
    const key = c.subject.replace(/[^A-Za-z0-9_-]/g, '_');
    const data = plain(c.schema);
    messages[key] = {
      name: c.subject,
      title: c.subject,
      summary: typeof data['description'] === 'string' ? data['description'] : c.subject,
      contentType: 'application/cloudevents+json',
      'x-interlock': { version: c.version, owner: c.owner },
      payload: {
        schemaFormat: 'application/schema+json;version=2020-12',
        schema: {
          allOf: [
            envelope,
            {
              type: 'object',
              properties: { type: { const: c.subject }, dataschema: { const: data['$id'] }, data },
              required: ['data'],
            },
          ],
        },
      },
    };
    channels[key] = {
      address: c.subject,
      description: `Canonical event ${c.subject}; subject attribute = the business key`,
      messages: { [key]: { $ref: `#/components/messages/${key}` } },
    };
    operations[`publish_${key}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${key}` },
      messages: [{ $ref: `#/channels/${key}/messages/${key}` }],
    };
  }
  return {
    asyncapi: '3.0.0',
    info: { title: 'Interlock canonical events', version: info.version, description: 'CloudEvents 1.0 published by Interlock' },
    defaultContentType: 'application/cloudevents+json',
    channels,
    operations,
    components: { messages },
  };
}
