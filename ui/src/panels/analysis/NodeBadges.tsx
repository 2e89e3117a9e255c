// Badges on a component node: how many findings concern it (by severity) and its monthly cost.
import { showMoney } from "./money";
import { useAnalysis } from "./analysis-store";

export function NodeBadges({ id }: { id: string }) {
  const badge = useAnalysis((s) => s.badges[id]);
  const currency = useAnalysis((s) => s.estimate?.estimate.currency ?? "EUR");
  if (!badge) return null;
  return (
    <div className="sc-node__analysis" data-testid={`node-badges-${id}`}>
      {(["error", "warning", "info"] as const).map((severity) =>
        badge[severity] > 0 ? (
          <span key={severity} className={`sc-badge sc-badge--${severity}`} title={`${badge[severity]} ${severity}(s)`} data-testid={`node-badge-${severity}-${id}`}>
            {badge[severity]}
          </span>
        ) : null,
      )}
      {badge.monthly !== null && (
        <span className="sc-badge sc-badge--cost" title="Monthly cost" data-testid={`node-cost-${id}`}>
          {showMoney(badge.monthly, currency)}
        </span>
      )}
    </div>
  );
}
