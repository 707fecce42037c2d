// Parts of a PEP page that are for one answer of a radio question (the
// ways a child can share their views) show only when it is chosen, or
// while nothing is. Without JavaScript every part shows.
export function initReveal () {
  const groups = [...document.querySelectorAll('.app-reveal[data-reveal-field]')]
  const fields = new Set(groups.map((group) => group.dataset.revealField))
  for (const field of fields) {
    const radios = [...document.querySelectorAll(`input[type=radio][name="${CSS.escape(field)}"]`)]
    const update = () => {
      const chosen = radios.find((radio) => radio.checked)?.value
      for (const group of groups.filter((g) => g.dataset.revealField === field)) {
        group.hidden = chosen !== undefined && group.dataset.revealValue !== chosen
      }
    }
    radios.forEach((radio) => radio.addEventListener('change', update))
    update()
  }
}
