// Behaviour for server-rendered pages. No inline scripts anywhere: the CSP allows only this origin.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.classList.contains("js-autosubmit")) {
    target.form?.submit();
  }
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
// Add Bootstrap classes to form controls rendered by third-party templates.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("main input:not([type=checkbox]):not([type=radio]):not([type=hidden]):not(.form-control)")
    .forEach((input) => input.classList.add("form-control"));
});
