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
