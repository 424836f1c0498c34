/**
 * The typed shape of every table, for the query builder. Each area declares its tables beside
 * its migration and is added to {@link Database} here with one line.
 */
import type { EngineTables } from './migrations/0001-engine.ts';
import type { GovernanceTables } from './migrations/0100-governance.ts';
import type { XrefTables } from './migrations/0101-xref.ts';
import type { FlowTables } from './migrations/0200-flows.ts';
import type { SecurityTables } from './migrations/0300-security.ts';
import type { ConnectorTables } from './migrations/0400-connectors.ts';
import type { ApiTables } from './migrations/0500-api.ts';
import type { SyncTables } from './migrations/0600-sync.ts';
import type { AppliedVersionTables } from './migrations/0700-applied-versions.ts';
import type { ObservabilityTables } from './migrations/0800-observability.ts';

/** All tables of the store. */
export interface Database extends EngineTables, GovernanceTables, XrefTables, FlowTables, SecurityTables, ConnectorTables, ApiTables, SyncTables, AppliedVersionTables, ObservabilityTables {}
