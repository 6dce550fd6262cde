/* A form sent back with errors is a new page whose error box is there when it
   loads: screen readers do not read such a box out by itself, and the focus
   starts at the top, far from the errors. So the focus moves to the list of
   errors (its links lead to each field), or, where a form shows its errors
   only under the fields, to the first field with an error: its label and
   error are then read out. A message box after an action goes first
   (messages.js). */
(function () {
  "use strict";
  if (document.querySelector(".messages")) { return; }
  var summary = document.querySelector(".error-summary, .form-errors");
  if (summary) {
    summary.setAttribute("tabindex", "-1");
    summary.focus();
    return;
  }
  var field = document.querySelector(
    ".field-error input:not([type=hidden]), .field-error select, .field-error textarea"
  );
  if (field) { field.focus(); }
})();
