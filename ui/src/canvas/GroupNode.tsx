import { memo } from "react";
import { NodeResizer, type NodeProps } from "@xyflow/react";
import { Icon } from "../app/icons";
import { groupKindLabel } from "../model/catalog";
import { useDesign } from "../store/design-store";
import type { GroupFlowNode } from "./flow";

export const GroupNode = memo(function GroupNode({ id, data, selected }: NodeProps<GroupFlowNode>) {
  const { group } = data;
  const catalog = useDesign((s) => s.catalog);
  const meta = [group.region, group.cidr].filter(Boolean).join(" · ");
  return (
    <div className={`sc-group sc-group--${group.kind}${selected ? " is-selected" : ""}`} data-testid={`node-${id}`}>
      <NodeResizer isVisible={selected} minWidth={160} minHeight={100} lineClassName="sc-resize-line" handleClassName="sc-resize-handle" />
      <div className="sc-group__label">
        <Icon name={group.kind} size={14} />
        <span className="sc-group__name">{group.name}</span>
        <span className="sc-group__kind">{catalog ? groupKindLabel(catalog, group.kind) : group.kind}</span>
        {meta && <span className="sc-group__meta">{meta}</span>}
      </div>
    </div>
  );
});
