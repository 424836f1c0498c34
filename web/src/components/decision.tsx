/** Approve or reject a run waiting for a person, with a reason kept in the audit log. */
import { useState } from 'react';
import { post } from '../lib/api.ts';
import { ActionButton } from './action-button.tsx';

/** Props of {@link Decision}. */
export interface DecisionProps {
  runId: number;
  onDone: (result: unknown) => void;
  onError: (err: Error) => void;
}

/** The reason field and the two buttons (approver role). */
export function Decision({ runId, onDone, onError }: DecisionProps) {
  const [reason, setReason] = useState('');
  const body = () => (reason.trim() === '' ? {} : { reason: reason.trim() });
  return (
    <div className="decision" data-testid={`decision-${runId}`}>
      <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Reason (kept in the audit log)" aria-label="reason" maxLength={2000} />
      <ActionButton needs="approver" kind="primary" testId="approve" run={() => post(`/admin/runs/${runId}/approve`, body())} onDone={onDone} onError={onError}>
        Approve
      </ActionButton>
      <ActionButton needs="approver" kind="danger" testId="reject" disabled={reason.trim() === ''} run={() => post(`/admin/runs/${runId}/reject`, body())} onDone={onDone} onError={onError}>
        Reject
      </ActionButton>
    </div>
  );
}
