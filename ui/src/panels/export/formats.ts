// The formats the Export dialog offers, with the options each takes and the file it writes.
import type { ExportFormat, ExportOptions } from "../../ipc/export";

export type FormatOption = "scale" | "background" | "paper";

export interface FormatInfo {
  format: ExportFormat;
  label: string;
  group: "Picture" | "Review report" | "Infrastructure as code" | "Diagram for other tools";
  description: string;
  /** Without the dot; the save dialog filters on it and adds it when the user leaves it out. */
  extension: string;
  filterName: string;
  options: FormatOption[];
  /** A fixed file name, when tools expect one (Compose). */
  fileName?: string;
}

export const FORMATS: FormatInfo[] = [
  { format: "svg", label: "SVG", group: "Picture", description: "Vector image of the canvas.", extension: "svg", filterName: "SVG image", options: [] },
  { format: "png", label: "PNG", group: "Picture", description: "Bitmap image, 1x or 2x.", extension: "png", filterName: "PNG image", options: ["scale", "background"] },
  { format: "pdf", label: "PDF", group: "Picture", description: "One vector page fitted to the paper.", extension: "pdf", filterName: "PDF document", options: ["paper"] },
  { format: "reportMarkdown", label: "Markdown", group: "Review report", description: "For pull requests and wikis: stage, findings, costs, assumptions.", extension: "md", filterName: "Markdown", options: [] },
  { format: "reportHtml", label: "HTML", group: "Review report", description: "One self-contained page to share.", extension: "html", filterName: "HTML page", options: [] },
  { format: "reportPdf", label: "PDF", group: "Review report", description: "Printable report with the diagram.", extension: "pdf", filterName: "PDF document", options: ["paper"] },
  { format: "terraform", label: "Terraform / OpenTofu", group: "Infrastructure as code", description: "hcloud, digitalocean and aws resources; tokens stay variables.", extension: "tf", filterName: "Terraform", options: [] },
  { format: "compose", label: "Docker Compose", group: "Infrastructure as code", description: "Single-server stack; cloud-init.yaml (and a Caddyfile) are written beside it.", extension: "yml", filterName: "Compose file", options: [], fileName: "docker-compose.yml" },
  { format: "mermaid", label: "Mermaid", group: "Diagram for other tools", description: "Flowchart for Markdown renderers.", extension: "mmd", filterName: "Mermaid", options: [] },
  { format: "drawio", label: "draw.io", group: "Diagram for other tools", description: "Opens in draw.io / diagrams.net.", extension: "drawio", filterName: "draw.io diagram", options: [] },
];

export function formatInfo(format: ExportFormat): FormatInfo {
  const info = FORMATS.find((f) => f.format === format);
  if (!info) throw new Error(`unknown export format ${format}`);
  return info;
}

export const DEFAULT_OPTIONS: ExportOptions = { format: "svg", scale: 1, background: "transparent", paper: "a4" };

/** A file name from the design's name (`Shop backend` -> `shop-backend`), never empty. */
export function fileStem(designName: string): string {
  const stem = designName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return stem || "design";
}

/**
 * The save dialog's suggestion: beside the design file and named after it when it has one (else
 * after the design), plus the format (`shop-report.md`, `shop@2x.png`).
 */
export function suggestedPath(info: FormatInfo, options: ExportOptions, designName: string, designPath: string | null): string {
  const cut = designPath ? Math.max(designPath.lastIndexOf("/"), designPath.lastIndexOf("\\")) : -1;
  const fileName = designPath ? designPath.slice(cut + 1).replace(/(\.stagecraft)?\.json$/i, "") : "";
  const stem = fileName || fileStem(designName);
  const suffix = info.group === "Review report" ? "-report" : info.format === "png" && options.scale === 2 ? "@2x" : "";
  const name = info.fileName ?? `${stem}${suffix}.${info.extension}`;
  return designPath && cut >= 0 ? `${designPath.slice(0, cut + 1)}${name}` : name;
}
