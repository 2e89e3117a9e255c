// Inspector controls. Text and number fields check what is typed, show the problem under the
// field and apply only valid values; one focus of a field is one undo step however much is typed.
import { useId, useRef, useState, type ReactNode } from "react";

let focusCounter = 0;

export interface CommitOptions {
  coalesceKey?: string;
}

export function Field({ label, error, hint, children, htmlFor }: { label: string; error?: string | null; hint?: string; children: ReactNode; htmlFor?: string }) {
  return (
    <div className={`sc-field${error ? " has-error" : ""}`}>
      <label htmlFor={htmlFor}>{label}</label>
      {children}
      {error ? (
        <div className="sc-field__error" role="alert">
          {error}
        </div>
      ) : hint ? (
        <div className="sc-field__hint">{hint}</div>
      ) : null}
    </div>
  );
}

/**
 * A text input bound to a value in the design. `apply` runs on every valid keystroke with a
 * coalescing key that is fixed for one focus, so a word typed is one history entry.
 */
export function TextInput({
  label,
  value,
  apply,
  check,
  placeholder,
  testId,
  hint,
  multiline,
  inputMode,
}: {
  label: string;
  value: string;
  apply: (text: string, options: CommitOptions) => void;
  check?: (text: string) => string | null;
  placeholder?: string;
  testId?: string;
  hint?: string;
  multiline?: boolean;
  inputMode?: "numeric" | "text";
}) {
  const id = useId();
  const [draft, setDraft] = useState<string | null>(null);
  const session = useRef(0);
  const text = draft ?? value;
  const error = draft !== null && check ? check(draft) : null;
  const onChange = (next: string) => {
    setDraft(next);
    if (!check || check(next) === null) apply(next, { coalesceKey: `field-${session.current}-${id}` });
  };
  const common = {
    id,
    value: text,
    placeholder,
    "aria-label": label,
    "aria-invalid": error ? true : undefined,
    "data-testid": testId,
    onFocus: () => {
      session.current = ++focusCounter;
    },
    onBlur: () => setDraft(null),
    spellCheck: false,
  };
  return (
    <Field label={label} error={error} hint={hint} htmlFor={id}>
      {multiline ? (
        <textarea {...common} rows={3} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input
          {...common}
          type="text"
          inputMode={inputMode}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" || e.key === "Escape") (e.target as HTMLInputElement).blur();
          }}
        />
      )}
    </Field>
  );
}

export function NumberInput({
  label,
  value,
  apply,
  min,
  max,
  optional,
  hint,
  unit,
}: {
  label: string;
  value: number | null | undefined;
  apply: (value: number | null, options: CommitOptions) => void;
  min: number;
  max?: number;
  optional?: boolean;
  hint?: string;
  unit?: string;
}) {
  const check = (text: string): string | null => {
    const t = text.trim();
    if (t === "") return optional ? null : `${label} is required.`;
    if (!/^\d+$/.test(t)) return `${label} must be a whole number.`;
    const n = Number(t);
    if (n < min) return `${label} must be at least ${min}.`;
    if (max !== undefined && n > max) return `${label} must be at most ${max}.`;
    return null;
  };
  return (
    <TextInput
      label={unit ? `${label} (${unit})` : label}
      value={value === null || value === undefined ? "" : String(value)}
      inputMode="numeric"
      check={check}
      hint={hint}
      placeholder={optional ? "Not set" : undefined}
      apply={(text, options) => apply(text.trim() === "" ? null : Number(text.trim()), options)}
    />
  );
}

export function Select<T extends string>({
  label,
  value,
  options,
  apply,
  allowNone,
  noneLabel = "Not set",
  testId,
  hint,
}: {
  label: string;
  value: T | null | undefined;
  options: { value: T; label: string }[];
  apply: (value: T | null) => void;
  allowNone?: boolean;
  noneLabel?: string;
  testId?: string;
  hint?: string;
}) {
  const id = useId();
  const known = value === null || value === undefined || options.some((o) => o.value === value);
  return (
    <Field label={label} htmlFor={id} hint={hint} error={known ? null : `“${value}” is not offered here.`}>
      <select id={id} aria-label={label} data-testid={testId} value={value ?? ""} onChange={(e) => apply(e.target.value === "" ? null : (e.target.value as T))}>
        {(allowNone || value === null || value === undefined) && <option value="">{noneLabel}</option>}
        {!known && value && <option value={value}>{value}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function Checkbox({ label, checked, apply, hint }: { label: string; checked: boolean; apply: (checked: boolean) => void; hint?: string }) {
  const id = useId();
  return (
    <div className="sc-check">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => apply(e.target.checked)} aria-label={label} />
      <label htmlFor={id}>{label}</label>
      {hint && <div className="sc-field__hint">{hint}</div>}
    </div>
  );
}

export function CheckList<T extends string>({
  label,
  values,
  options,
  apply,
  empty,
}: {
  label: string;
  values: T[];
  options: { value: T; label: string }[];
  apply: (values: T[]) => void;
  empty?: string;
}) {
  return (
    <fieldset className="sc-checklist">
      <legend>{label}</legend>
      {options.length === 0 && <div className="sc-field__hint">{empty ?? "Nothing to choose."}</div>}
      {options.map((o) => (
        <Checkbox
          key={o.value}
          label={o.label}
          checked={values.includes(o.value)}
          apply={(on) => apply(on ? [...values, o.value] : values.filter((v) => v !== o.value))}
        />
      ))}
    </fieldset>
  );
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="sc-inspector__section">
      <header>
        <h3>{title}</h3>
        {actions}
      </header>
      {children}
    </section>
  );
}

export const options = <T extends string>(values: readonly T[], labels?: Partial<Record<T, string>>) =>
  values.map((v) => ({ value: v, label: labels?.[v] ?? humanize(v) }));

export function humanize(value: string): string {
  const text = value.replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
