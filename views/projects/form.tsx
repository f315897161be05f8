/** @module The project form: create (name, description, media type, ontology) and the General
 * settings (name, description, ontology; the media type is fixed once data is attached). */
import type { FieldError } from '../../src/lib/errors'
import type { ProjectView } from '../../src/modules/projects/service'
import { fieldError, FormMessage, SelectField, Field, type FormState } from '../components/form'
import { Alert, MediaBadge, mediaLabel, PageHeader } from '../components/ui'
import { editorFields, OntologyEditor, type OntologyDraft } from './ontology-editor'
import { ProjectHeader } from './parts'
import { DangerZone, SettingsNav } from './settings'

export type ProjectFormState = {
  values: { name: string; description: string; media_type?: string }
  draft: OntologyDraft
  errors?: FieldError[]
  message?: string
}

function DescriptionField(props: { state: ProjectFormState }) {
  const st: FormState = { values: props.state.values, errors: props.state.errors }
  const err = fieldError(st, 'description')
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
        {props.state.values.description}
      </textarea>
      {err ? (
        <div class="error" id="f-description-error">
          {err}
        </div>
      ) : (
        <div class="help" id="f-description-help">
          What the project is for, for the people who label it.
        </div>
      )}
    </div>
  )
}

/** Enter in any text field submits with the form's first submit button; the "Add …" buttons are
 * submit buttons too (for the no-JavaScript path), so this invisible one comes first. */
const DefaultSubmit = ({ label }: { label: string }) => (
  // biome-ignore lint/a11y/noAriaHiddenOnFocusable: the default button for Enter, out of the tab order (tabindex -1)
  <button type="submit" class="visually-hidden" tabindex={-1} aria-hidden="true">
    {label}
  </button>
)

/** `mediaTypes`: what a project may label, in the picker's order (the route passes the schema's list). */
export function NewProjectPage(props: { state: ProjectFormState; mediaTypes: readonly string[] }) {
  const st = props.state
  const fs: FormState = { values: st.values, errors: st.errors }
  return (
    <div class="narrow-page">
      <nav class="breadcrumbs" aria-label="Breadcrumb">
        <a href="/projects">Projects</a> <span aria-hidden="true">/</span> <span>New project</span>
      </nav>
      <PageHeader title="New project" subtitle="Name it, say what kind of data it labels, and describe what to label." />
      <form class="form card project-form" method="post" action="/projects" id="project-form">
        <DefaultSubmit label="Create project" />
        <FormMessage
          state={{ errors: st.errors, message: st.message }}
          fields={['name', 'description', 'media_type', ...editorFields(st.draft)]}
        />
        <div class="form-row two">
          <Field
            name="name"
            label="Name"
            state={fs}
            required
            maxlength={200}
            autofocus={!st.errors?.length}
            placeholder="e.g. Street signs"
            autocomplete="off"
          />
          <SelectField
            name="media_type"
            label="Media type"
            state={fs}
            value={st.values.media_type ?? 'IMAGE'}
            options={props.mediaTypes.map((m) => ({ value: m, label: mediaLabel(m) }))}
            help="The kind of data rows this project labels."
          />
        </div>
        <DescriptionField state={st} />
        <OntologyEditor draft={st.draft} errors={st.errors} level={2} />
        <div class="form-actions">
          <a class="btn btn-ghost" href="/projects">
            Cancel
          </a>
          <button class="btn btn-primary" type="submit">
            Create project
          </button>
        </div>
      </form>
    </div>
  )
}

export function GeneralSettingsPage(props: { p: ProjectView; state: ProjectFormState; saved?: boolean; canDelete: boolean }) {
  const { p } = props
  const st = props.state
  const fs: FormState = { values: st.values, errors: st.errors }
  return (
    <>
      <ProjectHeader p={p} current="settings" canEdit />
      <div class="settings-layout">
        <SettingsNav id={p.id} current="general" canEdit canDelete={props.canDelete} />
        <div class="settings-main">
          <section class="card" id="general">
            <h2>General</h2>
            {props.saved ? (
              <div class="notice">
                <Alert tone="success">Saved.</Alert>
              </div>
            ) : null}
            <form class="form project-form" method="post" action={`/projects/${p.id}/settings`} id="project-form">
              <DefaultSubmit label="Save changes" />
              <FormMessage state={{ errors: st.errors, message: st.message }} fields={['name', 'description', ...editorFields(st.draft)]} />
              <div class="form-row two">
                <Field name="name" label="Name" state={fs} required maxlength={200} autocomplete="off" />
                <div class="field">
                  <span class="label">Media type</span>
                  <div class="static-field">
                    <MediaBadge type={p.media_type} /> <span class="muted small">Fixed when the project is created.</span>
                  </div>
                </div>
              </div>
              <DescriptionField state={st} />
              <OntologyEditor draft={st.draft} errors={st.errors} />
              <div class="form-actions">
                <a class="btn btn-ghost" href={`/projects/${p.id}`}>
                  Cancel
                </a>
                <button class="btn btn-primary" type="submit">
                  Save changes
                </button>
              </div>
            </form>
          </section>
          {props.canDelete ? <DangerZone p={p} /> : null}
        </div>
      </div>
    </>
  )
}
