/**
 * Segmented controls: tabs that switch a view, and a one-of-N choice inside a form. One
 * look, one keyboard behaviour, everywhere.
 */
type Option<T extends string> = readonly [T, string];

/** Buttons with role="tab" that switch what is shown below them. */
export function SegmentedTabs<T extends string>(props: {
  label: string;
  options: readonly Option<T>[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <div className="segmented" role="tablist" aria-label={props.label}>
      {props.options.map(([id, text]) => (
        <button
          key={id}
          type="button"
          role="tab"
          aria-selected={props.value === id}
          className={props.value === id ? "segment segment-selected" : "segment"}
          onClick={() => props.onChange(id)}
        >
          {text}
        </button>
      ))}
    </div>
  );
}

/** Radio buttons styled as segments, for a choice that is part of a form. */
export function SegmentedChoice<T extends string>(props: {
  label: string;
  name: string;
  options: readonly Option<T>[];
  value: T;
  onChange: (value: T) => void;
}) {
  return (
    <div className="segmented" role="radiogroup" aria-label={props.label}>
      {props.options.map(([id, text]) => (
        <label key={id} className={props.value === id ? "segment segment-selected" : "segment"}>
          <input
            type="radio"
            name={props.name}
            checked={props.value === id}
            onChange={() => props.onChange(id)}
          />
          {text}
        </label>
      ))}
    </div>
  );
}
