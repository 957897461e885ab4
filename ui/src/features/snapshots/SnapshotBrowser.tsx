/**
 * Browse one snapshot: types (with counts) → components (virtualized, filterable: a 50k
 * component org stays smooth) → the component's files, pretty-printed with line numbers.
 */
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import type { SnapshotRecord } from "../../bindings/SnapshotRecord";
import { api } from "../../api/ipc";
import { groupByType } from "./snapshotText";
import { useVirtualRows } from "../../shell/virtualList";

const ROW = 30;

export function SnapshotBrowser({
  snapshot,
  onBack,
}: {
  snapshot: SnapshotRecord;
  onBack: () => void;
}) {
  const components = useQuery({
    queryKey: ["snapshot-components", snapshot.id],
    queryFn: () => api.snapshotComponents(snapshot.id),
  });
  const types = useMemo(() => groupByType(components.data ?? []), [components.data]);
  const [type, setType] = useState<string | null>(null);
  const [filter, setFilter] = useState("");
  const [selected, setSelected] = useState<string | null>(null);
  const currentType = type ?? types[0]?.type ?? null;
  const names = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return (components.data ?? [])
      .filter((c) => c.typeName === currentType)
      .filter((c) => !needle || c.fullName.toLowerCase().includes(needle));
  }, [components.data, currentType, filter]);

  const { scrollRef: listRef, virtualizer } = useVirtualRows(names.length, ROW);

  return (
    <section className="view" aria-labelledby="browse-title">
      <header className="view-header">
        <div>
          <button type="button" className="button button-quiet" onClick={onBack}>
            ← Snapshots
          </button>
          <h1 id="browse-title">{snapshot.label}</h1>
          <p className="view-subtitle">
            {snapshot.componentCount.toLocaleString()} components ·{" "}
            {new Date(snapshot.createdAt).toLocaleString()}
            {snapshot.apiVersion && ` · API ${snapshot.apiVersion}`}
          </p>
        </div>
      </header>
      {snapshot.warnings.length > 0 && (
        <details className="banner banner-warning">
          <summary>
            {snapshot.warnings.length} type(s) could not be captured — the snapshot says so instead
            of hiding it
          </summary>
          <ul>
            {snapshot.warnings.map((w) => (
              <li key={`${w.typeName}-${w.message}`}>
                <strong>{w.typeName}</strong>: {w.message}
              </li>
            ))}
          </ul>
        </details>
      )}
      {components.error && <p className="form-error">{components.error.message}</p>}
      <div className="browser">
        <ul className="browser-types" aria-label="Metadata types">
          {types.map((t) => (
            <li key={t.type}>
              <button
                type="button"
                className={t.type === currentType ? "type-item type-item-selected" : "type-item"}
                onClick={() => {
                  setType(t.type);
                  setSelected(null);
                }}
              >
                <span>{t.type}</span>
                <span className="chip-count">{t.count}</span>
              </button>
            </li>
          ))}
        </ul>
        <div className="browser-components">
          <input
            className="search"
            type="search"
            placeholder={`Filter ${currentType ?? "components"}`}
            aria-label="Filter components"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
          <div className="component-list" ref={listRef} data-testid="component-list">
            <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
              {virtualizer.getVirtualItems().map((item) => {
                const c = names[item.index];
                if (!c) return null;
                return (
                  <button
                    type="button"
                    key={c.fullName}
                    className={
                      c.fullName === selected
                        ? "component-item component-item-selected"
                        : "component-item"
                    }
                    style={{ transform: `translateY(${item.start}px)`, height: ROW }}
                    onClick={() => setSelected(c.fullName)}
                  >
                    {c.fullName}
                  </button>
                );
              })}
            </div>
          </div>
        </div>
        <div className="browser-files">
          {currentType && selected ? (
            <ComponentFiles snapshotId={snapshot.id} typeName={currentType} fullName={selected} />
          ) : (
            <p className="muted">Choose a component to see its files.</p>
          )}
        </div>
      </div>
    </section>
  );
}

function ComponentFiles({
  snapshotId,
  typeName,
  fullName,
}: {
  snapshotId: number;
  typeName: string;
  fullName: string;
}) {
  const files = useQuery({
    queryKey: ["snapshot-file", snapshotId, typeName, fullName],
    queryFn: () => api.snapshotFile(snapshotId, typeName, fullName),
  });
  if (files.isLoading) return <p className="muted">Loading…</p>;
  if (files.error) return <p className="form-error">{files.error.message}</p>;
  return (
    <div className="files">
      {(files.data ?? []).map((f) => (
        <figure key={f.path} className="file">
          <figcaption>
            <code>{f.path}</code> <span className="muted">{f.size.toLocaleString()} bytes</span>
          </figcaption>
          {f.text === null ? (
            <p className="muted">Binary file, not shown.</p>
          ) : (
            <pre className="code" data-testid="file-content">
              {f.text.split("\n").map((line, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
                <span key={i} className="code-line">
                  <span className="line-no">{i + 1}</span>
                  {line}
                  {"\n"}
                </span>
              ))}
            </pre>
          )}
        </figure>
      ))}
    </div>
  );
}
