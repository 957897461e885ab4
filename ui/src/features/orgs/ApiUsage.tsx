/** Daily API usage of an org as a small bar; amber above 75 %, red above 90 %. */
export function ApiUsage({ used, max }: { used: number | null; max: number | null }) {
  if (used === null || max === null || max <= 0) {
    return <span className="muted">No usage yet</span>;
  }
  const pct = Math.min(100, Math.round((used / max) * 100));
  const level = pct >= 90 ? "high" : pct >= 75 ? "medium" : "low";
  return (
    <span
      className="api-usage"
      title={`${used.toLocaleString()} of ${max.toLocaleString()} API requests today`}
    >
      <span className={`api-bar api-${level}`}>
        <span style={{ width: `${pct}%` }} />
      </span>
      <span className="api-text">{used > 0 && pct === 0 ? "<1" : pct}% API</span>
    </span>
  );
}
