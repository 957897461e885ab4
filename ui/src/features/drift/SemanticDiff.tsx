/**
 * The semantic view of one component: element edits for XML (a readable path, what it was,
 * what it is), line hunks for code, and a count of hidden order-only changes. This is what
 * a reviewer reads; the raw side-by-side view is one tab away.
 */
import type { ComponentDiff } from "../../bindings/ComponentDiff";
import type { ElementEdit } from "../../bindings/ElementEdit";
import type { LineHunk } from "../../bindings/LineHunk";

type Props = {
  diff: ComponentDiff;
  /** Offers "ignore" on an element edit (prefills an element-path rule). */
  onIgnorePath?: (path: string) => void;
};

export function SemanticDiff({ diff, onIgnorePath }: Props) {
  if (diff.kind === "binary") {
    return <p className="muted">{diff.changed ? "Binary content differs." : "No difference."}</p>;
  }
  if (diff.kind === "xml") {
    return (
      <>
        <Edits edits={diff.edits} onIgnorePath={onIgnorePath} />
        <Reordered count={diff.reorderedHidden} />
      </>
    );
  }
  return (
    <div className="file-diffs">
      {diff.files.length === 0 && <p className="muted">No visible difference.</p>}
      {diff.files.map((f) => (
        <section key={f.path} className="file-diff" aria-label={f.path}>
          <header className="file-diff-header">
            <code>{f.path}</code>
            <span className={`change-badge change-${f.status}`}>{f.status}</span>
          </header>
          {f.body.kind === "lines" && <Hunks hunks={f.body.hunks} />}
          {f.body.kind === "xml" && (
            <>
              <Edits edits={f.body.edits} onIgnorePath={onIgnorePath} />
              <Reordered count={f.body.reorderedHidden} />
            </>
          )}
          {f.body.kind === "binary" && <p className="muted">Binary content differs.</p>}
        </section>
      ))}
    </div>
  );
}

function Reordered({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <p className="muted reordered-note">
      {count} order-only change{count === 1 ? "" : "s"} hidden (the order of these entries does not
      matter to Salesforce). Tick “Show reordered” to list them.
    </p>
  );
}

function Edits({
  edits,
  onIgnorePath,
}: {
  edits: ElementEdit[];
  onIgnorePath?: (path: string) => void;
}) {
  if (edits.length === 0) return <p className="muted">No element differs.</p>;
  return (
    <ul className="edits" aria-label="Element changes">
      {edits.map((e, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the same path can be edited twice (reordered + changed)
        <li key={`${e.path}-${i}`} className={`edit edit-${e.kind}`}>
          <div className="edit-head">
            <span className={`change-badge change-${e.kind}`}>{e.kind}</span>
            <code className="edit-path">{e.path}</code>
            {onIgnorePath && (
              <button
                type="button"
                className="button button-quiet button-small"
                title="Add an ignore rule for this element path"
                onClick={() => onIgnorePath(e.path)}
              >
                Ignore…
              </button>
            )}
          </div>
          <EditValues edit={e} />
        </li>
      ))}
    </ul>
  );
}

function EditValues({ edit }: { edit: ElementEdit }) {
  const { before, after } = edit;
  const short = (s: string | null) => s !== null && !s.includes("\n") && s.length <= 80;
  if (edit.kind === "changed" && short(before) && short(after)) {
    return (
      <div className="edit-values">
        <span className="value-before">{before || "(empty)"}</span>
        <span aria-hidden="true"> → </span>
        <span className="sr-only"> becomes </span>
        <span className="value-after">{after || "(empty)"}</span>
      </div>
    );
  }
  return (
    <div className="edit-blocks">
      {before !== null && edit.kind !== "added" && (
        <pre className="value-block value-before">{before}</pre>
      )}
      {after !== null && edit.kind !== "removed" && (
        <pre className="value-block value-after">{after}</pre>
      )}
    </div>
  );
}

function Hunks({ hunks }: { hunks: LineHunk[] }) {
  return (
    <div className="hunks">
      {hunks.map((h) => (
        <pre key={`${h.oldStart}-${h.newStart}`} className="code hunk">
          <span className="hunk-head">
            @@ −{h.oldStart},{h.oldLen} +{h.newStart},{h.newLen} @@{"\n"}
          </span>
          {h.lines.map((line, i) => {
            const mark = line[0];
            const cls = mark === "+" ? "line-add" : mark === "-" ? "line-del" : "line-ctx";
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
              <span key={i} className={`hunk-line ${cls}`}>
                {line}
                {"\n"}
              </span>
            );
          })}
        </pre>
      ))}
    </div>
  );
}
