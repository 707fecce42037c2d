// Autosave for PEP pages: <form data-module="app-autosave"
// data-autosave-url="…/autosave">. A few seconds after typing stops, the
// form is POSTed (with its CSRF field) to the autosave URL, which answers in
// JSON. On success the form's hidden `version` takes the new version and the
// status line says "Saved at 10:42". A 409 means someone else saved first:
// autosave stops and the person is asked to save, which shows both versions
// to merge. Leaving the page with unsaved changes asks first.
// Without JavaScript the form's own button saves; nothing here is needed.

const DELAY_MS = 3000

export function initAutosave () {
  for (const form of document.querySelectorAll('form[data-module="app-autosave"]')) {
    autosave(form)
  }
}

function autosave (form) {
  const url = form.dataset.autosaveUrl
  const status = form.querySelector('#autosave-status')
  const version = form.querySelector('input[name="version"]')
  let timer = null
  let dirty = false
  let inFlight = false
  let stopped = false
  let submitting = false

  const say = (text) => { if (status) status.textContent = text }

  async function save () {
    timer = null
    if (!dirty || stopped) return
    if (inFlight) { schedule(); return }
    inFlight = true
    dirty = false
    say('Saving…')
    try {
      const body = new URLSearchParams(new FormData(form))
      const response = await fetch(url, {
        method: 'POST',
        body,
        headers: { Accept: 'application/json' },
        credentials: 'same-origin'
      })
      const answer = await response.json().catch(() => ({}))
      if (response.ok) {
        version.value = String(answer.version)
        say(`Saved at ${answer.saved_at}`)
      } else if (response.status === 409) {
        stopped = true
        dirty = true
        say(answer.locked
          ? 'Not saved: this PEP has been signed off.'
          : 'Not saved: someone else has saved this page. Select "Save and return to the PEP" to see both versions.')
      } else if (response.status === 422) {
        dirty = true
        say('Not saved yet: some answers need checking. They will be shown when you save.')
      } else {
        dirty = true
        say('Not saved: there was a problem. Your answers are still on this page.')
      }
    } catch (e) {
      dirty = true
      say('Not saved: check your connection. Your answers are still on this page.')
    } finally {
      inFlight = false
    }
  }

  function schedule () {
    if (timer) clearTimeout(timer)
    timer = setTimeout(save, DELAY_MS)
  }

  const changed = () => { dirty = true; if (!stopped) schedule() }
  form.addEventListener('input', changed)
  form.addEventListener('change', changed)
  form.addEventListener('submit', () => { submitting = true; if (timer) clearTimeout(timer) })
  window.addEventListener('beforeunload', (event) => {
    if (dirty && !submitting) {
      event.preventDefault()
      event.returnValue = ''
    }
  })
}
