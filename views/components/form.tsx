/** @module Form pieces: label above, help below, the error in red under the field, value kept.
 * Form errors are always answered as 422 with the errored form (htmx 4 swaps 4xx responses). */
import type { Child } from 'hono/jsx'
import type { FieldError } from '../../src/lib/errors'

export type FormState = { values?: Record<string, unknown>; errors?: FieldError[]; message?: string }

export const fieldError = (state: FormState | undefined, name: string) =>
  state?.errors?.find((e) => e.path === name || e.path.startsWith(`${name}.`))?.message

export function Field(props: {
  name: string
  label: string
  state?: FormState
  type?: string
  value?: string
  help?: Child
  required?: boolean
  autofocus?: boolean
  autocomplete?: string
  placeholder?: string
  minlength?: number
  maxlength?: number
  min?: number
  max?: number
}) {
  const id = `f-${props.name}`
  const err = fieldError(props.state, props.name)
  const raw = props.value ?? props.state?.values?.[props.name]
  // Passwords are never echoed back.
  const value = props.type === 'password' ? undefined : raw == null ? undefined : String(raw)
  return (
    <div class={`field${err ? ' has-error' : ''}`}>
      <label for={id}>{props.label}</label>
      <input
        class="input"
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={value}
        required={props.required}
        autofocus={props.autofocus}
        autocomplete={props.autocomplete}
        placeholder={props.placeholder}
        minlength={props.minlength}
        maxlength={props.maxlength}
        min={props.min}
        max={props.max}
        aria-invalid={err ? 'true' : undefined}
        aria-describedby={err ? `${id}-error` : props.help ? `${id}-help` : undefined}
      />
      {err ? (
        <div class="error" id={`${id}-error`}>
          {err}
        </div>
      ) : props.help ? (
        <div class="help" id={`${id}-help`}>
          {props.help}
        </div>
      ) : null}
    </div>
  )
}

export function SelectField(props: {
  name: string
  label: string
  options: { value: string; label: string }[]
  state?: FormState
  value?: string
  help?: Child
}) {
  const id = `f-${props.name}`
  const err = fieldError(props.state, props.name)
  const current = props.value ?? (props.state?.values?.[props.name] as string | undefined)
  return (
    <div class={`field${err ? ' has-error' : ''}`}>
      <label for={id}>{props.label}</label>
      <select class="select" id={id} name={props.name} aria-invalid={err ? 'true' : undefined}>
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === current}>
            {o.label}
          </option>
        ))}
      </select>
      {err ? <div class="error">{err}</div> : props.help ? <div class="help">{props.help}</div> : null}
    </div>
  )
}

/** The form-level message (e.g. "Email or password is incorrect"), plus any error that belongs to no shown field. */
export function FormMessage({ state, fields = [] }: { state?: FormState; fields?: string[] }) {
  const loose = (state?.errors ?? []).filter((e) => !fields.some((f) => e.path === f || e.path.startsWith(`${f}.`)))
  if (!state?.message && !loose.length) return null
  return (
    <div class="alert alert-error" role="alert">
      {state?.message ? <strong>{state.message}</strong> : null}
      {loose.map((e) => (
        <div>{e.message}</div>
      ))}
    </div>
  )
}
