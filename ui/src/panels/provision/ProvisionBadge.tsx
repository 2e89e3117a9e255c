// A component's provisioning status on the canvas (during and after a run), or its drift after
// a refresh.
import { useProvision, componentStatus } from "./provision-store";

export function ProvisionBadge({ componentId }: { componentId: string }) {
  const status = useProvision((s) => componentStatus(s.resources, componentId));
  const drift = useProvision((s) => s.drift[componentId]);
  if (status) {
    return (
      <span className={`sc-run-badge sc-run-badge--${status}`} data-testid={`run-status-${componentId}`} data-status={status}>
        {status}
      </span>
    );
  }
  if (drift?.length) {
    return (
      <span className="sc-run-badge sc-run-badge--drift" data-testid={`drift-${componentId}`} title={drift.map((d) => `${d.kind.replace(/_/g, " ")}: ${d.detail}`).join("\n")}>
        drift
      </span>
    );
  }
  return null;
}
