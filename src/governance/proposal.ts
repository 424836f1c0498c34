/** The shapes the registry hands out: subjects, published versions and change proposals. */
import type { ContractKind, Domain } from '../canonical/contract.ts';
import type { Change, CompatibilityMode } from './compatibility.ts';

/** Where a proposal stands. */
export type ProposalStatus = 'proposed' | 'in_review' | 'approved' | 'rejected' | 'published';

/** A contract subject. */
export interface Subject {
  /** Name, e.g. `order`. */
  subject: string;
  /** Owning domain. */
  owner: Domain;
  /** Object or event-data contract. */
  kind: ContractKind;
  /** Compatibility mode new versions are held to. */
  mode: CompatibilityMode;
  /** Epoch milliseconds. */
  createdAt: number;
}

/** A published version. */
export interface ContractVersion {
  /** Subject. */
  subject: string;
  /** Semver. */
  version: string;
  /** The JSON Schema document. */
  schema: Record<string, unknown>;
  /** Epoch milliseconds. */
  publishedAt: number;
  /** Actor id. */
  publishedBy: string;
  /** The proposal it came from (none for bootstrap). */
  proposalId: string | null;
}

/** A proposed version. */
export interface Proposal {
  /** Proposal id. */
  id: string;
  /** Subject. */
  subject: string;
  /** Proposed semver. */
  version: string;
  /** Proposed JSON Schema document. */
  schema: Record<string, unknown>;
  /** Where it stands. */
  status: ProposalStatus;
  /** Version it was compared with (latest published at proposal time). */
  baseVersion: string | null;
  /** Differences from the base version. */
  changes: Change[];
  /** Whether a change breaks the subject's mode (as of proposal time). */
  breaking: boolean;
  /** Why the change is proposed. */
  note: string | null;
  /** Actor id. */
  proposedBy: string;
  /** Epoch milliseconds. */
  proposedAt: number;
  /** Epoch milliseconds of the last step. */
  updatedAt: number;
}
