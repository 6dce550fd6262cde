/* A button that copies a personal link (the calendar link) in one tap. Typing
   or selecting a long address on a phone is hard. The button is in the page
   but hidden; it shows only where the browser lets a page copy (a secure
   page with the clipboard). Everyone else copies from the text field, as its
   help text says. The result is read out through a role="status" box. */
(function () {
  "use strict";
  if (!window.isSecureContext || !navigator.clipboard) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy-from]"), function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-from"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!field || !status) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "";
      navigator.clipboard.writeText(field.value).then(function () {
        status.textContent = button.getAttribute("data-copied");
      }, function () {
        // Copying was refused: select the link, so "Kopiëren" is one step.
        field.focus();
        field.select();
        status.textContent = button.getAttribute("data-not-copied");
      });
    });
  });
})();
