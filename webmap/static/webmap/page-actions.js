// Small page behaviours declared in the markup instead of inline handlers (which the
// Content-Security-Policy forbids): <select data-autosubmit> submits its form on change,
// <button data-print> prints the page.
"use strict";
document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
  select.addEventListener("change", () => select.form.submit());
});
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
