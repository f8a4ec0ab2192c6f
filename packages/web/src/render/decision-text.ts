// A decided prompt in one line: "Approved by bob · 15:17 · via chat command", "Expired · 15:20 ·
// nobody decided", "Withdrawn · 15:21 · turn interrupted". Pure, from ApprovalDecision.

import { assertNever, type ApprovalDecision, type DecisionOutcome, type DecisionVia } from '@pilothouse/protocol';

export function outcomeWord(outcome: DecisionOutcome): string {
  switch (outcome) {
    case 'approved':
      return 'Approved';
    case 'always_allowed':
      return 'Always allowed';
    case 'answered':
      return 'Answered';
    case 'denied':
      return 'Denied';
    case 'cancelled':
      return 'Cancelled';
    case 'expired':
      return 'Expired';
    case 'withdrawn':
      return 'Withdrawn';
    default:
      return assertNever(outcome, 'decision outcome');
  }
}

function viaWords(via: DecisionVia): string | null {
  switch (via) {
    case 'control':
      return 'via the prompt';
    case 'chat_command':
      return 'via chat command';
    case 'push':
      return 'from a push notification';
    case 'email':
      return 'from an email link';
    case 'runner':
    case 'agent':
      return null;
    default:
      return assertNever(via, 'decision via');
  }
}

export const clock = (iso: string): string => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
};

export function decisionLine(d: ApprovalDecision, time: (iso: string) => string = clock): string {
  const who = d.by === null ? outcomeWord(d.outcome) : `${outcomeWord(d.outcome)} by ${d.by.name}`;
  const how = d.by !== null ? viaWords(d.via) : d.outcome === 'expired' ? 'nobody decided in time' : (d.reason ?? (d.via === 'agent' ? 'by the agent' : 'by the runner'));
  const choice = d.by !== null && d.label !== null && d.outcome === 'answered' ? `“${d.label}”` : null;
  return [who, choice, time(d.at), how].filter((p): p is string => p !== null && p !== '').join(' · ');
}
