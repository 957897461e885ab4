/** Words and small computations for snapshots. */
import type { ComponentEntry } from "../../bindings/ComponentEntry";

/** Components grouped by type, types sorted by name, with counts. */
export function groupByType(components: ComponentEntry[]): { type: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const c of components) counts.set(c.typeName, (counts.get(c.typeName) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, count]) => ({ type, count }));
}

/** True when bytes look like text we can show (UTF-8 without NULs). */
export function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The language of a file for display: xml, apex, js, html, css or text. */
export function languageOf(path: string): string {
  const lower = path.toLowerCase();
  if (lower.endsWith(".cls") || lower.endsWith(".trigger")) return "apex";
  if (lower.endsWith(".js")) return "js";
  if (lower.endsWith(".html") || lower.endsWith(".page") || lower.endsWith(".component"))
    return "html";
  if (lower.endsWith(".css")) return "css";
  if (lower.endsWith(".xml") || lower.includes("-meta.xml") || /\.[a-z]+$/.test(lower))
    return "xml";
  return "text";
}
