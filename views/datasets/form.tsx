/** @module Create a dataset (name, description); on success its page opens with the upload panel. */
import { Field, fieldError, FormMessage, type FormState } from '../components/form'
import { PageHeader } from '../components/ui'
import { Breadcrumbs } from './parts'

export function DescriptionField(props: { state?: FormState; help?: string }) {
  const err = fieldError(props.state, 'description')
  const value = props.state?.values?.description
  return (
    <div class={`field${err ? ' has-error' : ''}`}>
      <label for="f-description">
        Description <span class="muted small">(optional)</span>
      </label>
      <textarea
        class="textarea"
        id="f-description"
        name="description"
        rows={3}
        maxlength={2000}
        aria-invalid={err ? 'true' : undefined}
        aria-describedby={err ? 'f-description-error' : 'f-description-help'}
      >
        {value == null ? '' : String(value)}
      </textarea>
      {err ? (
        <div class="error" id="f-description-error">
          {err}
        </div>
      ) : (
        <div class="help" id="f-description-help">
          {props.help ?? 'Where the data comes from, for the people who use it.'}
        </div>
      )}
    </div>
  )
}

export function NewDatasetPage(props: { state?: FormState }) {
  const st = props.state
  return (
    <div class="ds-narrow">
      <Breadcrumbs items={[{ href: '/datasets', label: 'Datasets' }, { label: 'New dataset' }]} />
      <PageHeader title="New dataset" subtitle="Name it, then add files from your computer or import a manifest." />
      <form class="form card" method="post" action="/datasets" id="dataset-form">
        <FormMessage state={st} fields={['name', 'description']} />
        <Field
          name="name"
          label="Name"
          state={st}
          required
          maxlength={200}
          autofocus
          autocomplete="off"
          placeholder="e.g. Street scenes, spring 2026"
          help="Up to 200 characters. You can rename it later."
        />
        <DescriptionField state={st} />
        <div class="form-actions">
          <a class="btn btn-ghost" href="/datasets">
            Cancel
          </a>
          <button class="btn btn-primary" type="submit">
            Create and add files
          </button>
        </div>
      </form>
    </div>
  )
}
