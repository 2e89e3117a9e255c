import { memo } from "react";
import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath, type EdgeProps } from "@xyflow/react";
import type { FlowEdge } from "./flow";

export const ConnectionEdge = memo(function ConnectionEdge(props: EdgeProps<FlowEdge>) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd } = props;
  const [path, labelX, labelY] = getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, borderRadius: 10 });
  const connection = data?.connection;
  const traffic = connection ? `${connection.protocol.toUpperCase()}${connection.ports?.length ? ` :${connection.ports.join(",")}` : ""}` : "";
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={`sc-edge sc-edge--${connection?.network ?? "public"}${selected ? " is-selected" : ""}`} />
      <EdgeLabelRenderer>
        <div
          className={`sc-edge-label sc-edge-label--${connection?.network ?? "public"}${selected ? " is-selected" : ""}`}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          data-testid={`edge-label-${id}`}
        >
          {connection?.label ? `${connection.label} · ` : ""}
          {traffic}
        </div>
      </EdgeLabelRenderer>
    </>
  );
});
