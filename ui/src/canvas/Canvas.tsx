import { useCallback, useEffect, useMemo, useRef } from "react";
import {
  Background,
  BackgroundVariant,
  ConnectionLineType,
  ConnectionMode,
  Controls,
  MarkerType,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  type Connection as FlowConnection,
  type EdgeChange,
  type NodeChange,
} from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { useUi } from "../app/ui-store";
import { designStore, useDesign } from "../store/design-store";
import { appActions } from "../store/app-actions";
import type { FlowEdgeChange, FlowNodeChange } from "../store/actions";
import { FOCUS_ZOOM, READABLE_ZOOM, registerCanvas } from "./canvas-api";
import { ComponentNode } from "./ComponentNode";
import { DesignMinimap } from "./DesignMinimap";
import { ConnectionEdge } from "./ConnectionEdge";
import { createMemo, toFlowEdges, toFlowNodes, type FlowEdge, type FlowNode } from "./flow";
import { GroupNode } from "./GroupNode";

const nodeTypes = { component: ComponentNode, group: GroupNode };
const edgeTypes = { connection: ConnectionEdge };
const defaultEdgeOptions = { markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 } };
const GRID = 16;

function CanvasView() {
  const design = useDesign((s) => s.design);
  const selection = useDesign((s) => s.selection);
  const preferences = useUi((s) => s.preferences);
  const notify = useUi((s) => s.notify);
  const flow = useReactFlow<FlowNode, FlowEdge>();
  const wrapper = useRef<HTMLDivElement>(null);
  const nodeMemo = useRef(createMemo<FlowNode>());
  const edgeMemo = useRef(createMemo<FlowEdge>());

  const nodes = useMemo(() => toFlowNodes(design, selection, nodeMemo.current), [design, selection]);
  const edges = useMemo(() => toFlowEdges(design.connections, selection.edges, edgeMemo.current), [design.connections, selection.edges]);

  useEffect(() => {
    registerCanvas({
      screenToFlow: (p) => flow.screenToFlowPosition(p),
      viewportCentre: () => {
        const rect = wrapper.current?.getBoundingClientRect();
        if (!rect) return { x: 0, y: 0 };
        return flow.screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 });
      },
      fitView: () => void flow.fitView({ padding: 0.08, duration: 200, maxZoom: 1.2 }),
      zoomIn: () => void flow.zoomIn({ duration: 150 }),
      zoomOut: () => void flow.zoomOut({ duration: 150 }),
      contains: (p) => {
        const rect = wrapper.current?.getBoundingClientRect();
        return !!rect && p.x >= rect.left && p.x <= rect.right && p.y >= rect.top && p.y <= rect.bottom;
      },
      focusNodes: (ids) => {
        const nodes = ids.filter((id) => flow.getNode(id)).map((id) => ({ id }));
        if (nodes.length) void flow.fitView({ nodes, padding: 0.3, duration: 250, minZoom: FOCUS_ZOOM.min, maxZoom: FOCUS_ZOOM.max });
      },
    });
    return () => registerCanvas(null);
  }, [flow]);

  // Fit the view when another document is loaded (its id changes).
  const designId = design.id;
  useEffect(() => {
    const timer = setTimeout(() => {
      if (designStore.getState().design.components.length === 0) void flow.setViewport({ x: 0, y: 0, zoom: 1 });
      // A design opens fitted, but never below a readable zoom: a large one opens readable (not
      // shrunk to fit), so only the visible part renders.
      else void flow.fitView({ padding: 0.08, maxZoom: READABLE_ZOOM.max, minZoom: READABLE_ZOOM.min });
    }, 30);
    return () => clearTimeout(timer);
  }, [designId, flow]);

  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => appActions.applyNodeChanges(changes as FlowNodeChange[]), []);
  const onEdgesChange = useCallback((changes: EdgeChange<FlowEdge>[]) => appActions.applyEdgeChanges(changes as FlowEdgeChange[]), []);
  const onConnect = useCallback(
    (c: FlowConnection) => {
      if (!c.source || !c.target) return;
      const result = appActions.connect(c.source, c.target);
      if (!result.ok) notify(result.reason, "error");
    },
    [notify],
  );
  const isValidConnection = useCallback((c: FlowConnection | FlowEdge) => c.source !== c.target && !c.source.startsWith("grp_") && !c.target.startsWith("grp_"), []);
  const onPaneClick = useCallback(() => {
    const { selection: current } = designStore.getState();
    if (current.nodes.length || current.edges.length) designStore.getState().select({ nodes: [], edges: [] });
  }, []);

  return (
    <div className="sc-canvas" data-testid="canvas" ref={wrapper} role="region" aria-label="Design canvas">
      <ReactFlow<FlowNode, FlowEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        defaultEdgeOptions={defaultEdgeOptions}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onPaneClick={onPaneClick}
        connectionMode={ConnectionMode.Strict}
        connectionLineType={ConnectionLineType.SmoothStep}
        colorMode={preferences.theme}
        snapToGrid={preferences.snapToGrid}
        snapGrid={[GRID, GRID]}
        onlyRenderVisibleElements
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={["Shift", "Meta", "Control"]}
        selectionOnDrag
        panOnDrag={[1, 2]}
        panOnScroll
        zoomActivationKeyCode={["Meta", "Control"]}
        minZoom={0.05}
        maxZoom={2.5}
        elevateNodesOnSelect={false}
        proOptions={{ hideAttribution: true }}
        fitView
        fitViewOptions={{ padding: 0.08, maxZoom: READABLE_ZOOM.max, minZoom: READABLE_ZOOM.min }}
      >
        <Background variant={BackgroundVariant.Dots} gap={GRID} size={1.2} className="sc-background" />
        <Controls showInteractive={false} position="bottom-left" aria-label="Zoom controls" />
        {preferences.showMinimap && <DesignMinimap />}
      </ReactFlow>
    </div>
  );
}

export function Canvas() {
  return (
    <ReactFlowProvider>
      <CanvasView />
    </ReactFlowProvider>
  );
}
