// A deterministic design of about `n` components for canvas measurements, in the same shape as
// stagecraft_model::generate::generated_design: blocks of eight components in a private network,
// about 1.5 connections per component.
import type { Component, Connection, FileDesign, Group, Placement } from "../src/ipc/backend";

export function generatedDesign(n: number): FileDesign {
  const groups: Group[] = [];
  const components: Component[] = [];
  const connections: Connection[] = [];
  const nodes: Record<string, Placement> = {};
  const blocks = Math.max(1, Math.ceil(n / 8));
  const perRow = Math.ceil(Math.sqrt(blocks));
  const tier: [string, Component["kind"], number, number][] = [
    ["lb", "load_balancer", 20, 60],
    ["app1", "app_server", 260, 20],
    ["app2", "app_server", 260, 110],
    ["worker", "worker", 260, 200],
    ["db", "self_hosted_database", 500, 20],
    ["cache", "cache", 500, 110],
    ["storage", "object_storage", 500, 200],
    ["fw", "firewall", 20, 200],
  ];
  const links: [string, string, Connection["protocol"], number][] = [
    ["lb", "app1", "http", 80], ["lb", "app2", "http", 80], ["app1", "db", "postgresql", 5432],
    ["app2", "db", "postgresql", 5432], ["app1", "cache", "redis", 6379], ["app2", "cache", "redis", 6379],
    ["worker", "db", "postgresql", 5432], ["worker", "storage", "s3", 443], ["app1", "storage", "s3", 443],
    ["worker", "cache", "redis", 6379], ["app2", "storage", "s3", 443], ["app1", "worker", "ssh", 22],
  ];
  for (let b = 0; b < blocks; b += 1) {
    const gx = (b % perRow) * 800;
    const gy = Math.floor(b / perRow) * 360;
    const gid = `grp_b${b}`;
    groups.push({ id: gid, kind: "private_network", name: `network-${b}`, provider: "hetzner", region: "fsn1", cidr: `10.${b % 250}.0.0/16` });
    nodes[gid] = { x: gx, y: gy, width: 760, height: 320 };
    for (const [name, kind, x, y] of tier) {
      const id = `cmp_b${b}_${name}`;
      components.push({ id, kind, name: `${name}-${b}`, provider: "hetzner", region: "fsn1", count: 1, group: gid, properties: {} });
      nodes[id] = { x: gx + x, y: gy + y + 30 };
    }
    for (const [from, to, protocol, port] of links) {
      connections.push({ id: `con_b${b}_${from}_${to}`, from: `cmp_b${b}_${from}`, to: `cmp_b${b}_${to}`, protocol, ports: [port], network: "private" });
    }
  }
  return {
    schema_version: 2,
    id: "dsg_generated",
    name: `generated-${n}`,
    assumptions: { currency: "EUR" },
    practices: { config_in_git: false, migration_in_progress: false },
    groups,
    components,
    connections,
    layout: { nodes },
  };
}
