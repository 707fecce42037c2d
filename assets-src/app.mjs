// OpenPEP browser script: bundled by scripts/build-assets.sh (esbuild) into
// crates/web/assets/app.js as one IIFE, loaded with
// <script src="/assets/app-HASH.js" defer></script> at the end of <body>.
// Inline scripts are forbidden by our CSP, so the body classes that the GOV.UK
// page template would set inline are set here instead.
import { initAll } from 'govuk-frontend'
import { initTimeoutWarning } from './timeout-warning.mjs'
import { initAutosave } from './autosave.mjs'
import { initReveal } from './reveal.mjs'

document.body.classList.add('js-enabled')
if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('govuk-frontend-supported')
}

initAll()

// Signed-in pages only (it needs <meta name="openpep-session-timeout">).
initTimeoutWarning()

// PEP pages save themselves a few seconds after typing stops.
initAutosave()

// Parts of a page for one answer show when it is chosen.
initReveal()
