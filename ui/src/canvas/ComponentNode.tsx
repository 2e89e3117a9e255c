import { memo } from "react";
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { Icon } from "../app/icons";
import { kindSpec, PROVIDER_LABELS } from "../model/catalog";
import { ProvisionBadge } from "../panels/provision/ProvisionBadge";
import { useDesign } from "../store/design-store";
import { NodeBadges } from "../panels/analysis/NodeBadges";
import type { ComponentFlowNode } from "./flow";

export const ComponentNode = memo(function ComponentNode({ id, data, selected }: NodeProps<ComponentFlowNode>) {
  const { component } = data;
  const catalog = useDesign((s) => s.catalog);
  const spec = catalog ? kindSpec(catalog, component.kind) : null;
  const detail = [spec?.label ?? component.kind, component.size].filter(Boolean).join(" · ");
  return (
    <div
      className={`sc-node sc-node--${spec?.category ?? "compute"}${selected ? " is-selected" : ""}`}
      data-testid={`node-${id}`}
      title={spec?.description}
    >
      <Handle type="target" position={Position.Left} className="sc-handle" aria-label={`Connect into ${component.name}`} />
      <div className="sc-node__icon">
        <Icon name={spec?.icon ?? "server"} size={20} />
      </div>
      <div className="sc-node__text">
        <div className="sc-node__name">{component.name}</div>
        <div className="sc-node__detail">{detail}</div>
      </div>
      <div className="sc-node__badges">
        <span className={`sc-provider sc-provider--${component.provider}`} title={PROVIDER_LABELS[component.provider]}>
          {PROVIDER_BADGES[component.provider]}
        </span>
        {component.count > 1 && <span className="sc-count">×{component.count}</span>}
        <NodeBadges id={id} />
        <ProvisionBadge componentId={id} />
      </div>
      <Handle type="source" position={Position.Right} className="sc-handle" aria-label={`Connect from ${component.name}`} />
    </div>
  );
});

const PROVIDER_BADGES = { hetzner: "HZ", digitalocean: "DO", aws: "AWS", unassigned: "—" } as const;
