// Import progress: the width of each progress bar comes from its data-progress attribute (the CSP
// forbids inline style attributes), on first load and after every HTMX swap of the polled block.
(() => {
  const paint = (root) => {
    root.querySelectorAll("[data-progress]").forEach((bar) => {
      const value = Math.max(0, Math.min(100, Number(bar.dataset.progress) || 0));
      bar.style.width = `${value}%`;
    });
  };
  document.addEventListener("DOMContentLoaded", () => paint(document));
  document.addEventListener("htmx:afterSettle", () => paint(document));
})();

// A search box inside a form (the paper-filing unit picker): Enter searches, it does not submit the form.
document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (event.key === "Enter" && target instanceof HTMLInputElement && target.hasAttribute("data-no-submit-on-enter")) {
    event.preventDefault();
    target.dispatchEvent(new Event("search"));
  }
});
