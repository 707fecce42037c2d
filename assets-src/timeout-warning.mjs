// Session timeout warning (the GOV.UK / HMRC "timeout warning" pattern).
//
// Runs only on pages whose <head> has
//   <meta name="openpep-session-timeout" content="SECONDS">
// (the layout adds it for signed-in pages) and, optionally,
//   <meta name="openpep-session-warning" content="SECONDS">  (default 120).
//
// The server ends a session after SECONDS without a request. Each page load is
// such a request, so the local timer starts when this script runs. When the
// warning lead time is reached a native <dialog> opens with showModal():
//
//   <dialog class="app-timeout-dialog" aria-labelledby=… aria-describedby=…>
//     <h2 class="govuk-heading-m">You're about to be signed out</h2>
//     <p class="govuk-body">
//       <span aria-hidden="true">For your security, we will sign you out in
//         <strong class="app-timeout-dialog__countdown">2 minutes</strong>.</span>
//       <span class="govuk-visually-hidden" aria-live="polite" aria-atomic="true">…</span>
//     </p>
//     <div class="govuk-button-group">
//       <button type="button" class="govuk-button">Stay signed in</button>
//       <a class="govuk-link" href="/sign-out">Sign out</a>
//     </div>
//   </dialog>
//
// The visible countdown changes every second but is hidden from assistive
// technology; the visually hidden live region is rewritten only when the
// minute changes and, in the last minute, every 20 seconds.
//
// "Stay signed in" (or Escape) closes the dialog, GETs /session/keep-alive
// (204 = session live, 401 = gone) and restarts the timer. "Sign out" submits
// the header's form.app-sign-out (it carries the CSRF token). When the time
// runs out the browser goes to /sign-in?timed_out=1.
//
// Other scripts that talk to the server (autosave, say) can restart the timer
// with document.dispatchEvent(new CustomEvent('openpep:session-activity')).
// Tabs share the time of the latest activity through localStorage, so an idle
// tab does not warn about, or sign out of, a session another tab keeps alive.

const KEEP_ALIVE_URL = '/session/keep-alive'
const TIMED_OUT_URL = '/sign-in?timed_out=1'
const STORAGE_KEY = 'openpep-session-last-activity'
const ACTIVITY_EVENT = 'openpep:session-activity'
const DEFAULT_WARNING_SECONDS = 120
const MAX_DELAY_MS = 2147483647 // setTimeout's limit

function metaSeconds(name) {
  const meta = document.querySelector(`meta[name="${name}"]`)
  if (!meta) return null
  const value = Number.parseInt(meta.getAttribute('content') || '', 10)
  return Number.isFinite(value) && value > 0 ? value : null
}

// "2 minutes", "1 minute", "59 seconds", "1 second" (minutes rounded up).
function timeText(seconds) {
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60)
    return minutes === 1 ? '1 minute' : `${minutes} minutes`
  }
  return seconds === 1 ? '1 second' : `${seconds} seconds`
}

// What the screen-reader text may say changes only when this does: once a
// minute, then at 40 and 20 seconds.
function audibleStep(seconds) {
  return seconds > 40 ? `m${Math.ceil(seconds / 60)}` : `s${Math.ceil(seconds / 20)}`
}

function readSharedActivity() {
  try {
    const value = Number(window.localStorage.getItem(STORAGE_KEY))
    return Number.isFinite(value) && value > 0 ? value : 0
  } catch (e) {
    return 0
  }
}

function writeSharedActivity(time) {
  try {
    window.localStorage.setItem(STORAGE_KEY, String(time))
  } catch (e) {
    // Storage may be disabled; each tab then keeps its own timer.
  }
}

function buildDialog(hasSignOut) {
  const dialog = document.createElement('dialog')
  dialog.className = 'app-timeout-dialog'
  dialog.id = 'app-timeout-dialog'
  dialog.setAttribute('aria-labelledby', 'app-timeout-dialog-title')
  dialog.setAttribute('aria-describedby', 'app-timeout-dialog-message')

  const title = document.createElement('h2')
  title.className = 'govuk-heading-m app-timeout-dialog__title'
  title.id = 'app-timeout-dialog-title'
  title.textContent = 'You\u2019re about to be signed out'

  const message = document.createElement('p')
  message.className = 'govuk-body app-timeout-dialog__message'
  message.id = 'app-timeout-dialog-message'

  const visible = document.createElement('span')
  visible.setAttribute('aria-hidden', 'true')
  const countdown = document.createElement('strong')
  countdown.className = 'app-timeout-dialog__countdown'
  visible.append('For your security, we will sign you out in ', countdown, '.')

  const audible = document.createElement('span')
  audible.className = 'govuk-visually-hidden'
  audible.setAttribute('aria-live', 'polite')
  audible.setAttribute('aria-atomic', 'true')

  message.append(visible, audible)

  const actions = document.createElement('div')
  actions.className = 'govuk-button-group app-timeout-dialog__actions'

  const stay = document.createElement('button')
  stay.type = 'button'
  stay.className = 'govuk-button app-timeout-dialog__stay'
  stay.textContent = 'Stay signed in'
  actions.append(stay)

  let signOut = null
  if (hasSignOut) {
    signOut = document.createElement('a')
    signOut.className = 'govuk-link app-timeout-dialog__sign-out'
    signOut.href = '/sign-out'
    signOut.textContent = 'Sign out'
    actions.append(signOut)
  }

  dialog.append(title, message, actions)
  return { dialog, countdown, audible, stay, signOut }
}

export function initTimeoutWarning() {
  const timeoutSeconds = metaSeconds('openpep-session-timeout')
  if (!timeoutSeconds) return
  if (typeof window.HTMLDialogElement !== 'function' ||
      typeof window.HTMLDialogElement.prototype.showModal !== 'function') {
    return
  }

  const timeoutMs = timeoutSeconds * 1000
  const warningMs = Math.min(
    (metaSeconds('openpep-session-warning') || DEFAULT_WARNING_SECONDS) * 1000,
    timeoutMs
  )
  const signOutForm = document.querySelector('form.app-sign-out')
  const ui = buildDialog(Boolean(signOutForm))
  document.body.append(ui.dialog)

  let lastActivity = 0
  let timer = 0
  let state = 'idle' // idle | warning | leaving
  let returnFocusTo = null
  let lastAudibleStep = ''

  function secondsLeft(now) {
    return Math.max(0, Math.ceil((lastActivity + timeoutMs - now) / 1000))
  }

  function renderCountdown(seconds, announce) {
    const text = timeText(seconds)
    if (ui.countdown.textContent !== text) ui.countdown.textContent = text
    const step = audibleStep(seconds)
    if (announce || step !== lastAudibleStep) {
      lastAudibleStep = step
      ui.audible.textContent = `For your security, we will sign you out in ${text}.`
    }
  }

  function openDialog(seconds) {
    state = 'warning'
    const active = document.activeElement
    returnFocusTo = active && active !== document.body ? active : null
    renderCountdown(seconds, true)
    ui.dialog.showModal()
    // showModal() focuses the first focusable element, the safe choice;
    // say so explicitly (no autofocus attribute: it could act on page load).
    ui.stay.focus()
  }

  // Close without side effects (the caller decides what happens next).
  function closeDialog() {
    if (state !== 'warning') return
    state = 'idle'
    if (ui.dialog.open) ui.dialog.close()
    const target = returnFocusTo
    returnFocusTo = null
    if (target && target.isConnected && typeof target.focus === 'function') {
      target.focus({ preventScroll: true })
    }
  }

  function goToSignIn() {
    state = 'leaving'
    window.clearTimeout(timer)
    window.location.assign(TIMED_OUT_URL)
  }

  function timeOut() {
    // Another tab may have kept the session alive without us hearing.
    const shared = readSharedActivity()
    if (shared > lastActivity && shared + timeoutMs > Date.now()) {
      restart(shared, false)
      return
    }
    goToSignIn()
  }

  function check() {
    window.clearTimeout(timer)
    if (state === 'leaving') return
    const now = Date.now()
    const remaining = lastActivity + timeoutMs - now
    if (remaining <= 0) {
      timeOut()
      return
    }
    if (remaining <= warningMs) {
      const seconds = secondsLeft(now)
      if (state === 'warning') renderCountdown(seconds, false)
      else openDialog(seconds)
      // Wake when the whole-second count next changes.
      timer = window.setTimeout(check, (remaining % 1000) || 1000)
    } else {
      closeDialog()
      timer = window.setTimeout(check, Math.min(remaining - warningMs, MAX_DELAY_MS))
    }
  }

  // The server saw a request at `time`: start the idle period again.
  function restart(time, share) {
    if (state === 'leaving') return
    lastActivity = time
    if (share) writeSharedActivity(time)
    check()
  }

  function staySignedIn() {
    if (state === 'leaving') return
    closeDialog()
    restart(Date.now(), true)
    window.fetch(KEEP_ALIVE_URL, { method: 'GET', credentials: 'same-origin', cache: 'no-store' })
      .then((response) => {
        // 401, or a redirect to the sign-in page: the session has gone.
        if (response.status === 401 || response.redirected) goToSignIn()
      })
      .catch(() => {
        // Offline or the server is unreachable: the next request will tell.
      })
  }

  ui.stay.addEventListener('click', staySignedIn)

  // Escape fires "cancel" and then "close"; treat any close we did not ask
  // for as "Stay signed in".
  ui.dialog.addEventListener('close', () => {
    if (state === 'warning') staySignedIn()
  })

  if (ui.signOut) {
    ui.signOut.addEventListener('click', (event) => {
      event.preventDefault()
      if (state === 'leaving') return
      state = 'leaving'
      window.clearTimeout(timer)
      if (typeof signOutForm.requestSubmit === 'function') signOutForm.requestSubmit()
      else signOutForm.submit()
    })
  }

  document.addEventListener(ACTIVITY_EVENT, () => restart(Date.now(), true))

  window.addEventListener('storage', (event) => {
    if (event.key !== STORAGE_KEY) return
    const time = Number(event.newValue)
    if (Number.isFinite(time) && time > lastActivity) restart(time, false)
  })

  // Timers are throttled in background tabs and stop while a computer sleeps.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') check()
  })
  window.addEventListener('pageshow', (event) => {
    if (event.persisted) check()
  })

  // This page load was a request to the server.
  restart(Date.now(), true)
}
