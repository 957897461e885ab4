/**
 * The raw view: the component's files side by side in CodeMirror's merge view (read-only,
 * unchanged stretches collapsed, syntax by file type). Loaded lazily: CodeMirror is the
 * biggest part of the bundle and only reviewers opening this tab need it.
 */
import { html } from "@codemirror/lang-html";
import { java } from "@codemirror/lang-java";
import { javascript } from "@codemirror/lang-javascript";
import { xml } from "@codemirror/lang-xml";
import { defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { goToNextChunk, goToPreviousChunk, MergeView } from "@codemirror/merge";
import { EditorState, type Extension } from "@codemirror/state";
import { EditorView, lineNumbers } from "@codemirror/view";
import { useEffect, useRef, useState } from "react";
import type { SnapshotFile } from "../../bindings/SnapshotFile";

type Props = {
  left: SnapshotFile[] | null;
  right: SnapshotFile[] | null;
  leftLabel: string;
  rightLabel: string;
};

function language(path: string): Extension {
  if (/\.(cls|trigger|apex)$/.test(path)) return java();
  if (/\.(js|ts|mjs)$/.test(path)) return javascript();
  if (/\.(html|page|component|cmp|app|evt|intf|design|auradoc|css)$/.test(path)) return html();
  return xml();
}

const theme = EditorView.theme({
  "&": { fontSize: "12.5px", backgroundColor: "var(--surface)", color: "var(--text)" },
  ".cm-content": { fontFamily: "var(--mono)" },
  // The default ⦚ marks are missing from common Linux fonts.
  ".cm-collapsedLines:before, .cm-collapsedLines:after": { content: '"↕"' },
  ".cm-gutters": {
    backgroundColor: "var(--surface-2)",
    color: "var(--text-muted)",
    borderRight: "1px solid var(--border)",
  },
});

export default function RawMerge({ left, right, leftLabel, rightLabel }: Props) {
  const paths = [...new Set([...(left ?? []), ...(right ?? [])].map((f) => f.path))].sort();
  const [path, setPath] = useState<string | null>(null);
  const current = path !== null && paths.includes(path) ? path : (paths[0] ?? null);
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<MergeView | null>(null);
  const leftFile = left?.find((f) => f.path === current);
  const rightFile = right?.find((f) => f.path === current);
  const binary = leftFile?.text === null || rightFile?.text === null;

  useEffect(() => {
    if (!host.current || current === null || binary) return;
    const extensions = [
      lineNumbers(),
      syntaxHighlighting(defaultHighlightStyle),
      language(current),
      theme,
      EditorState.readOnly.of(true),
      EditorView.editable.of(false),
    ];
    const merge = new MergeView({
      a: { doc: leftFile?.text ?? "", extensions },
      b: { doc: rightFile?.text ?? "", extensions },
      parent: host.current,
      collapseUnchanged: { margin: 3, minSize: 6 },
      gutter: true,
    });
    view.current = merge;
    return () => {
      merge.destroy();
      view.current = null;
    };
  }, [current, binary, leftFile?.text, rightFile?.text]);

  if (current === null) return <p className="muted">No files.</p>;
  return (
    <div className="raw-merge">
      <div className="raw-toolbar">
        {paths.length > 1 ? (
          <select aria-label="File" value={current} onChange={(e) => setPath(e.target.value)}>
            {paths.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        ) : (
          <code className="raw-path">{current}</code>
        )}
        <button
          type="button"
          className="button button-quiet button-small"
          onClick={() => view.current && goToPreviousChunk(view.current.b)}
        >
          ↑ Previous difference
        </button>
        <button
          type="button"
          className="button button-quiet button-small"
          onClick={() => view.current && goToNextChunk(view.current.b)}
        >
          ↓ Next difference
        </button>
      </div>
      <div className="raw-sides">
        <span className="value-before">{leftFile ? leftLabel : `${leftLabel}: no such file`}</span>
        <span className="value-after">
          {rightFile ? rightLabel : `${rightLabel}: no such file`}
        </span>
      </div>
      {binary ? (
        <p className="muted">Binary file, not shown.</p>
      ) : (
        <div className="raw-merge-host" ref={host} data-testid="raw-merge" />
      )}
    </div>
  );
}
